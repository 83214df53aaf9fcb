"""Properties of the roll-up over every institution type, with Hypothesis (corrections 2026-12 §1).

* Monotonic: moving any one answer to a less protective tier (the question's ``more_protective``) never
  improves a control, a component or the level.
* Sound bounds: on random partial answer sets, every control's reported outcome or bound agrees with every
  completion of the blank answers among that control's own questions (enumerated).
* durable-rules and the oracle agree on all of it (findings with bounds, coverage, provisional marks, caps).

The orders, stated explicitly:

* A finding is an interval over fail < partial < pass: pass = [pass, pass], partial = [partial, partial],
  fail = [fail, fail], partial 'at least' = [partial, pass], partial 'at most' = [fail, partial],
  not answered = [fail, pass]. One finding is no better than another when both ends are no higher.
  not_applicable and not_in_force are outside the order (a protective direction never changes them).
* A component verdict: pass > partial > fail; not_answered and not_applicable are outside the order (an
  answer can only leave a component undecided by making its controls undecided). Its score (a pass
  counts 1, a partial 1/2, an 'at most' bound 0) never rises either, while anything is scored.
* The level: strong > developing > weak; incomplete is outside the order (it says the answers given do not
  support any level yet, so it is neither better nor worse than one).
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import load_ruleset
from engine.evaluator.evaluate import evaluator_for
from engine.rules.conditions import candidate_values
from engine.rules.model import LEVEL_RANK, Institution, Question, Submission
from engine.run.derive import _institution_values
from engine.run.oracle import decide_control, derive_oracle

AS_OF = dt.date(2026, 12, 1)
RULESET = load_ruleset()
TYPES = sorted(RULESET.institution_types)
STATES = ("CA", "TX", "IL", "NY", "OR", "FL", "OH", "NC", "WA")
VALUE = {"fail": 0, "partial": 1, "pass": 2}
COMPONENT_RANK = {"fail": 0, "partial": 1, "pass": 2}
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def interval(finding: dict[str, Any] | tuple[str, str | None]) -> tuple[int, int] | None:
    """The finding as [lowest, highest] outcome it allows; None outside the order."""
    outcome, bound = (finding["outcome"], finding.get("bound")) if isinstance(finding, dict) else finding
    if bound == "at_least":
        return (VALUE[outcome], VALUE["pass"])
    if bound == "at_most":
        return (VALUE["fail"], VALUE[outcome])
    if outcome == "not_answered":
        return (VALUE["fail"], VALUE["pass"])
    if outcome in VALUE:
        return (VALUE[outcome], VALUE[outcome])
    return None


def ordered_values(question: Question) -> list[Any]:
    """Answers with a place in the protection order (most protective first)."""
    return list(_ordered_values(question.id))


@functools.cache
def _ordered_values(qid: str) -> tuple[Any, ...]:
    question = RULESET.questions[qid]
    if question.type == "number":
        values: set[Any] = {question.minimum or 0}
        for control in RULESET.controls.values():
            for cond in (control.applies_when, control.pass_condition, control.partial_condition):
                for leaf in cond.leaves() if cond is not None else ():
                    if leaf.name == question.id:
                        values.update(v for v in candidate_values(leaf) if v >= (question.minimum or 0))
        return tuple(sorted(values, reverse=question.more_protective == "higher"))
    return tuple(
        [v for tier in question.tiers() for v in tier]
        or ([True, False] if question.type == "boolean" else list(question.choices))
    )


@st.composite
def submissions(draw: Any, blanks: float = 0.25) -> Submission:
    """A random institution of one or two types with a random subset of its questions answered."""
    types = tuple(draw(st.lists(st.sampled_from(TYPES), min_size=1, max_size=2, unique=True)))
    institution = Institution("Random", types, state=draw(st.sampled_from(STATES)), public=draw(st.booleans()))
    answers: dict[str, Any] = {}
    for question in RULESET.questions_for(types):
        if draw(st.floats(0, 1)) < blanks:
            continue
        answers[question.id] = draw(st.sampled_from(ordered_values(question)))
    return Submission(institution, answers)


def worsen(draw: Any, submission: Submission) -> tuple[Submission, str] | None:
    """The submission with one answer moved to a less protective tier (None when no answer can move)."""
    movable = []
    for qid, value in submission.answers.items():
        question = RULESET.questions[qid]
        if question.type == "number" and question.more_protective in ("higher", "lower"):
            lower = [
                v
                for v in ordered_values(question)
                if (v < value if question.more_protective == "higher" else v > value)
            ]
            if lower:
                movable.append((qid, lower))
        elif question.less_protective(value):
            movable.append((qid, list(question.less_protective(value))))
    if not movable:
        return None
    qid, options = draw(st.sampled_from(movable))
    value = draw(st.sampled_from(options))
    return Submission(
        submission.institution, {**submission.answers, qid: value}
    ), f"{qid}: {submission.answers[qid]!r} -> {value!r}"


@given(st.data())
@SETTINGS
def test_a_less_protective_answer_never_improves_a_control_a_component_or_the_level(data: Any) -> None:
    before_sub = data.draw(submissions())
    moved = worsen(data.draw, before_sub)
    if moved is None:
        return
    after_sub, change = moved
    before, after = derive_oracle(RULESET, before_sub, AS_OF), derive_oracle(RULESET, after_sub, AS_OF)
    inst = before_sub.institution
    where = f"{inst.types} {inst.state} public={inst.public}: {change}"
    for cid, was in before.findings.items():
        old, new = interval(was), interval(after.findings[cid])
        if old is None or new is None:
            assert was["outcome"] == after.findings[cid]["outcome"], f"{cid} changed applicability; {where}"
            continue
        assert new[0] <= old[0] and new[1] <= old[1], f"{cid} improved {old} -> {new}; {where}"
    for comp, was in before.components.items():
        now = after.components[comp]
        if was["outcome"] in COMPONENT_RANK and now["outcome"] in COMPONENT_RANK:
            assert COMPONENT_RANK[now["outcome"]] <= COMPONENT_RANK[was["outcome"]], f"{comp} improved; {where}"
        if was["tally"]["scored"] and now["tally"]["scored"]:
            assert now["tally"]["score_percent"] <= was["tally"]["score_percent"], f"{comp} score rose; {where}"
    old_level, new_level = before.overall["level"], after.overall["level"]
    if old_level in LEVEL_RANK and new_level in LEVEL_RANK:
        assert LEVEL_RANK[new_level] <= LEVEL_RANK[old_level], f"level {old_level} -> {new_level}; {where}"


def completions(question: Question) -> list[Any]:
    return ordered_values(question)


@given(submissions(blanks=0.45))
@SETTINGS
def test_every_reported_outcome_or_bound_holds_for_every_completion_of_the_blanks(submission: Submission) -> None:
    inst = _institution_values(submission, RULESET, AS_OF)
    for control in RULESET.controls.values():
        outcome, reason, bound = decide_control(control, submission.answers, inst)
        reported = interval((outcome, bound))
        if reported is None or reason in ("scope",):
            continue
        blanks = [q for q in control.questions if q not in submission.answers]
        if len(blanks) > 5:  # enumeration stays small; wide blanks are covered by other examples
            continue
        seen = set()
        for values in itertools.product(*(completions(RULESET.questions[q]) for q in blanks)):
            filled = {**submission.answers, **dict(zip(blanks, values, strict=True))}
            got, _, got_bound = decide_control(control, filled, inst)
            assert got_bound is None, f"{control.id}: a complete answer set still has a bound"
            if got == "not_applicable":
                # Only when whether it applies was open, or the control reads a blank context answer as
                # "assume it applies" (an `answered: false` leaf in applies_when).
                assert reason == "unanswered" or blank_means_applies(control), (
                    f"{control.id}: reported {outcome} but a completion does not apply"
                )
                continue
            seen.add(VALUE[got])
            assert reported[0] <= VALUE[got] <= reported[1], (
                f"{control.id}: reported {outcome} {bound or ''} but {dict(zip(blanks, values, strict=True))} "
                f"gives {got}"
            )
        if bound is not None:
            assert seen, f"{control.id}: no completion checked"
            assert submission_open(control, submission, reason), f"{control.id}: a bound names no open question"


def blank_means_applies(control: Any) -> bool:
    when = control.applies_when
    return when is not None and any(leaf.op == "answered" for leaf in when.leaves())


def submission_open(control: Any, submission: Submission, reason: str) -> bool:
    from engine.report.rollup import open_questions

    questions = open_questions(control, submission.answers, reason)
    return bool(questions) and all(q not in submission.answers for q in questions)


@given(submissions(blanks=0.3))
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_durable_rules_and_the_oracle_agree_on_bounds_coverage_and_caps(submission: Submission) -> None:
    durable = evaluator_for(RULESET).durable.derive(submission, AS_OF).summary()
    oracle = derive_oracle(RULESET, submission, AS_OF).summary()
    assert durable == oracle


def _applying_context(control: Any, inst: dict[str, Any]) -> dict[str, Any] | None:
    """Context answers under which the control applies (None when none do)."""
    if control.applies_when is None:
        return {}
    context = list(dict.fromkeys(control.applies_when.references()))
    for values in itertools.product(*(ordered_values(RULESET.questions[q]) for q in context)):
        answers = dict(zip(context, values, strict=True))
        if control.applies_when.evaluate({**answers, **inst}) is True:
            return answers
    return None


def test_every_bound_is_as_tight_as_the_answers_allow() -> None:
    """Enumerated for every control: each partial answer set of its outcome questions gets exactly the range of
    outcomes its completions give (so 'pass or partial' is reported as 'at least partial', never 'not answered')."""
    from engine.rules.compiler import institution_fields

    loose = []
    for control in RULESET.controls.values():
        context = set(control.applies_when.references()) if control.applies_when else set()
        questions = [q for q in control.outcome_questions if q not in context]
        public = control.applies_if.public if control.applies_if.public is not None else True
        state = control.applies_if.states[0] if control.applies_if.states else "NY"
        inst = institution_fields((control.applies_to[0],), TYPES, state, public, AS_OF)
        base = _applying_context(control, inst)
        if base is None or len(questions) > 6:
            continue
        domains = [ordered_values(RULESET.questions[q]) for q in questions]
        for values in itertools.product(*([None, *d] for d in domains)):
            known = {q: v for q, v in zip(questions, values, strict=True) if v is not None}
            blanks = [(q, d) for q, v, d in zip(questions, values, domains, strict=True) if v is None]
            outcome, _, bound = decide_control(control, {**base, **known}, inst)
            reported = interval((outcome, bound))
            if not blanks or reported is None:
                continue
            seen = {
                VALUE[
                    decide_control(
                        control, {**base, **known, **dict(zip([q for q, _ in blanks], fill, strict=True))}, inst
                    )[0]
                ]
                for fill in itertools.product(*(d for _, d in blanks))
            }
            if (min(seen), max(seen)) != reported:
                loose.append(f"{control.id} {known}: reported {reported}, completions give {(min(seen), max(seen))}")
    assert not loose, "\n".join(loose[:10])
