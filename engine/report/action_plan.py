"""The action plan: the gaps that matter most first, each with the one change that closes it.

Built from a detailed report (``build_report(detail=True)``) and stored in it as ``action_plan``
(an extension of the SPEC report). Order: core controls (``core: true`` on a finding) first, then
controls that carry a legal-risk flag, then the rest; within each group failures before partial
passes, then component order. The summary is a few plain sentences a board member reads in a
minute; control ids stay in the ``control`` field for tools, never in the sentences.
"""

from __future__ import annotations

import functools
from typing import Any

GAP_OUTCOMES = ("fail", "partial")
PRIORITY_WORDS = {"core": "Core protection", "risk": "Legal risk", "other": "Gap"}
RANK = {"core": 0, "risk": 1, "other": 2}
SUMMARY_TOP = 3


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _priority(finding: dict[str, Any], risky: set[str]) -> str:
    if finding.get("core"):
        return "core"
    if not risky.isdisjoint(finding.get("flags") or ()):
        return "risk"
    return "other"


def _change_text(changes: list[dict[str, Any]] | None) -> str:
    """The change in words: '“Question?” → yes' (several joined with 'and')."""
    if not changes:
        return ""
    return " and ".join([_one_change(c["text"], c["to"]) for c in changes])


@functools.lru_cache(maxsize=4096)
def _one_change(text: str, to: str) -> str:
    # The same few question texts and answer labels recur in every report (the strings are the ruleset's own).
    return f"“{text.rstrip()}” → {to}"


def action_plan(report: dict[str, Any]) -> dict[str, Any]:
    """The plan for ``report`` (a dict: ``summary``, ``steps``, ``risks``, ``unanswered``)."""
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
    steps = []
    for number, (_, priority, finding) in enumerate(keyed, start=1):
        clause = finding.get("recommended_clause") or None
        changes = finding.get("to_pass") or []
        flags = finding.get("flags")
        steps.append(
            {
                "step": number,
                "control": finding["control"],
                "title": finding["title"],
                "component": titles.get(finding["component"], finding["component"]),
                "outcome": finding["outcome"],
                "priority": priority,
                "priority_words": PRIORITY_WORDS[priority],
                "core": bool(finding.get("core")),
                "why": finding["explanation"],
                "change": [{"question": c["text"], "from": c.get("from"), "to": c["to"]} for c in changes],
                "change_text": _change_text(changes),
                "risks": [f["title"] for f in risk_flags if f["id"] in flags] if flags else [],
                # The clause text is in the finding; the plan names it (the draft policy assembles them).
                "clause": {"id": clause["id"], "title": clause["title"]} if clause else None,
            }
        )
    unanswered = len(report.get("unanswered_questions") or [])
    return {
        "summary": " ".join(_summary(report, steps, risk_flags, unanswered)),
        "steps": steps,
        "risks": [{"id": f["id"], "title": f["title"], "explanation": f["explanation"]} for f in risk_flags],
        "unanswered": unanswered,
    }


def _summary(
    report: dict[str, Any], steps: list[dict[str, Any]], risks: list[dict[str, Any]], unanswered: int
) -> list[str]:
    """A few short sentences, plain words, no ids."""
    name = str(report.get("institution", {}).get("name") or "").strip() or "Your institution"
    level = report["overall"]["level"]
    counts: dict[str, int] = {}
    for finding in report["findings"]:
        counts[finding["outcome"]] = counts.get(finding["outcome"], 0) + 1
    applicable = sum(counts.get(o, 0) for o in ("pass", "partial", "fail", "not_answered"))
    level_words = {
        "strong": "is in a strong position",
        "developing": "has some protections in place, with gaps to close",
        "weak": "is missing important protections",
        "incomplete": "cannot be judged yet: the open questions could make the level anything from weak to strong",
    }.get(level, f"is at the {level} level")
    overall = report["overall"]
    if overall.get("bound") == "at_least":
        reach = overall["range"]["highest"]
        level_words += f" (this is the level it can rely on; answering the open questions could make it {reach})"
    lines = [f"{name} {level_words}."]
    if applicable:
        lines.append(
            f"Of the {_plural(applicable, 'protection', 'protections')} that apply, "
            f"{counts.get('pass', 0)} {'is' if counts.get('pass', 0) == 1 else 'are'} fully in place, "
            f"{counts.get('partial', 0)} partly and {counts.get('fail', 0)} not at all."
        )
    core = sum(1 for s in steps if s["priority"] == "core")
    if steps:
        top = steps[:SUMMARY_TOP]
        # Control titles state the goal ("the jail does not tell ICE ..."), so the summary asks for it, lest a
        # board member read a gap as a protection already in place.
        first = "; ".join(
            f"({i}) make sure that " + s["title"][:1].lower() + s["title"][1:] for i, s in enumerate(top, 1)
        )
        lead = (
            f"Close these gaps first ({_plural(core, 'core protection', 'core protections')} among them): "
            if core
            else "Close these gaps first: "
        )
        lines.append(lead + first + ".")
    else:
        lines.append("No gaps were found in the answered questions.")
    if risks:
        lines.append(
            f"{_plural(len(risks), 'legal risk needs', 'legal risks need')} a lawyer's review before you change "
            "anything; see the risks below."
        )
    if unanswered:
        lines.append(f"{_plural(unanswered, 'question is', 'questions are')} still unanswered.")
    return lines
