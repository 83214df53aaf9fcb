"""Batch rows say what the report says: a bound is never written as a decided outcome.

Where blanks leave a control open but the known answers already rule outcomes out, the report's finding is
``partial`` with ``bound`` ``at_least`` or ``at_most``; its results cell says ``at_least_partial`` or
``at_most_partial`` (an "at most partial" may still be a fail). Components whose verdict rests on too little
are listed in the ``provisional`` column. Checked for any answers to any institution type, on both batch paths
(straight from the derivation, and from the report as ``--long`` builds it).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import evaluate, load_ruleset, parse_submission
from engine.survey.layout import LIST_SEPARATOR
from engine.survey.rows import _evaluate_partition, evaluate_frame

AS_OF = dt.date(2026, 11, 28)
RULESET = load_ruleset()


def _cell_text(question, value) -> str:
    if question.type == "boolean":
        return "yes" if value else "no"
    return str(value)


@st.composite
def _respondents(draw: st.DrawFn) -> tuple[dict, dict]:
    kind = draw(st.sampled_from(sorted(RULESET.institution_types)))
    answers = {}
    for q in RULESET.questions_for([kind]):
        if draw(st.booleans()):  # about half blank: bounds need blanks
            continue
        if q.type == "boolean":
            answers[q.id] = draw(st.booleans())
        elif q.type == "choice":
            answers[q.id] = draw(st.sampled_from(list(q.choices)))
        else:
            answers[q.id] = draw(st.integers(0, 4))
    institution = {"name": "R", "type": kind, "state": draw(st.sampled_from(["CA", "TX", "IL", "NY"])), "public": True}
    return institution, answers


def _frame(institution: dict, answers: dict) -> pd.DataFrame:
    row = {
        "respondent_id": "r1",
        "institution_name": institution["name"],
        "institution_type": institution["type"],
        "state": institution["state"],
        "public": "yes",
        **{qid: _cell_text(RULESET.questions[qid], v) for qid, v in answers.items()},
    }
    return pd.DataFrame([row], dtype=str)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(respondent=_respondents())
def test_results_row_carries_bounds_and_provisional_components(respondent) -> None:
    institution, answers = respondent
    report = evaluate(
        RULESET, parse_submission(RULESET, {"institution": institution, "answers": answers}, "t"), as_of=AS_OF
    )
    expected = dict.fromkeys((report["other_types"] or {}).get("controls", ()), "not_applicable")
    for f in report["findings"]:
        expected[f["control"]] = f"{f['bound']}_{f['outcome']}" if f["bound"] else f["outcome"]
    frame = _frame(institution, answers)
    straight = evaluate_frame(RULESET, frame, as_of=AS_OF).iloc[0]
    from_report = _evaluate_partition(RULESET, frame, as_of=AS_OF, lines=None, backend="durable", long=True)[0].iloc[0]
    for row in (straight, from_report):
        assert row["error"] == ""
        assert {cid: row[f"control:{cid}"] for cid in RULESET.controls} == expected
        provisional = [c["id"] for c in report["components"] if c["provisional"]]
        provisional += ["overall"] if report["overall"]["provisional"] else []
        assert row["provisional"] == LIST_SEPARATOR.join(provisional)
        # A level or component the open questions could still move carries its bound, like a control's cell.
        overall = report["overall"]
        assert row["overall_level"] == (f"at_least_{overall['level']}" if overall["bound"] else overall["level"])
        assert {c["id"]: row[c["id"]] for c in report["components"]} == {
            c["id"]: f"{c['bound']}_{c['outcome']}" if c["bound"] else c["outcome"] for c in report["components"]
        }


def test_a_shelter_that_answered_one_question_no_is_at_most_partial_in_the_results() -> None:
    # The rule case "A shelter that has answered only one question with no is at most partial" (SH-PS-CLIENT):
    # before, its results cell said "partial", and a survey count took it for a decided partial pass.
    institution = {"name": "Casa", "type": "shelter", "state": "WA", "public": False}
    frame = _frame(institution, {"sh_nonpublic_warrant_required": False}).assign(public="no")
    row = evaluate_frame(RULESET, frame, as_of=AS_OF).iloc[0]
    assert row["control:SH-PS-CLIENT"] == "at_most_partial"
    assert "protected_spaces" in row["provisional"].split(LIST_SEPARATOR)
