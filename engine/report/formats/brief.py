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

from engine.i18n import DEFAULT_LANGUAGE, N_, _, current_language, ngettext
from engine.report.formats import counsel
from engine.report.types import Overall, Report
from engine.report.types import Step as PlanStep
from engine.vocabulary import BOUND_WORDS, LEVEL_WORDS, OUTCOME_WORDS, institution_name

BRIEF_TITLE = N_("Sanctuary policy brief")  # message ids: _() them where they are shown
TOP_STEPS = 5
MAX_COUNSEL = 6
MAX_STATE_ITEMS = 3
NO_COUNSEL = N_("None: no answer was left to a lawyer and no legal risk was raised.")
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
        return _("state not given")
    from engine.run.spellings import states

    return dict(states()).get(code, code)


def level_words(overall: Overall) -> tuple[str, str]:
    """('Developing', '') or a range ('Weak to Developing', why) or a bound ('At least Developing', why)."""
    level = overall.get("level", "incomplete")
    span = overall.get("range") or {}
    low, high = span.get("lowest"), span.get("highest")
    if low and high and low != high:
        return (
            _("{lowest} to {highest}").format(lowest=LEVEL_WORDS.get(low, low), highest=LEVEL_WORDS.get(high, high)),
            _("The unanswered questions decide where in this range the institution stands."),
        )
    if overall.get("bound") == "at_least":
        return (
            _("At least {level}").format(level=LEVEL_WORDS.get(level, level)),
            _("Answering the open questions can only raise it."),
        )
    return LEVEL_WORDS.get(level, str(level)), ""


def plan_step(step: PlanStep) -> Step:
    """An action-plan step in the brief's words (the action, its priority and where it stands now)."""
    title = str(step.get("title") or "")
    goal = title[:1].lower() + title[1:]
    action = step.get("action") or (_("Make sure that {goal}").format(goal=goal) if title else "")
    outcome = step.get("outcome", "fail")
    status = OUTCOME_WORDS.get(outcome, str(outcome))
    bound = step.get("bound")
    if bound:
        status = _("{outcome}, {bound}").format(outcome=status, bound=BOUND_WORDS.get(bound, bound))
    if step.get("priority_words"):
        status = _("{priority}; now: {outcome}").format(priority=step["priority_words"], outcome=status.lower())
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
        listed = "; ".join(_cut(t, 120) for t in titles)
        if more > 0:
            listed += _("; and {n} more").format(n=more)
        items.append(
            _("State law stands in the way of: {steps}. The full report says what remains lawful.").format(steps=listed)
        )
    flags = [f for f in report.get("flags") or [] if ":" in str(f.get("id", "")) and "STATE" in str(f.get("id"))]
    if not items and flags:
        shown = flags[:MAX_STATE_ITEMS]
        items += [_cut(f"{f['title']}.", 200) for f in shown]
        if len(flags) > len(shown):
            items.append(_("And {n} more state-law notes (see the full report).").format(n=len(flags) - len(shown)))
    if not items:
        state = report.get("institution", {}).get("state")
        items.append(
            _(
                "No state-law flag was raised for {state}. The tool's table of state laws does not cover every state "
                "or every law, so ask counsel to check the state's law before adopting a policy."
            ).format(state=_label_parts(report)[1] or _state_words(state))
            if state
            else _("No state was given, so no state law was checked.")
        )
    return items


