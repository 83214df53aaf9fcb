"""Turn a derivation into an explained report (the SPEC report shape).

Every finding says which rule decided it, which answers and derived facts it used (value given,
value needed, whether it was met), the smallest change of answers that would make it pass, the
recommended clause on gaps, and its citations (federal law first, then the reader's state; sources from
elsewhere labelled as examples). Flags are reported apart from verdicts.
"""

from __future__ import annotations

import datetime as dt
import itertools
import operator
import re
from collections.abc import Mapping
from typing import Any, cast

from engine.i18n import _
from engine.report.action_plan import action_plan
from engine.report.lawful import (
    barred_clauses,
    institution_label,
    may_apply_flags,
    reported_law_notes,
    state_law_section,
    step_laws,
)
from engine.report.plan import ControlPlan, LeafPlan, ReportPlan, answers_key, label, localise
from engine.report.readonly import readonly
from engine.report.rollup import (
    bound_explanation,
    components_section,
    open_institution_asks,
    open_questions,
    overall_section,
)
from engine.report.sources import as_report_citations, ranked
from engine.report.types import (
    AnswerChange,
    BatchOutcomes,
    Because,
    DerivationStep,
    Finding,
    Flag,
    FlagKind,
    InstitutionInfo,
    OtherTypes,
    ProvidedBy,
    Report,
)
from engine.rules import conditions
from engine.rules.branching import skipped_questions
from engine.rules.compiler import institution_fields
from engine.rules.conditions import Condition
from engine.rules.memo import Memo
from engine.rules.model import Control, Provision, Ruleset, Submission
from engine.run.derive import Derivation
from engine.vocabulary import BOUND_WORDS, institution_name

SCHEMA_VERSION = 2  # 2: controls of other institution types are grouped in 'other_types'
MAX_TO_PASS_QUESTIONS = 6


_label = label


def _because(ruleset: Ruleset, leaves: tuple[LeafPlan, ...], answers: Mapping[str, Any], role: str) -> list[Because]:
    items: list[Because] = []
    for plan in leaves:
        leaf = plan.leaf
        given = answers.get(leaf.name)
        items.append(
            {
                "fact": plan.fact,
                "question": leaf.name,
                "text": plan.text,
                "given": None if given is None else _label(ruleset, leaf.name, given),
                "value": given,
                "needed": plan.needed,
                "met": leaf.evaluate(answers),
                "role": role,
            }
        )
    return items


def _dedupe(items: list[Because]) -> list[Because]:
    """One row per fact: the first reason a question is listed wins.

    A question can appear in the pass and the partial condition (or twice in one); listing it twice
    read as a contradiction ("not met" and "earns the partial credit" for the same answer).
    """
    seen, out = set(), []
    for item in items:
        key = item["fact"] if str(item["fact"]).startswith("answers.") else (item["fact"], str(item["needed"]))
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def _institution_facts(submission: Submission) -> dict[str, Any]:
    """The institution fields a condition may test, when known (as on durable's answers fact)."""
    inst = submission.institution
    return {k: v for k, v in (("state", inst.state), ("public", inst.public)) if v is not None}


def _institution_because(ruleset: Ruleset, control: Control, submission: Submission) -> list[Because]:
    inst = submission.institution
    items: list[Because] = [
        {
            "fact": "institution.type",
            "given": ", ".join(inst.types),
            "needed": _("one of: {choices}").format(choices=", ".join(control.applies_to)),
            "met": bool(set(inst.types) & set(control.applies_to)),
            "role": "applies_to",
        }
    ]
    if control.applies_if.public is not None:
        items.append(
            {
                "fact": "institution.public",
                "given": inst.public,
                "needed": _("public body") if control.applies_if.public else _("private body"),
                "met": None if inst.public is None else inst.public == control.applies_if.public,
                "role": "applies_if",
            }
        )
    if control.applies_if.states:
        items.append(
            {
                "fact": "institution.state",
                "given": inst.state,
                "needed": _("one of: {choices}").format(choices=", ".join(control.applies_if.states)),
                "met": None if inst.state is None else inst.state in control.applies_if.states,
                "role": "applies_if",
            }
        )
    return items


def _candidates(ruleset: Ruleset, qid: str, cond: Condition) -> list[Any]:
    question = ruleset.questions[qid]
    if question.type == "boolean":
        return [True, False]
    if question.type == "choice":
        # The least protective answer that passes is the smallest change, and the one that fits the institution:
        # a private body passes XC-AC-LOG by reporting to its own board, so it is never told to publish its log.
        ordered = [v for tier in reversed(question.tiers()) for v in tier]
        return ordered + [c for c in question.choices if c not in ordered]
    values: list[Any] = []
    for leaf in cond.leaves():
        if leaf.name == qid:
            values.extend(v for v in conditions.candidate_values(leaf) if v not in values)
    return values


