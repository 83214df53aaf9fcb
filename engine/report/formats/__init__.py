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


def render(report: dict[str, Any], fmt: str) -> str:
    """Render a report in one of FORMATS."""
    if fmt == "json":
        return json.dumps(report, indent=2, ensure_ascii=False) + "\n"
    return {"text": text.render, "markdown": markdown.render, "html": html.render}[fmt](report)
