"""The one-page brief for a board: the level (or its range), the top five steps, the state-law note and the
questions for counsel, nothing else.

``brief(report)`` picks the content once; ``markdown`` (at most 70 lines), ``html`` (one printed page) and
the PDF writer (engine/report/formats/pdf.py) lay it out. Only the report's own words are used, so every
sentence is the one the full report gives; long lists are cut with "and N more (see the full report)".

Parts the report may or may not carry are read with ``.get``: ``overall.range`` / ``overall.bound`` (the level
is a range while open questions could move it), ``action_plan.state_law_steps`` (steps that state law stands in
the way of) and ``state_law.note`` (what the tool knows of the state's law).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape as html_escape
from typing import Any

from engine.report.formats import counsel
from engine.report.types import Overall, Report
from engine.report.types import Step as PlanStep
from engine.vocabulary import BOUND_WORDS, LEVEL_WORDS, OUTCOME_WORDS

BRIEF_TITLE = "Sanctuary policy brief"
TOP_STEPS = 5
MAX_COUNSEL = 6
MAX_STATE_ITEMS = 3
NO_COUNSEL = "None: no answer was left to a lawyer and no legal risk was raised."
MAX_TEXT = 300  # characters of one item: a step's change or a long state note is cut at a word


@dataclass
class Step:
    """One of the top steps: what to do, how it stands now, the change that closes it and the clause."""

    action: str
    status: str
    change: str = ""
    clause: str = ""


@dataclass
class Brief:
    """What the one-page brief says, in plain words (no ids)."""

    name: str
    about: str
    level: str
    level_note: str
    summary: str
    steps: list[Step] = field(default_factory=list)
    more_steps: int = 0
    state_law: list[str] = field(default_factory=list)
    counsel: list[str] = field(default_factory=list)
    more_counsel: int = 0
    unanswered: int = 0
    disclaimer: str = ""


def _cut(text: str, limit: int = MAX_TEXT) -> str:
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + " …"


def _type_words(kind: Any) -> str:
    kinds = [kind] if isinstance(kind, str) else list(kind or [])
    return ", ".join(("K-12 school" if k == "k12_school" else str(k).replace("_", " ")) for k in kinds)


def _state_words(code: str | None) -> str:
    if not code:
        return "state not given"
    from engine.run.spellings import states

    return dict(states()).get(code, code)


def level_words(overall: Overall) -> tuple[str, str]:
    """('Developing', '') or a range ('Weak to Developing', why) or a bound ('At least Developing', why)."""
    level = overall.get("level", "incomplete")
    span = overall.get("range") or {}
    low, high = span.get("lowest"), span.get("highest")
    if low and high and low != high:
        return (
            f"{LEVEL_WORDS.get(low, low)} to {LEVEL_WORDS.get(high, high)}",
            "The unanswered questions decide where in this range the institution stands.",
        )
    if overall.get("bound") == "at_least":
        return f"At least {LEVEL_WORDS.get(level, level)}", "Answering the open questions can only raise it."
    return LEVEL_WORDS.get(level, str(level)), ""


def plan_step(step: PlanStep) -> Step:
    """An action-plan step in the brief's words (the action, its priority and where it stands now)."""
    title = str(step.get("title") or "")
    action = step.get("action") or (f"Make sure that {title[:1].lower()}{title[1:]}" if title else "")
    outcome = step.get("outcome", "fail")
    status = OUTCOME_WORDS.get(outcome, str(outcome))
    bound = step.get("bound")
    if bound:
        status += f", {BOUND_WORDS.get(bound, bound)}"
    if step.get("priority_words"):
        status = f"{step['priority_words']}; now: {status.lower()}"
    clause = step.get("clause")
    return Step(_cut(str(action)), status, _cut(step.get("change_text") or ""), clause["title"] if clause else "")


