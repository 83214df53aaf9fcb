"""Compile a ``Ruleset`` into backend-neutral forward-chaining rules (plain dicts).

Working memory of one evaluation holds these facts:

* ``answers``      one fact: ``{kind: answers, <question id>: <value>, ...}`` (unanswered = absent)
* ``institution``  one fact: ``{kind: institution, t_<type>: bool, state, public, as_of: YYYYMMDD}``
* ``finding``      derived by control rules: ``{kind: finding, control, component, outcome}``
* ``component_tally`` / ``overall_tally``: counts of the findings and component verdicts (aggregates
  are computed in Python, as the durable-rules guide advises: durable has no aggregates and its
  ``none()`` does not cancel activations), from which the roll-up rules derive verdicts.

Conditions are three-valued. For every condition the compiler builds four durable expressions:
certainly true (T), certainly false (F), and their complements (NT = not certainly true, NF),
using the fact that durable never matches a missing field except with ``$nex``. Each control
becomes a family of rules whose patterns are mutually exclusive and together exhaustive, so
exactly one finding is derived per control; the engine checks that.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from engine.conditions import All, Any_, Condition, Leaf, Not
from engine.model import Control, Effective, FlagRule, InstitutionFilter, Outcome, Ruleset

TRUE: dict[str, Any] = {"$true": 1}  # sentinels, removed before durable sees them
FALSE: dict[str, Any] = {"$false": 1}

# Stages of one evaluation: facts asserted at a stage may only be consumed by rules of that stage
# or later; roll-ups are asserted only after the previous stage has run to quiescence.
STAGE_CONTROLS, STAGE_COMPONENTS, STAGE_OVERALL = 1, 2, 3


@dataclass
class CompiledRule:
    """One rule: its patterns (alias -> durable expression over one fact kind) and what it emits."""

    name: str
    stage: int
    patterns: dict[str, tuple[str, Any]]  # alias -> (fact kind, expression)
    emits: list[dict[str, Any]] = field(default_factory=list)  # payloads, one per emitted fact
    role: str = "control"  # control | component | overall | flag

    def to_durable(self) -> dict[str, Any]:
        """The durable-rules JSON of the rule's 'all' clause."""
        parts = []
        for alias, (kind, expr) in self.patterns.items():
            terms = [{"kind": kind}]
            if expr is not TRUE:
                terms.append(expr)
            parts.append({alias: {"$and": terms} if len(terms) > 1 else terms[0]})
        return {"all": parts}


@dataclass
class CompiledRuleset:
    """All rules of a ruleset, plus the content hash that names it in durable."""

    name: str
    rules: dict[str, CompiledRule]

    def durable_definition(self) -> dict[str, Any]:
        """``{rule name: {'all': [...]}}`` for durable's create_ruleset."""
        return {name: rule.to_durable() for name, rule in self.rules.items()}


# -- three-valued translation ---------------------------------------------------------------------------------


def _and(*parts: Any) -> Any:
    items = []
    for part in parts:
        if part is FALSE:
            return FALSE
        if part is TRUE:
            continue
        items.extend(part["$and"] if "$and" in part and len(part) == 1 else [part])
    if not items:
        return TRUE
    return items[0] if len(items) == 1 else {"$and": items}


def _or(*parts: Any) -> Any:
    items = []
    for part in parts:
        if part is TRUE:
            return TRUE
        if part is FALSE:
            continue
        items.extend(part["$or"] if "$or" in part and len(part) == 1 else [part])
    if not items:
        return FALSE
    return items[0] if len(items) == 1 else {"$or": items}


def _leaf(leaf: Leaf, mode: str) -> Any:
    name, value = leaf.name, leaf.value
    if leaf.op == "answered":
        present, absent = {"$ex": {name: 1}}, {"$nex": {name: 1}}
        t, f = (present, absent) if value else (absent, present)
        return {"T": t, "F": f, "NT": f, "NF": t}[mode]
    if leaf.op == "equals":
        t, f = {name: value}, {"$neq": {name: value}}
    elif leaf.op == "one_of":
        t = _or(*({name: v} for v in value))
        f = _and(*({"$neq": {name: v}} for v in value))
    elif leaf.op == "at_least":
        t, f = {"$gte": {name: value}}, {"$lt": {name: value}}
    else:  # at_most
        t, f = {"$lte": {name: value}}, {"$gt": {name: value}}
    if mode == "T":
        return t
    if mode == "F":
        return f
    # Measures (tallies, as_of, type flags) are always present; answers and public/state may be missing.
    missing = FALSE if leaf.subject == "measure" else {"$nex": {name: 1}}
    return _or(missing, f) if mode == "NT" else _or(missing, t)


