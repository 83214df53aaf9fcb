"""The institution's own fields: its types (by id, title or alias, in a list or one text), state and public.

Separate from reading an answers file (``engine.run.answers``) because a survey row, the coalition store and
the CLI's ``--type`` read these fields the same way, from cells and options rather than a document.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from engine.errors import InputError, did_you_mean
from engine.i18n import _
from engine.limits import INSTITUTION_MAX_TYPES
from engine.rules.aliases import answer_key
from engine.rules.model import Ruleset
from engine.run.normalise import FALSE_WORDS, TRUE_WORDS, is_blank
from engine.run.spellings import fold, state_code, type_lookup
from engine.safe_text import shown


def _type_key(spellings: Mapping[str, str], item: str) -> str:
    """The type id for an id, a title or an alias (any case), else the folded text."""
    return spellings.get(fold(item)) or answer_key(item).replace(" ", "_").replace("-", "_")


def _split_types(ruleset: Ruleset, raw: str, where: str) -> list[str]:
    """Split a list of types at , ; or |, but never inside a title that holds a comma ("Jail, sheriff or ...").

    Linear in the text: a title or alias spans at most ``_spelling_parts`` pieces, so only that many are ever
    joined back to look one up (joining every run of pieces made a 10,000-character list cost hours).
    """
    parts = [p.strip() for p in re.split(r"[,;|]", raw)]
    if len(parts) == 1:
        return parts
    spellings = type_lookup(ruleset)
    widest = _spelling_parts(spellings)
    if sum(1 for p in parts if p) > INSTITUTION_MAX_TYPES * widest:
        raise _too_many_types(where)
    items: list[str] = []
    i = 0
    while i < len(parts):
        if not parts[i]:  # ",," or a trailing separator: no title starts with an empty piece
            i += 1
            continue
        # Longest run of parts that, joined back with commas, is a type's title or alias.
        for j in range(min(len(parts), i + widest), i + 1, -1):
            joined = ", ".join(parts[i:j])
            if fold(joined) in spellings:
                items.append(joined)
                i = j
                break
        else:
            items.append(parts[i])
            i += 1
    return [item for item in items if item]


def _spelling_parts(spellings: Mapping[str, str]) -> int:
    """The most pieces a type's title or alias splits into at , ; or | (folding keeps no punctuation, so count
    the words: a piece holds at least one)."""
    return max(len(s.split()) for s in spellings) if spellings else 1


def _too_many_types(where: str) -> InputError:
    return InputError(
        _("{where}: more than {count} institution types listed; give the few that describe it.").format(
            where=where, count=INSTITUTION_MAX_TYPES
        )
    )


def parse_types(ruleset: Ruleset, raw: Any, where: str = "institution.type") -> tuple[str, ...]:
    """Institution types from a string, a list, or text separated by commas, semicolons or '|'."""
    if is_blank(raw):
        raise _missing_type(ruleset, where)
    if isinstance(raw, str):
        items = _split_types(ruleset, raw, where)
    elif isinstance(raw, list | tuple):
        items = [str(p).strip() for p in raw]
    else:
        raise InputError(
            _("{where}: expected a type or a list of types, got {value}.").format(where=where, value=shown(repr(raw)))
        )
    if len(items) > INSTITUTION_MAX_TYPES:
        raise _too_many_types(where)
    types: list[str] = []
    spellings = type_lookup(ruleset)  # ids, titles and the aliases in ruleset.yaml
    for item in items:
        key = _type_key(spellings, item)
        if key not in ruleset.institution_types:
            hint = did_you_mean(key, ruleset.institution_types) if len(key) <= 100 else ""
            raise InputError(
                _("{where}: unknown institution type {value}.").format(where=where, value=shown(item))
                + hint
                + " "
                + _("Types: {types}.").format(types=", ".join(ruleset.institution_types))
            )
        if key not in types:
            types.append(key)
    if not types:
        raise _missing_type(ruleset, where)
    return tuple(types)


def _missing_type(ruleset: Ruleset, where: str) -> InputError:
    return InputError(
        _("{where}: missing; give one of {types}.").format(where=where, types=", ".join(ruleset.institution_types))
    )


def parse_state(raw: Any, where: str = "institution.state") -> str | None:
    """The two-letter code of a state given by name or code; None when blank."""
    if is_blank(raw):
        return None
    if not isinstance(raw, str | int):
        raise InputError(_("{where}: expected a state name or code, got {value}.").format(where=where, value=repr(raw)))
    code = state_code(raw)  # a name ("New Mexico") or a code, through the maintained `us` list
    if code is None:
        raise InputError(
            _("{where}: {value} is not a US state or territory; give its name or code, such as CA or Texas.").format(
                where=where, value=shown(raw)
            )
        )
    return code


def parse_public(raw: Any, where: str = "institution.public") -> bool | None:
    """True for a public body, False for a private one, None when not said."""
    if is_blank(raw):
        return None
    if isinstance(raw, bool):
        return raw
    word = answer_key(str(raw))
    if word in TRUE_WORDS | {"public", "público", "publico"}:
        return True
    if word in FALSE_WORDS | {"private", "privado"}:
        return False
    raise InputError(_("{where}: {value} is not yes/no (or public/private).").format(where=where, value=shown(raw)))
