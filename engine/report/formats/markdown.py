"""Markdown report (for pasting into documents or issue trackers)."""

from __future__ import annotations

import re
from typing import Any

from engine.report.formats.common import (
    LEVEL_WORDS,
    OUTCOME_WORDS,
    because_line,
    caps_lines,
    component_words,
    finding_marks,
    finding_words,
    findings_by_component,
    institution_line,
    open_texts,
)

_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")


def escape(text: Any) -> str:
    """Escape Markdown so user-provided text is shown literally."""
    return _SPECIAL.sub(r"\\\1", str(text))


def render(report: dict[str, Any]) -> str:
    """The report as Markdown; every user-provided string is escaped."""
    out = [
        f"# Sanctuary policy evaluation: {escape(institution_line(report))}",
        "",
        f"*As of {report['as_of']} · rules {report['ruleset']['id']} {report['ruleset']['version']}*",
        "",
        f"> {escape(report['disclaimer'])}",
        "",
        f"## Overall: {LEVEL_WORDS[report['overall']['level']]}",
        "",
        escape(report["overall"]["explanation"]),
        "",
        *[f"- {escape(line)}" for line in caps_lines(report)],
        "",
        "| Component | Outcome | Why |",
        "|---|---|---|",
    ]
    for c in report["components"]:
        out.append(f"| {c['title']} | {escape(component_words(c))} | {escape(c['explanation'])} |")
    if report["flags"]:
        out += ["", "## Legal-risk and information flags", ""]
        for flag in report["flags"]:
            controls = f" ({', '.join(flag['controls'])})" if flag["controls"] else ""
            out.append(
                f"- **{flag['kind'].upper()} {escape(flag['id'])}**{controls}: {escape(flag['title'])}. "
                f"{escape(flag['explanation'])}"
            )
    for component, findings in findings_by_component(report):
        out += ["", f"## {component['title']}: {OUTCOME_WORDS[component['outcome']]}"]
        for f in findings:
            out += [
                "",
                f"### {f['control']} — {escape(f['title'])}: **{escape(finding_words(f))}**",
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
            out.append(f"- Rule: `{', '.join(f['trace'])}`")
            if f["recommended_clause"]:
                clause = f["recommended_clause"]
                out += ["", f"Recommended clause ({clause['id']}, {escape(clause['title'])}):", ""]
                out += ["> " + escape(line) if line else ">" for line in clause["text"].splitlines()]
            out += ["", "Sources:"]
            for c in f["citations"]:
                mark = "" if c["quality"] == "primary" else f" ({c['quality']})"
                out.append(f"- [{escape(c['title'])}]({c['url']}){mark}, last verified {c['last_verified']}")
    return "\n".join(out) + "\n"
