"""Compile a ``Ruleset`` into backend-neutral forward-chaining rules (plain dicts).

Working memory of one evaluation holds these facts:

* ``answers``      ``{kind: answers, <question id>: <value>, ...}`` (unanswered = absent), carrying the
  institution's fields too: ``t_<type>: bool, state, public, as_of: YYYYMMDD`` (see institution_fields)
* ``finding``      derived by control rules: ``{kind: finding, control, component, outcome, bound}`` (bound
  ``at_least``, ``at_most`` or ``none``)
* ``component_tally`` / ``overall_tally``: counts of the findings and component verdicts (aggregates
  are computed in Python, as the durable-rules guide advises: durable has no aggregates and its
  ``none()`` does not cancel activations), from which the roll-up rules derive verdicts.

Each condition becomes durable expressions in ``engine.rules.expressions`` (certainly true, certainly false and
their complements). Each control becomes a family of rules whose patterns are mutually exclusive and together
exhaustive, so exactly one finding is derived per control; the engine checks that.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from engine.errors import RulesetError
from engine.i18n import _
from engine.rules.conditions import All, Any_, Condition, Leaf
from engine.rules.expressions import FALSE, TRUE, any_of, conjuncts, pack, translate
from engine.rules.model import Control, Effective, FlagRule, InstitutionFilter, Outcome, Ruleset

# Stages of one evaluation: facts asserted at a stage may only be consumed by rules of that stage
# or later; roll-ups are asserted only after the previous stage has run to quiescence.
STAGE_CONTROLS, STAGE_COMPONENTS, STAGE_CAPS, STAGE_OVERALL = 1, 2, 3, 4


# durable walks its alpha network with a fixed 64-entry stack and pushes every matching child of a
# node (events.c handleAlpha, ERR_MAX_STACK_SIZE), and keeps a node's children in a 512-slot table.
# Hundreds of rules hanging off the same "kind: answers" node overflow both. Each rule therefore
# first tests one bucket field b0..b{N-1} (all present on the answers fact), so no node has more
# than a few dozen children. All rules of one control share a bucket, so they share their prefix.
BUCKETS = 16

ALIASES = {"finding": "f", "component_tally": "t", "cap_tally": "t", "overall_tally": "t"}


@dataclass
class CompiledRule:
    """One rule: patterns (alias -> fact kind, answers copy, conjuncts) and what it emits."""

    name: str
    stage: int
    patterns: dict[str, tuple[str, int | None, list[Any]]]
    emits: list[dict[str, Any]] = field(default_factory=list)  # payloads, one per emitted fact
    role: str = "control"  # control | component | provisional | cap | overall | flag

    bucket: int = 0

    def to_durable(self) -> dict[str, Any]:
        """The durable-rules JSON of the rule's 'all' clause."""
        parts = []
        for alias, (kind, copy, terms) in self.patterns.items():
            head: list[Any] = [{"kind": kind}]
            if copy is not None:
                head += [{"part": copy}, {f"b{self.bucket}": 1}]
            body = head + terms
            parts.append({alias: {"$and": body} if len(body) > 1 else body[0]})
        return {"all": parts}


def bucket_of(key: str) -> int:
    """A stable bucket for a control or flag (see BUCKETS)."""
    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) % BUCKETS


def make_rule(
    name: str,
    stage: int,
    kinds: dict[str, list[Any]],
    emits: list[dict[str, Any]],
    role: str,
    where: str,
    bucket: int = 0,
) -> CompiledRule | None:
    """Build a rule from conjunct lists per fact kind; None when a part is certainly false.

    ``answers`` conjuncts may need several patterns: the engine asserts identical copies of the answers
    fact tagged ``part: 0..n`` (durable will not bind one fact to two patterns of a rule).
    """
    patterns: dict[str, tuple[str, int | None, list[Any]]] = {}
    for kind, parts in kinds.items():
        if any(p is FALSE for p in parts):
            return None
        groups = pack(parts, where) or [[]]
        if kind == "answers":
            if not parts and role != "control":
                groups = [[]]
            for copy, group in enumerate(groups):
                patterns[f"a{copy}"] = (kind, copy, group)
        elif len(groups) == 1:
            patterns[ALIASES[kind]] = (kind, None, groups[0])
        else:
            raise RulesetError(
                _("{where}: the {kind} part of this rule is too complex for durable-rules.").format(
                    where=where, kind=kind
                )
            )
    return CompiledRule(name, stage, patterns, emits, role, bucket)


