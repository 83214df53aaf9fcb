"""Case files beside each control: named examples with the outcome they must produce.

``run_cases`` evaluates every case through durable-rules *and* the oracle and reports any case
where either disagrees with the expectation (or with each other).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.errors import InputError, RulesetError, did_you_mean
from engine.evaluator.evaluate import evaluator_for
from engine.i18n import _, pgettext
from engine.rules.model import Outcome, Ruleset
from engine.rules.parsing import date, read_yaml, str_list
from engine.run.answers import parse_submission
from engine.run.oracle import derive_oracle

CASE_KEYS = (
    "name",
    "answers",
    "expect",
    "expect_bound",
    "institution",
    "as_of",
    "expect_flags",
    "expect_no_flags",
    "control",
)
BOUNDS = ("at_least", "at_most")


@dataclass(frozen=True)
class Case:
    """One named example for one control."""

    control: str
    name: str
    file: str
    document: dict[str, Any]
    expect: str
    expect_flags: tuple[str, ...] = ()
    expect_no_flags: tuple[str, ...] = ()
    expect_bound: str | None = None  # at_least | at_most: the outcome is a bound the known answers settle
    as_of: dt.date | None = None


@dataclass
class CaseResult:
    """What a case produced, and whether it matched."""

    case: Case
    durable: str | None = None
    oracle: str | None = None
    flags: tuple[str, ...] = ()
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def load_cases(ruleset: Ruleset) -> list[Case]:
    """Every case of every control, checked for shape (raises RulesetError with file and index).

    Cases live beside each control; ``states.cases.yaml`` beside ``states.yaml`` holds the state-law cases,
    each naming the control whose finding it checks (state effects cut across controls and dates).
    """
    root = Path(ruleset.root)
    cases: list[Case] = []
    by_file = {Path(c.source).name: c for c in ruleset.controls.values()}
    seen: set[str] = set()
    for path in sorted((root / "controls").glob("*.cases.yaml")):
        control_file = path.name.replace(".cases.yaml", ".yaml")
        control = by_file.get(control_file)
        where = _where(root, path)
        if control is None:
            raise RulesetError(
                _("{where}: no control file {control_file} beside this case file.{suggestion}").format(
                    where=where, control_file=control_file, suggestion=did_you_mean(control_file, by_file)
                )
            )
        cases += _read_cases(ruleset, path, where, control.id)
        seen.add(control.id)
    for control in ruleset.controls.values():
        if control.id not in seen:
            case_file = Path(control.source).name.replace(".yaml", ".cases.yaml")
            raise RulesetError(
                _(
                    "{source}: control {control} has no case file; add {case_file} beside it with at least "
                    "one named case per outcome (see rulesets/README.md)."
                ).format(source=control.source, control=control.id, case_file=case_file)
            )
    states = root / "states.cases.yaml"
    if states.is_file():
        cases += _read_cases(ruleset, states, _where(root, states), None)
    return cases


def _where(root: Path, path: Path) -> str:
    return str(path.relative_to(root.parent.parent)) if root.parent.parent in path.parents else str(path)


def _read_cases(ruleset: Ruleset, path: Path, where: str, default_control: str | None) -> list[Case]:
    data = read_yaml(path, where) or []
    if not isinstance(data, list):
        raise RulesetError(_("{where}: expected a list of cases.").format(where=where))
    cases = []
    for i, item in enumerate(data):
        w = f"{where}[{i}]"
        if not isinstance(item, dict):
            raise RulesetError(_("{where}: expected a mapping with name, answers and expect.").format(where=w))
        for key in item:
            if key not in CASE_KEYS:
                raise RulesetError(
                    _("{where}: unknown key {key}.{suggestion}").format(
                        where=w, key=repr(key), suggestion=did_you_mean(key, CASE_KEYS)
                    )
                )
        for key in ("name", "expect") if default_control else ("name", "expect", "control"):
            if not item.get(key):
                raise RulesetError(_("{where}: missing required key {key}.").format(where=w, key=repr(key)))
        if item["expect"] not in [o.value for o in Outcome]:
            raise RulesetError(
                _("{where}.expect: {value} is not an outcome.{suggestion}").format(
                    where=w,
                    value=repr(item["expect"]),
                    suggestion=did_you_mean(item["expect"], [o.value for o in Outcome]),
                )
            )
        bound = item.get("expect_bound")
        if bound is not None and (bound not in BOUNDS or item["expect"] != "partial"):
            raise RulesetError(
                _("{where}.expect_bound: {bound} must be one of {choices}, with expect: partial.{suggestion}").format(
                    where=w, bound=repr(bound), choices=", ".join(BOUNDS), suggestion=did_you_mean(str(bound), BOUNDS)
                )
            )
        control_id = item.get("control", default_control)
        if not isinstance(control_id, str) or control_id not in ruleset.controls:
            raise RulesetError(
                _("{where}.control: unknown control {control}.{suggestion}").format(
                    where=w, control=repr(control_id), suggestion=did_you_mean(str(control_id), ruleset.controls)
                )
            )
        flag_ids = {f.id for f in ruleset.flags.values()}
        expected_flags = {}
        for key in ("expect_flags", "expect_no_flags"):
            expected_flags[key] = str_list(item.get(key) or [], f"{w}.{key}")
            for flag_id in expected_flags[key]:
                if flag_id not in flag_ids:
                    raise RulesetError(
                        _("{where}.{key}: unknown flag {flag}.{suggestion}").format(
                            where=w, key=key, flag=repr(flag_id), suggestion=did_you_mean(flag_id, flag_ids)
                        )
                    )
        institution = item.get("institution") or {}
        if not isinstance(institution, dict):
            raise RulesetError(
                _("{where}.institution: expected a mapping such as {example}.").format(
                    where=w, example="{type: jail, state: CA}"
                )
            )
        institution = dict(institution)
        institution.setdefault("name", "Case institution")
        institution.setdefault("type", ruleset.controls[control_id].applies_to[0])
        as_of = item.get("as_of")
        cases.append(
            Case(
                control=control_id,
                name=str(item["name"]),
                file=where,
                document={"institution": institution, "answers": item.get("answers") or {}},
                expect=item["expect"],
                expect_flags=expected_flags["expect_flags"],
                expect_no_flags=expected_flags["expect_no_flags"],
                expect_bound=bound,
                as_of=date(as_of, f"{w}.as_of") if as_of else None,
            )
        )
    return cases


def run_case(ruleset: Ruleset, case: Case, default_as_of: dt.date) -> CaseResult:
    """Evaluate one case through both backends and compare with its expectation."""
    result = CaseResult(case)
    try:
        submission = parse_submission(ruleset, case.document, f"{case.file}: {case.name}")
    except InputError as exc:
        result.problems.append(_("invalid case answers: {problem}").format(problem=exc))
        return result
    day = case.as_of or default_as_of
    durable = evaluator_for(ruleset).durable.derive(submission, day)
    oracle = derive_oracle(ruleset, submission, day)
    found = durable.findings[case.control]
    result.durable = found["outcome"] + (f" ({found['bound']})" if found.get("bound") else "")
    result.oracle = oracle.findings[case.control]["outcome"]
    result.flags = tuple(sorted({ruleset.flags[k].id for k in durable.flags}))
    expected = case.expect + (f" ({case.expect_bound})" if case.expect_bound else "")
    if result.durable != expected:
        result.problems.append(
            _("expected {expected}, durable-rules gave {outcome} (rule {rule})").format(
                expected=expected, outcome=result.durable, rule=found["rule"]
            )
        )
    if durable.summary() != oracle.summary():
        result.problems.append(_("durable-rules and the oracle disagree on this case"))
    missing = sorted(set(case.expect_flags) - set(result.flags))
    if missing:
        result.problems.append(
            _("expected flag(s) {flags}; raised: {raised}").format(
                flags=", ".join(missing), raised=", ".join(result.flags) or pgettext("flags", "none")
            )
        )
    unwanted = sorted(set(case.expect_no_flags) & set(result.flags))
    if unwanted:
        result.problems.append(
            _("flag(s) {flags} raised but the case says they must not be").format(flags=", ".join(unwanted))
        )
    return result


def run_cases(ruleset: Ruleset, default_as_of: dt.date | None = None) -> list[CaseResult]:
    """Run every case file of the ruleset."""
    day = default_as_of or dt.date.today()
    return [run_case(ruleset, case, day) for case in load_cases(ruleset)]
