"""The action plan: the gaps that matter most first, each with the one change that closes it.

Built from a detailed report (``build_report(detail=True)``) and stored in it as ``action_plan``
(an extension of the SPEC report). Order: core controls (``core: true`` on a finding) first, then
controls that carry a legal-risk flag, then the rest; within each group failures before partial
passes, then component order. The summary is a few plain sentences a board member reads in a
minute; control ids stay in the ``control`` field for tools, never in the sentences.

A step whose fix a state law in force forbids (``engine.report.lawful``) is never among the steps to take: it
goes to ``state_law_steps`` ("State law stands in the way"), after every lawful step, naming the law, what
breaking it exposes people to and what remains lawful. Every step carries ``conflicts_with`` (empty when lawful).
"""

from __future__ import annotations

import functools

from engine.i18n import _, current_language, ngettext
from engine.report.types import ActionPlan, AnswerChange, Finding, Flag, LawRow, Priority, Report, Step
from engine.vocabulary import LEVEL_WORDS, PRIORITY_WORDS, institution_name, outcome_phrase

GAP_OUTCOMES = ("fail", "partial")
RANK = {"core": 0, "risk": 1, "other": 2}
SUMMARY_TOP = 3


def _priority(finding: Finding, risky: set[str]) -> Priority:
    if finding.get("core"):
        return "core"
    if not risky.isdisjoint(finding.get("flags") or ()):
        return "risk"
    return "other"


def _change_text(title: str, changes: list[AnswerChange] | None) -> str:
    """The change as an instruction with its reason: 'So that <goal>, change ... until the answer to “Q” is “A”.'

    The control's title states the goal, so it is the reason; the answer alone ("No, the text does not forbid
    sharing status") read backwards without it.
    """
    if not changes:
        return ""
    return _instruction(title, tuple((c["text"], c["to"]) for c in changes), current_language())


@functools.lru_cache(maxsize=4096)
def _instruction(title: str, changes: tuple[tuple[str, str], ...], lang: str) -> str:
    # The same few titles, question texts and answer labels recur in every report (the strings are the rules' own);
    # the language is part of the key because the sentence around them is translated.
    goal = title[:1].lower() + title[1:]
    if len(changes) == 1:
        text, to = changes[0]
        return _(
            "So that {goal}, change the policy or practice until the answer to “{question}” is “{answer}”."
        ).format(goal=goal, question=text.rstrip(), answer=to)
    answers = "; ".join(f"“{text.rstrip()}” — “{to}”" for text, to in changes)
    return _("So that {goal}, change the policy or practice until the answers are: {answers}.").format(
        goal=goal, answers=answers
    )


def _law_risks(laws: list[LawRow]) -> list[str]:
    out = []
    for law in laws:
        if law.get("may_apply"):
            answer = _(" and ").join(f"“{a}”" for a in law.get("answer") or [])
            out.append(
                _("Changing this may conflict with {law}: may apply, answer {answer}").format(
                    law=law["title"], answer=answer
                )
            )
        else:
            out.append(_("Changing this would conflict with {law}").format(law=law["title"]))
    return out


def action_plan(
    report: Report,
    step_laws: dict[str, list[LawRow]] | None = None,
    barred_clauses: set[str] | None = None,
) -> ActionPlan:
    """The plan for ``report`` (a dict: ``summary``, ``steps``, ``state_law_steps``, ``risks``, ``unanswered``).

    ``step_laws``: control id -> the laws that forbid (or may forbid) its fix (``lawful.forbidding_laws``);
    ``barred_clauses``: the clauses the draft leaves out (``lawful.clause_laws``).
    """
    step_laws = step_laws or {}
    risk_flags = [f for f in report.get("flags", []) if f.get("kind") == "risk"]
    risky = {f["id"] for f in risk_flags}
    order = [c["id"] for c in report.get("components", [])]
    titles = {c["id"]: c["title"] for c in report.get("components", [])}
    gaps = [f for f in report["findings"] if f["outcome"] in GAP_OUTCOMES]
    position = {cid: i for i, cid in enumerate(order)}
    keyed = []  # (sort key, priority, finding); the key ends with the finding's position, so it is unique
    for i, finding in enumerate(gaps):
        priority = _priority(finding, risky)
        outcome_rank = GAP_OUTCOMES.index(finding["outcome"])
        keyed.append(
            ((RANK[priority], outcome_rank, position.get(finding["component"], len(order)), i), priority, finding)
        )
    keyed.sort()
    # Lawful steps first; the ones a state law stands in the way of keep their order after them.
    ordered = [k for k in keyed if not step_laws.get(k[2]["control"])]
    ordered += [k for k in keyed if step_laws.get(k[2]["control"])]
    # A clause that serves a forbidden step is left out of the draft for every step it serves (engine.report.drafting).
    barred = {
        clause["id"]
        for _, _, finding in ordered
        if step_laws.get(finding["control"]) and (clause := finding.get("recommended_clause"))
    }
    steps: list[Step] = []
    held: list[Step] = []
    for number, (_rank, priority, finding) in enumerate(ordered, start=1):
        clause = finding.get("recommended_clause") or None
        changes = finding.get("to_pass") or []
        flags = finding.get("flags")
        laws = step_laws.get(finding["control"]) or []
        step: Step = {
            "step": number,
            "control": finding["control"],
            "title": finding["title"],
            "component": titles.get(finding["component"], finding["component"]),
            "outcome": finding["outcome"],
            "bound": finding.get("bound"),
            "outcome_words": outcome_phrase(finding["outcome"], finding.get("bound")),
            "priority": priority,
            "priority_words": PRIORITY_WORDS[priority],
            "core": bool(finding.get("core")),
            "why": finding["explanation"],
            "change": [{"question": c["text"], "from": c.get("from"), "to": c["to"]} for c in changes],
            "change_text": _change_text(finding["title"], changes),
            "conflicts_with": [law["id"] for law in laws],
            "laws": laws,
            "risks": _law_risks(laws) + ([f["title"] for f in risk_flags if f["id"] in flags] if flags else []),
            # The clause text is in the finding; the plan names it (the draft policy assembles them). A clause a law
            # forbids is left out of the draft, and the step says so.
            "clause": {"id": clause["id"], "title": clause["title"], "left_out": clause["id"] in barred}
            if clause
            else None,
        }
        (held if laws else steps).append(step)
    unanswered = len(report.get("unanswered_questions") or [])
    return {
        "summary": " ".join(_summary(report, steps, risk_flags, unanswered, held)),
        "steps": steps,
        "state_law_steps": held,
        "risks": [{"id": f["id"], "title": f["title"], "explanation": f["explanation"]} for f in risk_flags],
        "unanswered": unanswered,
    }


