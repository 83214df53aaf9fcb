"""The controls of a ruleset (``controls/*.yaml``): each file's keys checked and every reference resolved.

A control names its component, the institution types it covers, its pass (and partial) condition, its
explanations, citations and recommended clause; every name must resolve against what the load has read so far
(questions, citations, clauses, components), and its conditions must stay small enough for durable-rules.

Separate from the loader (``engine.rules.loader``), which reads ruleset.yaml and calls the helper loaders in
order: this module reads the controls alone, through the load in progress (``engine.rules.source``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from engine.errors import RulesetError, did_you_mean
from engine.i18n import _
from engine.limits import APPLIES_WHEN_MAX_LEAVES, CONTROL_MAX_LEAVES
from engine.rules import conditions
from engine.rules.citations import supporting
from engine.rules.model import Control, Outcome, Question
from engine.rules.parsing import US_STATES, check_keys, effective, known_ids, text_field

if TYPE_CHECKING:  # type hints only: the helpers never import the loader
    from engine.rules.source import LoadInProgress

CONTROL_ID_PATTERN = re.compile(r"^[A-Z]{2}-[A-Z]{2}-[A-Z0-9]+$")


def load_controls(loader: LoadInProgress) -> dict[str, Control]:
    """Read ``controls/*.yaml`` (case files aside): every key checked, every reference resolved, one control a file."""
    controls: dict[str, Control] = {}
    for path in sorted((loader.root / "controls").glob("*.yaml")):
        if path.name.endswith(".cases.yaml"):
            continue
        where = loader.rel(path)
        data = check_keys(
            loader.read(path),
            where,
            ("id", "title", "component", "applies_to", "pass", "explanation", "citations"),
            (
                "partial",
                "applies_if",
                "applies_when",
                "effective",
                "when_unanswered",
                "recommended_clause",
                "private_clause",
                "scored",
            ),
        )
        cid = data["id"]
        if not isinstance(cid, str) or not CONTROL_ID_PATTERN.match(cid):
            raise RulesetError(
                _("{where}: id: {cid} is not a control id like SC-PS-ACCESS.").format(where=where, cid=repr(cid))
            )
        if not path.name.startswith(cid + "_"):
            raise RulesetError(
                _("{where}: the file name must start with the control id '{cid}_'.").format(where=where, cid=cid)
            )
        if cid in controls:
            raise RulesetError(
                _("{where}: control {cid} is already defined in {value}.").format(
                    where=where, cid=cid, value=controls[cid].source
                )
            )
        component = text_field(data, "component", where)
        if component not in loader.components:
            raise RulesetError(
                _("{where}: component: unknown component {component}.{suggestion}").format(
                    where=where, component=repr(component), suggestion=did_you_mean(component, loader.components)
                )
            )
        explanation = check_keys(
            data["explanation"],
            f"{where}: explanation",
            ("pass", "fail"),
            ("partial", "not_answered", "not_applicable", "not_in_force"),
        )
        partial = data.get("partial")
        if partial is not None and "partial" not in explanation:
            raise RulesetError(
                _("{where}: explanation: the control defines 'partial' but has no partial text.").format(where=where)
            )
        clause = text_field(data, "recommended_clause", where) or None
        if clause is not None and not loader.clauses:
            raise RulesetError(
                _(
                    "{where}: recommended_clause: {clause} needs the clause files, but {clauses_dir} holds "
                    "none; copy the clauses folder with the rules, or set clauses_dir in ruleset.yaml to where "
                    "they are."
                ).format(where=where, clause=repr(clause), clauses_dir=loader.clauses_dir)
            )
        if clause is not None and clause not in loader.clauses:
            raise RulesetError(
                _(
                    "{where}: recommended_clause: unknown clause {clause}.{suggestion} Clauses live in "
                    "sample_policies/clauses/."
                ).format(where=where, clause=repr(clause), suggestion=did_you_mean(clause, loader.clauses))
            )
        private_clause = text_field(data, "private_clause", where) or None
        if private_clause is not None and (clause is None or private_clause not in loader.clauses):
            raise RulesetError(
                _(
                    "{where}: private_clause: {clause} must name a clause file, beside a recommended_clause "
                    "for public bodies.{suggestion}"
                ).format(
                    where=where, clause=repr(private_clause), suggestion=did_you_mean(private_clause, loader.clauses)
                )
            )
        unanswered = data.get("when_unanswered", "not_answered")
        if unanswered not in ("not_answered", "fail"):
            raise RulesetError(
                _("{where}: when_unanswered: {unanswered} is not one of not_answered, fail.").format(
                    where=where, unanswered=repr(unanswered)
                )
            )
        citations = known_ids(data["citations"], loader.citations, "citation", f"{where}: citations")
        supporting(citations, loader.citations, f"{where}: citations")
        if not citations:
            raise RulesetError(_("{where}: citations: every control cites at least one source.").format(where=where))
        control = Control(
            id=cid,
            title=text_field(data, "title", where),
            component=component,
            applies_to=loader._types(data["applies_to"], f"{where}: applies_to"),
            pass_condition=loader._answers_condition(data["pass"], f"{where}: pass"),
            partial_condition=loader._answers_condition(partial, f"{where}: partial") if partial else None,
            applies_if=loader._institution_filter(data.get("applies_if"), f"{where}: applies_if", False),
            applies_when=loader._answers_condition(data["applies_when"], f"{where}: applies_when")
            if data.get("applies_when")
            else None,
            effective=effective(data.get("effective"), f"{where}: effective"),
            when_unanswered=Outcome(unanswered),
            scored=_flag_bool(data, "scored", where),
            explanation={k: str(v).strip() for k, v in explanation.items()},
            citations=citations,
            recommended_clause=clause,
            private_clause=private_clause,
            source=where,
        )
        _check_placeholders(loader.questions, control, where)
        _check_control_size(control, where)
        controls[cid] = control
    if not controls:
        raise RulesetError(_("{value}: no controls found.").format(value=loader.rel(loader.root / "controls")))
    return controls


def _flag_bool(data: dict, key: str, where: str) -> bool:
    value = data.get(key, True)
    if not isinstance(value, bool):
        raise RulesetError(
            _("{where}: {key}: write true or false, not {value}.").format(where=where, key=key, value=repr(value))
        )
    return value


def _check_placeholders(questions: Mapping[str, Question], control: Control, where: str) -> None:
    for key, text in control.explanation.items():
        # <<XX: ...>> marks a sentence about one state's law (engine.report.plan.localise).
        marks = re.findall(r"<<([^:>]*):", text)
        if text.count("<<") != text.count(">>") or len(marks) != text.count("<<"):
            raise RulesetError(
                _("{where}: explanation.{key}: write a state's sentence as <<CA: text>>.").format(where=where, key=key)
            )
        for code in marks:
            if code not in US_STATES:
                raise RulesetError(
                    _("{where}: explanation.{key}: {mark} needs a two-letter state code.{suggestion}").format(
                        where=where, key=key, mark=f"<<{code}: ...>>", suggestion=did_you_mean(code, US_STATES)
                    )
                )
        for name in re.findall(r"\{([a-z0-9_]+)\}", text):
            if name not in questions:
                raise RulesetError(
                    _("{where}: explanation.{key}: placeholder {placeholder} is not a question id.{suggestion}").format(
                        where=where,
                        key=key,
                        placeholder="{" + name + "}",
                        suggestion=did_you_mean(name, questions),
                    )
                )


def _check_control_size(control: Control, where: str) -> None:
    """Bound what one control's rules hold together (engine.limits), before durable-rules sees them."""
    if control.applies_when is not None and conditions.weight(control.applies_when) > APPLIES_WHEN_MAX_LEAVES:
        raise RulesetError(
            _(
                "{where}: applies_when tests {count} values; at most {limit} (it is joined into every rule of the "
                "control). Simplify it."
            ).format(where=where, count=conditions.weight(control.applies_when), limit=APPLIES_WHEN_MAX_LEAVES)
        )
    parts = (control.pass_condition, control.partial_condition, control.applies_when)
    total = sum(conditions.weight(c) for c in parts if c is not None)
    if total > CONTROL_MAX_LEAVES:
        raise RulesetError(
            _(
                "{where}: pass, partial and applies_when test {count} values together; durable-rules fails on "
                "rules that large, so at most {limit}. Split the control."
            ).format(where=where, count=total, limit=CONTROL_MAX_LEAVES)
        )
