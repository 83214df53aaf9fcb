"""The oracle: the same semantics as the durable-rules backend, in plain Python.

Used by tests to check durable on every case and on random answer sets, and by the benchmark as the yardstick.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from engine.i18n import _
from engine.rules.compiler import (
    STAGE_COMPONENTS,
    STAGE_OVERALL,
    effective_condition,
    institution_condition,
)
from engine.rules.model import Control, Outcome, Ruleset, Submission
from engine.run.derive import (
    Derivation,
    _check_complete,
    _finish,
    _institution_values,
    corner_capping,
)
from engine.run.tally import (
    CORNERS,
    cap_tally,
    ceiling,
    component_tallies,
    corner_kinds,
    counted,
)

# -- the oracle: the same semantics in plain Python --------------------------------------------------------------


def decide_control(control: Control, answers: dict[str, Any], inst: dict[str, Any]) -> tuple[str, str, str | None]:
    """(outcome, reason, bound) for one control, by direct three-valued evaluation (compiler._control_rules)."""
    # Conditions may test institution fields ({institution: public, ...}); durable finds them on the answers fact.
    answers = {**answers, **inst}
    scope = institution_condition(control.applies_to, control.applies_if)
    in_scope = scope.evaluate(inst) if scope else True
    if in_scope is False:
        return Outcome.NOT_APPLICABLE.value, "institution", None
    force = effective_condition(control.effective)
    if force is not None and force.evaluate(inst) is False:
        return Outcome.NOT_IN_FORCE.value, "effective", None
    unanswered = control.when_unanswered.value
    if in_scope is None:
        return unanswered, "scope", None
    applies = control.applies_when.evaluate(answers) if control.applies_when else True
    if applies is False:
        return Outcome.NOT_APPLICABLE.value, "applies_when", None
    if applies is None:
        return unanswered, "unanswered", None
    passed = control.pass_condition.evaluate(answers)
    if passed is True:
        return Outcome.PASS.value, "pass", None
    partial = control.partial_condition.evaluate(answers) if control.partial_condition else False
    if passed is False:
        if partial is True:
            return Outcome.PARTIAL.value, "partial", None
        if partial is False:
            return Outcome.FAIL.value, "fail", None
        if control.when_unanswered == Outcome.FAIL:
            return Outcome.FAIL.value, "unanswered", None
        return Outcome.PARTIAL.value, "at_most", "at_most"
    if partial is True:
        return Outcome.PARTIAL.value, "at_least", "at_least"
    return unanswered, "unanswered", None


def derive_oracle(ruleset: Ruleset, submission: Submission, as_of: dt.date) -> Derivation:
    """Evaluate the ruleset in plain Python (no durable-rules): the reference semantics."""
    derivation = Derivation()
    inst = _institution_values(submission, ruleset, as_of)
    answers = {**submission.answers, **inst}  # as on durable's answers fact (institution leaves)
    for control in ruleset.controls.values():
        outcome, reason, bound = decide_control(control, answers, inst)
        derivation.findings[control.id] = {
            "outcome": outcome,
            "bound": bound,
            "rule": f"oracle:{control.id}",
            "reason": reason,
        }
    for key, flag in ruleset.flags.items():
        scope = institution_condition((), flag.institution)
        force = effective_condition(flag.effective)
        if (scope and scope.evaluate(inst) is not True) or (force and force.evaluate(inst) is not True):
            continue
        if flag.answers is not None and flag.answers.evaluate(answers) is not True:
            continue
        if flag.finding_controls:
            for control_id in flag.finding_controls:
                found = derivation.findings[control_id]
                if found["outcome"] in flag.finding_outcomes and not (
                    flag.skip_at_most and found["bound"] == "at_most"
                ):
                    derivation.flags.setdefault(key, []).append({"rule": f"oracle:{key}", "control": control_id})
        else:
            derivation.flags.setdefault(key, []).append({"rule": f"oracle:{key}", "control": None})
    core, _scored = ruleset.core_for(submission.institution)
    kinds = counted(ruleset, derivation.findings)
    for component, tally in component_tallies(ruleset, derivation.findings, core, kinds).items():
        _oracle_component(ruleset, derivation, derivation.components, component, tally)
        if component in derivation.components and ruleset.provisional is not None:
            derivation.components[component]["provisional"] = ruleset.provisional.evaluate(tally) is True
    capping = corner_capping(
        ruleset, derivation.findings, derivation.flags, answers, inst, submission.institution.state
    )
    for corner in CORNERS:
        ends = corner_kinds(kinds, corner)
        target: dict[str, Any] = {"components": {}, "caps": {}}
        derivation.corners[corner] = target
        for component, tally in component_tallies(ruleset, derivation.findings, core, ends).items():
            _oracle_component(ruleset, derivation, target["components"], component, tally)
    _check_complete(ruleset, derivation, STAGE_COMPONENTS)
    for corner in CORNERS:
        target = derivation.corners[corner]
        ends = corner_kinds(kinds, corner)
        counts = cap_tally(
            ruleset,
            derivation.findings,
            target["components"],
            derivation.flags,
            submission.institution,
            ends,
            capping[corner],
        )
        for cap in ruleset.level_caps:
            if cap.condition.evaluate(counts) is True:
                target["caps"][cap.id] = {"level": cap.level, "rule": f"oracle:{cap.id}"}
        tally = {**counts, "ceiling": ceiling(ruleset, target["caps"])}
        for roll in ruleset.overall_rules:
            if roll.condition.evaluate(tally) is True:
                if "overall" in target:
                    derivation.rollup_errors.append(
                        _("overall rules {first} and {second} both matched").format(
                            first=target["overall"]["rule"], second=roll.id
                        )
                    )
                target["overall"] = {"level": roll.outcome, "rule": roll.id, "tally": tally}
    _check_complete(ruleset, derivation, STAGE_OVERALL)
    _finish(derivation, kinds, core)
    return derivation


def _oracle_component(
    ruleset: Ruleset, derivation: Derivation, verdicts: dict[str, Any], component: str, tally: dict[str, Any]
) -> None:
    for roll in ruleset.component_rules:
        if roll.condition.evaluate(tally) is True:
            if component in verdicts:
                first = verdicts[component]["rule"]
                derivation.rollup_errors.append(
                    _("component rules {first} and {second} both matched {component}").format(
                        first=first, second=roll.id, component=component
                    )
                )
            verdicts[component] = {"outcome": roll.outcome, "rule": roll.id, "tally": tally}
