"""Derivations: what the rules conclude for one submission, by durable-rules or by the oracle.

A ``Derivation`` holds the derived facts (findings, component verdicts, overall level, flags),
each with the rule that derived it, in firing order. Two backends produce it:

* ``DurableBackend``: the compiled rules run on durable-rules, chained stage by stage;
* ``derive_oracle``: a plain-Python evaluation of the same conditions, used by tests to check
  durable on every case and on random answer sets, and by the benchmark as the yardstick.

Both share the tallies (aggregates computed in Python) and the consistency checks.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from engine.errors import EvaluationError, RulesetError
from engine.limits import COMPILED_TYPE_SETS_MAX
from engine.rules.compiler import (
    BUCKETS,
    STAGE_CAPS,
    STAGE_COMPONENTS,
    STAGE_CONTROLS,
    STAGE_OVERALL,
    CompiledRuleset,
    compile_ruleset,
    effective_condition,
    institution_condition,
    institution_fields,
)
from engine.rules.model import Control, Outcome, Ruleset, Submission
from engine.run import _durable
from engine.run.tally import CORNER_KINDS as _CORNER_KINDS
from engine.run.tally import (
    CORNERS,
    POSSIBLE,
    cap_tally,
    ceiling,
    component_tallies,
    corner_kinds,
    counted,
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
                f"no rule decided control(s) {', '.join(missing)}; the compiled rules are incomplete."
            )
    elif stage == STAGE_COMPONENTS:
        missing = sorted(set(ruleset.components) - set(derivation.components))
        if missing:
            raise _rollup_error(ruleset, f"no component rule matched {', '.join(missing)}")
        for corner in CORNERS:
            missing = sorted(set(ruleset.components) - set(derivation.corners[corner]["components"]))
            if missing:
                raise _rollup_error(ruleset, f"no component rule matched {', '.join(missing)}")
    elif stage == STAGE_CAPS:
        pass  # any number of caps may fire, none included
    elif any("overall" not in derivation.corners[corner] for corner in CORNERS):
        raise _rollup_error(ruleset, "no overall rule matched")


def _rollup_error(ruleset: Ruleset, problem: str) -> RulesetError:
    """The roll-up rules (``component_rules``, ``overall_rules``) must hold exactly once for every tally; when they
    do not, the rules files are at fault, so it is a rules error (exit 2) naming the file, not an internal one."""
    manifest = Path(ruleset.root) / "ruleset.yaml"
    return RulesetError(
        f"{manifest}: {problem} for this institution's answers; exactly one component rule must hold for each "
        "component, and one overall rule for the level. Add or narrow a rule (see rulesets/README.md)."
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
            derivation.errors.append(f"rules {' and '.join(rules)} both decided {control}")


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


_CAPPING: dict[tuple[str, str | None], list[tuple[Any, Any, Any]]] = {}


def _capping_candidates(ruleset: Ruleset, state: str | None) -> list[tuple[Any, Any, Any]]:
    """(flag, scope condition, in-force condition) of every capping flag, per ruleset and state (once each)."""
    key = (ruleset.content_hash, state)
    found = _CAPPING.get(key)
    if found is None:
        if len(_CAPPING) > 1024:
            _CAPPING.clear()
        found = _CAPPING[key] = [
            (flag, institution_condition((), flag.institution), effective_condition(flag.effective))
            for flag in ruleset.flags.values()
            if ruleset.caps_level(flag.id) and (not flag.institution.states or state in flag.institution.states)
        ]
    return found


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


class _TypeEngine:
    """The rules for institutions of one set of types, compiled and registered in durable once."""

    def __init__(self, ruleset: Ruleset, types: frozenset[str]) -> None:
        self.compiled: CompiledRuleset = compile_ruleset(ruleset, types)
        self.handle = _durable.register(self.compiled.name, self.compiled.durable_definition())
        self.lock = threading.Lock()
        self.closed = False
        self.budget = 4 * len(self.compiled.rules) + 100
        # Control rules (most firings) only record findings. Each one's findings are built once here as read-only
        # mappings every derivation shares (the grouped not-applicable rule alone decides 44-50 controls).
        self.finding_groups: dict[str, dict[str, Mapping[str, Any]]] = {
            name: {
                e["control"]: MappingProxyType(
                    {"outcome": e["outcome"], "bound": e["bound"], "rule": name, "reason": e["reason"]}
                )
                for e in rule.emits
            }
            for name, rule in self.compiled.rules.items()
            if rule.emits and all(e["kind"] == "finding" for e in rule.emits)
        }
        # Flag rules (the next most frequent firings): (flag key, the control whose finding it joined, whether that
        # must be read from the message). A flag that joins one control's findings needs nothing from its message.
        self.flag_rules: dict[str, tuple[str, str | None, bool]] = {}
        for name, rule in self.compiled.rules.items():
            if rule.role == "flag" and len(rule.emits) == 1:
                controls = ruleset.flags[rule.emits[0]["flag"]].finding_controls
                joins = "f" in rule.patterns
                fixed = controls[0] if joins and len(controls) == 1 else None
                self.flag_rules[name] = (rule.emits[0]["flag"], fixed, joins and fixed is None)
        # Which compiled flag rules join each (control, outcome), and in which states they can fire.
        self._joined_by: dict[tuple[str, str], list[str]] = {}
        self._flag_states: dict[str, tuple[str, ...]] = {}
        for name in self.compiled.rules:
            if name.startswith("FLAG:"):
                flag = ruleset.flags[name.removeprefix("FLAG:")]
                self._flag_states[name] = flag.institution.states
                for control in flag.finding_controls:
                    for outcome in flag.finding_outcomes:
                        self._joined_by.setdefault((control, outcome), []).append(name)
        self._texts: dict[str | None, dict[str, tuple[str, ...]]] = {}
        # The measures the component rules read (not the provisional rule): equal on these, equal verdicts.
        self.component_rule_fields = tuple(
            sorted({m for rule in ruleset.component_rules for m in rule.condition.references()})
        )
        self.fact_heads: dict[tuple[Any, ...], str] = {}  # institution key -> the answers fact's first fields

    def close(self) -> None:
        """Delete this set's durable ruleset once no evaluation uses it (waits for the one running, if any)."""
        with self.lock:
            if not self.closed:
                self.closed = True
                _durable.release(self.compiled.name)

    def finding_texts(self, state: str | None) -> dict[str, tuple[str, ...]]:
        """control rule -> the JSON of its findings that a flag able to fire in ``state`` joins, encoded once.

        Only those findings need to enter working memory: one that no live flag joins would be stored and joined
        against nothing (most state-law flags are for another state than the institution's).
        """
        found = self._texts.get(state)
        if found is None:
            live = {name for name, states in self._flag_states.items() if not states or state in states}
            found = {}
            for name, rule in self.compiled.rules.items():
                if name in self.finding_groups:
                    found[name] = tuple(
                        json.dumps(
                            {
                                **{k: e[k] for k in ("kind", "control", "component", "outcome")},
                                "bound": e["bound"] or "none",
                            }
                        )
                        for e in rule.emits
                        if live.intersection(self._joined_by.get((e["control"], e["outcome"]), ()))
                    )
            self._texts[state] = found
        return found


