"""Plain-text report for the terminal: the action plan first, then every control in plain words.

Control ids, flag ids and rule names are for reviewers and appear only with ``detail=True``
(``sanctuary evaluate --format text --detail``).
"""

from __future__ import annotations

import textwrap

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
from engine.vocabulary import FLAG_KIND_WORDS


def _wrap(text: str, indent: str, rest: str | None = None) -> str:
    return textwrap.fill(
        " ".join(text.split()),
        width=100,
        initial_indent=indent,
        subsequent_indent=indent if rest is None else rest,
        break_long_words=False,  # addresses stay whole so they can be copied
        break_on_hyphens=False,
    )


def _step_lines(step: Step, detail: bool) -> list[str]:
    ident = f" [{step['control']}; {', '.join(step.get('conflicts_with') or [])}]" if detail else ""
    ident = ident.replace("; ]", "]")
    lines = [_wrap(f"  {step['step']}. {step['title']}{ident}", "  ", "     ")]
    lines.append(f"     {step['priority_words']} · {step_outcome(step)} · {step['component']}")
    for law in step.get("laws") or []:
        lines += [_wrap(line, "     ", "       ") for line in law_lines(law)]
    if step["change_text"]:
        lead = _("What it would take: {change}") if step.get("laws") else _("Change: {change}")
        lines.append(_wrap(lead.format(change=step["change_text"]), "     "))
    for risk in step_risks(step):
        lines.append(_wrap(_("Legal risk: {risk}").format(risk=risk), "     "))
    if step["clause"]:
        lines.append(_wrap(clause_line(step), "     "))
    return lines


def plan_lines(plan: ActionPlan | None, detail: bool) -> list[str]:
    """The action plan as text lines (empty without a plan)."""
    if not plan:
        return []
    lines = [_("In one minute").upper(), _wrap(plan["summary"], "  "), ""]
    lines.append(_("ACTION PLAN (most important first)"))
    if not plan["steps"]:
        lines.append("  " + _("Nothing to fix in the answered questions."))
    for step in plan["steps"]:
        lines += _step_lines(step, detail)
    held = plan.get("state_law_steps") or []
    if held:
        lines += ["", _(STATE_LAW_TITLE).upper(), _wrap(_(STATE_LAW_INTRO), "  ")]
        for step in held:
            lines += _step_lines(step, detail)
    if plan["risks"]:
        lines += ["", _("Legal risks to review with a lawyer").upper()]
        for risk in plan["risks"]:
            ident = f" [{risk['id']}]" if detail else ""
            lines.append(_wrap(f"- {risk['title']}{ident}", "  ", "    "))
    return [*lines, ""]


def render(report: Report, detail: bool = False) -> str:
    """The report as wrapped plain text."""
    lines = [
        _("Sanctuary policy evaluation: {institution}").format(institution=institution_line(report)),
        _("As of {date} · rules {ruleset} {version}").format(
            date=report["as_of"], ruleset=report["ruleset"]["id"], version=report["ruleset"]["version"]
        ),
        *([_wrap(_("STATE LAW:") + " " + state_law_note(report), "", "  ")] if state_law_note(report) else []),
        "",
    ]
    lines += plan_lines(report.get("action_plan"), detail)
    lines += [
        _("OVERALL: {level}").format(level=level_words(report["overall"]).upper()),
        _wrap(report["overall"]["explanation"], "  "),
    ]
    lines += [_wrap(line, "  * ", "    ") for line in caps_lines(report)]
    lines += counsel.text_block(report, detail, _wrap)
    lines += notes.text_block(report, _wrap)
    lines += ["", _("COMPONENTS")]
    for component in report["components"]:
        lines.append(f"  {component['title']:<18} {component_words(component)}")
        lines.append(_wrap(component["explanation"], "      "))
    if report["flags"]:
        lines += ["", _("LEGAL-RISK AND INFORMATION FLAGS (separate from the verdicts)")]
        for flag in report["flags"]:
            ident = f" {flag['id']} [{', '.join(flag['controls'])}]" if detail else ""
            lines.append(f"  {FLAG_KIND_WORDS.get(flag['kind'], flag['kind'])}{ident}: {flag['title']}")
            lines.append(_wrap(flag["explanation"], "      "))
            if flag_sources_line(flag):
                lines.append(_wrap(_("sources: {sources}").format(sources=flag_sources_line(flag)), "      "))
    for component, findings in findings_by_component(report):
        lines += ["", f"{component['title'].upper()} — {finding_words(component)}"]
        for f in findings:
            ident = f"{f['control']} " if detail else ""
            marks = "".join(f" ({m})" for m in finding_marks(f))
            lines.append(f"  [{finding_words(f).upper()}] {ident}{f['title']}{marks}")
            if f.get("open_questions"):
                lines.append(_wrap(_("open: {questions}").format(questions=" / ".join(open_texts(f))), "      "))
            lines.append(_wrap(f["explanation"], "      "))
            for item in f["because"]:
                if item["fact"].startswith("answers."):
                    lines.append(_wrap(_("because: {reason}").format(reason=because_line(item)), "      "))
            if f["to_pass"]:
                change = "; ".join(f"{c['text']} -> {c['to']}" for c in f["to_pass"])
                lines.append(_wrap(_("to pass: {changes}").format(changes=change), "      "))
            if f["recommended_clause"]:
                clause_id = f" {f['recommended_clause']['id']}" if detail else ""
                title = f["recommended_clause"]["title"]
                lines.append("      " + _("recommended clause{id}: {title}").format(id=clause_id, title=title))
            if detail:
                lines.append("      " + _("rule: {rules}").format(rules=", ".join(f["trace"])))
            for c in f["citations"]:
                source = _("source: {title} — {url} ({notes})").format(
                    title=c["title"], url=c["url"], notes="; ".join(source_notes(c))
                )
                lines.append(_wrap(source, "      "))
    lines += ["", _wrap(_("DISCLAIMER:") + " " + report["disclaimer"], "")]
    return "\n".join(lines) + "\n"