def _state_law(report: Report) -> list[str]:
    items = []
    note = (report.get("state_law") or {}).get("note")
    if note:
        items.append(_cut(note, 2 * MAX_TEXT))
    plan = report.get("action_plan")
    blocked = (plan.get("state_law_steps") or []) if plan else []
    if blocked:
        titles = [str(s.get("title") or s.get("action") or "") for s in blocked[:MAX_STATE_ITEMS]]
        more = len(blocked) - len(titles)
        items.append(
            "State law stands in the way of: "
            + "; ".join(_cut(t, 120) for t in titles)
            + (f"; and {more} more" if more > 0 else "")
            + ". The full report says what remains lawful."
        )
    flags = [f for f in report.get("flags") or [] if ":" in str(f.get("id", "")) and "STATE" in str(f.get("id"))]
    if not items and flags:
        shown = flags[:MAX_STATE_ITEMS]
        items += [_cut(f"{f['title']}.", 200) for f in shown]
        if len(flags) > len(shown):
            items.append(f"And {len(flags) - len(shown)} more state-law notes (see the full report).")
    if not items:
        state = report.get("institution", {}).get("state")
        items.append(
            f"No state-law flag was raised for {_state_words(state)}. The tool's table of state laws does not cover "
            "every state or every law, so ask counsel to check the state's law before adopting a policy."
            if state
            else "No state was given, so no state law was checked."
        )
    return items


def brief(report: Report) -> Brief:
    """The brief's content for ``report`` (a detailed report, the one ``sanctuary evaluate`` gives)."""
    inst = report.get("institution", {})
    public = {True: "public body", False: "private organisation", None: ""}[inst.get("public")]
    about = " · ".join(
        x
        for x in (_type_words(inst.get("type")), _state_words(inst.get("state")), public, f"as of {report['as_of']}")
        if x
    )
    level, note = level_words(report["overall"])
    plan = report.get("action_plan")
    steps = plan["steps"] if plan else []
    plan_summary = plan["summary"] if plan else ""
    # The plan's summary opens with the level in words and the counts; its later sentences repeat the steps.
    summary = ". ".join(plan_summary.split(". ")[:2]).rstrip(".") + "." if plan_summary else ""
    questions = counsel.counsel_questions(report)
    risks = [f"{r['title']}." for r in (plan["risks"] if plan else [])]
    asks = [*questions, *[f"Legal risk to review: {r}" for r in risks]]
    return Brief(
        name=str(inst.get("name") or "Unnamed institution"),
        about=about,
        level=level,
        level_note=note,
        summary=_cut(summary, 2 * MAX_TEXT),
        steps=[plan_step(s) for s in steps[:TOP_STEPS]],
        more_steps=max(0, len(steps) - TOP_STEPS),
        state_law=_state_law(report),
        counsel=[_cut(q, 220) for q in asks[:MAX_COUNSEL]],
        more_counsel=max(0, len(asks) - MAX_COUNSEL),
        unanswered=int((plan["unanswered"] if plan else 0) or len(report.get("unanswered_questions") or [])),
        disclaimer=_cut(report.get("disclaimer", ""), 2 * MAX_TEXT),
    )


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def footer_lines(b: Brief) -> list[str]:
    """Closing lines: what is still open, where the rest is."""
    lines = []
    if b.unanswered:
        lines.append(f"{_plural(b.unanswered, 'question is', 'questions are')} still unanswered.")
    lines.append("The full report gives each finding's reasons, sources and model clauses.")
    return lines


def markdown(report: Report) -> str:
    """The brief as Markdown, at most 70 lines."""
    from engine.report.formats.markdown import escape

    b = brief(report)
    out = [f"# {BRIEF_TITLE}: {escape(b.name)}", "", f"*{escape(b.about)}*", ""]
    out += [f"**Level: {escape(b.level)}.** {escape(b.level_note)}".rstrip(), ""]
    if b.summary:
        out += [escape(b.summary), ""]
    out += ["## Top steps", ""]
    if not b.steps:
        out.append("Nothing to fix in the answered questions.")
    for i, s in enumerate(b.steps, 1):
        out.append(f"{i}. **{escape(s.action)}** ({escape(s.status)})")
        if s.change:
            out.append(f"   - Change: {escape(s.change)}")
        if s.clause:
            out.append(f"   - Clause: {escape(s.clause)}")
    if b.more_steps:
        out.append(f"\n{_plural(b.more_steps, 'more step is', 'more steps are')} in the full report.")
    out += ["", "## State law", "", *[f"- {escape(x)}" for x in b.state_law], ""]
    out += ["## Questions for counsel", ""]
    out += [f"- {escape(q)}" for q in b.counsel] or [
        "- None: no answer was left to a lawyer and no legal risk was raised."
    ]
    if b.more_counsel:
        out.append(f"- And {b.more_counsel} more (see the full report).")
    out += ["", *[escape(x) for x in footer_lines(b)], "", f"> {escape(b.disclaimer)}"]
    return "\n".join(out) + "\n"


