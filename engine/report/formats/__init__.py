"""Report renderers, one module per output format: text, markdown, html, the one-page brief (Markdown or HTML)
and PDF of either (json is the dict itself)."""

from __future__ import annotations

import json
from pathlib import PurePath

from engine.report.formats import brief, html, markdown, text
from engine.report.types import Report

FORMATS = ("text", "json", "markdown", "html", "brief", "brief-html", "pdf", "brief-pdf")
BINARY_FORMATS = ("pdf", "brief-pdf")
# ``-o FILE`` without --format: the format its suffix names (with --format brief, .html and .pdf pick the brief's).
SUFFIX_FORMATS = {".json": "json", ".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html"}
SUFFIX_FORMATS |= {".pdf": "pdf", ".txt": "text"}
BRIEF_SUFFIX_FORMATS = {".html": "brief-html", ".htm": "brief-html", ".pdf": "brief-pdf"}


def output_format(fmt: str | None, output: str | None) -> str:
    """The format to write: ``--format`` as given, else the one the output file's suffix names, else text.

    ``--format brief`` with ``-o brief.html`` or ``-o brief.pdf`` gives the brief as HTML or PDF.
    """
    suffix = PurePath(output).suffix.lower() if output else ""
    if fmt == "brief":
        return BRIEF_SUFFIX_FORMATS.get(suffix, "brief")
    return fmt or SUFFIX_FORMATS.get(suffix, "text")


def render_output(report: Report, fmt: str, detail: bool = False) -> str | bytes:
    """Render in any of FORMATS: text for most, bytes for the PDF ones."""
    if fmt == "pdf":
        from engine.report.formats.pdf import report_pdf

        return report_pdf(report)
    if fmt == "brief-pdf":
        from engine.report.formats.pdf import brief_pdf

        return brief_pdf(report)
    return render(report, fmt, detail)


def render(report: Report, fmt: str, detail: bool = False) -> str:
    """Render a report in one of the text FORMATS (PDF: ``render_output``).

    ``detail`` adds control ids, flag ids and rule names to the text format (they are always in the
    JSON, in the Markdown's closing table and in the HTML's closed "Details" blocks).
    """
    if fmt in BINARY_FORMATS:
        raise ValueError(f"{fmt} is a binary format; use render_output")
    if fmt == "brief":
        return brief.markdown(report)
    if fmt == "brief-html":
        return brief.html(report)
    if fmt == "json":
        return json.dumps(report, indent=2, ensure_ascii=False) + "\n"
    if fmt == "text":
        return text.render(report, detail=detail)
    return {"markdown": markdown.render, "html": html.render}[fmt](report)
