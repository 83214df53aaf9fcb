"""Derivations: what the rules conclude for one submission, by durable-rules or by the oracle.

A ``Derivation`` holds the derived facts (findings, component verdicts, overall level, flags),
each with the rule that derived it, in firing order. Two backends produce it:

* ``DurableBackend`` (engine/run/durable_backend.py): the compiled rules run on durable-rules, chained stage
  by stage;
* ``derive_oracle`` (engine/run/oracle.py): a plain-Python evaluation of the same conditions, used by tests to
  check durable on every case and on random answer sets, and by the benchmark as the yardstick.

Both share what this module holds: the tallies' facts, the consistency checks and the level's range.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.errors import EvaluationError, RulesetError
from engine.i18n import _
from engine.rules.compiler import (
    BUCKETS,
    STAGE_CAPS,
    STAGE_COMPONENTS,
    STAGE_CONTROLS,
    effective_condition,
    institution_condition,
    institution_fields,
)
from engine.rules.model import Ruleset, Submission
from engine.run.tally import CORNER_KINDS as _CORNER_KINDS
from engine.run.tally import (
    CORNERS,
    POSSIBLE,
    decided,
    kind_of,
)

CORNER_HIGH = _CORNER_KINDS["high"]
OPEN_KINDS = frozenset(("at_least", "at_most", "not_answered"))

MAX_RETRIES = 2
_BUCKET_FIELDS = {f"b{i}": 1 for i in range(BUCKETS)}


def _tally_fact(
    kind: str, tally: dict[str, Any], names: tuple[str, ...], component: str | None = None, corner: str = "now"
) -> str:
    """A tally fact as JSON with only the named measures (the ones rules read; counts are plain ints).

    The corner ("now", "low" or "high") and the component id, when given, come right after the kind, where
    ``Firing.head_id`` finds them.
    """
    parts = [f'"kind":"{kind}"', f'"corner":"{corner}"'] + ([f'"component":"{component}"'] if component else [])
    parts += [f'"{name}":{int(tally[name])}' for name in names]
    return "{" + ",".join(parts) + "}"


@dataclass
class Derivation:
    """Everything the rules derived for one submission, with the deciding rule of each fact."""

    # control -> {outcome, bound, rule, reason}: read-only mappings on durable's side (shared between derivations);
    # the firing order is ``firings``.
    findings: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    # component -> {outcome, rule, tally, seq, provisional}
    components: dict[str, dict[str, Any]] = field(default_factory=dict)
    # cap id -> {level, rule, seq}: the caps that hold at the high corner, i.e. whatever the open questions say.
    caps: dict[str, dict[str, Any]] = field(default_factory=dict)
    # {level, bound, range, provisional, rule, tally, seq}: the level and its range over the two corners.
    overall: dict[str, Any] = field(default_factory=dict)
    # "low" / "high" -> {components: {id: {outcome, rule}}, caps: {id: {...}}, overall: {level, rule, tally}}:
    # the roll-up of the open questions answered the least / the most protective way (tally.CORNER_KINDS).
    corners: dict[str, dict[str, Any]] = field(default_factory=dict)
    flags: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # flag rule key -> firings
    firings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    # Component or overall rules of the ruleset that overlap (both held): the rules files are at fault, not the engine.
    rollup_errors: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """The decisions only (no rule names): what the oracle and durable must agree on."""
        return {
            "findings": {c: (f["outcome"], f.get("bound")) for c, f in sorted(self.findings.items())},
            "components": {
                c: (
                    v["outcome"],
                    v.get("bound"),
                    tuple(v.get("range", {}).values()),
                    v["tally"]["decided"],
                    v["tally"]["applicable"],
                    bool(v.get("provisional")),
                )
                for c, v in sorted(self.components.items())
            },
            "caps": sorted(self.caps),
            "corner_caps": {k: sorted(v.get("caps", ())) for k, v in sorted(self.corners.items())},
            "overall": (
                self.overall.get("level"),
                self.overall.get("bound"),
                tuple(self.overall.get("range", {}).values()),
                self.overall.get("provisional"),
            ),
            "flags": sorted({(k, f.get("control")) for k, fs in self.flags.items() for f in fs}),
        }


def _check_complete(ruleset: Ruleset, derivation: Derivation, stage: int) -> None:
    if derivation.errors:
        raise EvaluationError("; ".join(derivation.errors))
    if derivation.rollup_errors:
        raise _rollup_error(ruleset, "; ".join(derivation.rollup_errors))
    if stage == STAGE_CONTROLS:
        # Findings are keyed by control id, so a full count means every control was decided.
        missing = (
            []
            if len(derivation.findings) == len(ruleset.controls)
            else sorted(set(ruleset.controls) - set(derivation.findings))
        )
        if missing:
            raise EvaluationError(
                _("no rule decided control(s) {controls}; the compiled rules are incomplete.").format(
                    controls=", ".join(missing)
                )
            )
    elif stage == STAGE_COMPONENTS:
        missing = sorted(set(ruleset.components) - set(derivation.components))
        if missing:
            raise _rollup_error(ruleset, _no_component_rule(missing))
        for corner in CORNERS:
            missing = sorted(set(ruleset.components) - set(derivation.corners[corner]["components"]))
            if missing:
                raise _rollup_error(ruleset, _no_component_rule(missing))
    elif stage == STAGE_CAPS:
        pass  # any number of caps may fire, none included
    elif any("overall" not in derivation.corners[corner] for corner in CORNERS):
        raise _rollup_error(ruleset, _("no overall rule matched"))


def _no_component_rule(missing: list[str]) -> str:
    return _("no component rule matched {components}").format(components=", ".join(missing))


def _rollup_error(ruleset: Ruleset, problem: str) -> RulesetError:
    """The roll-up rules (``component_rules``, ``overall_rules``) must hold exactly once for every tally; when they
    do not, the rules files are at fault, so it is a rules error (exit 2) naming the file, not an internal one."""
    manifest = Path(ruleset.root) / "ruleset.yaml"
    return RulesetError(
        _(
            "{manifest}: {problem} for this institution's answers; exactly one component rule must hold for each "
            "component, and one overall rule for the level. Add or narrow a rule (see rulesets/README.md)."
        ).format(manifest=manifest, problem=problem)
    )


def _check_overlaps(derivation: Derivation, decided_by: set[str], groups: dict[str, dict[str, Any]]) -> None:
    """Record an error for every control two fired rules decided (the rules of a control must exclude each other)."""
    if sum(len(groups[rule]) for rule in decided_by) == len(derivation.findings):
        return  # the usual case: each control decided once
    by_control: dict[str, list[str]] = {}
    for rule in sorted(decided_by):
        for control in groups[rule]:
            by_control.setdefault(control, []).append(rule)
    for control, rules in by_control.items():
        if len(rules) > 1:
            derivation.errors.append(
                _("rules {rules} both decided {control}").format(rules=_(" and ").join(rules), control=control)
            )


def _rule_source(ruleset: Ruleset, rule: str | None) -> str:
    """'<file>: ' of the control or flag a compiled rule comes from, when it can be told."""
    if not rule:
        return ""
    for cid, control in ruleset.controls.items():
        if cid in rule:
            return f"{control.source}: "
    for fid, flag in ruleset.flags.items():
        if fid in rule:
            return f"{flag.source}: "
    return ""


# -- the range of the level over the two corners (corrections 2026-12b §1) ------------------------------------------

COMPONENT_ORDER = ("fail", "partial", "pass")


def component_range(low: str, high: str) -> tuple[str, str | None]:
    """(outcome, bound) of a component from its outcomes at the low and high corners, read like a finding's:
    partial..pass is 'partial, at least', fail..partial 'partial, at most', fail..pass not answered."""
    if low == high or low not in COMPONENT_ORDER or high not in COMPONENT_ORDER:
        return low, None
    if low == "fail" and high == "pass":
        return "not_answered", None
    return "partial", "at_least" if low == "partial" else "at_most"


def level_range(low: str, high: str) -> tuple[str, str | None]:
    """(level, bound) from the levels at the low and high corners: the lowest level still reachable, 'at least'
    when answering the open questions could raise it, and incomplete only when they could make it anything."""
    if low == high:
        return low, None
    if low == "weak" and high == "strong":
        return "incomplete", None
    return low, "at_least"


def _capping_candidates(ruleset: Ruleset, state: str | None) -> list[tuple[Any, Any, Any]]:
    """(flag, scope condition, in-force condition) of every capping flag, per ruleset and state (once each)."""
    return ruleset.memo.get(
        ("capping_candidates", state),
        lambda: [
            (flag, institution_condition((), flag.institution), effective_condition(flag.effective))
            for flag in ruleset.flags.values()
            if ruleset.caps_level(flag.id) and (not flag.institution.states or state in flag.institution.states)
        ],
    )


def _high_outcome(finding: Mapping[str, Any]) -> str:
    kind = kind_of(finding)
    return finding["outcome"] if kind == "excluded" else CORNER_HIGH[kind]


def corner_capping(
    ruleset: Ruleset,
    findings: Mapping[str, Mapping[str, Any]],
    flags: dict[str, list[dict[str, Any]]],
    answers: dict[str, Any],
    inst: dict[str, Any],
    state: str | None,
) -> dict[str, int]:
    """How many distinct capping flags fire at each corner (``corner_capping_ids``, counted)."""
    ids = corner_capping_ids(ruleset, findings, flags, answers, inst, state)
    return {corner: len(found) for corner, found in ids.items()}


def corner_capping_ids(
    ruleset: Ruleset,
    findings: Mapping[str, Mapping[str, Any]],
    flags: dict[str, list[dict[str, Any]]],
    answers: dict[str, Any] | None,
    inst: dict[str, Any],
    state: str | None,
) -> dict[str, set[str]]:
    """The distinct capping flags that fire at each corner (``answers`` None: the high corner only).

    High corner: the raised flags that still hold with every open question answered the protective way (a flag
    on a finding that is only 'at least partial' no longer holds there). Low corner: those, plus every capping
    flag that may still fire: its institution certainly matches, its answers are not certainly false, and a
    finding it joins may still take one of its outcomes. Both backends count with this one function.
    """
    high: set[str] = set()
    low: set[str] = set()
    for key, firings in flags.items():
        flag = ruleset.flags[key]
        if not ruleset.caps_level(flag.id):
            continue
        low.add(flag.id)
        if any(f["control"] is None or _high_outcome(findings[f["control"]]) in flag.finding_outcomes for f in firings):
            high.add(flag.id)
    if answers is None:
        return {"low": low, "high": high}
    for flag, scope, force in _capping_candidates(ruleset, state):
        if flag.id in low:
            continue
        if (scope is not None and scope.evaluate(inst) is not True) or (
            force is not None and force.evaluate(inst) is not True
        ):
            continue
        if flag.answers is not None and flag.answers.evaluate(answers) is False:
            continue
        if flag.finding_controls and not any(
            set(POSSIBLE.get(kind_of(findings[c]), (findings[c]["outcome"],))) & set(flag.finding_outcomes)
            for c in flag.finding_controls
        ):
            continue
        low.add(flag.id)
    return {"low": low, "high": high}


def _finish(derivation: Derivation, kinds: dict[str, str], core: frozenset[str]) -> None:
    """Set each component's and the overall verdict from the two corners, with its range and bound."""
    low, high = derivation.corners["low"], derivation.corners["high"]
    for cid, verdict in derivation.components.items():
        lo, hi = low["components"][cid]["outcome"], high["components"][cid]["outcome"]
        verdict["outcome"], verdict["bound"] = component_range(lo, hi)
        verdict["range"] = {"lowest": lo, "highest": hi}
    lo, hi = low["overall"]["level"], high["overall"]["level"]
    level, bound = level_range(lo, hi)
    derivation.caps = high["caps"]
    derivation.overall = {
        "level": level,
        "bound": bound,
        "range": {"lowest": lo, "highest": hi},
        # While a core control is open the level rests on its worst case: say so.
        "provisional": any(cid in core and not decided(k) for cid, k in kinds.items()),
        "rule": low["overall"]["rule"],
        "rule_high": high["overall"]["rule"],
        "tally": low["overall"]["tally"],
        "tally_high": high["overall"]["tally"],
        "seq": low["overall"].get("seq"),
    }


def _institution_values(submission: Submission, ruleset: Ruleset, as_of: dt.date) -> dict[str, Any]:
    inst = submission.institution
    return institution_fields(inst.types, list(ruleset.institution_types), inst.state, inst.public, as_of)
