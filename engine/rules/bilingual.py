"""Rules texts in two languages: which fields are texts, how a bilingual text is written, and its checks.

A text shown to people is written ``{en: ..., es: ...}`` in a bilingual ruleset (ruleset.yaml says
``languages: [en, es]``). This module is the one place that says which fields are such texts (the loader, the
sidecar injector ``scripts/i18n_inject.py`` and the glossary check all ask it), checks both languages of each
text (neither empty, the same placeholders and state markers) and picks one language for a load. Ids, conditions,
aliases, dates, citation titles and publishers (names of works) are never translated.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from engine.errors import RulesetError
from engine.i18n import N_, _

LANGUAGES = ("en", "es")
DEFAULT_LANG = "en"
LANGUAGE_NAMES = {"en": N_("English"), "es": N_("Spanish")}  # in the reader's language: _() where shown

# A string under one of these keys is a text shown to people (in any rules file but the citation register).
TEXT_KEYS = frozenset(
    {
        "text",
        "help",
        "who_knows",
        "title",
        "explanation",
        "disclaimer",
        "description",
        "summary",
        "exposure",
        "still_lawful",
        "quote",
        "name",
        "claim",
        "why",
        "short",
        "searched",
        "note",
    }
)
# Every string value of a mapping under one of these keys is a text (choice labels; a control's explanation per
# outcome; what `sanctuary upgrade` tells someone who gave a retired answer).
TEXT_MAPPINGS = frozenset({"choices", "explanation", "retired_answers"})
# Nothing below one of these keys is a text: conditions, aliases and id lists.
NOT_TEXT_UNDER = frozenset(
    {
        "aliases",
        "when",
        "applies_when",
        "violated_when",
        "ask_when",
        "pass",
        "partial",
        "citations",
        "based_on",
        "replaces",
        "replaces_answers",
        "more_protective",
        "unordered",
        "quote_source",
        "publisher",
        "seen",
        "controls",
    }
)
# In the citation register only the note is ours to translate: a source's title and publisher name a work.
CITATION_TEXT_KEYS = frozenset({"note"})

# Rules files (paths inside the rules directory) whose texts are translated; *.cases.yaml are tests, not texts.
TRANSLATED_FILES = (
    "ruleset.yaml",
    "states.yaml",
    "questions/*.yaml",
    "controls/*.yaml",
    "flags/*.yaml",
    "citations/*.yaml",
)

MARKER = re.compile(r"<<([A-Z]{2}):")
_NAME = re.compile(r"[a-z0-9_]+")


def is_translated_file(relative: str) -> bool:
    """True when the rules file at ``relative`` (a path inside the rules directory) holds translated texts."""
    if relative.endswith(".cases.yaml"):
        return False
    folder, _slash, name = relative.rpartition("/")
    return any(
        (pattern == relative) or (pattern.endswith("/*.yaml") and folder == pattern[:-7] and name.endswith(".yaml"))
        for pattern in TRANSLATED_FILES
    )


def is_text_position(path: tuple[str | int, ...], citations: bool = False) -> bool:
    """True when the value at ``path`` (mapping keys and list indices from the file's top) is a text.

    ``citations``: the path is inside the citation register, where only notes are texts.
    """
    keys = [k for k in path if isinstance(k, str)]
    if not keys:
        return False
    last, parent = keys[-1], keys[-2] if len(keys) > 1 else None
    if citations:
        return last in CITATION_TEXT_KEYS and len(keys) == 2
    # A control's explanation.pass is a text although a control's pass is a condition.
    above = keys[:-2] if parent in TEXT_MAPPINGS else keys[:-1]
    if any(k in NOT_TEXT_UNDER for k in above):
        return False
    if parent in TEXT_MAPPINGS and isinstance(path[-1], str):
        return True
    return last in TEXT_KEYS


def is_bilingual(value: Any) -> bool:
    """True for a mapping written as a bilingual text (``{en: ..., es: ...}``)."""
    return isinstance(value, dict) and "en" in value and set(value) <= set(LANGUAGES)


def placeholders(text: str) -> list[tuple[str, int]]:
    """Every ``{name}`` and ``{name:a|b}`` in ``text`` (nested ones too) as (name, number of forms), sorted.

    Two languages of one text must give the same list: the engine fills the same names, and a count template
    ``{n:one|many}`` must offer the same number of forms.
    """
    found: list[tuple[str, int]] = []
    _scan(text, found)
    return sorted(found)


def _scan(text: str, found: list[tuple[str, int]]) -> None:
    # Jump from brace to brace (str.find): a text of a few KB holds a handful of placeholders.
    i = text.find("{")
    while i >= 0:
        name = _NAME.match(text, i + 1)
        end = name.end() if name else -1
        if name is None or end >= len(text) or text[end] not in ":}":
            i = text.find("{", i + 1)  # a brace that opens no placeholder is literal text
            continue
        if text[end] == "}":
            found.append((name.group(), 1))
            i = text.find("{", end + 1)
            continue
        depth, j, bars = 1, end + 1, 0
        while j < len(text) and depth:  # only inside a count template, which is short
            depth += {"{": 1, "}": -1}.get(text[j], 0)
            bars += text[j] == "|" and depth == 1
            j += 1
        if depth:  # unclosed: literal
            i = text.find("{", i + 1)
            continue
        found.append((name.group(), bars + 1))
        _scan(text[end + 1 : j - 1], found)
        i = text.find("{", j)


def markers(text: str) -> list[str]:
    """The ``<<XX:`` state markers of ``text``, sorted."""
    return sorted(MARKER.findall(text))


def check_pair(en: Any, es: Any, where: str) -> None:
    """Both languages of one text: non-empty strings with the same placeholders and state markers."""
    if not isinstance(en, str) or not en.strip():
        raise RulesetError(_("{where}.en: the English text is missing or empty; write it.").format(where=where))
    if not isinstance(es, str) or not es.strip():
        raise RulesetError(
            _("{where}.es: the Spanish text is missing or empty; add es: beside en: with the Spanish.").format(
                where=where
            )
        )
    if placeholders(en) != placeholders(es):
        raise RulesetError(
            _(
                "{where}: the placeholders differ between languages (en {en_placeholders}, es "
                "{es_placeholders}); keep every {{name}} and the number of | forms of each "
                "{{name:a|b}}."
            ).format(where=where, en_placeholders=_shown(placeholders(en)), es_placeholders=_shown(placeholders(es)))
        )
    if markers(en) != markers(es):
        raise RulesetError(
            _(
                "{where}: the state markers differ between languages (en {en_markers}, es "
                "{es_markers}); keep every <<XX: ...>> and translate only the text inside "
                "it."
            ).format(where=where, en_markers=markers(en), es_markers=markers(es))
        )


def _shown(found: list[tuple[str, int]]) -> str:
    return ", ".join(f"{{{n}}}" if k == 1 else f"{{{n}:{k} forms}}" for n, k in found) or "none"


def localise(data: Any, where: str, lang: str, bilingual: bool, citations: bool = False) -> Any:
    """``data`` (a rules file as read) with every text in ``lang``; both languages checked when ``bilingual``.

    Raises ``RulesetError`` naming the file and key path: a plain string where a bilingual ruleset needs both
    languages, a missing or empty language, placeholders or markers that differ, or a bilingual mapping where
    no text belongs.
    """
    return _localise(data, (), where, lang, bilingual, citations)


def _localise(value: Any, path: tuple[str | int, ...], where: str, lang: str, bilingual: bool, citations: bool) -> Any:
    if path and is_text_position(path, citations):
        spot = where + _keypath(path)
        if is_bilingual(value):
            check_pair(value.get("en"), value.get("es"), spot) if bilingual else None
            if not bilingual and not (isinstance(value.get("en"), str) and value["en"].strip()):
                raise RulesetError(_("{spot}.en: the English text is missing or empty; write it.").format(spot=spot))
            chosen = value.get(lang)
            return chosen.strip() if isinstance(chosen, str) else chosen
        if bilingual and isinstance(value, str):
            raise RulesetError(
                _(
                    "{spot}: this text needs both languages (the ruleset says languages: "
                    "[en, es]); write it as en: <the English> and add es: beside en: with "
                    "the Spanish."
                ).format(spot=spot)
            )
        if isinstance(value, dict) and not (path[-1] == "explanation" or "choices" in path):
            raise RulesetError(
                _("{spot}: expected a text, or en: and es: texts, not the keys {value}.").format(
                    spot=spot, value=sorted(value)
                )
            )
    elif is_bilingual(value) and all(isinstance(v, str) for v in value.values()):
        raise RulesetError(
            _(
                "{where}{keypath}: not a translated text; write one value here (texts "
                "in two languages belong only in fields shown to people)."
            ).format(where=where, keypath=_keypath(path))
        )
    if isinstance(value, dict):
        return {k: _localise(v, (*path, k), where, lang, bilingual, citations) for k, v in value.items()}
    if isinstance(value, list):
        return [_localise(v, (*path, i), where, lang, bilingual, citations) for i, v in enumerate(value)]
    return value


def _keypath(path: tuple[str | int, ...]) -> str:
    return ": " + "".join(f"[{k}]" if isinstance(k, int) else (f".{k}" if n else str(k)) for n, k in enumerate(path))


def texts(data: Any, citations: bool = False) -> list[tuple[tuple[str | int, ...], Any]]:
    """(path, value) of every text position in ``data`` that holds a string or a bilingual mapping."""
    found: list[tuple[tuple[str | int, ...], Any]] = []

    def walk(value: Any, path: tuple[str | int, ...]) -> None:
        if path and is_text_position(path, citations) and (isinstance(value, str) or is_bilingual(value)):
            found.append((path, value))
            return
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, (*path, k))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(v, (*path, i))

    walk(data, ())
    return found


def check_lang(lang: str | None, on_error: Callable[[str], Exception] = RulesetError) -> str:
    """``lang`` (None: the default) when it is a language of the rules; otherwise raises ``on_error(message)``."""
    lang = (lang or DEFAULT_LANG).strip().lower()
    if lang not in LANGUAGES:
        raise on_error(_("unknown language {lang!r}; choose en (English) or es (Spanish).").format(lang=lang))
    return lang
