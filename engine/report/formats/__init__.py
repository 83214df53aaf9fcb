"""Report renderers, one module per output format: text, markdown, html (json is the dict itself)."""

from __future__ import annotations

import json
from typing import Any

from engine.report.formats import html, markdown, text

FORMATS = ("text", "json", "markdown", "html")
OUTCOME_LABELS = {
    "pass": "PASS",
    "partial": "PARTIAL",
    "fail": "FAIL",
    "not_answered": "NOT ANSWERED",
    "not_applicable": "NOT APPLICABLE",
    "not_in_force": "NOT IN FORCE",
}


def render(report: dict[str, Any], fmt: str, detail: bool = False) -> str:
    """Render a report in one of FORMATS.

    ``detail`` adds control ids, flag ids and rule names to the text format (they are always in the
    JSON, in the Markdown's closing table and in the HTML's closed "Details" blocks).
    """
    if fmt == "json":
        return json.dumps(report, indent=2, ensure_ascii=False) + "\n"
    if fmt == "text":
        return text.render(report, detail=detail)
    return {"markdown": markdown.render, "html": html.render}[fmt](report)
