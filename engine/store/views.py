"""What the Coalition page and ``export`` read: level shares by state and county, trends, and one stored row.

Every count is of institutions, not respondents: an institution that answered several times counts once, by its
last evaluated row in the file (as in ``compare``). Rows that could not be evaluated are left out.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from engine.errors import InputError
from engine.i18n import _
from engine.rules.model import Institution, Ruleset, Submission
from engine.store.connect import Store
from engine.store.schema import respondents
from engine.store.waves import Wave, get_wave, list_waves
from engine.vocabulary import UNNAMED_INSTITUTION

LEVELS = ("strong", "developing", "weak", "incomplete")


def _counted(wave: Wave) -> Any:
    """The store row ids that count for ``wave``: each institution's last evaluated row."""
    from sqlalchemy import func, select

    return (
        select(func.max(respondents.c.id))
        .where(respondents.c.wave_id == wave.id, respondents.c.error == "")
        .group_by(respondents.c.institution_key)
    )


def level_counts(store: Store, wave_name: str, *, by: str = "state") -> list[dict[str, Any]]:
    """Institutions per place and level in a wave (the map query).

    Args:
        by: ``"state"`` (two-letter code) or ``"county"`` (state and the county cell as written).

    Returns:
        ``[{"state", "county"?, "level", "institutions"}]``; a place with no state given has state "".
    """
    from sqlalchemy import func, select

    wave = get_wave(store, wave_name)
    places = [respondents.c.state] + ([respondents.c.county] if by == "county" else [])
    query = (
        select(*places, respondents.c.level, func.count().label("institutions"))
        .where(respondents.c.id.in_(_counted(wave)))
        .group_by(*places, respondents.c.level)
    )
    with store.engine.connect() as connection:
        return [dict(row) for row in connection.execute(query).mappings()]


def shares_by_place(counts: list[dict[str, Any]], keys: tuple[str, ...] = ("state",)) -> list[dict[str, Any]]:
    """``level_counts`` rows folded into one row per place: ``institutions`` and the share at each level."""
    places: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in counts:
        place = tuple(row[k] or "" for k in keys)
        entry = places.setdefault(place, {**dict(zip(keys, place, strict=True)), "institutions": 0})
        entry["institutions"] += row["institutions"]
        entry[row["level"]] = entry.get(row["level"], 0) + row["institutions"]
    for entry in places.values():
        for level in LEVELS:
            entry[f"share_{level}"] = entry.get(level, 0) / entry["institutions"] if entry["institutions"] else 0.0
            entry.setdefault(level, 0)
    return list(places.values())


def level_trends(store: Store, wave_names: list[str] | None = None) -> list[dict[str, Any]]:
    """Institutions at each level in every wave (or the named ones), oldest first: ``[{"wave", "as_of", "level",
    "institutions", "share"}]``."""
    from sqlalchemy import func, select

    chosen = list_waves(store) if wave_names is None else [get_wave(store, n) for n in wave_names]
    result: list[dict[str, Any]] = []
    with store.engine.connect() as connection:
        for wave in chosen:
            query = (
                select(respondents.c.level, func.count().label("institutions"))
                .where(respondents.c.id.in_(_counted(wave)))
                .group_by(respondents.c.level)
            )
            rows = {r["level"]: r["institutions"] for r in connection.execute(query).mappings()}
            total = sum(rows.values())
            for level in LEVELS:
                result.append(
                    {
                        "wave": wave.name,
                        "as_of": wave.as_of,
                        "level": level,
                        "institutions": rows.get(level, 0),
                        "share": rows.get(level, 0) / total if total else 0.0,
                    }
                )
    return result


def stored_row(store: Store, row_id: int) -> tuple[Wave, dict[str, Any]]:
    """One respondent row (by its store id) and its wave.

    Raises:
        InputError: no such row.
    """
    from sqlalchemy import select

    with store.engine.connect() as connection:
        row = connection.execute(select(respondents).where(respondents.c.id == int(row_id))).mappings().first()
    if row is None:
        raise InputError(_("{label}: no stored respondent {row_id}.").format(label=store.label, row_id=row_id))
    wave = next(w for w in list_waves(store) if w.id == row["wave_id"])
    return wave, dict(row)


def stored_submission(ruleset: Ruleset, row: dict[str, Any]) -> Submission:
    """The answers a stored respondent gave, as a submission to evaluate again (for its full report)."""
    from engine.run.answers import split_undecided

    answers = {q: v for q, v in json.loads(row["answers"]).items() if q in ruleset.questions}
    answers, undecided = split_undecided(ruleset, answers)
    types = tuple(t for t in row["institution_type"].split("|") if t in ruleset.institution_types)
    if not types:
        raise InputError(
            _("respondent {row}: its institution type is not in these rules.").format(row=row["respondent_id"])
        )
    institution = Institution(
        name=row["institution_name"] or UNNAMED_INSTITUTION,
        types=types,
        state=row["state"] or None,
        public=row["public"],
    )
    return Submission(institution, answers, source=f"line {row['line']}", undecided=undecided)


def wave_as_of(wave: Wave) -> dt.date:
    """The day the wave's law was applied at."""
    return dt.date.fromisoformat(wave.as_of)
