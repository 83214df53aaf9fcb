"""Consistency within a wave: respondents of one institution whose answers disagree, question by question.

Two people from one school district often fill in the survey separately. Where they give different answers to
the same question the results cannot both be right, so the coalition should ask. A question one of them left
blank is not a disagreement (a blank is no answer). Institutions are grouped as ``compare`` matches them.
"""

from __future__ import annotations

import json
from typing import Any

from engine.i18n import _
from engine.store.connect import Store
from engine.store.schema import respondents
from engine.store.waves import get_wave

CONSISTENCY_COLUMNS = ["institution_name", "institution_type", "state", "match", "question", "answers"]


def _word(value: Any) -> str:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return str(value)


def disagreements(store: Store, wave_name: str, *, id_column: str | None = None) -> dict[str, Any]:
    """Every question on which respondents of one institution disagree in ``wave_name``.

    Returns:
        ``{"wave", "matched_by", "summary", "disagreements"}``; each disagreement names the institution, the
        ``question`` and ``answers``: ``[{"respondent_id", "line", "answer"}]`` for every respondent who
        answered it, in file order.

    Raises:
        InputError: an unknown wave, or an id column the wave was not stored with.
    """
    from sqlalchemy import func, select

    from engine.errors import InputError

    wave = get_wave(store, wave_name)
    if id_column and wave.id_column != id_column:
        had = (
            _("with id column {column!r}").format(column=wave.id_column)
            if wave.id_column
            else _("without an id column")
        )
        raise InputError(
            _("--id-column {id_column}: wave {name!r} was stored {had}.").format(
                id_column=id_column, name=wave.name, had=had
            )
        )
    match = respondents.c.institution_id if id_column else respondents.c.institution_key
    # Each row with how many rows its institution has in the wave (a window, so one pass over the wave whatever
    # the planner knows: a join of the wave with its own GROUP BY went quadratic on PostgreSQL without statistics).
    counted = (
        select(
            match.label("match"),
            respondents.c.respondent_id,
            respondents.c.line,
            respondents.c.institution_name,
            respondents.c.institution_type,
            respondents.c.state,
            respondents.c.answers,
            func.count().over(partition_by=match).label("rows"),
        )
        .where(respondents.c.wave_id == wave.id, match.is_not(None), match != "")
        .subquery()
    )
    query = select(counted).where(counted.c.rows > 1).order_by(counted.c.match, counted.c.line)
    found: list[dict[str, Any]] = []
    groups = disagreeing = 0
    with store.engine.connect() as connection:
        group: list[Any] = []
        for row in [*connection.execute(query).mappings(), None]:
            if group and (row is None or row["match"] != group[0]["match"]):
                groups += 1
                before = len(found)
                found.extend(_group_disagreements(group))
                disagreeing += len(found) > before
                group = []
            if row is not None:
                group.append(row)
    return {
        "wave": wave.as_dict(),
        "matched_by": f"id column {id_column}" if id_column else "name, institution type and state",
        "summary": {
            "institutions_answering_more_than_once": groups,
            "institutions_with_disagreements": disagreeing,
            "disagreements": len(found),
        },
        "disagreements": found,
    }


def _group_disagreements(group: list[Any]) -> list[dict[str, Any]]:
    answers = [json.loads(row["answers"]) for row in group]
    questions = list(dict.fromkeys(q for given in answers for q in given))
    found = []
    for question in questions:
        given = [(row, a[question]) for row, a in zip(group, answers, strict=True) if question in a]
        if len({json.dumps(value) for _, value in given}) < 2:
            continue
        first = group[-1]
        found.append(
            {
                "institution_name": first["institution_name"],
                "institution_type": first["institution_type"],
                "state": first["state"],
                "match": first["match"],
                "question": question,
                "answers": [
                    {"respondent_id": row["respondent_id"], "line": row["line"], "answer": _word(value)}
                    for row, value in given
                ],
            }
        )
    return found
