"""Turn a derivation into an explained report (the SPEC report shape).

Every finding says which rule decided it, which answers and derived facts it used (value given,
value needed, whether it was met), the smallest change of answers that would make it pass, the
recommended clause on gaps, and its citations (federal law first, then the reader's state; sources from
elsewhere labelled as examples). Flags are reported apart from verdicts.

This module assembles the report; the parts of a finding that read the answers (``because``, explanation,
``to_pass``) are built in ``engine.report.finding``, and a batch row's cells in ``engine.report.cells``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from engine.i18n import _
from engine.report.action_plan import action_plan
from engine.report.cells import flag_order
from engine.report.finding import finding_parts, institution_facts
from engine.report.lawful import (
    barred_clauses,
    institution_label,
    may_apply_flags,
    reported_law_notes,
    state_law_section,
    step_laws,
)
from engine.report.plan import ReportPlan, answers_key
from engine.report.readonly import readonly
from engine.report.rollup import components_section, overall_section
from engine.report.sources import as_report_citations, ranked
from engine.report.types import (
    DerivationStep,
    Finding,
    Flag,
    FlagKind,
    InstitutionInfo,
    OtherTypes,
    ProvidedBy,
    Report,
)
from engine.rules.branching import skipped_questions
from engine.rules.compiler import institution_fields
from engine.rules.model import Control, Provision, Ruleset, Submission
from engine.run.derive import Derivation
from engine.vocabulary import institution_name

SCHEMA_VERSION = 2  # 2: controls of other institution types are grouped in 'other_types'


def _other_types(ruleset: Ruleset, types: tuple[str, ...], controls: list[str], rule: str) -> OtherTypes:
    """The one report entry for the controls written for other kinds of institution (44-50 of 64 controls).

    Each is decided by the institution's type alone, so listing them one by one (with their sources) told the
    reader nothing and was half the cost of a report; ``sanctuary sources`` and the rules still list them all.
    """
    titles = [ruleset.institution_types[t]["title"] for t in types]
    return {
        "controls": controls,
        "rule": rule,
        "explanation": _(
            "{count} controls of the ruleset are written for other kinds of institution than {types}, so they do "
            "not apply here and are not counted."
        ).format(count=len(controls), types=" / ".join(titles)),
    }


def _provided_by(ruleset: Ruleset, control: Control, submission: Submission, as_of: dt.date) -> Provision | None:
    """The state law that itself gave this control's pass (states.yaml ``provides``), when one did."""
    if not control.provided_by:
        return None
    inst = submission.institution
    facts = {
        **submission.answers,
        **institution_fields(tuple(inst.types), list(ruleset.institution_types), inst.state, inst.public, as_of),
    }
    return next((p for p in control.provided_by if p.condition.evaluate(facts) is True), None)


def _with_provided_by(finding: Finding, provided: ProvidedBy) -> Finding:
    """The finding with ``provided_by`` just before ``flags``, where the JSON has always had it."""
    items = list(finding.items())
    at = next(i for i, (key, _) in enumerate(items) if key == "flags")
    return cast(Finding, dict([*items[:at], ("provided_by", provided), *items[at:]]))