@dataclass
class CompiledRuleset:
    """All rules of a ruleset, plus the content hash that names it in durable."""

    name: str
    rules: dict[str, CompiledRule]
    answer_copies: int = 1
    types: frozenset[str] | None = None  # compiled for institutions of exactly these types; None = any
    # Tally fact kind -> the measures its rules read: only those are sent to durable (the others stay in Python).
    tally_fields: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def durable_definition(self) -> dict[str, Any]:
        """``{rule name: {'all': [...]}}`` for durable's create_ruleset."""
        return {name: rule.to_durable() for name, rule in self.rules.items()}


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


def _finding(control: Control, outcome: Outcome | str, reason: str, bound: str | None = None) -> dict[str, Any]:
    return {
        "kind": "finding",
        "control": control.id,
        "component": control.component,
        "outcome": Outcome(outcome).value,
        "bound": bound,
        "reason": reason,
    }


def _control_rules(control: Control, na_groups: dict[str, CompiledRule]) -> list[CompiledRule]:
    inst = institution_condition(control.applies_to, control.applies_if)
    force = effective_condition(control.effective)
    applies, passes, partial = control.applies_when, control.pass_condition, control.partial_condition
    rules: list[CompiledRule] = []

    bucket = bucket_of(control.id)

    def add(
        suffix: str,
        inst_parts: list[Any],
        answer_parts: list[Any],
        outcome: Outcome,
        reason: str,
        bound: str | None = None,
    ) -> None:
        # Institution fields travel on the answers fact, so one pattern family covers both.
        kinds = {"answers": conjuncts(*inst_parts, *answer_parts)}
        rule = make_rule(
            f"{control.id}:{suffix}",
            STAGE_CONTROLS,
            kinds,
            [_finding(control, outcome, reason, bound)],
            "control",
            control.source,
            bucket,
        )
        if rule is not None:
            rules.append(rule)

    # 1. Institution certainly out of scope: grouped with every control of the same scope, so one
    #    firing derives all of their not_applicable findings.
    na_expr = translate(inst, "F")
    if na_expr is not FALSE:
        key = hashlib.sha256(json.dumps(na_expr, sort_keys=True).encode()).hexdigest()[:10]
        group = na_groups.get(key)
        if group is None:
            group = make_rule(
                f"NOT-APPLICABLE:{key}",
                STAGE_CONTROLS,
                {"answers": conjuncts(na_expr)},
                [],
                "control",
                control.source,
                bucket_of(key),
            )
            assert group is not None  # na_expr is not FALSE, so the rule has a condition to fire on
            na_groups[key] = group
        group.emits.append(_finding(control, Outcome.NOT_APPLICABLE, "institution"))
    may_apply = translate(inst, "NF")
    live = [translate(inst, "T"), translate(force, "T")]
    # 2. Outside the effective window.
    add("not_in_force", [may_apply, translate(force, "F")], [], Outcome.NOT_IN_FORCE, "effective")
    # 3. Scope unknown (public/private or state not given) for a control that depends on it.
    if control.applies_if.public is not None or control.applies_if.states:
        add(
            "unknown_scope",
            [translate(inst, "NT"), may_apply, translate(force, "T")],
            [],
            control.when_unanswered,
            "scope",
        )
    # 4. Context answers rule the control out.
    add("not_applicable", live, [translate(applies, "F")], Outcome.NOT_APPLICABLE, "applies_when")
    # 5. Decided outcomes, and 6. bounds and undecided ones. With P the pass condition and Q the partial one,
    #    each three-valued (T, F, U = unknown = not certainly true and not certainly false), the outcome is
    #    pass if P=T; partial if P=F, Q=T; fail if P=F, Q=F; partial 'at most' if P=F, Q=U (partial or fail);
    #    partial 'at least' if P=U, Q=T (pass or partial); otherwise (P=U, Q not T) undecided. Every case is a
    #    pure conjunction and the cases are disjoint and exhaustive (engine/run/oracle.decide_control mirrors them).
    a_t = translate(applies, "T")
    unanswered = control.when_unanswered
    p_t, p_f, p_u = translate(passes, "T"), translate(passes, "F"), [translate(passes, "NT"), translate(passes, "NF")]
    add("pass", live, [a_t, p_t], Outcome.PASS, "pass")
    if partial is None:
        add("fail", live, [a_t, p_f], Outcome.FAIL, "fail")
        add("unanswered", live, [a_t, *p_u], unanswered, "unanswered")
    else:
        q_t, q_f, q_u = (
            translate(partial, "T"),
            translate(partial, "F"),
            [translate(partial, "NT"), translate(partial, "NF")],
        )
        add("partial", live, [a_t, p_f, q_t], Outcome.PARTIAL, "partial")
        add("fail", live, [a_t, p_f, q_f], Outcome.FAIL, "fail")
        if unanswered == Outcome.FAIL:  # when_unanswered: fail turns 'partial or fail' into fail
            add("at_most", live, [a_t, p_f, *q_u], Outcome.FAIL, "unanswered")
        else:
            add("at_most", live, [a_t, p_f, *q_u], Outcome.PARTIAL, "at_most", "at_most")
        add("at_least", live, [a_t, *p_u, q_t], Outcome.PARTIAL, "at_least", "at_least")
        add("unanswered", live, [a_t, *p_u, translate(partial, "NT")], unanswered, "unanswered")
    #    Whether the control applies is itself unknown.
    if applies is not None:
        add("unanswered_scope", live, [translate(applies, "NT"), translate(applies, "NF")], unanswered, "unanswered")
    return rules


