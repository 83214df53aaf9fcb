"""The durable-rules backend: the compiled rules of a ruleset run on durable-rules, chained stage by stage.

Compiled once per set of institution types (``_TypeEngine``), the stages fire in turn for each submission and
leave a ``Derivation`` (engine/run/derive.py). The oracle (engine/run/oracle.py) computes the same facts in
plain Python; tests hold the two to agreement.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

from engine.errors import EvaluationError, RulesetError
from engine.i18n import _
from engine.limits import COMPILED_TYPE_SETS_MAX
from engine.rules.compiler import (
    STAGE_CAPS,
    STAGE_COMPONENTS,
    STAGE_CONTROLS,
    STAGE_OVERALL,
    CompiledRuleset,
    compile_ruleset,
)
from engine.rules.model import Ruleset, Submission
from engine.run import _durable
from engine.run.derive import (
    _BUCKET_FIELDS,
    MAX_RETRIES,
    OPEN_KINDS,
    Derivation,
    _check_complete,
    _check_overlaps,
    _finish,
    _institution_values,
    _rule_source,
    _tally_fact,
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
                    raise EvaluationError(
                        _("durable-rules rejected facts as duplicates three times in a row.")
                    ) from None
            except _durable.DurableError as exc:
                raise EvaluationError(str(exc)) from exc
        raise EvaluationError(_("the compiled rules were dropped from the cache three times in a row; try again."))

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
                            _("component rules {first} and {second} both matched {component}").format(
                                first=verdicts[component]["rule"], second=emit["rule"], component=component
                            )
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
                            _("overall rules {first} and {second} both matched").format(
                                first=target["overall"]["rule"], second=emit["rule"]
                            )
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
            core, _scored = ruleset.core_for(submission.institution)
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


def new_durable_backend(ruleset: Ruleset) -> DurableBackend:
    """A backend for a ruleset; its owner (an ``Evaluator``) keeps it and reuses it for every submission."""
    try:
        return DurableBackend(ruleset)
    except _durable.DurableError as exc:
        # A rule durable cannot compile is a problem of the rules files: name the control or flag.
        raise RulesetError(f"{_rule_source(ruleset, exc.rule)}{exc}") from exc
