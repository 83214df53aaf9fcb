"""Durable rules compiled per set of institution types, and the cheap traffic with durable: both must keep every
derived fact identical to the plain-Python oracle."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import parse_submission
from engine.evaluator.evaluate import evaluator_for
from engine.rules.compiler import OTHER_TYPES_RULE, compile_ruleset
from engine.run import _durable
from engine.run.durable_backend import DurableBackend
from engine.run.oracle import derive_oracle

AS_OF = dt.date(2026, 11, 28)


def _submission(ruleset, types, answers, state=None, public=None):
    institution = {"name": "T", "type": list(types), "state": state, "public": public}
    return parse_submission(ruleset, {"institution": institution, "answers": answers}, "test")


@st.composite
def submissions(draw, ruleset, types):
    """Any answers to the questions of ``types`` (each may be left blank), any state and public/private."""
    answers = {}
    for q in ruleset.questions_for(list(types)):
        if q.type == "boolean":
            options = st.booleans()
        elif q.type == "choice":
            options = st.sampled_from(sorted(q.choices))
        else:
            options = st.integers(int(q.minimum or 0), int(q.minimum or 0) + 6)
        value = draw(st.none() | options)
        if value is not None:
            answers[q.id] = value
    state = draw(st.sampled_from([None, "CA", "TX", "IL", "NY", "FL", "OR", "GA"]))
    public = draw(st.sampled_from([None, True, False]))
    return _submission(ruleset, types, answers, state, public)


def _types_cases():
    from engine import load_ruleset

    single = [(t,) for t in load_ruleset().institution_types]
    return [*single, ("jail", "law_enforcement", "health_facility"), ("congregation", "shelter")]


@pytest.mark.parametrize("types", _types_cases(), ids=lambda t: "+".join(t))
def test_durable_agrees_with_the_oracle_for_every_type(ruleset, types) -> None:
    backend = evaluator_for(ruleset).durable

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(submissions(ruleset, types))
    def check(submission) -> None:
        durable = backend.derive(submission, AS_OF)
        oracle = derive_oracle(ruleset, submission, AS_OF)
        assert durable.summary() == oracle.summary()
        assert {c: f["reason"] for c, f in durable.findings.items()} == {
            c: f["reason"] for c, f in oracle.findings.items()
        }

    check()
    assert _durable.live_sessions() == 0


def test_a_multi_type_institution_gets_the_union_of_its_types_controls(ruleset) -> None:
    types = frozenset({"jail", "law_enforcement", "health_facility"})
    compiled = compile_ruleset(ruleset, types)
    mine = {c.id for c in ruleset.controls.values() if types & set(c.applies_to)}
    for t in types:  # every control of each of its types is compiled in full
        assert {c.id for c in ruleset.controls_for([t])} <= mine
    decided_in_full = {r.emits[0]["control"] for r in compiled.rules.values() if r.name.endswith(":pass")}
    assert decided_in_full == mine
    grouped = {e["control"] for e in compiled.rules[OTHER_TYPES_RULE].emits}
    assert grouped == set(ruleset.controls) - mine
    submission = _submission(ruleset, sorted(types), {})
    derivation = evaluator_for(ruleset).durable.derive(submission, AS_OF)
    assert all(derivation.findings[c]["rule"] == OTHER_TYPES_RULE for c in grouped)
    assert derivation.summary() == derive_oracle(ruleset, submission, AS_OF).summary()


def test_the_other_types_rule_tests_the_institution_types_itself(ruleset) -> None:
    """It decides from the facts (every type it covers is false), not from the choice of compiled ruleset."""
    compiled = compile_ruleset(ruleset, frozenset({"library"}))
    pattern = json.dumps(compiled.rules[OTHER_TYPES_RULE].to_durable())
    covered = {t for c in ruleset.controls.values() if "library" not in c.applies_to for t in c.applies_to}
    for t in covered:
        assert f'{{"t_{t}": false}}' in pattern
    assert '"t_library"' not in pattern


def test_a_type_is_compiled_only_when_first_needed(ruleset) -> None:
    backend = DurableBackend(ruleset)  # a fresh backend, not the process-wide one
    assert backend.compiled_types == []
    submission = _submission(ruleset, ["library"], {})
    derivation = backend.derive(submission, AS_OF)
    assert backend.compiled_types == [frozenset({"library"})]
    assert derivation.summary() == derive_oracle(ruleset, submission, AS_OF).summary()
    backend.derive(_submission(ruleset, ["library"], {}), AS_OF)
    assert backend.compiled_types == [frozenset({"library"})]  # reused, not compiled again
    backend.derive(_submission(ruleset, ["shelter", "library"], {}), AS_OF)
    assert backend.compiled_types == [frozenset({"library"}), frozenset({"library", "shelter"})]


def test_compiled_rules_are_cached_by_content_hash_and_types(ruleset, mini_ruleset) -> None:
    backend = evaluator_for(ruleset).durable
    assert evaluator_for(ruleset).durable is backend
    assert backend.engine_for(("jail", "law_enforcement")) is backend.engine_for(("law_enforcement", "jail"))
    assert backend.engine_for(("jail",)) is not backend.engine_for(("jail", "law_enforcement"))
    name = backend.engine_for(("jail",)).compiled.name
    assert name == compile_ruleset(ruleset, frozenset({"jail"})).name  # the name is a function of content + types
    assert name != compile_ruleset(ruleset, frozenset({"library"})).name
    assert evaluator_for(mini_ruleset).durable is not backend
    assert (
        compile_ruleset(mini_ruleset, frozenset({"k12_school"})).name
        != compile_ruleset(ruleset, frozenset({"k12_school"})).name
    )


def test_per_type_rulesets_are_smaller_than_the_whole(ruleset) -> None:
    whole = len(compile_ruleset(ruleset).rules)
    for t in ruleset.institution_types:
        assert len(compile_ruleset(ruleset, frozenset({t})).rules) < whole / 2, t


@pytest.mark.parametrize("state", ["CA", "AZ", None])
def test_only_findings_a_live_flag_joins_enter_durable(ruleset, monkeypatch, state) -> None:
    """Findings go back into working memory only when a flag that can fire in the institution's state joins them,
    each as one pre-encoded fact (California has its own flags on jail findings; Arizona has none)."""
    asserted: list[str] = []
    real = _durable._core.assert_facts

    def spy(handle, text):
        asserted.append(text)
        return real(handle, text)

    monkeypatch.setattr(_durable._core, "assert_facts", spy)
    submission = _submission(ruleset, ["jail"], {}, state=state)
    derivation = evaluator_for(ruleset).durable.derive(submission, AS_OF)
    facts = [f for t in asserted for f in json.loads(t) if f["kind"] == "finding"]
    live = {
        (c, o)
        for key, flag in ruleset.flags.items()
        if "jail" in (flag.institution.types or ("jail",))
        and (not flag.institution.states or state in flag.institution.states)
        for c in flag.finding_controls
        for o in flag.finding_outcomes
    }
    expected = {(c, f["outcome"]) for c, f in derivation.findings.items()} & live
    assert {(f["control"], f["outcome"]) for f in facts} == expected
    assert len(facts) == len(expected)  # each once
    if state == "CA":
        assert facts, "a California jail with no answers has findings its state's flags join"
    assert derivation.summary() == derive_oracle(ruleset, submission, AS_OF).summary()


def test_a_firing_parses_only_what_is_asked_for() -> None:
    text = '{"FLAG:X":{"f":{"sid": "s", "control": "C1"},"a0":{"sid": "s", "q": "a\\"b"}}}'
    firing = _durable.Firing(text)
    assert firing.rule == "FLAG:X"
    assert firing["f"] == {"sid": "s", "control": "C1"}
    assert firing["a0"]["q"] == 'a"b'
    assert firing.get("t") is None
    assert firing.facts() == json.loads(text)["FLAG:X"]
