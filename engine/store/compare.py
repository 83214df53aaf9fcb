"""Comparing two waves: which institutions improved or dropped, and by which components, controls and flags.

Institutions are matched by folded name, institution types and state (``institution_key``), or by the id column
a wave was stored with. Where one institution answered several times in a wave, its last row in the file counts
(a correction usually comes later); ``sanctuary consistency`` shows where such answers disagree. Rows that could
not be evaluated are left out of the comparison and counted.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from engine.errors import InputError
from engine.i18n import _
from engine.store.connect import Store
from engine.store.schema import LEVEL_RANK, OUTCOME_RANK, OUTCOMES, respondents
from engine.store.waves import Wave, get_wave

COMPARE_COLUMNS = [
    "status",
    "institution_name",
    "institution_type",
    "state",
    "match",
    "level_a",
    "level_b",
    "level_change",
    "components_changed",
    "controls_improved",
    "controls_regressed",
    "flags_new",
    "flags_lost",
]


# The columns compare reads, in this order (rows are plain tuples: a mapping per row cost a third of the time).
_COLUMNS = ("id", "institution_name", "institution_type", "state", "level", "components", "controls", "flags")
_ID, _NAME, _TYPE, _STATE, _LEVEL, _COMPONENTS, _CONTROLS, _FLAGS = range(1, 9)


def latest_rows(store: Store, wave: Wave, match: str) -> tuple[dict[str, tuple[Any, ...]], int, int]:
    """Each institution's last evaluated row in ``wave``, by its match value: ``(match, *_COLUMNS)`` tuples.

    Returns:
        (match value -> row, rows with errors or no match value left out, institutions answering more than once).
    """
    from sqlalchemy import select

    match_column = respondents.c.institution_key if match == "name" else respondents.c.institution_id
    query = select(match_column, *(respondents.c[c] for c in _COLUMNS), respondents.c.error).where(
        respondents.c.wave_id == wave.id
    )
    latest: dict[str, tuple[Any, ...]] = {}
    left_out = 0
    repeated: set[str] = set()
    with store.engine.connect() as connection:
        rows = connection.execute(query).all()  # Row objects behave as tuples
    for row in rows:
        key = row[0]
        if row[-1] or not key:
            left_out += 1
            continue
        seen = latest.get(key)
        if seen is None:
            latest[key] = row
        else:
            repeated.add(key)  # row ids grow in file order: the higher id is the later row
            if row[_ID] > seen[_ID]:
                latest[key] = row
    return latest, left_out, len(repeated)


# "+" where the second outcome code is more protective than the first, "-" where less; pairs without a rank
# (not answered, not applicable, not in force) are neither.
_DIRECTION = {
    x + y: ("+" if OUTCOME_RANK[y] > OUTCOME_RANK[x] else "-") for x in OUTCOME_RANK for y in OUTCOME_RANK if x != y
}


def _level_change(a: str, b: str) -> str:
    if a == b:
        return "same"
    if a in LEVEL_RANK and b in LEVEL_RANK:
        return "improved" if LEVEL_RANK[b] > LEVEL_RANK[a] else "dropped"
    return "changed"  # to or from 'incomplete': too little answered to call it better or worse


def _code_changes(
    ids_a: tuple[str, ...], codes_a: str, ids_b: tuple[str, ...], codes_b: str
) -> list[tuple[str, str, str]]:
    """(id, code in a, code in b) for every id whose code differs; ids are matched by name."""
    if ids_a == ids_b:
        return [(i, x, y) for i, x, y in zip(ids_a, codes_a, codes_b, strict=False) if x != y]
    in_b = dict(zip(ids_b, codes_b, strict=False))
    return [(i, x, in_b[i]) for i, x in zip(ids_a, codes_a, strict=False) if i in in_b and in_b[i] != x]


def compare_waves(
    store: Store, wave_a: str, wave_b: str, *, id_column: str | None = None, include_unchanged: bool = False
) -> dict[str, Any]:
    """What changed from ``wave_a`` to ``wave_b``, institution by institution.

    Args:
        store: the open store.
        wave_a: the earlier wave's name.
        wave_b: the later wave's name.
        id_column: match by the id column both waves were stored with (``batch --id-column``) instead of by
            name, types and state.
        include_unchanged: also list the institutions in both waves with nothing changed (the summary always
            counts them); by default only changed institutions and those in one wave only are listed.

    Returns:
        ``{"wave_a", "wave_b", "matched_by", "summary", "institutions"}``; each institution has the
        ``COMPARE_COLUMNS`` (lists for the list-valued ones) and ``row_a`` / ``row_b`` (store row ids).

    Raises:
        InputError: an unknown wave, or an id column a wave was not stored with.
    """
    a, b = get_wave(store, wave_a), get_wave(store, wave_b)
    match = "name"
    if id_column:
        for wave in (a, b):
            if wave.id_column != id_column:
                had = (
                    _("with id column {column!r}").format(column=wave.id_column)
                    if wave.id_column
                    else _("without an id column")
                )
                raise InputError(
                    _(
                        "--id-column {id_column}: wave {name!r} was stored {had}; store it "
                        "again with 'sanctuary batch ... --id-column {id_column}' or compare by "
                        "name, type and state."
                    ).format(id_column=id_column, name=wave.name, had=had)
                )
        match = "id"
    rows_a, errors_a, repeated_a = latest_rows(store, a, match)
    rows_b, errors_b, repeated_b = latest_rows(store, b, match)
    same_components, same_controls = a.components == b.components, a.controls == b.controls
    listed: list[dict[str, Any]] = []
    counts: Counter[str] = Counter()
    for key, rb in rows_b.items():
        ra = rows_a.get(key)
        if ra is None:
            counts["only_b"] += 1
            listed.append(_entry(key, None, rb))
            continue
        counts["both"] += 1
        # Most institutions change little from one wave to the next: whole strings are compared before codes,
        # and an unchanged institution is only counted unless asked for.
        unchanged = (
            ra[_LEVEL] == rb[_LEVEL]
            and ra[_FLAGS] == rb[_FLAGS]
            and (same_controls and ra[_CONTROLS] == rb[_CONTROLS])
            and (same_components and ra[_COMPONENTS] == rb[_COMPONENTS])
        )
        if unchanged:
            counts["same"] += 1
            if include_unchanged:
                listed.append(_entry(key, ra, rb, "same"))
            continue
        entry = _entry(key, ra, rb, _level_change(ra[_LEVEL], rb[_LEVEL]))
        counts[entry["level_change"]] += 1
        for cid, x, y in _code_changes(a.components, ra[_COMPONENTS], b.components, rb[_COMPONENTS]):
            entry["components_changed"].append(f"{cid}: {OUTCOMES.get(x, x)} -> {OUTCOMES.get(y, y)}")
        moved = {"+": entry["controls_improved"], "-": entry["controls_regressed"]}
        for cid, x, y in _code_changes(a.controls, ra[_CONTROLS], b.controls, rb[_CONTROLS]):
            direction = _DIRECTION.get(x + y)
            if direction:
                moved[direction].append(cid)
        if ra[_FLAGS] != rb[_FLAGS]:
            flags_a = set(filter(None, ra[_FLAGS].split("|")))
            flags_b = set(filter(None, rb[_FLAGS].split("|")))
            entry["flags_new"] = sorted(flags_b - flags_a)
            entry["flags_lost"] = sorted(flags_a - flags_b)
        if include_unchanged or entry["level_change"] != "same" or _any_change(entry):
            listed.append(entry)
    for key, ra in rows_a.items():
        if key not in rows_b:
            counts["only_a"] += 1
            listed.append(_entry(key, ra, None))
    institutions = sorted(listed, key=_sort_key)
    summary = {
        "matched": counts["both"],
        "only_in_a": counts["only_a"],
        "only_in_b": counts["only_b"],
        "improved": counts["improved"],
        "dropped": counts["dropped"],
        "same": counts["same"],
        "changed_to_or_from_incomplete": counts["changed"],
        "error_rows_left_out": {"a": errors_a, "b": errors_b},
        "institutions_answering_more_than_once": {"a": repeated_a, "b": repeated_b},
    }
    return {
        "wave_a": a.as_dict(),
        "wave_b": b.as_dict(),
        "matched_by": f"id column {id_column}" if id_column else "name, institution type and state",
        "summary": summary,
        "institutions": institutions,
    }


def _entry(key: str, ra: tuple[Any, ...] | None, rb: tuple[Any, ...] | None, change: str = "") -> dict[str, Any]:
    some = rb or ra
    assert some is not None
    return {
        "status": "both" if ra and rb else ("only_a" if ra else "only_b"),
        "institution_name": some[_NAME],
        "institution_type": some[_TYPE],
        "state": some[_STATE],
        "match": key,
        "level_a": ra[_LEVEL] if ra else "",
        "level_b": rb[_LEVEL] if rb else "",
        "level_change": change,
        "components_changed": [],
        "controls_improved": [],
        "controls_regressed": [],
        "flags_new": [],
        "flags_lost": [],
        "row_a": ra[_ID] if ra else None,
        "row_b": rb[_ID] if rb else None,
    }


def _any_change(entry: dict[str, Any]) -> bool:
    return any(
        entry[k] for k in ("components_changed", "controls_improved", "controls_regressed", "flags_new", "flags_lost")
    )


def _sort_key(entry: dict[str, Any]) -> tuple[str, str, str]:
    return (entry["state"], entry["institution_name"].casefold(), entry["institution_type"])