def brief(report: Report) -> Brief:
    """The brief's content for ``report`` (a detailed report, the one ``sanctuary evaluate`` gives)."""
    inst = report.get("institution", {})
    public = {True: _("public body"), False: _("private organisation"), None: ""}[inst.get("public")]
    kinds, state_words = _label_parts(report)
    about = " · ".join(
        x
        for x in (
            kinds or _type_words(inst.get("type")),
            state_words or _state_words(inst.get("state")),
            public,
            _("as of {date}").format(date=report["as_of"]),
        )
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
    asks = [*questions, *[_("Legal risk to review: {risk}").format(risk=r) for r in risks]]
    return Brief(
        name=institution_name(str(inst.get("name") or "")),
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


def more_steps_line(n: int) -> str:
    """'N more steps are in the full report.' (the brief and its PDF)."""
    return ngettext("{n} more step is in the full report.", "{n} more steps are in the full report.", n).format(n=n)


def _label_parts(report: Report) -> tuple[str, str]:
    """(institution kinds, state) in the words of the report's institution label, which the report made in its
    rules' language; ('', '') in English, whose brief keeps its own words, or when the label is not there."""
    label = str(report.get("institution_label") or "")
    name = str(report.get("institution", {}).get("name") or "")
    if current_language() == DEFAULT_LANGUAGE or not label.startswith(name + " (") or not label.endswith(")"):
        return "", ""
    parts = label[len(name) + 2 : -1].rsplit("; ", 2)
    return (parts[0], parts[1]) if len(parts) == 3 else ("", "")


def footer_lines(b: Brief) -> list[str]:
    """Closing lines: what is still open, where the rest is."""
    lines = []
    if b.unanswered:
        lines.append(
            ngettext("{n} question is still unanswered.", "{n} questions are still unanswered.", b.unanswered).format(
                n=b.unanswered
            )
        )
    lines.append(_("The full report gives each finding's reasons, sources and model clauses."))
    return lines


def markdown(report: Report) -> str:
    """The brief as Markdown, at most 70 lines."""
    from engine.report.formats.markdown import escape

    b = brief(report)
    out = [f"# {_(BRIEF_TITLE)}: {escape(b.name)}", "", f"*{escape(b.about)}*", ""]
    out += [f"**{_('Level: {level}.').format(level=escape(b.level))}** {escape(b.level_note)}".rstrip(), ""]
    if b.summary:
        out += [escape(b.summary), ""]
    out += ["## " + _("Top steps"), ""]
    if not b.steps:
        out.append(_("Nothing to fix in the answered questions."))
    for i, s in enumerate(b.steps, 1):
        out.append(f"{i}. **{escape(s.action)}** ({escape(s.status)})")
        if s.change:
            out.append("   - " + _("Change: {change}").format(change=escape(s.change)))
        if s.clause:
            out.append("   - " + _("Clause: {title}").format(title=escape(s.clause)))
    if b.more_steps:
        out.append("\n" + more_steps_line(b.more_steps))
    out += ["", "## " + _("State law"), "", *[f"- {escape(x)}" for x in b.state_law], ""]
    out += ["## " + _("Questions for counsel"), ""]
    out += [f"- {escape(q)}" for q in b.counsel] or ["- " + _(NO_COUNSEL)]
    if b.more_counsel:
        out.append("- " + _("And {n} more (see the full report).").format(n=b.more_counsel))
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
        f'<html lang="{current_language()}"><head><meta charset="utf-8">',
        f"<title>{e(_(BRIEF_TITLE))}: {e(b.name)}</title>",
        f"<style>{BRIEF_STYLE}</style></head><body><main>",
        f"<h1>{e(_(BRIEF_TITLE))}: {e(b.name)}</h1>",
        f"<p class='about'>{e(b.about)}</p>",
        f"<p class='level'><strong>{e(_('Level: {level}.').format(level=b.level))}</strong> {e(b.level_note)}</p>",
    ]
    if b.summary:
        parts.append(f"<p>{e(b.summary)}</p>")
    parts.append(f"<h2>{e(_('Top steps'))}</h2>")
    if b.steps:
        parts.append("<ol>")
        for s in b.steps:
            subs = [e(_("Change: {change}").format(change=s.change))] if s.change else []
            subs += [e(_("Clause: {title}").format(title=s.clause))] if s.clause else []
            sub = "".join(f"<br><span class='sub'>{x}</span>" for x in subs)
            parts.append(f"<li><strong>{e(s.action)}</strong> ({e(s.status)}){sub}</li>")
        parts.append("</ol>")
        if b.more_steps:
            parts.append(f"<p class='sub'>{e(more_steps_line(b.more_steps))}</p>")
    else:
        parts.append(f"<p>{e(_('Nothing to fix in the answered questions.'))}</p>")
    parts += [f"<h2>{e(_('State law'))}</h2><ul>", *[f"<li>{e(x)}</li>" for x in b.state_law], "</ul>"]
    parts.append(f"<h2>{e(_('Questions for counsel'))}</h2><ul>")
    parts += [f"<li>{e(q)}</li>" for q in b.counsel] or [f"<li>{e(_(NO_COUNSEL))}</li>"]
    if b.more_counsel:
        parts.append(f"<li>{e(_('And {n} more (see the full report).').format(n=b.more_counsel))}</li>")
    parts.append("</ul>")
    parts += [f"<p class='sub'>{e(x)}</p>" for x in footer_lines(b)]
    parts += [f"<p class='disclaimer'>{e(b.disclaimer)}</p>", "</main></body></html>"]
    return "\n".join(parts) + "\n"