def _summary(
    report: Report,
    steps: list[Step],
    risks: list[Flag],
    unanswered: int,
    held: list[Step],
) -> list[str]:
    """A few short sentences, plain words, no ids."""
    given = str(report.get("institution", {}).get("name") or "").strip()
    name = institution_name(given) if given else _("Your institution")
    level = report["overall"]["level"]
    counts: dict[str, int] = {}
    for finding in report["findings"]:
        counts[finding["outcome"]] = counts.get(finding["outcome"], 0) + 1
    applicable = sum(counts.get(o, 0) for o in ("pass", "partial", "fail", "not_answered"))
    sentence = {
        "strong": _("{name} is in a strong position."),
        "developing": _("{name} has some protections in place, with gaps to close."),
        "weak": _("{name} is missing important protections."),
        "incomplete": _(
            "{name} cannot be judged yet: the open questions could make the level anything from weak to strong."
        ),
    }.get(level, _("{name} is at the {level} level."))
    overall = report["overall"]
    if overall.get("bound") == "at_least":
        reach = LEVEL_WORDS[overall["range"]["highest"]].lower()
        sentence = (
            sentence.removesuffix(".")
            + " "
            + _("(this is the level it can rely on; answering the open questions could make it {reach}).").format(
                reach=reach
            )
        )
    lines = [sentence.format(name=name, level=level)]
    if applicable:
        lines.append(
            ngettext(
                # English keeps "that apply" for one protection too (reports stay byte-identical).
                "Of the {applicable} protection that apply, {in_place}, {partial} partly and {failed} not at all.",
                "Of the {applicable} protections that apply, {in_place}, {partial} partly and {failed} not at all.",
                applicable,
            ).format(
                applicable=applicable,
                in_place=ngettext("{n} is fully in place", "{n} are fully in place", counts.get("pass", 0)).format(
                    n=counts.get("pass", 0)
                ),
                partial=counts.get("partial", 0),
                failed=counts.get("fail", 0),
            )
        )
    core = sum(1 for s in steps if s["priority"] == "core")
    if steps:
        top = steps[:SUMMARY_TOP]
        # Control titles state the goal ("the jail does not tell ICE ..."), so the summary asks for it, lest a
        # board member read a gap as a protection already in place.
        first = "; ".join(
            _("({n}) make sure that {goal}").format(n=i, goal=s["title"][:1].lower() + s["title"][1:])
            for i, s in enumerate(top, 1)
        )
        if core:
            lead = ngettext(
                "Close these gaps first ({n} core protection among them): {gaps}.",
                "Close these gaps first ({n} core protections among them): {gaps}.",
                core,
            )
        else:
            lead = _("Close these gaps first: {gaps}.")
        lines.append(lead.format(n=core, gaps=first))
    elif not held:
        lines.append(_("No gaps were found in the answered questions."))
    if held:
        state = (report.get("state_law") or {}).get("name")
        if state:
            held_line = ngettext(
                "{n} other gap cannot be closed the usual way because {state} law stands in the way; it is listed "
                "apart, with what remains lawful.",
                "{n} other gaps cannot be closed the usual way because {state} law stands in the way; they are "
                "listed apart, with what remains lawful.",
                len(held),
            )
        else:
            held_line = ngettext(
                "{n} other gap cannot be closed the usual way because state law stands in the way; it is listed "
                "apart, with what remains lawful.",
                "{n} other gaps cannot be closed the usual way because state law stands in the way; they are "
                "listed apart, with what remains lawful.",
                len(held),
            )
        lines.append(held_line.format(n=len(held), state=state))
    if risks:
        lines.append(
            ngettext(
                "{n} legal risk needs a lawyer's review before you change anything; see the risks below.",
                "{n} legal risks need a lawyer's review before you change anything; see the risks below.",
                len(risks),
            ).format(n=len(risks))
        )
    if unanswered:
        lines.append(
            ngettext("{n} question is still unanswered.", "{n} questions are still unanswered.", unanswered).format(
                n=unanswered
            )
        )
    return lines