class DurableBackend:
    """A ruleset compiled for durable-rules lazily, once per set of institution types; evaluates many submissions.

    At most ``max_type_sets`` compiled sets are kept (least recently used dropped first, its durable ruleset
    deleted), so a survey naming hundreds of type combinations costs a bounded amount of memory.
    """

    def __init__(self, ruleset: Ruleset, max_type_sets: int = COMPILED_TYPE_SETS_MAX) -> None:
        self.ruleset = ruleset
        self.max_type_sets = max(1, max_type_sets)
        self._engines: OrderedDict[frozenset[str], _TypeEngine] = OrderedDict()
        self._engines_lock = threading.Lock()

    def engine_for(self, types: tuple[str, ...] | frozenset[str]) -> _TypeEngine:
        """The compiled rules for institutions of exactly ``types`` (compiled on first use)."""
        key = frozenset(types)
        evicted: list[_TypeEngine] = []
        with self._engines_lock:
            engine = self._engines.get(key)
            if engine is None:
                engine = self._engines[key] = _TypeEngine(self.ruleset, key)
                while len(self._engines) > self.max_type_sets:
                    evicted.append(self._engines.popitem(last=False)[1])
            else:
                self._engines.move_to_end(key)
        for old in evicted:
            old.close()
        return engine

    @property
    def compiled_types(self) -> list[frozenset[str]]:
        """The sets of types compiled and kept in this process, least recently used first."""
        with self._engines_lock:
            return list(self._engines)

    def release_except(self, keep: Iterable[frozenset[str]]) -> None:
        """Drop every compiled set not in ``keep`` (a batch run gives back the sets it added)."""
        kept = set(keep)
        with self._engines_lock:
            dropped = [self._engines.pop(k) for k in list(self._engines) if k not in kept]
        for old in dropped:
            old.close()

    def derive(self, submission: Submission, as_of: dt.date) -> Derivation:
        """Run the rules for one submission; retries once on a durable hash collision."""
        for attempt in range(MAX_RETRIES + 1):
            try:
                engine = self.engine_for(submission.institution.types)
            except _durable.DurableError as exc:
                # A rule durable cannot compile is a problem of the rules files: name the control or flag.
                raise RulesetError(f"{_rule_source(self.ruleset, exc.rule)}{exc}") from exc
            try:
                with engine.lock:
                    if engine.closed:  # dropped from the cache by another thread meanwhile: compile it again
                        continue
                    return self._derive_once(engine, submission, as_of)
            except _durable.HashCollision:
                if attempt == MAX_RETRIES:
                    raise EvaluationError("durable-rules rejected facts as duplicates three times in a row.") from None
            except _durable.DurableError as exc:
                raise EvaluationError(str(exc)) from exc
        raise EvaluationError("the compiled rules were dropped from the cache three times in a row; try again.")

    def _derive_once(self, engine: _TypeEngine, submission: Submission, as_of: dt.date) -> Derivation:
        ruleset, rules = self.ruleset, engine.compiled.rules
        finding_groups, flag_rules = engine.finding_groups, engine.flag_rules
        finding_texts = engine.finding_texts(submission.institution.state)
        derivation = Derivation()
        findings, fired = derivation.findings, derivation.firings
        decided_by: set[str] = set()  # the control rules that fired
        sent: dict[str, dict[str, Any]] = {}  # the tallies asserted: component id (or "overall") -> counts

        def on_fire(matched: _durable.Firing) -> Iterable[_durable.Fact]:
            # ``matched[alias]`` parses that fact of the message on demand: control rules never need it.
            rule_name = matched.rule
            fired.append(rule_name)
            seq = len(fired)
            group = finding_groups.get(rule_name)
            if group is not None:
                if rule_name in decided_by:  # durable activates a rule once per matching branch of an $or
                    return ()
                decided_by.add(rule_name)
                findings.update(group)
                return finding_texts[rule_name]
            flag = flag_rules.get(rule_name)
            if flag is not None:
                key, control, parse = flag
                if parse:  # a flag on several controls' findings: which one it joined
                    control = matched["f"].get("control")
                firings = derivation.flags.setdefault(key, [])
                if all(f["control"] != control for f in firings):  # repeated $or branch activations
                    firings.append({"rule": rule_name, "control": control, "seq": seq})
                return ()
            out: list[_durable.Fact] = []
            rule = rules[rule_name]
            corner = matched.head_id("corner")
            target = derivation.corners.get(corner)  # None for "now": the components as answered
            for emit in rule.emits:
                kind = emit["kind"]
                if kind == "component":
                    component = matched.head_id("component")
                    verdicts = derivation.components if target is None else target["components"]
                    if verdicts.get(component, {}).get("rule") == emit["rule"]:
                        continue
                    if component in verdicts:
                        derivation.rollup_errors.append(
                            f"component rules {verdicts[component]['rule']} and {emit['rule']} both matched {component}"
                        )
                        continue
                    verdicts[component] = {
                        "outcome": emit["outcome"],
                        "rule": emit["rule"],
                        "tally": sent[component] if target is None else target["tallies"][component],
                        "seq": seq,
                    }
                elif kind == "provisional":
                    if target is None:
                        derivation.components[matched.head_id("component")]["provisional"] = True
                elif kind == "cap":
                    assert target is not None  # caps and the level are derived per corner, never for "now"
                    target["caps"].setdefault(emit["cap"], {"level": emit["level"], "rule": rule_name, "seq": seq})
                elif kind == "overall":
                    assert target is not None
                    if target.get("overall", {}).get("rule") == emit["rule"]:
                        continue
                    if "overall" in target:
                        derivation.rollup_errors.append(
                            f"overall rules {target['overall']['rule']} and {emit['rule']} both matched"
                        )
                        continue
                    target["overall"] = {
                        "level": emit["level"],
                        "rule": emit["rule"],
                        "tally": target["overall_tally"],
                        "seq": seq,
                    }
            return out

        # The answers fact carries the institution fields and every bucket field (compiler.BUCKETS); identical
        # copies tagged part 0..n serve rules whose conditions span several patterns (compiler.make_rule).
        # It is encoded once; the copies differ only in their first fields.
        inst = submission.institution
        key = (tuple(inst.types), inst.state, inst.public, type(inst.public), as_of)
        head = engine.fact_heads.get(key)  # the bucket and institution fields: the same for a batch's many rows
        if head is None:
            head = json.dumps({**_BUCKET_FIELDS, **_institution_values(submission, ruleset, as_of)})[1:-1]
            if len(engine.fact_heads) > 4096:
                engine.fact_heads.clear()
            engine.fact_heads[key] = head
        body = f"{head},{json.dumps(submission.answers)[1:]}" if submission.answers else head + "}"
        facts: list[_durable.Fact] = [
            f'{{"kind":"answers","part":{copy},{body}' for copy in range(engine.compiled.answer_copies)
        ]
        with _durable.session(engine.handle, on_fire, engine.budget) as sess:
            sess.run(facts)
            _check_overlaps(derivation, decided_by, finding_groups)
            _check_complete(ruleset, derivation, STAGE_CONTROLS)
            core, _ = ruleset.core_for(submission.institution)
            kinds = counted(ruleset, derivation.findings)  # read by the component and the cap tallies
            sent.update(component_tallies(ruleset, derivation.findings, core, kinds))
            # Open findings are rare in a completed questionnaire: when there are none, both corners are the
            # answers as given and each corner's tallies are the ones already counted.
            open_any = any(k in OPEN_KINDS for k in kinds.values())
            ends = {corner: corner_kinds(kinds, corner) if open_any else kinds for corner in CORNERS}
            inst_values = _institution_values(submission, ruleset, as_of)
            capping = corner_capping(
                ruleset,
                derivation.findings,
                derivation.flags,
                {**submission.answers, **inst_values},
                inst_values,
                inst.state,
            )
            for corner in CORNERS:
                derivation.corners[corner] = {
                    "components": {},
                    "caps": {},
                    "tallies": component_tallies(ruleset, derivation.findings, core, ends[corner])
                    if open_any
                    else sent,
                }
            # A component with no open control has the same tally at both corners as now: its corner verdicts are
            # copied from the one durable derives for it now, and only the others are asserted per corner.
            # Compared on the measures the component rules read: an 'at least' bound already counts as a partial
            # and an 'at most' one as a fail, so the low corner usually reads the same as now.
            read = engine.component_rule_fields
            moving = [
                (corner, c)
                for corner in CORNERS
                for c, now in sent.items()
                if open_any and any(derivation.corners[corner]["tallies"][c][f] != now[f] for f in read)
            ]
            # The component id leads each tally fact, so a firing names it without parsing the message (head_id);
            # the counts themselves are taken from ``sent``, not parsed back.
            # Only the measures some rule reads are sent (tally_fields); the whole tally stays in ``sent``.
            fields = engine.compiled.tally_fields
            sess.run(
                [_tally_fact("component_tally", t, fields["component_tally"], c) for c, t in sent.items()]
                + [
                    _tally_fact(
                        "component_tally",
                        derivation.corners[corner]["tallies"][c],
                        fields["component_tally"],
                        c,
                        corner,
                    )
                    for corner, c in moving
                ]
            )
            for corner in CORNERS:
                verdicts = derivation.corners[corner]["components"]
                for c, verdict in derivation.components.items():
                    if c not in verdicts:  # a copy: _finish rewrites the verdicts as answered in place
                        verdicts[c] = {
                            "outcome": verdict["outcome"],
                            "rule": verdict["rule"],
                            "tally": verdict["tally"],
                        }
            _check_complete(ruleset, derivation, STAGE_COMPONENTS)
            counts = {
                corner: cap_tally(
                    ruleset,
                    derivation.findings,
                    derivation.corners[corner]["components"],
                    derivation.flags,
                    inst,
                    ends[corner],
                    capping[corner],
                )
                for corner in CORNERS
            }
            # Equal corner tallies (nothing open that moves a count) give equal caps and levels: derive them once.
            asked = CORNERS if counts["low"] != counts["high"] else ("low",)
            sess.run([_tally_fact("cap_tally", counts[c], fields["cap_tally"], corner=c) for c in asked])
            if len(asked) == 1:
                derivation.corners["high"]["caps"] = derivation.corners["low"]["caps"]
            _check_complete(ruleset, derivation, STAGE_CAPS)
            for corner in CORNERS:
                target = derivation.corners[corner]
                target["overall_tally"] = {**counts[corner], "ceiling": ceiling(ruleset, target["caps"])}
            names = fields["overall_tally"]
            sess.run(
                [_tally_fact("overall_tally", derivation.corners[c]["overall_tally"], names, corner=c) for c in asked]
            )
            if len(asked) == 1:
                derivation.corners["high"]["overall"] = derivation.corners["low"]["overall"]
            _check_complete(ruleset, derivation, STAGE_OVERALL)
        _finish(derivation, kinds, core)
        return derivation


