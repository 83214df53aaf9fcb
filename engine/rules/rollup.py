"""The roll-up part of ruleset.yaml: measures, core controls and components, level caps, provisional verdicts.

Everything here is data read from ruleset.yaml; the engine only counts (engine/run/tally.py) and the
rules decide. See rulesets/README.md, "Roll-up", for the format.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from engine.errors import RulesetError, did_you_mean
from engine.i18n import _
from engine.rules import conditions
from engine.rules.model import LEVEL_RANK, CoreRule, LevelCap, Outcome, RollupRule
from engine.rules.parsing import check_keys
from engine.rules.wording import fill

if TYPE_CHECKING:  # type hints only: the helpers never import the loader
    from engine.rules.source import LoadInProgress

# Counts over one component's scored findings (engine/run/tally.py computes them).
COMPONENT_MEASURES = (
    "applicable",  # scored controls that apply (any outcome but not_applicable / not_in_force)
    "decided",  # pass + partial + fail (a bound is not decided)
    "undecided",  # applicable - decided: not answered, or only bounded
    "scored",  # decided + bounds ('at least' counts as a partial, 'at most' as a fail)
    "pass",
    "partial",  # including 'at least partial' bounds
    "fail",
    "at_least",
    "at_most",
    "not_answered",
    "not_passed",  # scored - pass
    "score_percent",  # (pass + partial / 2) of scored, whole percent (0 when nothing is scored)
    "decided_percent",  # decided of applicable, whole percent (100 when nothing applies)
    "core_applicable",
    "core_fail",
    "core_partial",  # core controls that partly pass (including 'at least partial' bounds)
    "core_undecided",
)
# Counts over the whole institution, read by level_caps (and, with 'ceiling', by overall_rules).
CAP_MEASURES = (
    "components_applicable",
    "components_pass",
    "components_partial",
    "components_fail",
    "components_not_answered",
    "components_provisional",
    "core_components_not_pass",
    "controls_applicable",
    "controls_decided",
    "controls_scored",
    "controls_pass",
    "controls_partial",
    "controls_fail",
    "controls_undecided",
    "score_percent",
    "undecided_percent",
    "core_applicable",
    "core_fail",
    "core_partial",
    "core_undecided",
    "capping_flags",
)
# ceiling: the lowest level any fired cap allows (3 strong, 2 developing, 1 weak; 3 when no cap fired).
OVERALL_MEASURES = (*CAP_MEASURES, "ceiling")
CAP_BEHIND = ("core_fail", "core_partial", "core_components", "flags", "core_undecided")
# Text fields the report adds to the counts when it fills a template.
OVERALL_TEXT_FIELDS = ("caps_text", "core_open")
CAP_TEXT_FIELDS = ("title", "id")


def check_template(text: str, fields: tuple[str, ...], where: str) -> str:
    """Fill the template with sample values so a bad field or plural spec fails at load, not in a report."""
    for sample in (0, 1, 2):
        try:
            fill(text, {**dict.fromkeys(fields, sample)})
        except KeyError as exc:  # 'rules check' names the placeholder and the closest field
            name = str(exc.args[0])
            raise RulesetError(
                _(
                    "{where}.explanation: placeholder {{{name}}} is not a measure.{suggestion} Measures: {fields}."
                ).format(where=where, name=name, suggestion=did_you_mean(name, fields), fields=", ".join(fields))
            ) from None
        except (IndexError, ValueError, AttributeError, TypeError) as exc:
            raise RulesetError(
                _("{where}.explanation: cannot fill the template ({error!r}).").format(where=where, error=exc)
            ) from None
    return text


def number_check(name: str, op: str, value: Any, where: str) -> Any:
    """Measures are numbers and always present."""
    if op == "answered":
        raise RulesetError(_("{where}: measures are always present; 'answered' does not apply.").format(where=where))
    if op == "one_of":
        if not isinstance(value, list) or not value:
            raise RulesetError(_("{where}: 'one_of' takes a non-empty list of numbers.").format(where=where))
        return tuple(number_check(name, "equals", v, where) for v in value)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise RulesetError(
            _("{where}: measure {name} is a number; {value!r} is not a finite number.").format(
                where=where, name=name, value=value
            )
        )
    return value


def _measure_condition(data: Any, where: str, measures: tuple[str, ...]) -> conditions.Condition:
    cond = conditions.parse(data, where, "measure", dict.fromkeys(measures), number_check)
    return conditions.check_limits(cond, where)


def rollup_rules(data: Any, where: str, overall: bool) -> tuple[RollupRule, ...]:
    """component_rules (outcome over COMPONENT_MEASURES) or overall_rules (level over OVERALL_MEASURES)."""
    if not isinstance(data, list):
        raise RulesetError(_("{where}: expected a list of rules.").format(where=where))
    out_key = "level" if overall else "outcome"
    allowed = ["strong", "developing", "weak", "incomplete"] if overall else [o.value for o in Outcome]
    measures = OVERALL_MEASURES if overall else COMPONENT_MEASURES
    rules = []
    for i, item in enumerate(data):
        w = f"{where}[{i}]"
        check_keys(item, w, ("id", out_key, "when", "explanation"))
        if item[out_key] not in allowed:
            raise RulesetError(
                _("{where}.{out_key}: {item!r} is not one of {allowed}.{suggestion}").format(
                    where=w,
                    out_key=out_key,
                    item=item[out_key],
                    allowed=", ".join(allowed),
                    suggestion=did_you_mean(item[out_key], allowed),
                )
            )
        cond = _measure_condition(item["when"], f"{w}.when", measures)
        fields = (*measures, *OVERALL_TEXT_FIELDS) if overall else measures
        explanation = check_template(str(item["explanation"]).strip(), fields, w)
        rules.append(RollupRule(str(item["id"]), item[out_key], cond, explanation))
    return tuple(rules)


def core_rules(loader: LoadInProgress, data: Any, where: str) -> tuple[CoreRule, ...]:
    """``core``: a list of {types|public|state, controls, components}; every reference checked."""
    if data is None:
        return ()
    if not isinstance(data, list):
        raise RulesetError(
            _("{where}: expected a list of {{types, controls, components}} entries.").format(where=where)
        )
    rules = []
    for i, item in enumerate(data):
        w = f"{where}[{i}]"
        check_keys(item, w, (), ("types", "public", "state", "controls", "components"))
        if not item.get("controls") and not item.get("components"):
            raise RulesetError(_("{where}: a core entry names 'controls', 'components' or both.").format(where=w))
        filt_data = {k: item[k] for k in ("public", "state") if k in item}
        if "types" in item:
            filt_data["type"] = item["types"]
        filt = loader._institution_filter(filt_data, w, True)
        controls = _ids(item.get("controls"), f"{w}.controls")
        for cid in controls:
            control = loader.controls.get(cid)
            if control is None:
                raise RulesetError(
                    _("{where}.controls: unknown control {cid!r}.{suggestion}").format(
                        where=w, cid=cid, suggestion=did_you_mean(cid, loader.controls)
                    )
                )
            if not control.scored:
                raise RulesetError(
                    _(
                        "{where}.controls: {cid} has 'scored: false' (informational) and cannot "
                        "be core; remove it here or score it."
                    ).format(where=w, cid=cid)
                )
            if filt.types and not set(filt.types) & set(control.applies_to):
                raise RulesetError(
                    _(
                        "{where}.controls: {cid} does not apply to {types} (it applies to "
                        "{applies_to}); it cannot be core for them."
                    ).format(where=w, cid=cid, types=", ".join(filt.types), applies_to=", ".join(control.applies_to))
                )
        components = _ids(item.get("components"), f"{w}.components")
        for comp in components:
            if comp not in loader.components:
                raise RulesetError(
                    _("{where}.components: unknown component {comp!r}.{suggestion}").format(
                        where=w, comp=comp, suggestion=did_you_mean(comp, loader.components)
                    )
                )
        rules.append(CoreRule(filt, controls, components))
    return tuple(rules)


def _ids(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RulesetError(_("{where}: expected a list of ids, got {value!r}.").format(where=where, value=value))
    return tuple(value)


def level_caps(data: Any, where: str) -> tuple[LevelCap, ...]:
    """``level_caps``: a list of {id, level, when (over CAP_MEASURES), behind, explanation}."""
    if data is None:
        return ()
    if not isinstance(data, list):
        raise RulesetError(_("{where}: expected a list of caps.").format(where=where))
    caps = []
    for i, item in enumerate(data):
        w = f"{where}[{i}]"
        check_keys(item, w, ("id", "level", "when", "behind", "explanation"))
        level = item["level"]
        if level not in ("developing", "weak", "incomplete"):
            raise RulesetError(
                _("{where}.level: {level!r} is not a cap; use developing, weak or incomplete.{suggestion}").format(
                    where=w, level=level, suggestion=did_you_mean(level, LEVEL_RANK)
                )
            )
        if item["behind"] not in CAP_BEHIND:
            raise RulesetError(
                _("{where}.behind: {item!r} is not one of {cap_behind}.{suggestion}").format(
                    where=w,
                    item=item["behind"],
                    cap_behind=", ".join(CAP_BEHIND),
                    suggestion=did_you_mean(item["behind"], CAP_BEHIND),
                )
            )
        cond = _measure_condition(item["when"], f"{w}.when", CAP_MEASURES)
        explanation = check_template(str(item["explanation"]).strip(), (*CAP_MEASURES, *CAP_TEXT_FIELDS), w)
        caps.append(LevelCap(str(item["id"]), level, cond, item["behind"], explanation))
    return tuple(caps)


def capping_flags(data: Any, where: str, flag_ids: set[str]) -> tuple[str, ...]:
    """``capping_flags``: flag ids, or 'PREFIX:*' for a family such as RISK-STATE-LAW-VIOLATION:*."""
    ids = _ids(data, where)
    for pattern in ids:
        if pattern.endswith(":*"):
            if not any(f.startswith(pattern[:-1]) for f in flag_ids):
                raise RulesetError(
                    _("{where}: no flag id starts with {pattern!r}.").format(where=where, pattern=pattern[:-1])
                )
        elif pattern not in flag_ids:
            raise RulesetError(
                _("{where}: unknown flag {pattern!r}.{suggestion}").format(
                    where=where, pattern=pattern, suggestion=did_you_mean(pattern, flag_ids)
                )
            )
    return ids


def provisional(data: Any, where: str) -> conditions.Condition | None:
    """``component_provisional``: a condition over COMPONENT_MEASURES; true marks the verdict provisional."""
    if data is None:
        return None
    check_keys(data, where, ("when",))
    return _measure_condition(data["when"], f"{where}.when", COMPONENT_MEASURES)
