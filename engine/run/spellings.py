"""What people may type for an institution's type and state, and what each spelling means.

Type spellings are rules data (``institution_types.<id>.aliases`` in ruleset.yaml, with the id and
the title); state names and codes come from the maintained ``us`` package rather than a hand-written
table. Both are case- and accent-insensitive. ``sanctuary template --values``, the Batch page and the
survey reader all use these functions, so what is documented is what is accepted.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from engine.rules.model import Ruleset
from engine.vocabulary import spelling_key as fold  # one way names are folded, kept under its old name


def type_spellings(ruleset: Ruleset) -> dict[str, list[str]]:
    """Each institution type id -> the spellings accepted for it (id, title, then the aliases)."""
    return {
        tid: list(dict.fromkeys([tid, meta["title"], *meta.get("aliases", []), *meta.get("translated_titles", [])]))
        for tid, meta in ruleset.institution_types.items()
    }


def type_lookup(ruleset: Ruleset) -> Mapping[str, str]:
    """Folded spelling -> type id (the first type that claims a spelling keeps it), read-only.

    Folding the 85 spellings cost 0.5 ms, three quarters of reading an answers document, so each set of
    spellings is folded once; the key is the spellings themselves, so a ruleset with other aliases gets its own.
    """
    return _folded(tuple((tid, tuple(names)) for tid, names in type_spellings(ruleset).items()))


@lru_cache(maxsize=8)
def _folded(spellings: tuple[tuple[str, tuple[str, ...]], ...]) -> MappingProxyType[str, str]:
    lookup: dict[str, str] = {}
    for tid, names in spellings:
        for name in names:
            lookup.setdefault(fold(name), tid)
    return MappingProxyType(lookup)


@lru_cache(maxsize=1)
def _states() -> tuple[tuple[str, str], ...]:
    import us  # imported on first use: only surveys and the app's state list need it

    places = {s.abbr: s.name for s in us.states.STATES_AND_TERRITORIES}
    places.setdefault(us.states.DC.abbr, us.states.DC.name)
    return tuple(sorted(places.items(), key=lambda item: item[1]))


# Spanish names of the states and territories whose name is not the English one with or without accents
# (Nuevo México, Carolina del Norte). Matched like every name: any capitalisation, accents optional.
SPANISH_STATE_NAMES = {
    "Carolina del Norte": "NC",
    "Carolina del Sur": "SC",
    "Dakota del Norte": "ND",
    "Dakota del Sur": "SD",
    "Distrito de Columbia": "DC",
    "Hawái": "HI",
    "Islas Marianas del Norte": "MP",
    "Islas Vírgenes de los Estados Unidos": "VI",
    "Islas Vírgenes": "VI",
    "Luisiana": "LA",
    "Míchigan": "MI",
    "Misisipi": "MS",
    "Misuri": "MO",
    "Nueva Jersey": "NJ",
    "Nueva York": "NY",
    "Nuevo Hampshire": "NH",
    "Nuevo México": "NM",
    "Oregón": "OR",
    "Pensilvania": "PA",
    "Samoa Americana": "AS",
    "Tejas": "TX",
    "Virginia Occidental": "WV",
}


@lru_cache(maxsize=1)
def _spanish() -> dict[str, str]:
    return {fold(name): code for name, code in SPANISH_STATE_NAMES.items()}


def states() -> list[tuple[str, str]]:
    """(code, name) of every state, DC and territory, sorted by name (Alabama before Alaska)."""
    return list(_states())


def state_code(raw: Any) -> str | None:
    """The two-letter code for a state name or code ('New Mexico', 'nm', 'N.M.'), or None if unknown."""
    text = fold(raw)
    if not text:
        return None
    compact = text.replace(" ", "")
    if len(compact) == 2:
        # Most files give the code itself: answer from the loader's list (the same 56 codes; a test checks) and
        # spare 'sanctuary evaluate' the ~0.1 s import of the `us` package.
        from engine.rules.loader import US_STATES

        if compact.upper() in US_STATES:
            return compact.upper()
    for code, name in _states():
        if compact == code.lower() or text == fold(name):
            return code
    if text in ("washington dc", "washington d c", "dc"):
        return "DC"
    return _spanish().get(text)
