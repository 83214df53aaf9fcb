"""Regression tests for the durable-rules hazards of ../shared/guides/durable-rules.md."""

from __future__ import annotations

import datetime as dt
import random
import threading

import pytest

from engine import EvaluationError, parse_submission
from engine.evaluator.evaluate import evaluator_for
from engine.run import _durable
from engine.run.durable_backend import DurableBackend
from engine.run.oracle import derive_oracle

AS_OF = dt.date(2026, 11, 28)


def random_submission(ruleset, rng: random.Random):
    """A random institution with a random subset of its questions answered (some left blank)."""
    types = rng.sample(sorted(ruleset.institution_types), k=rng.choice([1, 1, 1, 2, 3]))
    answers = {}
    for q in ruleset.questions_for(types):
        if rng.random() < 0.15:
            continue
        if q.type == "boolean":
            answers[q.id] = rng.choice([True, False])
        elif q.type == "choice":
            answers[q.id] = rng.choice(list(q.choices))
        else:
            answers[q.id] = rng.randint(0, 5)
    institution = {
        "name": "Random",
        "type": types,
        "state": rng.choice([None, "CA", "TX", "IL", "FL", "NY", "OH"]),
        "public": rng.choice([None, True, False]),
    }
    return parse_submission(ruleset, {"institution": institution, "answers": answers}, "random")


def test_durable_agrees_with_the_oracle_on_random_answer_sets(ruleset) -> None:
    rng = random.Random(20261128)
    backend = evaluator_for(ruleset).durable
    for _ in range(300):
        submission = random_submission(ruleset, rng)
        assert backend.derive(submission, AS_OF).summary() == derive_oracle(ruleset, submission, AS_OF).summary()


def test_more_than_1100_evaluations_leave_no_session_alive(ruleset) -> None:
    rng = random.Random(7)
    backend = evaluator_for(ruleset).durable
    submissions = [random_submission(ruleset, rng) for _ in range(40)]
    for i in range(1150):  # durable caps live sessions per ruleset at 1024 (pitfall 4)
        backend.derive(submissions[i % len(submissions)], AS_OF)
    assert _durable.live_sessions() == 0


def test_eight_threads_evaluating_at_once_match_the_oracle(ruleset) -> None:
    rng = random.Random(8)
    submissions = [random_submission(ruleset, rng) for _ in range(30)]
    expected = [derive_oracle(ruleset, s, AS_OF).summary() for s in submissions]
    backend = evaluator_for(ruleset).durable
    mismatches: list[int] = []
    errors: list[BaseException] = []

    def work(offset: int) -> None:
        try:
            for i in range(60):
                k = (i + offset) % len(submissions)
                if backend.derive(submissions[k], AS_OF).summary() != expected[k]:
                    mismatches.append(k)
        except BaseException as exc:
            errors.append(exc)

    import sys

    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    try:
        threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(old)
    assert not errors and not mismatches
    assert _durable.live_sessions() == 0


def test_an_action_that_raises_is_reported_with_its_rule(mini_ruleset) -> None:
    backend = DurableBackend(mini_ruleset)
    engine = backend.engine_for(("k12_school",))
    good = engine.finding_groups["XX-AC-WRITTEN:pass"]
    engine.finding_groups["XX-AC-WRITTEN:pass"] = 42  # malformed: recording it raises inside the action
    submission = parse_submission(
        mini_ruleset,
        {"institution": {"name": "x", "type": "k12_school"}, "answers": {"q_policy": "written", "q_published": True}},
        "t",
    )
    try:
        with pytest.raises(EvaluationError, match="XX-AC-WRITTEN:pass"):
            backend.derive(submission, AS_OF)
    finally:
        engine.finding_groups["XX-AC-WRITTEN:pass"] = good
    assert _durable.live_sessions() == 0
    assert backend.derive(submission, AS_OF).findings["XX-AC-WRITTEN"]["outcome"] == "pass"


def test_an_exception_inside_an_action_names_the_rule() -> None:
    handle = _durable.register("action_error_probe", {"R1": {"all": [{"m": {"kind": "x"}}]}})

    def on_fire(firing):
        raise ValueError("bad action")

    with pytest.raises(_durable.DurableError) as info, _durable.session(handle, on_fire, 10) as sess:
        sess.run([{"kind": "x"}])
    assert info.value.rule == "R1"
    assert "bad action" in str(info.value)
    assert _durable.live_sessions() == 0


def test_a_looping_rule_is_stopped_by_the_firing_budget() -> None:
    handle = _durable.register("loop_probe", {"R": {"all": [{"m": {"kind": "x"}}]}})
    counter = iter(range(10_000))

    def on_fire(firing):
        return [{"kind": "x", "n": next(counter)}]  # every firing derives a new matching fact

    with pytest.raises(_durable.DurableError, match="rule firings"), _durable.session(handle, on_fire, 50) as sess:
        sess.run([{"kind": "x", "n": -1}])


def test_registering_the_same_ruleset_twice_reuses_it(ruleset) -> None:
    assert evaluator_for(ruleset).durable is evaluator_for(ruleset).durable
    assert _durable.register("loop_probe", {}) == _durable.register("loop_probe", {})


def test_a_ruleset_durable_cannot_compile_is_a_clear_error() -> None:
    too_deep = {"$and": [{"kind": "x"}, *({"$or": [{"a": i}, {"b": i}]} for i in range(20))]}
    with pytest.raises(_durable.DurableError, match=r"rule R: durable-rules cannot compile it: .*error code") as caught:
        _durable.register("too_deep_probe", {"OK": {"all": [{"m": {"kind": "y"}}]}, "R": {"all": [{"m": too_deep}]}})
    assert caught.value.rule == "R"


def test_two_rules_deciding_one_control_is_an_error(mini_ruleset) -> None:
    # The rules of a control exclude each other; were a compiler bug to break that, the evaluation must fail loudly.
    backend = DurableBackend(mini_ruleset)
    engine = backend.engine_for(("k12_school",))
    submission = parse_submission(
        mini_ruleset,
        {"institution": {"name": "x", "type": "k12_school"}, "answers": {"q_policy": "written", "q_published": True}},
        "t",
    )
    findings = backend.derive(submission, AS_OF).findings
    other = next(f["rule"] for c, f in findings.items() if c != "XX-AC-WRITTEN")  # a rule that fires here too
    good = engine.finding_groups[other]
    engine.finding_groups[other] = {**good, "XX-AC-WRITTEN": findings["XX-AC-WRITTEN"]}
    try:
        with pytest.raises(EvaluationError, match="both decided XX-AC-WRITTEN"):
            backend.derive(submission, AS_OF)
    finally:
        engine.finding_groups[other] = good
    assert _durable.live_sessions() == 0
