"""Markdown report (for pasting into documents or issue trackers): the action plan first.

Control ids and rule names are left out of the main text; a closing "Technical details" table maps
each control title to its id and rule for reviewers.
"""

from __future__ import annotations

import re
from typing import Any

from engine.i18n import _
from engine.report.formats import counsel, notes
from engine.report.formats.common import (
    STATE_LAW_INTRO,
    STATE_LAW_TITLE,
    because_line,
    caps_lines,
    clause_line,
    component_words,
    finding_marks,
    finding_words,
    findings_by_component,
    flag_sources_line,
    institution_line,
    law_lines,
    level_words,
    open_texts,
    source_notes,
    state_law_note,
    step_outcome,
    step_risks,
)
from engine.report.types import ActionPlan, Report, Step
from engine.vocabulary import FLAG_KIND_WORDS, OUTCOME_WORDS, institution_name

_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")


_LINE_BREAKS = re.compile(r"\r\n|[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]")
# "scheme://": a viewer that links bare URLs (GitHub's Markdown) would make a link of a name or answer.
_URL_SCHEME = re.compile(r"(?i)\b([a-z][a-z0-9+.-]{0,30}):(?=//)")


def escape(text: Any) -> str:
    """Escape Markdown so user-provided text is shown literally, on the line it was put on.

    A line break would let text start a heading, a list, a code block or a table row of its own (or underline the
    line before it into a heading), so breaks become spaces; a URL's ``scheme:`` is escaped so it is not linked.
    """
    flat = _LINE_BREAKS.sub(" ", str(text))
    return _URL_SCHEME.sub(r"\1\\:", _SPECIAL.sub(r"\\\1", flat))


def clause_markdown(line: str, institution_name: str | None) -> str:
    """One line of a clause as Markdown: the clause is the rules' own Markdown (bold headings, lists), so it
    renders as written, while the institution's name, the only user text in it, is escaped."""
    if not institution_name:
        return line
    return escape(institution_name).join(line.split(institution_name))


def _step(step: Step) -> list[str]:
    out = [
        f"{step['step']}. **{escape(step['title'])}** — {step['priority_words']}, "
        f"{escape(step_outcome(step).lower())} ({escape(step['component'])})"
    ]
    for law in step.get("laws") or []:
        out += [f"   - {escape(line)}" for line in law_lines(law)]
    if step["change_text"]:
        lead = _("What it would take: {change}") if step.get("laws") else _("Change: {change}")
        out.append("   - " + lead.format(change=escape(step["change_text"])))
    out += ["   - " + _("Legal risk: {risk}").format(risk=escape(risk)) for risk in step_risks(step)]
    if step["clause"]:
        out.append(f"   - {escape(clause_line(step))}")
    return out


def _plan(plan: ActionPlan | None) -> list[str]:
    if not plan:
        return []
    out = [
        "## " + _("In one minute"),
        "",
        escape(plan["summary"]),
        "",
        "## " + _("Action plan (most important first)"),
        "",
    ]
    if not plan["steps"]:
        out.append(_("Nothing to fix in the answered questions."))
    for step in plan["steps"]:
        out += _step(step)
    held = plan.get("state_law_steps") or []
    if held:
        out += ["", f"## {_(STATE_LAW_TITLE)}", "", escape(_(STATE_LAW_INTRO)), ""]
        for step in held:
            out += _step(step)
    if plan["risks"]:
        out += ["", "**" + _("Legal risks to review with a lawyer") + "**", ""]
        out += [f"- {escape(r['title'])}" for r in plan["risks"]]
    return [*out, ""]


def _ruleset(report: Report) -> dict[str, str]:
    return {"ruleset": report["ruleset"]["id"], "version": report["ruleset"]["version"]}


def render(report: Report) -> str:
    """The report as Markdown; every user-provided string is escaped."""
    out = [
        "# " + _("Sanctuary policy evaluation: {institution}").format(institution=escape(institution_line(report))),
        "",
        "*" + _("As of {date} · rules {ruleset} {version}").format(date=report["as_of"], **_ruleset(report)) + "*",
        "",
        f"> {escape(report['disclaimer'])}",
        "",
        *(["**" + _("State law:") + f"** {escape(state_law_note(report))}", ""] if state_law_note(report) else []),
    ]
    out += _plan(report.get("action_plan"))
    out += [
        "## " + _("Overall: {level}").format(level=level_words(report["overall"])),
        "",
        escape(report["overall"]["explanation"]),
        "",
        *[f"- {escape(line)}" for line in caps_lines(report)],
        "",
        *counsel.markdown_block(report, escape),
        *notes.markdown_block(report, escape),
        "| " + " | ".join((_("Component"), _("Outcome"), _("Why"))) + " |",
        "|---|---|---|",
    ]
    for c in report["components"]:
        out.append(f"| {c['title']} | {escape(component_words(c))} | {escape(c['explanation'])} |")
    if report["flags"]:
        out += ["", "## " + _("Legal-risk and information flags"), ""]
        for flag in report["flags"]:
            sources = flag_sources_line(flag)
            out.append(
                f"- **{FLAG_KIND_WORDS.get(flag['kind'], flag['kind'])}**: {escape(flag['title'])}. "
                f"{escape(flag['explanation'])}"
                + (" *" + _("Sources: {sources}.").format(sources=escape(sources)) + "*" if sources else "")
            )
    for component, findings in findings_by_component(report):
        out += ["", f"## {component['title']}: {finding_words(component)}"]
        for f in findings:
            out += [
                "",
                f"### {escape(f['title'])}: **{escape(finding_words(f))}**",
                "",
                *([f"*{escape(', '.join(finding_marks(f)))}*", ""] if finding_marks(f) else []),
                *(
                    [_("Open: {questions}").format(questions=escape(" / ".join(open_texts(f)))), ""]
                    if f.get("open_questions")
                    else []
                ),
                escape(f["explanation"]),
                "",
            ]
            for item in f["because"]:
                if item["fact"].startswith("answers."):
                    out.append(f"- {escape(because_line(item))}")
            if f["to_pass"]:
                changes = "; ".join(f"{escape(c['text'])} → **{escape(c['to'])}**" for c in f["to_pass"])
                out.append("- " + _("To pass: {changes}").format(changes=changes))
            if f["recommended_clause"]:
                clause = f["recommended_clause"]
                out += ["", _("Recommended clause: {title}").format(title=escape(clause["title"])), ""]
                name = institution_name(report["institution"].get("name"))
                out += ["> " + clause_markdown(line, name) if line else ">" for line in clause["text"].splitlines()]
            out += ["", _("Sources:")]
            for cite in f["citations"]:
                out.append(f"- [{escape(cite['title'])}]({cite['url']}) ({escape('; '.join(source_notes(cite)))})")
    out += [
        "",
        "## " + _("Technical details"),
        "",
        _("For reviewers: each control's id and the rule that decided it."),
        "",
    ]
    out += ["| " + " | ".join((_("Control"), _("Id"), _("Outcome"), _("Rule"))) + " |", "|---|---|---|---|"]
    for f in report["findings"]:
        if f["outcome"] != "not_applicable":
            out.append(
                f"| {escape(f['title'])} | {f['control']} | {OUTCOME_WORDS[f['outcome']]} | `{', '.join(f['trace'])}` |"
            )
    return "\n".join(out) + "\n"