_BACKENDS: dict[str, DurableBackend] = {}
_BACKENDS_LOCK = threading.Lock()


def durable_backend(ruleset: Ruleset) -> DurableBackend:
    """The process-wide backend for a ruleset (built once per content hash)."""
    with _BACKENDS_LOCK:
        backend = _BACKENDS.get(ruleset.content_hash)
        if backend is None:
            try:
                backend = DurableBackend(ruleset)
            except _durable.DurableError as exc:
                # A rule durable cannot compile is a problem of the rules files: name the control or flag.
                raise RulesetError(f"{_rule_source(ruleset, exc.rule)}{exc}") from exc
            _BACKENDS[ruleset.content_hash] = backend
        return backend


# -- the oracle: the same semantics in plain Python --------------------------------------------------------------


def _institution_values(submission: Submission, ruleset: Ruleset, as_of: dt.date) -> dict[str, Any]:
    inst = submission.institution
    return institution_fields(inst.types, list(ruleset.institution_types), inst.state, inst.public, as_of)


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
    core, _ = ruleset.core_for(submission.institution)
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
                        f"overall rules {target['overall']['rule']} and {roll.id} both matched"
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
                derivation.rollup_errors.append(f"component rules {first} and {roll.id} both matched {component}")
            verdicts[component] = {"outcome": roll.outcome, "rule": roll.id, "tally": tally}
