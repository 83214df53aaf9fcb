"""Direction data (``more_protective``) and what it promises, control by control, with the oracle.

Each control is checked on every complete answer set of the questions it reads (enumerated: a control
reads at most a handful of questions), then Hypothesis checks the same promise on random complete
answer sets of a whole institution. "Don't know - ask counsel" answers are checked to decide exactly
what a blank decides.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import Institution, Submission, evaluate
from engine.rules.compiler import institution_fields
from engine.rules.model import Control, Question, Ruleset
from engine.run.oracle import decide_control, derive_oracle

AS_OF = dt.date(2026, 12, 1)
RANK = {"pass": 2, "partial": 1, "fail": 0}


def _domain(question: Question) -> list[Any]:
    """Every ordered answer (unordered "don't know" answers are checked separately)."""
    if question.type == "boolean":
        return [True, False]
    if question.type == "choice":
        return [c for c in question.choices if c not in question.unordered]
    bound = question.minimum or 0
    return [bound, bound + 1, bound + 5]


def _institutions(ruleset: Ruleset, control: Control) -> list[dict[str, Any]]:
    """Institution facts worth trying: each type, public and private, in and outside California."""
    publics = (control.applies_if.public,) if control.applies_if.public is not None else (True, False)
    states = control.applies_if.states[:1] or ("CA", "NY")
    all_types = list(ruleset.institution_types)
    return [
        institution_fields((t,), all_types, s, p, AS_OF) for t in control.applies_to for p in publics for s in states
    ]


def _controls(ruleset: Ruleset) -> list[str]:
    return list(ruleset.controls)


def _controls_with_unordered_answers(ruleset: Ruleset) -> list[str]:
    return [c.id for c in ruleset.controls.values() if any(ruleset.questions[q].unordered for q in c.questions)]


def test_every_question_declares_a_direction(ruleset: Ruleset) -> None:
    for question in ruleset.questions.values():
        if question.aspect == "context":
            assert question.more_protective == "none", question.id
        if question.type == "choice" and question.more_protective != "none":
            listed = [c for tier in question.tiers() for c in tier] + list(question.unordered)
            assert sorted(listed) == sorted(question.choices), question.id
        if question.type == "boolean" and question.more_protective != "none":
            assert isinstance(question.more_protective, bool), question.id


def test_every_question_a_control_scores_has_a_direction(ruleset: Ruleset) -> None:
    """Only context and informational questions may say 'none', and no control scores on those."""
    for control in ruleset.controls.values():
        for qid in control.outcome_questions:
            assert ruleset.questions[qid].tiers(), f"{control.id} scores on {qid}, which has no direction"


def test_dont_know_answers_are_ordered_last_or_not_at_all(ruleset: Ruleset) -> None:
    for question in ruleset.questions.values():
        for cid in question.choices:
            if cid.startswith("dont_know"):
                assert cid in question.unordered, f"{question.id}.{cid} should be unordered"


@pytest.mark.parametrize("control_id", _controls(pytest.importorskip("engine").load_ruleset()))
def test_a_less_protective_answer_never_improves_the_control(ruleset: Ruleset, control_id: str) -> None:
    control = ruleset.controls[control_id]
    questions = [ruleset.questions[q] for q in control.questions]
    domains = [_domain(q) for q in questions]
    checked = 0
    for inst in _institutions(ruleset, control):
        for values in itertools.product(*domains):
            answers = dict(zip(control.questions, values, strict=True))
            before = decide_control(control, answers, inst)[0]
            for question in questions:
                for worse in question.less_protective(answers[question.id]):
                    after = decide_control(control, {**answers, question.id: worse}, inst)[0]
                    checked += 1
                    if before in RANK and after in RANK:
                        assert RANK[after] <= RANK[before], (
                            f"{control_id}: {question.id} {answers[question.id]!r} -> {worse!r} improves "
                            f"{before} to {after} (answers {answers}, state {inst.get('state')}, "
                            f"public {inst.get('public')})"
                        )
                    else:  # a protective direction must not switch applicability
                        assert before == after, f"{control_id}: {question.id} -> {worse!r}: {before} vs {after}"
    assert checked or not any(q.tiers() for q in questions), f"{control_id}: nothing was checked"


@pytest.mark.parametrize("control_id", _controls_with_unordered_answers(pytest.importorskip("engine").load_ruleset()))
def test_dont_know_decides_what_a_blank_decides(ruleset: Ruleset, control_id: str) -> None:
    control = ruleset.controls[control_id]
    unsure = [ruleset.questions[q] for q in control.questions if ruleset.questions[q].unordered]
    others = [ruleset.questions[q] for q in control.questions if not ruleset.questions[q].unordered]
    for inst in _institutions(ruleset, control):
        for values in itertools.product(*[[*_domain(q), None] for q in others]):
            base = {q.id: v for q, v in zip(others, values, strict=True) if v is not None}
            blank = decide_control(control, base, inst)[0]
            for question in unsure:
                for cid in question.unordered:
                    parsed = Submission(
                        Institution("x", (control.applies_to[0],)), {**base}, undecided={question.id: cid}
                    )
                    assert decide_control(control, parsed.answers, inst)[0] == blank


def test_dont_know_is_kept_out_of_the_rules_and_explained(ruleset: Ruleset) -> None:
    from engine import parse_submission, submission_to_document

    document = {
        "institution": {"name": "Riverside USD", "type": "k12_school", "state": "CA", "public": True},
        "answers": {
            "sc_records_request_response": "dont_know_ask_counsel",
            "sc_directory_addresses_schedules": "excluded_or_consent",
        },
    }
    submission = parse_submission(ruleset, document)
    assert "sc_records_request_response" not in submission.answers
    assert submission.undecided == {"sc_records_request_response": "dont_know_ask_counsel"}
    assert submission_to_document(submission)["answers"]["sc_records_request_response"] == "dont_know_ask_counsel"
    for backend in ("durable", "oracle"):
        report = evaluate(ruleset, submission, as_of=AS_OF, backend=backend)
        finding = next(f for f in report["findings"] if f["control"] == "SC-CF-RECORDS")
        assert finding["outcome"] not in ("pass", "fail")
        assert "ask counsel" in finding["explanation"]
        assert report["ask_counsel"][0]["question"] == "sc_records_request_response"
        assert report["answers"]["sc_records_request_response"] == "dont_know_ask_counsel"


# -- the same promise on random whole institutions (Hypothesis) -------------------------------------------------


@st.composite
def _worsened_submission(draw: st.DrawFn, ruleset: Ruleset) -> tuple[Submission, Submission, str]:
    itype = draw(st.sampled_from(list(ruleset.institution_types)))
    state = draw(st.sampled_from(["CA", "TX", "NY", "NC", "OR", "IL", None]))
    public = draw(st.sampled_from([True, False, None]))
    questions = ruleset.questions_for([itype])
    answers = {q.id: draw(st.sampled_from(_domain(q))) for q in questions}
    movable = [q for q in questions if q.less_protective(answers[q.id])]
    question = draw(st.sampled_from(movable))
    worse = draw(st.sampled_from(list(question.less_protective(answers[question.id]))))
    inst = Institution("random", (itype,), state, public)
    return Submission(inst, answers), Submission(inst, {**answers, question.id: worse}), question.id


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_less_protective_answer_never_improves_any_control_of_an_institution(ruleset: Ruleset, data) -> None:
    better, worse, moved = data.draw(_worsened_submission(ruleset))
    before = derive_oracle(ruleset, better, AS_OF).findings
    after = derive_oracle(ruleset, worse, AS_OF).findings
    for control_id, finding in before.items():
        b, a = finding["outcome"], after[control_id]["outcome"]
        if b in RANK and a in RANK:
            assert RANK[a] <= RANK[b], f"{control_id}: making {moved} less protective improved {b} to {a}"
        elif b in RANK or a in RANK:
            # Unanswered only where the institution's state or public/private is unknown; the moved
            # answer must not be what decides it.
            assert better.institution.state is None or better.institution.public is None, (control_id, b, a)
