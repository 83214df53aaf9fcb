"""Markdown report (for pasting into documents or issue trackers): the action plan first.

Control ids and rule names are left out of the main text; a closing "Technical details" table maps
each control title to its id and rule for reviewers.
"""

from __future__ import annotations

import re
from typing import Any

from engine.report.formats import counsel, notes
from engine.report.formats.common import (
    FLAG_KIND_WORDS,
    LEVEL_WORDS,
    OUTCOME_WORDS,
    because_line,
    caps_lines,
    component_words,
    finding_marks,
    finding_words,
    findings_by_component,
    flag_sources_line,
    institution_line,
    open_texts,
    source_notes,
)

_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")


def escape(text: Any) -> str:
    """Escape Markdown so user-provided text is shown literally."""
    return _SPECIAL.sub(r"\\\1", str(text))


def clause_markdown(line: str, institution_name: str | None) -> str:
    """One line of a clause as Markdown: the clause is the rules' own Markdown (bold headings, lists), so it
    renders as written, while the institution's name, the only user text in it, is escaped."""
    if not institution_name:
        return line
    return escape(institution_name).join(line.split(institution_name))


def _plan(plan: dict[str, Any] | None) -> list[str]:
    if not plan:
        return []
    out = ["## In one minute", "", escape(plan["summary"]), "", "## Action plan (most important first)", ""]
    if not plan["steps"]:
        out.append("Nothing to fix in the answered questions.")
    for step in plan["steps"]:
        out.append(
            f"{step['step']}. **{escape(step['title'])}** — {step['priority_words']}, "
            f"{OUTCOME_WORDS[step['outcome']].lower()} ({escape(step['component'])})"
        )
        if step["change_text"]:
            out.append(f"   - Change: {escape(step['change_text'])}")
        if step["clause"]:
            out.append(f"   - Clause to adopt: {escape(step['clause']['title'])} (in the draft policy)")
    if plan["risks"]:
        out += ["", "**Legal risks to review with a lawyer**", ""]
        out += [f"- {escape(r['title'])}" for r in plan["risks"]]
    return [*out, ""]


def render(report: dict[str, Any]) -> str:
    """The report as Markdown; every user-provided string is escaped."""
    out = [
        f"# Sanctuary policy evaluation: {escape(institution_line(report))}",
        "",
        f"*As of {report['as_of']} · rules {report['ruleset']['id']} {report['ruleset']['version']}*",
        "",
        f"> {escape(report['disclaimer'])}",
        "",
    ]
    out += _plan(report.get("action_plan"))
    out += [
        f"## Overall: {LEVEL_WORDS[report['overall']['level']]}",
        "",
        escape(report["overall"]["explanation"]),
        "",
        *[f"- {escape(line)}" for line in caps_lines(report)],
        "",
        *counsel.markdown_block(report, escape),
        *notes.markdown_block(report, escape),
        "| Component | Outcome | Why |",
        "|---|---|---|",
    ]
    for c in report["components"]:
        out.append(f"| {c['title']} | {escape(component_words(c))} | {escape(c['explanation'])} |")
    if report["flags"]:
        out += ["", "## Legal-risk and information flags", ""]
        for flag in report["flags"]:
            out.append(
                f"- **{FLAG_KIND_WORDS.get(flag['kind'], flag['kind'])}**: {escape(flag['title'])}. "
                f"{escape(flag['explanation'])}"
                + (f" *Sources: {escape(flag_sources_line(flag))}.*" if flag_sources_line(flag) else "")
            )
    for component, findings in findings_by_component(report):
        out += ["", f"## {component['title']}: {OUTCOME_WORDS[component['outcome']]}"]
        for f in findings:
            out += [
                "",
                f"### {escape(f['title'])}: **{escape(finding_words(f))}**",
                "",
                *([f"*{escape(', '.join(finding_marks(f)))}*", ""] if finding_marks(f) else []),
                *([f"Open: {escape(' / '.join(open_texts(f)))}", ""] if f.get("open_questions") else []),
                escape(f["explanation"]),
                "",
            ]
            for item in f["because"]:
                if item["fact"].startswith("answers."):
                    out.append(f"- {escape(because_line(item))}")
            if f["to_pass"]:
                out.append(
                    "- To pass: " + "; ".join(f"{escape(c['text'])} → **{escape(c['to'])}**" for c in f["to_pass"])
                )
            if f["recommended_clause"]:
                clause = f["recommended_clause"]
                out += ["", f"Recommended clause: {escape(clause['title'])}", ""]
                name = report["institution"].get("name")
                out += ["> " + clause_markdown(line, name) if line else ">" for line in clause["text"].splitlines()]
            out += ["", "Sources:"]
            for c in f["citations"]:
                out.append(f"- [{escape(c['title'])}]({c['url']}) ({escape('; '.join(source_notes(c)))})")
    out += ["", "## Technical details", "", "For reviewers: each control's id and the rule that decided it.", ""]
    out += ["| Control | Id | Outcome | Rule |", "|---|---|---|---|"]
    for f in report["findings"]:
        if f["outcome"] != "not_applicable":
            out.append(
                f"| {escape(f['title'])} | {f['control']} | {OUTCOME_WORDS[f['outcome']]} | `{', '.join(f['trace'])}` |"
            )
    return "\n".join(out) + "\n"