def _flag_rule(key: str, flag: FlagRule) -> CompiledRule:
    kinds: dict[str, list[Any]] = {}
    if flag.finding_controls:
        kinds["finding"] = conjuncts(
            any_of(*({"control": c} for c in flag.finding_controls)),
            any_of(*({"outcome": o} for o in flag.finding_outcomes)),
            {"$neq": {"bound": "at_most"}} if flag.skip_at_most else TRUE,
        )
    kinds["answers"] = conjuncts(
        translate(flag.answers, "T"),
        translate(institution_condition((), flag.institution), "T"),
        translate(effective_condition(flag.effective), "T"),
    )
    rule = make_rule(
        f"FLAG:{key}", STAGE_CONTROLS, kinds, [{"kind": "flag", "flag": key}], "flag", flag.source, bucket_of(key)
    )
    if rule is None:
        raise RulesetError(_("{source}: flag {id} can never be raised.").format(source=flag.source, id=flag.id))
    return rule


OTHER_TYPES_RULE = "NOT-APPLICABLE:other-types"


def _other_types_rule(controls: list[Control]) -> CompiledRule:
    """One rule deciding every control that covers none of the institution's types: not_applicable."""
    covered = sorted({t for c in controls for t in c.applies_to})
    # The institution is none of the types these controls cover, so each one's scope is certainly false.
    parts = conjuncts(*({f"t_{t}": False} for t in covered))
    emits = [_finding(c, Outcome.NOT_APPLICABLE, "institution") for c in controls]
    rule = make_rule(OTHER_TYPES_RULE, STAGE_CONTROLS, {"answers": parts}, emits, "control", "controls/", 0)
    assert rule is not None  # a conjunction of equalities is never certainly false
    return rule


def _flag_may_fire(flag: FlagRule, types: frozenset[str], controls: set[str]) -> bool:
    """False when the flag can never fire for an institution of exactly ``types`` (its rule is left out)."""
    if flag.institution.types and not types & set(flag.institution.types):
        return False
    if flag.finding_controls and Outcome.NOT_APPLICABLE.value not in flag.finding_outcomes:
        return bool(controls & set(flag.finding_controls))  # other types' findings are all not_applicable
    return True


