"""The parts of one finding that read the answers: why it was decided (``because``), its explanation, and the
smallest change of answers that would make it pass (``to_pass``).

Separate from assembling the report (``engine.report.build``) because these parts depend only on the answers a
control reads, its outcome, the institution's types and the date, so they are built once per such key and shared
by every report with the same key (the report plan's memo); the report around them is built anew each time.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Mapping
from typing import Any

from engine.i18n import _
from engine.report.plan import ControlPlan, LeafPlan, label, localise
from engine.report.readonly import readonly
from engine.report.rollup import bound_explanation, open_institution_asks, open_questions
from engine.report.types import AnswerChange, Because
from engine.rules import conditions
from engine.rules.conditions import Condition
from engine.rules.memo import Memo
from engine.rules.model import Control, Ruleset, Submission
from engine.vocabulary import BOUND_WORDS

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


def institution_facts(submission: Submission) -> dict[str, Any]:
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
        asks = open_institution_asks(control, institution_facts(submission), answers, reason)
        return bound_explanation(ruleset, reason, open_questions(control, answers, reason), asks)
    if outcome in control.explanation:
        text = _render(ruleset, control.explanation[outcome], answers)
        if outcome == "not_answered":  # authored wording names the questions; add a missing institution detail
            asks = open_institution_asks(control, institution_facts(submission), answers, reason)
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
    missing += open_institution_asks(control, institution_facts(submission), answers, reason)
    return _("The answers given do not decide this control yet. Still to answer: {questions}").format(
        questions=" / ".join(missing)
    )


def finding_parts(
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
