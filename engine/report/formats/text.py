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
        lines.append(_wrap(("What it would take: " if step.get("laws") else "Change: ") + step["change_text"], "     "))
    for risk in step_risks(step):
        lines.append(_wrap(f"Legal risk: {risk}", "     "))
    if step["clause"]:
        lines.append(_wrap(clause_line(step), "     "))
    return lines


def plan_lines(plan: ActionPlan | None, detail: bool) -> list[str]:
    """The action plan as text lines (empty without a plan)."""
    if not plan:
        return []
    lines = ["IN ONE MINUTE", _wrap(plan["summary"], "  "), "", "ACTION PLAN (most important first)"]
    if not plan["steps"]:
        lines.append("  Nothing to fix in the answered questions.")
    for step in plan["steps"]:
        lines += _step_lines(step, detail)
    held = plan.get("state_law_steps") or []
    if held:
        lines += ["", _(STATE_LAW_TITLE).upper(), _wrap(_(STATE_LAW_INTRO), "  ")]
        for step in held:
            lines += _step_lines(step, detail)
    if plan["risks"]:
        lines += ["", "LEGAL RISKS TO REVIEW WITH A LAWYER"]
        for risk in plan["risks"]:
            ident = f" [{risk['id']}]" if detail else ""
            lines.append(_wrap(f"- {risk['title']}{ident}", "  ", "    "))
    return [*lines, ""]


def render(report: Report, detail: bool = False) -> str:
    """The report as wrapped plain text."""
    lines = [
        f"Sanctuary policy evaluation: {institution_line(report)}",
        f"As of {report['as_of']} · rules {report['ruleset']['id']} {report['ruleset']['version']}",
        *([_wrap("STATE LAW: " + state_law_note(report), "", "  ")] if state_law_note(report) else []),
        "",
    ]
    lines += plan_lines(report.get("action_plan"), detail)
    lines += [
        f"OVERALL: {level_words(report['overall']).upper()}",
        _wrap(report["overall"]["explanation"], "  "),
    ]
    lines += [_wrap(line, "  * ", "    ") for line in caps_lines(report)]
    lines += counsel.text_block(report, detail, _wrap)
    lines += notes.text_block(report, _wrap)
    lines += ["", "COMPONENTS"]
    for component in report["components"]:
        lines.append(f"  {component['title']:<18} {component_words(component)}")
        lines.append(_wrap(component["explanation"], "      "))
    if report["flags"]:
        lines += ["", "LEGAL-RISK AND INFORMATION FLAGS (separate from the verdicts)"]
        for flag in report["flags"]:
            ident = f" {flag['id']} [{', '.join(flag['controls'])}]" if detail else ""
            lines.append(f"  {FLAG_KIND_WORDS.get(flag['kind'], flag['kind'])}{ident}: {flag['title']}")
            lines.append(_wrap(flag["explanation"], "      "))
            if flag_sources_line(flag):
                lines.append(_wrap("sources: " + flag_sources_line(flag), "      "))
    for component, findings in findings_by_component(report):
        lines += ["", f"{component['title'].upper()} — {finding_words(component)}"]
        for f in findings:
            ident = f"{f['control']} " if detail else ""
            marks = "".join(f" ({m})" for m in finding_marks(f))
            lines.append(f"  [{finding_words(f).upper()}] {ident}{f['title']}{marks}")
            if f.get("open_questions"):
                lines.append(_wrap("open: " + " / ".join(open_texts(f)), "      "))
            lines.append(_wrap(f["explanation"], "      "))
            for item in f["because"]:
                if item["fact"].startswith("answers."):
                    lines.append(_wrap("because: " + because_line(item), "      "))
            if f["to_pass"]:
                change = "; ".join(f"{c['text']} -> {c['to']}" for c in f["to_pass"])
                lines.append(_wrap("to pass: " + change, "      "))
            if f["recommended_clause"]:
                clause_id = f" {f['recommended_clause']['id']}" if detail else ""
                lines.append(f"      recommended clause{clause_id}: {f['recommended_clause']['title']}")
            if detail:
                lines.append(f"      rule: {', '.join(f['trace'])}")
            for c in f["citations"]:
                lines.append(_wrap(f"source: {c['title']} — {c['url']} ({'; '.join(source_notes(c))})", "      "))
    lines += ["", _wrap("DISCLAIMER: " + report["disclaimer"], "")]
    return "\n".join(lines) + "\n"