def compile_ruleset(ruleset: Ruleset, types: frozenset[str] | None = None) -> CompiledRuleset:
    """Compile the control, flag and roll-up rules of ``ruleset``.

    With ``types``, compile for institutions of exactly those types: the controls that cover none of them are
    decided by one grouped not-applicable rule and flags that can never fire are left out, so each session
    carries a fraction of the network (durable allocates state for every pattern of a ruleset per session).
    """
    rules: dict[str, CompiledRule] = {}
    na_groups: dict[str, CompiledRule] = {}
    mine = [c for c in ruleset.controls.values() if types is None or types & set(c.applies_to)]
    for control in mine:
        for rule in _control_rules(control, na_groups):
            rules[rule.name] = rule
    for group in na_groups.values():
        rules[group.name] = group
    others = [c for c in ruleset.controls.values() if c not in mine]
    if others:
        rules[OTHER_TYPES_RULE] = _other_types_rule(others)
    ids = {c.id for c in mine}
    flags = {k: f for k, f in ruleset.flags.items() if types is None or _flag_may_fire(f, types, ids)}
    for key, flag in flags.items():
        rule = _flag_rule(key, flag)
        rules[rule.name] = rule
    for roll in ruleset.component_rules:
        tally = {"component_tally": conjuncts(translate(roll.condition, "T"))}
        emit = [{"kind": "component", "rule": roll.id, "outcome": roll.outcome}]
        made = make_rule(f"COMPONENT:{roll.id}", STAGE_COMPONENTS, tally, emit, "component", "ruleset.yaml")
        if made is not None:
            rules[made.name] = made
    if ruleset.provisional is not None:
        tally = {"component_tally": conjuncts(translate(ruleset.provisional, "T"))}
        emit = [{"kind": "provisional"}]
        made = make_rule("PROVISIONAL", STAGE_COMPONENTS, tally, emit, "provisional", "ruleset.yaml")
        if made is not None:
            rules[made.name] = made
    for cap in ruleset.level_caps:
        tally = {"cap_tally": conjuncts(translate(cap.condition, "T"))}
        emit = [{"kind": "cap", "cap": cap.id, "level": cap.level}]
        made = make_rule(f"CAP:{cap.id}", STAGE_CAPS, tally, emit, "cap", "ruleset.yaml")
        if made is not None:
            rules[made.name] = made
    for roll in ruleset.overall_rules:
        tally = {"overall_tally": conjuncts(translate(roll.condition, "T"))}
        emit = [{"kind": "overall", "rule": roll.id, "level": roll.outcome}]
        made = make_rule(f"OVERALL:{roll.id}", STAGE_OVERALL, tally, emit, "overall", "ruleset.yaml")
        if made is not None:
            rules[made.name] = made
    definition = json.dumps({n: r.to_durable() for n, r in rules.items()}, sort_keys=True)
    digest = hashlib.sha256((ruleset.content_hash + definition).encode()).hexdigest()[:12]
    copies = max((sum(1 for a in r.patterns if a.startswith("a")) for r in rules.values()), default=1)
    read = {
        "component_tally": [r.condition for r in ruleset.component_rules]
        + ([ruleset.provisional] if ruleset.provisional is not None else []),
        "cap_tally": [cap.condition for cap in ruleset.level_caps],
        "overall_tally": [r.condition for r in ruleset.overall_rules],
    }
    tally_fields = {kind: tuple(sorted({m for c in conds for m in c.references()})) for kind, conds in read.items()}
    suffix = "" if types is None else "_" + "+".join(sorted(types))
    return CompiledRuleset(
        name=f"{ruleset.id}_{digest}{suffix}",
        rules=rules,
        answer_copies=max(copies, 1),
        types=types,
        tally_fields=tally_fields,
    )


def institution_fields(
    types: tuple[str, ...], all_types: list[str], state: str | None, public: bool | None, as_of: dt.date
) -> dict[str, Any]:
    """The institution's fields on the answers fact: every type flag explicit, state/public absent when unknown."""
    fields: dict[str, Any] = {"as_of": as_of_number(as_of)}
    for t in all_types:
        fields[f"t_{t}"] = t in types
    if state is not None:
        fields["state"] = state
    if public is not None:
        fields["public"] = public
    return fields