BRIEF_STYLE = """
body{font-family:"DejaVu Sans",system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:48rem;margin:1.5rem auto;
padding:0 1rem;line-height:1.35;color:#111;font-size:10.5pt}
h1{font-size:15pt;margin:0 0 .2rem}h2{font-size:11.5pt;margin:.8rem 0 .3rem;border-bottom:1px solid #aaa}
.about{color:#333;margin:0 0 .5rem}.level{font-size:12pt;border-left:4px solid #1f4e8c;padding:.3rem .6rem;
background:#f3f6fa}ol,ul{margin:.2rem 0;padding-left:1.3rem}li{margin-bottom:.25rem}.sub{color:#333;font-size:9.5pt}
.disclaimer{font-size:8.5pt;color:#333;border-top:1px solid #aaa;margin-top:.6rem;padding-top:.3rem}
@page{size:letter;margin:10mm 12mm}
@media print{body{margin:0;max-width:none;font-size:8.6pt;line-height:1.25}h1{font-size:12pt}
h2{font-size:10pt;margin:.5rem 0 .2rem}.level{background:none;font-size:10pt;padding:.1rem .5rem}
li{break-inside:avoid;margin-bottom:.12rem}.sub{font-size:8pt}.disclaimer{font-size:7.2pt;margin-top:.4rem}
p{margin:.3rem 0}}
"""


def html(report: Report) -> str:
    """The brief as a self-contained HTML page that prints on one page (Letter or A4)."""
    b = brief(report)

    def e(text: Any) -> str:
        return html_escape(str(text), quote=True)

    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{e(BRIEF_TITLE)}: {e(b.name)}</title>",
        f"<style>{BRIEF_STYLE}</style></head><body><main>",
        f"<h1>{e(BRIEF_TITLE)}: {e(b.name)}</h1>",
        f"<p class='about'>{e(b.about)}</p>",
        f"<p class='level'><strong>Level: {e(b.level)}.</strong> {e(b.level_note)}</p>",
    ]
    if b.summary:
        parts.append(f"<p>{e(b.summary)}</p>")
    parts.append("<h2>Top steps</h2>")
    if b.steps:
        parts.append("<ol>")
        for s in b.steps:
            subs = [f"Change: {e(s.change)}"] if s.change else []
            subs += [f"Clause: {e(s.clause)}"] if s.clause else []
            sub = "".join(f"<br><span class='sub'>{x}</span>" for x in subs)
            parts.append(f"<li><strong>{e(s.action)}</strong> ({e(s.status)}){sub}</li>")
        parts.append("</ol>")
        if b.more_steps:
            parts.append(
                f"<p class='sub'>{e(_plural(b.more_steps, 'more step is', 'more steps are'))} in the full report.</p>"
            )
    else:
        parts.append("<p>Nothing to fix in the answered questions.</p>")
    parts += ["<h2>State law</h2><ul>", *[f"<li>{e(x)}</li>" for x in b.state_law], "</ul>"]
    parts.append("<h2>Questions for counsel</h2><ul>")
    parts += [f"<li>{e(q)}</li>" for q in b.counsel] or [f"<li>{e(NO_COUNSEL)}</li>"]
    if b.more_counsel:
        parts.append(f"<li>And {b.more_counsel} more (see the full report).</li>")
    parts.append("</ul>")
    parts += [f"<p class='sub'>{e(x)}</p>" for x in footer_lines(b)]
    parts += [f"<p class='disclaimer'>{e(b.disclaimer)}</p>", "</main></body></html>"]
    return "\n".join(parts) + "\n"
