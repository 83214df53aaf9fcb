"""The roll-up cases of issue 8, built from the sample institutions, through durable-rules and the oracle."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from engine import load_ruleset, parse_submission
from engine.evaluator.evaluate import evaluator_for
from engine.rules.model import LEVEL_RANK
from engine.rules.parsing import read_yaml
from engine.run.derive import _institution_values as institution_values
from engine.run.oracle import decide_control, derive_oracle

ROOT = Path(__file__).resolve().parents[2]
AS_OF = dt.date(2026, 11, 28)
RULESET = load_ruleset()


def sample(name: str) -> dict[str, Any]:
    return read_yaml(ROOT / "sample_policies" / "answers" / f"{name}.yaml")


def derive(document: dict[str, Any]):
    submission = parse_submission(RULESET, document, "test")
    durable = evaluator_for(RULESET).durable.derive(submission, AS_OF)
    oracle = derive_oracle(RULESET, submission, AS_OF)
    assert durable.summary() == oracle.summary()
    return durable


def with_answers(document: dict[str, Any], drop: tuple[str, ...] = (), **changes: Any) -> dict[str, Any]:
    answers = {k: v for k, v in document["answers"].items() if k not in drop}
    return {**document, "answers": {**answers, **changes}}


def partial_everywhere(document: dict[str, Any]) -> dict[str, Any]:
    """Change answers, one question at a time, until no scored control passes and none fails (if possible)."""
    doc = with_answers(document)
    submission = parse_submission(RULESET, doc, "test")
    inst = institution_values(submission, RULESET, AS_OF)
    answers = dict(submission.answers)

    def outcomes(values: dict[str, Any]) -> dict[str, str]:
        return {
            c.id: decide_control(c, values, inst)[0]
            for c in RULESET.controls.values()
            if c.scored and decide_control(c, values, inst)[0] in ("pass", "partial", "fail")
        }

    for control in RULESET.controls.values():
        if outcomes(answers).get(control.id) != "pass" or control.partial_condition is None:
            continue
        for q in control.outcome_questions:
            question = RULESET.questions[q]
            values = [True, False] if question.type == "boolean" else list(question.choices)
            for value in values:
                trial = {**answers, q: value}
                after = outcomes(trial)
                if after[control.id] == "partial" and "fail" not in after.values():
                    answers = trial
                    break
            if outcomes(answers)[control.id] == "partial":
                break
    return {**doc, "answers": answers}


def test_a_jail_holding_on_every_detainer_is_never_strong() -> None:
    derivation = derive(with_answers(sample("jail_strong"), jl_detainer_practice="any_detainer"))
    assert derivation.overall["level"] == "developing"
    assert "CAP-CORE-FAIL" in derivation.caps


def test_a_287g_task_force_police_department_is_not_strong() -> None:
    derivation = derive(with_answers(sample("law_enforcement_strong"), le_287g_status="task_force"))
    assert derivation.overall["level"] != "strong"


def test_a_california_district_admitting_agents_without_a_judicial_warrant_is_not_strong() -> None:
    document = with_answers(sample("k12_school_strong"), sc_agent_entry_without_judicial_warrant="allowed")
    derivation = derive(document)
    assert derivation.overall["level"] != "strong"
    assert any(k.startswith("RISK-STATE-LAW-VIOLATION:CA-AB49") for k in derivation.flags)


def test_a_jail_with_its_core_bright_line_questions_blank_is_incomplete() -> None:
    core, _ = RULESET.core_for(parse_submission(RULESET, sample("jail_strong"), "test").institution)
    blank = tuple(
        q for c in core if RULESET.controls[c].component == "bright_line" for q in RULESET.controls[c].questions
    )
    assert len(blank) >= 5
    derivation = derive(with_answers(sample("jail_strong"), drop=blank))
    assert derivation.overall["level"] == "incomplete"


def test_a_congregation_where_every_control_passes_or_partly_passes_is_not_weak() -> None:
    document = partial_everywhere(sample("congregation_strong"))
    derivation = derive(document)
    scored = [f["outcome"] for c, f in derivation.findings.items() if RULESET.controls[c].scored]
    assert "partial" in scored and "fail" not in scored
    assert derivation.overall["level"] != "weak"


def test_a_jail_part_way_on_everything_is_not_below_one_with_an_ice_detention_contract() -> None:
    partway = derive(partial_everywhere(sample("jail_strong")))
    contract = derive(with_answers(sample("jail_strong"), jl_detention_contract="active"))
    assert contract.findings["JL-BL-IGSA"]["outcome"] == "fail"
    assert LEVEL_RANK[partway.overall["level"]] >= LEVEL_RANK[contract.overall["level"]]


@pytest.mark.parametrize("control", ["CG-LG-SANCTUARY", "CG-AC-ACCOMPANY"])
def test_informational_controls_are_shown_but_never_counted(control: str) -> None:
    base = sample("congregation_strong")
    derivation = derive(base)
    assert derivation.findings[control]["outcome"] in ("pass", "partial", "fail")
    component = RULESET.controls[control].component
    counted = derivation.components[component]["tally"]["applicable"]
    scored = [
        c for c in RULESET.controls.values() if c.component == component and c.scored and c.id in derivation.findings
    ]
    live = [c for c in scored if derivation.findings[c.id]["outcome"] not in ("not_applicable", "not_in_force")]
    assert counted == len(live)
