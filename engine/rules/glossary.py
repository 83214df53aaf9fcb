"""The Spanish glossary of legal terms (``glossary.yaml`` in a rules directory) and the check that holds every
translation to it.

Each term lists English phrases; a text whose English uses one must use one of the allowed Spanish renderings and
none of the forbidden ones ("orden judicial", never "mandato judicial"). Phrases match whole words, any case
(``exact: true`` for acronyms and names), with runs of spaces as one; a ``*`` at the end of a word allows any
ending ("bibliotec*" for biblioteca and bibliotecas). ``unless_en`` phrases are removed from the English before
matching ("Attorney General" is not an attorney), English kept word for word in the Spanish (a search query,
the name of an act) is not a use of the term, ``fields`` limits a term to some text fields (state names are
checked on the state's name only) and ``except_fields`` exempts some (quotes keep the law's own words).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.errors import RulesetError
from engine.i18n import _
from engine.rules import bilingual
from engine.rules.parsing import check_keys, read_yaml

GLOSSARY_FILE = "glossary.yaml"
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'"})


def _pattern(phrases: Iterable[str], exact: bool) -> re.Pattern[str] | None:
    parts = []
    for phrase in phrases:
        words = [re.escape(w).replace(r"\*", r"\w*") for w in phrase.translate(_APOSTROPHES).split()]
        parts.append(r"\s+".join(words))
    if not parts:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", 0 if exact else re.IGNORECASE)


@dataclass(frozen=True)
class Term:
    """One glossary entry: when the English uses it, what the Spanish must (and must not) say."""

    id: str
    en: re.Pattern[str]
    es: re.Pattern[str] | None
    never: re.Pattern[str] | None
    renderings: tuple[str, ...]
    forbidden: tuple[str, ...]
    unless_en: re.Pattern[str] | None = None
    fields: tuple[str, ...] = ()
    except_fields: tuple[str, ...] = ()

    def problem(self, english: str, spanish: str, field: str) -> str | None:
        """Why this pair breaks the term, or None when it holds (or the term does not apply)."""
        if (self.fields and field not in self.fields) or field in self.except_fields:
            return None
        english = english.translate(_APOSTROPHES)
        if self.unless_en is not None:
            english = self.unless_en.sub(" ", english)
        spanish = spanish.translate(_APOSTROPHES)
        # English kept as written in the Spanish (a search query, the name of an act) is not a use of the term.
        used = next((m for m in self.en.finditer(english) if m.group() not in spanish), None)
        if used is None:
            return None
        if self.never is not None and (found := self.never.search(spanish)):
            return _("{term}: says {found!r}; the glossary never allows that (use {allowed})").format(
                term=self.id, found=found.group(), allowed=self._allowed()
            )
        if self.es is not None and not self.es.search(spanish):
            return _("{term}: the English says {used!r}; the Spanish must use {allowed}").format(
                term=self.id, used=used.group(), allowed=self._allowed()
            )
        return None

    def _allowed(self) -> str:
        return _(" or ").join(repr(r) for r in self.renderings) or _("another rendering")


def load_glossary(path: Path) -> tuple[Term, ...]:
    """Read and check a glossary file (``terms``: a list of entries)."""
    where = str(path)
    data = check_keys(read_yaml(path, where), where, ("terms",), ())
    if not isinstance(data["terms"], list) or not data["terms"]:
        raise RulesetError(_("{where}: terms: expected a list of terms.").format(where=where))
    terms: list[Term] = []
    for n, entry in enumerate(data["terms"]):
        w = f"{where}: terms[{n}]"
        check_keys(entry, w, ("id", "en"), ("es", "never", "exact", "unless_en", "fields", "except_fields"))
        lists = {}
        for key in ("en", "es", "never", "unless_en", "fields", "except_fields"):
            value = entry.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
                raise RulesetError(_("{where}.{key}: expected a list of phrases.").format(where=w, key=key))
            lists[key] = tuple(v.strip() for v in value)
        if not lists["en"] or not (lists["es"] or lists["never"]):
            raise RulesetError(
                _("{where}: a term needs English phrases (en) and Spanish ones (es, never or both).").format(where=w)
            )
        exact = entry.get("exact", False) is True
        en = _pattern(lists["en"], exact)
        assert en is not None  # at least one phrase, checked above
        terms.append(
            Term(
                id=str(entry["id"]),
                en=en,
                es=_pattern(lists["es"], exact),
                never=_pattern(lists["never"], False),
                renderings=lists["es"],
                forbidden=lists["never"],
                unless_en=_pattern(lists["unless_en"], False),
                fields=lists["fields"],
                except_fields=lists["except_fields"],
            )
        )
    return tuple(terms)


def check_pairs(terms: Iterable[Term], pairs: Iterable[tuple[str, str, str, str]]) -> list[str]:
    """Every glossary problem among (where, field, English, Spanish) pairs, one line each."""
    terms = tuple(terms)
    return [
        f"{where}: {problem}"
        for where, field, english, spanish in pairs
        for term in terms
        if (problem := term.problem(english, spanish, field))
    ]


def rules_pairs(root: Path) -> Iterator[tuple[str, str, str, str]]:
    """(where, field, English, Spanish) of every bilingual text in the rules files of ``root``."""
    for path in sorted(root.rglob("*.yaml")):
        inside = path.relative_to(root).as_posix()
        if not bilingual.is_translated_file(inside):
            continue
        data: Any = read_yaml(path, inside)
        for keys, value in bilingual.texts(data, inside.startswith("citations/")):
            if bilingual.is_bilingual(value) and isinstance(value.get("es"), str):
                field = next((k for k in reversed(keys) if isinstance(k, str)), "")
                if len(keys) > 1 and keys[-2] in bilingual.TEXT_MAPPINGS:
                    field = str(keys[-2])  # a choice label or an outcome's explanation
                yield f"{inside}{bilingual._keypath(keys)}", field, str(value["en"]), value["es"]


def clause_pairs(english: Any, spanish: Any) -> Iterator[tuple[str, str, str, str]]:
    """(where, field, English, Spanish) of every clause title and text, from the two languages' rulesets."""
    for cid, clause in english.clauses.items():
        other = spanish.clauses.get(cid)
        if other is not None:
            yield f"{clause.source}: title", "title", clause.title, other.title
            yield f"{clause.source}: text", "text", clause.text, other.text


def glossary_problems(root: Path, english: Any = None, spanish: Any = None) -> list[str]:
    """Every glossary problem of a bilingual rules directory (clauses too, given its two loaded rulesets)."""
    path = root / GLOSSARY_FILE
    if not path.is_file():
        return []
    terms = load_glossary(path)
    pairs: list[tuple[str, str, str, str]] = list(rules_pairs(root))
    if english is not None and spanish is not None:
        pairs += clause_pairs(english, spanish)
    return check_pairs(terms, pairs)
