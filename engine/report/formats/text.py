"""Plain-text report for the terminal."""

from __future__ import annotations

import textwrap
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


def _wrap(text: str, indent: str) -> str:
    return textwrap.fill(" ".join(text.split()), width=100, initial_indent=indent, subsequent_indent=indent)


def render(report: dict[str, Any]) -> str:
    """The report as wrapped plain text."""
    lines = [
        f"Sanctuary policy evaluation: {institution_line(report)}",
        f"As of {report['as_of']} · rules {report['ruleset']['id']} {report['ruleset']['version']}",
        "",
        f"OVERALL: {LEVEL_WORDS[report['overall']['level']].upper()}",
        _wrap(report["overall"]["explanation"], "  "),
    ]
    lines += [_wrap(line, "  * ") for line in caps_lines(report)]
    lines += ["", "COMPONENTS"]
    for component in report["components"]:
        lines.append(f"  {component['title']:<18} {component_words(component)}")
        lines.append(_wrap(component["explanation"], "      "))
    if report["flags"]:
        lines += ["", "LEGAL-RISK AND INFORMATION FLAGS (separate from the verdicts)"]
        for flag in report["flags"]:
            controls = f" [{', '.join(flag['controls'])}]" if flag["controls"] else ""
            lines.append(f"  {flag['kind'].upper()} {flag['id']}{controls}: {flag['title']}")
            lines.append(_wrap(flag["explanation"], "      "))
    for component, findings in findings_by_component(report):
        lines += ["", f"{component['title'].upper()} — {OUTCOME_WORDS[component['outcome']]}"]
        for f in findings:
            marks = "".join(f" ({m})" for m in finding_marks(f))
            lines.append(f"  [{finding_words(f).upper()}] {f['control']}{marks} {f['title']}")
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
                lines.append(
                    f"      recommended clause {f['recommended_clause']['id']}: {f['recommended_clause']['title']}"
                )
            lines.append(f"      rule: {', '.join(f['trace'])}")
            for c in f["citations"]:
                mark = "" if c["quality"] == "primary" else f" [{c['quality']}]"
                lines.append(f"      source: {c['title']}{mark} — {c['url']} (checked {c['last_verified']})")
    lines += ["", _wrap("DISCLAIMER: " + report["disclaimer"], "")]
    return "\n".join(lines) + "\n"
