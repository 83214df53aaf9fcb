"""SummaryBuilder counts in Counters and builds its tables at the end; the result must equal counting row by row.

The reference below is the plain algorithm (one nested-dict update per row and group), kept here to check
the faster one against, for any mix of evaluated and error rows, types, states, outcomes and flags.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from engine import load_ruleset
from engine.survey.layout import LIST_SEPARATOR
from engine.survey.summary import SummaryBuilder
from tests.conftest import MINI_RULES

MINI = load_ruleset(MINI_RULES)
COMPONENTS, CONTROLS = list(MINI.components), list(MINI.controls)
OUTCOMES = SummaryBuilder.OUTCOMES
BOUNDS = ("at_least_partial", "at_most_partial")
CELLS = (*OUTCOMES, *BOUNDS)  # a control's cell: an outcome or a bound
LEVELS = [level for level in SummaryBuilder.LEVELS if level != "error"]
TYPES = [*MINI.institution_types, "nope", ""]
FLAGS = ["RISK-A", "INFO-B", "RISK-C"]


def _reference(rows: list[list[Any]]) -> dict[str, Any]:
    def group() -> dict[str, Any]:
        return {
            "respondents": 0,
            "evaluated": 0,
            "errors": 0,
            "overall": dict.fromkeys(SummaryBuilder.LEVELS, 0),
            "components": {c: dict.fromkeys((*SummaryBuilder.COMPONENT_CELLS, "error"), 0) for c in COMPONENTS},
            "provisional": dict.fromkeys((*COMPONENTS, "overall"), 0),
        }

    total, by_type, by_state = group(), {}, {}
    controls = {c: dict.fromkeys((*CELLS, "error"), 0) for c in CONTROLS}
    flags: dict[str, int] = {}
    first, error_at = 6, 6 + len(COMPONENTS) + 2
    provisional_at = error_at - 2
    for row in rows:
        error = bool(row[error_at])
        level = "error" if error else row[5]
        components = ["error"] * len(COMPONENTS) if error else row[first : first + len(COMPONENTS)]
        types = [t for t in str(row[3]).split(LIST_SEPARATOR) if t]
        if not types or any(t not in MINI.institution_types for t in types):
            types = ["(invalid or missing type)"]
        state = str(row[4]) or "(no state)"
        if error and state != "(no state)" and not re.fullmatch(r"[A-Z]{2}", state):
            state = "(invalid state)"
        for g in [total, *(by_type.setdefault(t, group()) for t in types), by_state.setdefault(state, group())]:
            g["respondents"] += 1
            g["errors" if error else "evaluated"] += 1
            g["overall"][level] += 1
            for cid, outcome in zip(COMPONENTS, components, strict=True):
                g["components"][cid][outcome] += 1
            if not error:
                for cid in filter(None, str(row[provisional_at]).split(LIST_SEPARATOR)):
                    g["provisional"][cid] += 1
        for i, cid in enumerate(CONTROLS):
            controls[cid]["error" if error else row[error_at + 2 + i]] += 1  # after error and duplicate_of
        if not error:
            for flag in filter(None, str(row[error_at - 1]).split(LIST_SEPARATOR)):
                flags[flag] = flags.get(flag, 0) + 1
    failed = [
        (cid, c["fail"], c["partial"], c["at_least_partial"], c["at_most_partial"], applicable)
        for cid, c in controls.items()
        if c["fail"]
        # Bounded cells are applicable controls too (an open one is never left out of the denominator).
        for applicable in [sum(c[o] for o in ("pass", "partial", "fail", "not_answered", *BOUNDS))]
    ]
    failed.sort(key=lambda item: (-item[1], -item[2], item[0]))
    return {
        **{k: total[k] for k in ("respondents", "evaluated", "errors", "overall", "components", "provisional")},
        "by_institution_type": dict(sorted(by_type.items())),
        "by_state": dict(sorted(by_state.items())),
        "controls_most_failed": failed[:10],
        "flags": dict(sorted(flags.items(), key=lambda kv: (-kv[1], kv[0]))),
    }


@st.composite
def _rows(draw: st.DrawFn) -> list[Any]:
    error = draw(st.sampled_from(["", "", "", "institution_type: unknown"]))
    types = draw(st.lists(st.sampled_from(TYPES), max_size=3))
    state = draw(st.sampled_from(["", "CA", "TX", "Texas", "zz"]))
    head = [2, "R1", "Name", LIST_SEPARATOR.join(types), state]
    if error:
        return [*head, "", *[""] * len(COMPONENTS), "", "", error, "", *[""] * len(CONTROLS)]
    level = draw(st.sampled_from(LEVELS))
    components = draw(
        st.lists(st.sampled_from(SummaryBuilder.COMPONENT_CELLS), min_size=len(COMPONENTS), max_size=len(COMPONENTS))
    )
    flags = LIST_SEPARATOR.join(draw(st.lists(st.sampled_from(FLAGS), max_size=3, unique=True)))
    provisional = LIST_SEPARATOR.join(
        draw(st.lists(st.sampled_from([*COMPONENTS, "overall"]), max_size=3, unique=True))
    )
    controls = draw(st.lists(st.sampled_from(CELLS), min_size=len(CONTROLS), max_size=len(CONTROLS)))
    return [*head, level, *components, provisional, flags, "", "", *controls]


@settings(max_examples=60, deadline=None)
@given(st.lists(_rows(), max_size=40), st.sampled_from(["rows", "chunks", "mixed"]))
def test_summary_equals_counting_row_by_row(rows, how):
    builder = SummaryBuilder(MINI)
    if how == "rows":
        for row in rows:
            builder.add(row)
    elif how == "chunks":  # add_rows, as a batch feeds it
        for start in range(0, len(rows), 7):
            builder.add_rows(rows[start : start + 7])
    else:
        builder.add_rows(rows[: len(rows) // 2])
        for row in rows[len(rows) // 2 :]:
            builder.add(row)
    result = builder.result(source="s", as_of=dt.date(2026, 11, 28), problems=[], ignored=[])
    result["controls_most_failed"] = [
        (f["control"], f["fail"], f["partial"], f["at_least_partial"], f["at_most_partial"], f["applicable"])
        for f in result["controls_most_failed"]
    ]
    assert {k: result[k] for k in _reference(rows)} == _reference(rows)
    # Dict order is part of the JSON: every table in the same order as counting row by row puts it.
    assert repr({k: result[k] for k in _reference(rows)}) == repr(_reference(rows))