def translate(cond: Condition | None, mode: str) -> Any:
    """The durable expression for ``mode`` (T, F, NT, NF) of a condition; None means 'no condition' (true)."""
    if cond is None:
        return TRUE if mode in ("T", "NF") else FALSE
    if isinstance(cond, Leaf):
        return _leaf(cond, mode)
    if isinstance(cond, Not):
        return translate(cond.child, {"T": "F", "F": "T", "NT": "NF", "NF": "NT"}[mode])
    parts = [translate(child, mode) for child in cond.children]
    conjunctive = (mode in ("T", "NF")) == isinstance(cond, All)
    return _and(*parts) if conjunctive else _or(*parts)


def as_of_number(day: dt.date) -> int:
    """Dates travel in facts as YYYYMMDD integers, so durable compares them as numbers."""
    return day.year * 10000 + day.month * 100 + day.day


def institution_condition(types: tuple[str, ...], filt: InstitutionFilter) -> Condition | None:
    """Institution applicability as a condition over the institution fact."""
    parts: list[Condition] = []
    if types:
        type_leaves = tuple(Leaf("measure", f"t_{t}", "equals", True) for t in types)
        parts.append(type_leaves[0] if len(type_leaves) == 1 else Any_(type_leaves))
    if filt.types:
        type_leaves = tuple(Leaf("measure", f"t_{t}", "equals", True) for t in filt.types)
        parts.append(type_leaves[0] if len(type_leaves) == 1 else Any_(type_leaves))
    if filt.public is not None:
        parts.append(Leaf("question", "public", "equals", filt.public))
    if filt.states:
        parts.append(Leaf("question", "state", "one_of", filt.states))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else All(tuple(parts))


def effective_condition(effective: Effective) -> Condition | None:
    """In-force window as a condition over ``as_of`` (always present)."""
    parts: list[Condition] = []
    if effective.start:
        parts.append(Leaf("measure", "as_of", "at_least", as_of_number(effective.start)))
    if effective.end:
        parts.append(Leaf("measure", "as_of", "at_most", as_of_number(effective.end - dt.timedelta(days=1))))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else All(tuple(parts))


# -- rules per control -----------------------------------------------------------------------------------------------


def _finding(control: Control, outcome: Outcome | str, reason: str) -> dict[str, Any]:
    return {
        "kind": "finding",
        "control": control.id,
        "component": control.component,
        "outcome": Outcome(outcome).value,
        "reason": reason,
    }


def _control_rules(control: Control, na_groups: dict[str, CompiledRule]) -> list[CompiledRule]:
    inst = institution_condition(control.applies_to, control.applies_if)
    force = effective_condition(control.effective)
    applies, passes, partial = control.applies_when, control.pass_condition, control.partial_condition
    rules: list[CompiledRule] = []

    def add(suffix: str, inst_expr: Any, answers_expr: Any, outcome: Outcome, reason: str) -> None:
        if inst_expr is FALSE or answers_expr is FALSE:
            return  # this case cannot happen for this control
        patterns: dict[str, tuple[str, Any]] = {"i": ("institution", inst_expr)}
        if answers_expr is not TRUE:
            patterns["a"] = ("answers", answers_expr)
        rules.append(
            CompiledRule(f"{control.id}:{suffix}", STAGE_CONTROLS, patterns, [_finding(control, outcome, reason)])
        )

    # 1. Institution certainly out of scope: grouped with every control of the same scope, so one
    #    firing derives all of their not_applicable findings.
    na_expr = translate(inst, "F")
    if na_expr is not FALSE:
        key = hashlib.sha256(json.dumps(na_expr, sort_keys=True).encode()).hexdigest()[:10]
        group = na_groups.get(key)
        if group is None:
            group = na_groups[key] = CompiledRule(
                f"NOT-APPLICABLE:{key}", STAGE_CONTROLS, {"i": ("institution", na_expr)}
            )
        group.emits.append(_finding(control, Outcome.NOT_APPLICABLE, "institution"))
    in_scope, may_apply = translate(inst, "T"), translate(inst, "NF")
    in_force = translate(force, "T")
    # 2. Outside the effective window.
    add("not_in_force", _and(may_apply, translate(force, "F")), TRUE, Outcome.NOT_IN_FORCE, "effective")
    # 3. Scope unknown (public/private or state not given) for a control that depends on it.
    if control.applies_if.public is not None or control.applies_if.states:
        add(
            "unknown_scope",
            _and(translate(inst, "NT"), may_apply, in_force),
            TRUE,
            control.when_unanswered,
            "scope",
        )
    live = _and(in_scope, in_force)
    # 4. Context answers rule the control out.
    add("not_applicable", live, translate(applies, "F"), Outcome.NOT_APPLICABLE, "applies_when")
    applies_t = translate(applies, "T")
    p_t, p_f, p_nt, p_nf = (translate(passes, m) for m in ("T", "F", "NT", "NF"))
    add("pass", live, _and(applies_t, p_t), Outcome.PASS, "pass")
    if partial is None:
        add("fail", live, _and(applies_t, p_f), Outcome.FAIL, "fail")
        undecided = _and(p_nt, p_nf)
    else:
        q_t, q_f, q_nt, q_nf = (translate(partial, m) for m in ("T", "F", "NT", "NF"))
        add("partial", live, _and(applies_t, p_f, q_t), Outcome.PARTIAL, "partial")
        add("fail", live, _and(applies_t, p_f, q_f), Outcome.FAIL, "fail")
        undecided = _and(p_nt, _or(p_nf, q_nt), _or(p_nf, q_nf))
    # 5. The answers given do not decide the control (or do not say whether it applies).
    add(
        "unanswered",
        live,
        _or(_and(translate(applies, "NT"), translate(applies, "NF")), _and(applies_t, undecided)),
        control.when_unanswered,
        "unanswered",
    )
    return rules