def _search_to_pass(ruleset: Ruleset, control: Control, answers: Mapping[str, Any]) -> list[AnswerChange] | None:
    questions = list(control.outcome_questions)[:MAX_TO_PASS_QUESTIONS]
    base = dict(answers)
    if control.applies_when is not None and control.applies_when.evaluate(base) is not True:
        return None
    options = {q: [v for v in _candidates(ruleset, q, control.pass_condition) if v != base.get(q)] for q in questions}
    trial = dict(base)  # changed in place and restored after each try: copying every answer per try cost most
    for size in range(1, len(questions) + 1):
        for subset in itertools.combinations(questions, size):
            for values in itertools.product(*(options[q] for q in subset)):
                trial.update(zip(subset, values, strict=True))
                passes = control.pass_condition.evaluate(trial) is True
                for q in subset:
                    if q in base:
                        trial[q] = base[q]
                    else:
                        del trial[q]
                if passes:
                    return [
                        {
                            "question": q,
                            "text": ruleset.questions[q].text,
                            "from": _label(ruleset, q, base[q]) if q in base else None,
                            "to": _label(ruleset, q, v),
                            "value": v,
                        }
                        for q, v in zip(subset, values, strict=True)
                    ]
    return None


def _render(ruleset: Ruleset, template: str, answers: dict[str, Any]) -> str:
    return re.sub(r"\{([a-z0-9_]+)\}", lambda m: _label(ruleset, m.group(1), answers.get(m.group(1))), template)


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


def _explanation(
    ruleset: Ruleset, cplan: ControlPlan, outcome: str, reason: str, submission: Submission, as_of: dt.date
) -> str:
    control = cplan.control
    if outcome == "not_applicable" and reason == "institution":  # not for this state or public/private status
        return cplan.type_explanation
    answers = submission.answers
    if reason == "unanswered" and outcome == "fail":
        return (
            _render(ruleset, control.explanation["fail"], answers)
            + " "
            + _("(Counted as a gap because the question was left unanswered.)")
        )
    if reason in BOUND_WORDS:
        asks = open_institution_asks(control, _institution_facts(submission), answers, reason)
        return bound_explanation(ruleset, reason, open_questions(control, answers, reason), asks)
    if outcome in control.explanation:
        text = _render(ruleset, control.explanation[outcome], answers)
        if outcome == "not_answered":  # authored wording names the questions; add a missing institution detail
            asks = open_institution_asks(control, _institution_facts(submission), answers, reason)
            text += "".join(" " + _("Also: {detail}.").format(detail=ask[0].lower() + ask[1:]) for ask in asks)
        return text
    if outcome == "not_applicable":  # not covering the institution's type is answered by the report plan
        return _("Your answers say this situation does not arise here, so the control does not apply.")
    if outcome == "not_in_force":
        window = control.effective.to_dict()
        return _("This control is in force from {start} until {end}; on {date} it is not.").format(
            start=window["from"] or _("the start"), end=window["until"] or _("further notice"), date=as_of.isoformat()
        )
    if reason == "scope":
        return _(
            "This control depends on whether the institution is a public body or on its state, which was not given; "
            "say so in the institution details to decide it."
        )
    missing = [ruleset.questions[q].text for q in open_questions(control, answers, reason)]
    missing += open_institution_asks(control, _institution_facts(submission), answers, reason)
    return _("The answers given do not decide this control yet. Still to answer: {questions}").format(
        questions=" / ".join(missing)
    )


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


def _answered(
    ruleset: Ruleset,
    cplan: ControlPlan,
    decided: Mapping[str, Any],
    submission: Submission,
    as_of: dt.date,
    facts: dict[str, Any],
    facts_key: tuple[Any, ...],
    detail: bool,
    answered: Memo,
) -> tuple[list[str], str, list[Because], list[AnswerChange] | None]:
    """(open_questions, explanation, because, to_pass) of one finding: the parts that read the answers.

    They depend only on the answers the control's texts and conditions read (``facts_key``), its outcome, the
    institution's types and the date, which batch surveys and repeated evaluations share; they are built once per
    such key. The lists are the caller's; the ``because`` items and ``to_pass`` changes in them are read-only and
    shared (engine.report.readonly), so editing one report can never change the next.
    """
    control, answers = cplan.control, submission.answers
    outcome, reason = decided["outcome"], decided["reason"]
    key = (facts_key, outcome, reason, tuple(submission.institution.types), as_of, detail)
    found = answered.get(key)
    if found is None:
        because = _institution_because(ruleset, control, submission) if detail else []
        if detail and reason not in ("institution", "scope", "effective"):
            because += _because(ruleset, cplan.applies_when, answers, "applies_when")
            if reason != "applies_when":
                passing = _because(ruleset, cplan.passing, answers, "pass")
                if outcome == "partial":
                    # Why not a pass (the unmet pass requirements), and what earned the partial credit.
                    because += [b for b in passing if b["met"] is not True]
                    because += [b for b in _because(ruleset, cplan.partial, answers, "partial") if b["met"] is True]
                else:
                    because += passing
        if reason == "effective":
            because.append(
                {
                    "fact": "as_of",
                    "given": as_of.isoformat(),
                    "needed": dict(cplan.effective),
                    "met": False,
                    "role": "effective",
                }
            )
        gap = outcome in ("partial", "fail", "not_answered")
        changes = _search_to_pass(ruleset, control, facts) if gap and detail else None
        found = (
            tuple(open_questions(control, answers, reason)),
            localise(_explanation(ruleset, cplan, outcome, reason, submission, as_of), submission.institution.state),
            tuple(map(readonly, _dedupe(because))),
            None if changes is None else tuple(map(readonly, changes)),
        )
        answered.put(key, found)
    opened, explanation, because, changes = found
    return list(opened), explanation, list(because), None if changes is None else list(changes)


