"""The "Answers not used" note: answers given to questions the other answers skip (``ask_when``).

The report keeps them under ``ignored_answers`` (engine/evaluator/evaluate.py); every format says which they are and
why they were left out, so an answer is never dropped silently.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.i18n import N_, _
from engine.report.types import Report

IGNORED_TITLE = N_("Answers not used")
IGNORED_INTRO = N_("These answers were left out because an earlier answer means the question does not apply.")


def ignored_lines(report: Report) -> list[str]:
    """One sentence per ignored answer: the question, the answer and when the question is asked."""
    return [
        _("{question} (answered: {answer}). {note}").format(
            question=item["text"], answer=item["answer"], note=item["note"]
        )
        for item in report.get("ignored_answers") or []
    ]


def text_block(report: Report, wrap: Callable[..., str]) -> list[str]:
    """Text lines (none when every answer was used)."""
    lines = ignored_lines(report)
    if not lines:
        return []
    return ["", _(IGNORED_TITLE).upper(), wrap(_(IGNORED_INTRO), "  "), *[wrap(f"- {x}", "  ", "    ") for x in lines]]


def markdown_block(report: Report, escape: Callable[[Any], str]) -> list[str]:
    """Markdown lines (none when every answer was used)."""
    lines = ignored_lines(report)
    if not lines:
        return []
    return [f"## {_(IGNORED_TITLE)}", "", escape(_(IGNORED_INTRO)), "", *[f"- {escape(x)}" for x in lines], ""]


def html_block(report: Report, escape: Callable[[Any], str]) -> list[str]:
    """HTML parts (none when every answer was used)."""
    lines = ignored_lines(report)
    if not lines:
        return []
    return [
        f"<section class='ignored'><h2>{escape(_(IGNORED_TITLE))}</h2><p>{escape(_(IGNORED_INTRO))}</p><ul>",
        *[f"<li>{escape(x)}</li>" for x in lines],
        "</ul></section>",
    ]