def build_report(
    ruleset: Ruleset,
    submission: Submission,
    as_of: dt.date,
    derivation: Derivation,
    detail: bool = True,
    *,
    plan: ReportPlan,
) -> Report:
    """The report (SPEC shape plus ``derivations``, the proof tree).

    With ``detail=False`` (batch runs) the per-finding ``because``, ``to_pass`` and clause text and the
    proof tree are left empty, which makes a report several times cheaper; outcomes, explanations,
    flags and citations are the same. ``plan``: the ruleset's report plan, which the ``Evaluator`` keeps.
    """
    answers = submission.answers
    core = core_controls, core_components = ruleset.core_for(submission.institution)
    findings: list[Finding] = []
    derivations: list[DerivationStep] = []
    flag_rows: dict[str, Flag] = {}
    control_flags: dict[str, list[str]] = {}  # control -> ids of the flags that concern it
    for key, firings in derivation.flags.items():
        flag = ruleset.flags[key]
        row = flag_rows.get(flag.id)
        if row is None:
            row = flag_rows[flag.id] = {
                "id": flag.id,
                "kind": cast(FlagKind, flag.kind),  # the loader accepts only risk and info
                "title": flag.title,
                "explanation": flag.explanation,
                "controls": [],
                "rules": [key],
                # Federal law first, then the reader's state; other states' sources labelled as examples.
                "citations": plan.citations(f"flag:{key}", submission.institution.state),
            }
        elif key not in row["rules"]:
            row["rules"].append(key)
            # Several entries of one state law share a flag id but each explains its own controls (and may
            # cite its own section); a row must carry all that fired, not only the first.
            if flag.explanation not in row["explanation"]:
                row["explanation"] += " " + flag.explanation
            cited = {c["id"] for c in row["citations"]}
            extra = [c for c in plan.flag_citations[key] if c["id"] not in cited]
            if extra:
                merged = ranked([*row["citations"], *extra], submission.institution.state)
                row["citations"] = as_report_citations(list(map(readonly, merged)))
        for firing in firings:
            control = firing.get("control")
            targets = [control] if control else list(flag.concerns)
            for target in targets:
                if target and target not in row["controls"]:
                    row["controls"].append(target)
                    control_flags.setdefault(target, []).append(flag.id)
        derivations.append(
            {
                "id": f"flag:{flag.id}",
                "rule": firings[0]["rule"],
                "from": sorted(
                    {f"finding:{f['control']}" for f in firings if f.get("control")}
                    | ({"answers"} if flag.answers else set())
                    | {"institution"}
                ),
            }
        )
    types = tuple(submission.institution.types)
    mine, others = plan.controls_for(types), plan.others_for(types)
    facts = {**answers, **institution_facts(submission)}  # as conditions see them (institution leaves)
    other_types: list[str] = []
    other_rule = ""
    opened_by: dict[str, list[str]] = {}  # control -> its open questions, which the overall level reads again
    cplans: Any = plan.controls.values()
    if others and control_flags.keys().isdisjoint(others):  # the usual case: skip the others in one go
        cplans = [plan.controls[c] for c in plan.in_order(mine)]
        other_types = list(others)
        other_rule = derivation.findings[others[0]]["rule"]
    for cplan in cplans:
        control = cplan.control
        decided = derivation.findings[control.id]
        outcome, reason = decided["outcome"], decided["reason"]
        if reason == "institution" and control.id not in mine and control.id not in control_flags:
            other_types.append(control.id)
            other_rule = other_rule or decided["rule"]
            continue
        opened, explanation, because, changes = finding_parts(
            ruleset, cplan, decided, submission, as_of, facts, answers_key(ruleset, cplan, facts), detail, plan.answered
        )
        provided = _provided_by(ruleset, control, submission, as_of) if outcome == "pass" else None
        if provided is not None:
            explanation = _("Provided by state law: {law}. {explanation}").format(
                law=provided.title, explanation=provided.explanation
            )
        # Only a gap recommends a clause, and most findings carry no flag: neither is looked up for the rest.
        clause = (
            ruleset.clauses.get(control.clause_for(submission.institution.public) or "")
            if outcome in ("partial", "fail")
            else None
        )
        concerned = control_flags.get(control.id)
        flags_here = sorted(concerned) if concerned else []
        trace = [decided["rule"]]
        if flags_here:
            trace += [r for fid in flags_here for r in flag_rows[fid]["rules"]]
        finding: Finding = {
            "control": control.id,
            "title": control.title,
            "component": control.component,
            "outcome": outcome,
            "bound": decided.get("bound"),
            "open_questions": opened,
            "core": control.id in core_controls and outcome not in ("not_applicable", "not_in_force"),
            "scored": control.scored,
            "explanation": explanation,
            "because": because,
            "trace": trace,
            "to_pass": changes,
            "recommended_clause": {
                "id": clause.id,
                "title": clause.title,
                "text": clause.render(institution_name(submission.institution.name)) if detail else "",
            }
            if clause
            else None,
            "citations": plan.citations(control.id, submission.institution.state),
            "flags": flags_here,
            "effective": cplan.effective,
        }
        if provided is not None:
            finding = _with_provided_by(finding, {"law": provided.law, "title": provided.title})
        findings.append(finding)
        opened_by[control.id] = opened
        used = [] if reason in ("institution", "effective") else [f for q, f in cplan.answer_facts if q in answers]
        derivations.append({"id": f"finding:{control.id}", "rule": decided["rule"], "from": ["institution", *used]})
    components, component_derivations = components_section(
        ruleset, derivation, core_components, tuple(submission.institution.types), plan
    )
    overall, overall_derivations = overall_section(ruleset, submission, derivation, core, plan, opened_by)
    if other_types:
        derivations.append({"id": "findings:other_types", "rule": other_rule, "from": ["institution"]})
    derivations += component_derivations + overall_derivations
    # A question the answers skip (its ask_when is false) is neither asked nor counted as unanswered.
    skipped = skipped_questions(ruleset, answers, submission.institution)
    asked = plan.asked_for(ruleset, types)
    unanswered = [q for q in asked if q not in answers and q not in skipped]
    institution = cast(InstitutionInfo, submission.institution.to_dict())  # the rules layer's dict, typed here
    report: Report = {
        "schema_version": SCHEMA_VERSION,
        "ruleset": {"id": ruleset.id, "version": ruleset.version, "hash": ruleset.content_hash[:16]},
        "institution": institution,
        "as_of": as_of.isoformat(),
        "overall": overall,
        "components": components,
        "findings": findings,
        "other_types": _other_types(ruleset, submission.institution.types, other_types, other_rule)
        if other_types
        else None,
        "flags": sorted(flag_rows.values(), key=flag_order),
        "unanswered_questions": unanswered,
        "skipped_questions": [q for q in asked if q in skipped] if skipped else [],
        "answers": dict(answers),
        "derivations": derivations if detail else [],
        "disclaimer": ruleset.disclaimer,
        # The three below keep their place in the JSON; the plan is filled in once the flags are final.
        "institution_label": institution_label(ruleset, submission),
        "state_law": state_law_section(ruleset, institution, answers, as_of),
        "action_plan": None,
    }
    # Conflicts that an open answer decides ("may apply: answer ..."), beside the raised flags.
    may_apply = may_apply_flags(ruleset, report, answers, as_of)
    if may_apply:
        report["flags"] = sorted(report["flags"] + may_apply, key=flag_order)
    # Without detail there is no change or clause text to plan with (batch rows, draft-only runs).
    report["action_plan"] = (
        action_plan(report, step_laws(ruleset, report, as_of), barred_clauses(ruleset, report, as_of))
        if detail
        else None
    )
    if report["action_plan"]:
        reported_law_notes(ruleset, report["action_plan"], institution["state"])
    return report