def _flag_rule(key: str, flag: FlagRule) -> CompiledRule:
    inst = _and(
        translate(institution_condition((), flag.institution), "T"),
        translate(effective_condition(flag.effective), "T"),
    )
    patterns: dict[str, tuple[str, Any]] = {}
    if flag.finding_controls:
        patterns["f"] = (
            "finding",
            _and(
                _or(*({"control": c} for c in flag.finding_controls)),
                _or(*({"outcome": o} for o in flag.finding_outcomes)),
            ),
        )
    if flag.answers is not None:
        patterns["a"] = ("answers", translate(flag.answers, "T"))
    patterns["i"] = ("institution", inst)
    return CompiledRule(f"FLAG:{key}", STAGE_CONTROLS, patterns, [{"kind": "flag", "flag": key}], role="flag")


def compile_ruleset(ruleset: Ruleset) -> CompiledRuleset:
    """Compile every control, flag and roll-up rule of ``ruleset``."""
    rules: dict[str, CompiledRule] = {}
    na_groups: dict[str, CompiledRule] = {}
    for control in ruleset.controls.values():
        for rule in _control_rules(control, na_groups):
            rules[rule.name] = rule
    for group in na_groups.values():
        rules[group.name] = group
    for key, flag in ruleset.flags.items():
        rule = _flag_rule(key, flag)
        rules[rule.name] = rule
    for roll in ruleset.component_rules:
        expr = translate(roll.condition, "T")
        rules[f"COMPONENT:{roll.id}"] = CompiledRule(
            f"COMPONENT:{roll.id}",
            STAGE_COMPONENTS,
            {"t": ("component_tally", expr)},
            [{"kind": "component", "rule": roll.id, "outcome": roll.outcome}],
            role="component",
        )
    for roll in ruleset.overall_rules:
        expr = translate(roll.condition, "T")
        rules[f"OVERALL:{roll.id}"] = CompiledRule(
            f"OVERALL:{roll.id}",
            STAGE_OVERALL,
            {"t": ("overall_tally", expr)},
            [{"kind": "overall", "rule": roll.id, "level": roll.outcome}],
            role="overall",
        )
    definition = json.dumps({n: r.to_durable() for n, r in rules.items()}, sort_keys=True)
    digest = hashlib.sha256((ruleset.content_hash + definition).encode()).hexdigest()[:12]
    return CompiledRuleset(name=f"{ruleset.id}_{digest}", rules=rules)


def institution_fact(
    types: tuple[str, ...], all_types: list[str], state: str | None, public: bool | None, as_of: dt.date
) -> dict[str, Any]:
    """The institution fact: every type flag explicit, state/public absent when unknown."""
    fact: dict[str, Any] = {"kind": "institution", "as_of": as_of_number(as_of)}
    for t in all_types:
        fact[f"t_{t}"] = t in types
    if state is not None:
        fact["state"] = state
    if public is not None:
        fact["public"] = public
    return fact
