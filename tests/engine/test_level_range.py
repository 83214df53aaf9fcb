"""Properties of the level's range (corrections 2026-12b §1), with Hypothesis over every institution type.

The level is decided at two corners of the open questions: every open question answered the least protective
way ("lowest") and the most protective way ("highest"). These tests check that:

* the range is sound: every completion of the blank answers gets a level inside [lowest, highest];
* it is tight where enumeration is small: some completion reaches each end (context questions answered, so
  only directional questions are open);
* the reported level is the lowest, with ``bound: at_least`` exactly when the ends differ, and ``incomplete``
  only when the range spans weak to strong; components likewise;
* both ends are monotonic: a less protective answer never raises either end, and answering an open question
  never widens the range;
* durable-rules and the oracle agree on the range, the bound and the corners' caps.
"""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.evaluator.evaluate import evaluator_for
from engine.rules.model import LEVEL_RANK, Institution, Submission
from engine.run.derive import component_range, level_range
from engine.run.oracle import derive_oracle
from tests.engine.test_rollup_properties import AS_OF, RULESET, STATES, TYPES, ordered_values, worsen

COMPONENT_RANK = {"fail": 0, "partial": 1, "pass": 2}
SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def few_blanks(draw: Any, most: int = 4) -> tuple[Submission, list[str]]:
    """An institution with every context question answered and at most ``most`` directional questions blank."""
    types = tuple(draw(st.lists(st.sampled_from(TYPES), min_size=1, max_size=2, unique=True)))
    institution = Institution("Random", types, state=draw(st.sampled_from(STATES)), public=draw(st.booleans()))
    questions = RULESET.questions_for(types)
    directional = [q.id for q in questions if q.more_protective != "none"]
    blanks = draw(st.lists(st.sampled_from(directional), max_size=most, unique=True)) if directional else []
    answers = {q.id: draw(st.sampled_from(ordered_values(q))) for q in questions if q.id not in blanks}
    return Submission(institution, answers), blanks


def _completions(submission: Submission, blanks: list[str]) -> list[dict[str, Any]]:
    domains = [ordered_values(RULESET.questions[q]) for q in blanks]
    return [{**submission.answers, **dict(zip(blanks, values, strict=True))} for values in itertools.product(*domains)]


@given(few_blanks())
@SETTINGS
def test_the_range_holds_every_completion_and_each_end_is_reached(drawn: tuple[Submission, list[str]]) -> None:
    submission, blanks = drawn
    derived = derive_oracle(RULESET, submission, AS_OF)
    span = derived.overall["range"]
    low, high = LEVEL_RANK[span["lowest"]], LEVEL_RANK[span["highest"]]
    reached = set()
    component_seen: dict[str, set[int]] = {c: set() for c in RULESET.components}
    for answers in _completions(submission, blanks):
        full = derive_oracle(RULESET, Submission(submission.institution, answers), AS_OF)
        level = full.overall["level"]
        assert full.overall["range"]["lowest"] == full.overall["range"]["highest"] == level, "a full answer set"
        assert low <= LEVEL_RANK[level] <= high, f"{answers}: {level} outside {span}"
        reached.add(LEVEL_RANK[level])
        for cid, verdict in full.components.items():
            if verdict["outcome"] in COMPONENT_RANK:
                component_seen[cid].add(COMPONENT_RANK[verdict["outcome"]])
    assert min(reached) == low and max(reached) == high, f"range {span} is not tight: completions give {reached}"
    for cid, verdict in derived.components.items():
        ends = verdict["range"]
        if ends["lowest"] in COMPONENT_RANK and component_seen[cid]:
            assert min(component_seen[cid]) == COMPONENT_RANK[ends["lowest"]], f"{cid}: {ends} vs {component_seen}"
            assert max(component_seen[cid]) == COMPONENT_RANK[ends["highest"]], f"{cid}: {ends} vs {component_seen}"


def _check_reading(overall: dict[str, Any], components: dict[str, dict[str, Any]]) -> None:
    lowest, highest = overall["range"]["lowest"], overall["range"]["highest"]
    if lowest == "weak" and highest == "strong":
        assert overall["level"] == "incomplete" and overall["bound"] is None
    else:
        assert overall["level"] == lowest
        assert (overall["bound"] == "at_least") is (lowest != highest)
        assert overall["bound"] in ("at_least", None)
    assert LEVEL_RANK[lowest] <= LEVEL_RANK[highest]
    for cid, verdict in components.items():
        assert (verdict["outcome"], verdict["bound"]) == component_range(
            verdict["range"]["lowest"], verdict["range"]["highest"]
        ), cid


@given(few_blanks(most=12))
@SETTINGS
def test_the_level_is_the_lowest_with_a_bound_exactly_when_the_ends_differ(drawn: tuple[Submission, list[str]]) -> None:
    submission, _ = drawn
    derived = evaluator_for(RULESET).durable.derive(submission, AS_OF)
    _check_reading(derived.overall, derived.components)
    assert derived.summary() == derive_oracle(RULESET, submission, AS_OF).summary()


def test_level_range_reads_like_a_finding() -> None:
    assert level_range("developing", "strong") == ("developing", "at_least")
    assert level_range("weak", "developing") == ("weak", "at_least")
    assert level_range("weak", "strong") == ("incomplete", None)
    assert level_range("strong", "strong") == ("strong", None)
    assert component_range("partial", "pass") == ("partial", "at_least")
    assert component_range("fail", "partial") == ("partial", "at_most")
    assert component_range("fail", "pass") == ("not_answered", None)
    assert component_range("not_applicable", "not_applicable") == ("not_applicable", None)


@given(st.data())
@SETTINGS
def test_both_ends_are_monotonic_and_answering_never_widens_the_range(data: Any) -> None:
    submission, blanks = data.draw(few_blanks(most=8))
    before = derive_oracle(RULESET, submission, AS_OF).overall["range"]
    moved = worsen(data.draw, submission)
    if moved is not None:
        after = derive_oracle(RULESET, moved[0], AS_OF).overall["range"]
        for end in ("lowest", "highest"):
            assert LEVEL_RANK[after[end]] <= LEVEL_RANK[before[end]], f"{end} rose after {moved[1]}"
    if blanks:
        qid = data.draw(st.sampled_from(blanks))
        value = data.draw(st.sampled_from(ordered_values(RULESET.questions[qid])))
        answered = Submission(submission.institution, {**submission.answers, qid: value})
        after = derive_oracle(RULESET, answered, AS_OF).overall["range"]
        assert LEVEL_RANK[after["lowest"]] >= LEVEL_RANK[before["lowest"]], f"answering {qid} lowered the floor"
        assert LEVEL_RANK[after["highest"]] <= LEVEL_RANK[before["highest"]], f"answering {qid} raised the ceiling"