def _with_provided_by(finding: Finding, provided: ProvidedBy) -> Finding:
    """The finding with ``provided_by`` just before ``flags``, where the JSON has always had it."""
    items = list(finding.items())
    at = next(i for i, (key, _) in enumerate(items) if key == "flags")
    return cast(Finding, dict([*items[:at], ("provided_by", provided), *items[at:]]))


def _flag_order(row: Mapping[str, Any]) -> tuple[bool, str]:
    return row["kind"] != "risk", row["id"]  # risks first


BOUNDED_CELLS = ("at_least_partial", "at_most_partial")  # the only bounds the rules derive are on 'partial'


class _Cells(dict):
    """(outcome, bound) -> results cell word; filled on first sight of each pair (a handful)."""

    def __missing__(self, key: tuple[str, str | None]) -> str:
        outcome, bound = key
        self[key] = word = f"{bound}_{outcome}" if bound else outcome
        return word


_CELLS = _Cells()
_OUTCOME_AND_BOUND = operator.itemgetter("outcome", "bound")  # every finding, derived or reported, has both keys


def outcome_cell(finding: Mapping[str, Any]) -> str:
    """A finding's outcome as one word for a results cell, its bound included: ``at_least_partial`` or
    ``at_most_partial`` when blanks leave it open, so a bound is never read as a decided ``partial``."""
    return _CELLS[_OUTCOME_AND_BOUND(finding)]


def outcomes(ruleset: Ruleset, derivation: Derivation) -> BatchOutcomes:
    """The decisions a batch results row holds, read straight from the derivation (no report needed).

    ``level`` (``at_least_developing`` when the open questions could still raise it, see ``level_cell``),
    ``components`` (id -> outcome, ``at_least_partial`` / ``at_most_partial`` for a bounded verdict),
    ``provisional`` (the components whose verdict is provisional, in ruleset order, then ``overall`` while a core
    control is open), ``flags`` (ids in report order), ``findings`` (control -> ``outcome_cell``): the same values
    ``build_report`` puts in the report (tests/test_batch_bounds.py checks batch rows against reports).
    """
    # Called once per batch row: dict(zip(keys, map(itemgetter))) builds the tables in C.
    flags = {ruleset.flags[key].id: ruleset.flags[key].kind for key in derivation.flags}
    components, findings = derivation.components, derivation.findings
    overall = derivation.overall
    return {
        "level": _CELLS[(overall["level"], overall["bound"])],
        "components": dict(
            zip(components, map(_CELLS.__getitem__, map(_OUTCOME_AND_BOUND, components.values())), strict=True)
        ),
        "provisional": [cid for cid in ruleset.components if components[cid].get("provisional")]
        + (["overall"] if overall["provisional"] else []),
        "flags": sorted(flags, key=lambda f: _flag_order({"id": f, "kind": flags[f]})) if len(flags) > 1 else [*flags],
        # outcome_cell for each finding, in C: 64 per batch row.
        "findings": dict(
            zip(findings, map(_CELLS.__getitem__, map(_OUTCOME_AND_BOUND, findings.values())), strict=True)
        ),
    }


def level_cell(overall: Mapping[str, Any]) -> str:
    """The overall level as one word for a results cell: ``at_least_developing`` when it is only a lower bound."""
    return _CELLS[(overall["level"], overall["bound"])]


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
    facts = {**answers, **_institution_facts(submission)}  # as conditions see them (institution leaves)
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
        opened, explanation, because, changes = _answered(
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
        "flags": sorted(flag_rows.values(), key=_flag_order),
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
        report["flags"] = sorted(report["flags"] + may_apply, key=_flag_order)
    # Without detail there is no change or clause text to plan with (batch rows, draft-only runs).
    report["action_plan"] = (
        action_plan(report, step_laws(ruleset, report, as_of), barred_clauses(ruleset, report, as_of))
        if detail
        else None
    )
    if report["action_plan"]:
        reported_law_notes(ruleset, report["action_plan"], institution["state"])
    return report
