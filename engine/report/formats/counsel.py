"""The "Questions to take to counsel" list: questions answered "don't know - ask counsel".

The report keeps them under ``ask_counsel`` (engine/evaluator/evaluate.py). Every format shows them as a
short list in plain words, the question text only, so the reader can hand the list to a lawyer;
question ids appear only in the text format's detail mode.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.i18n import N_, _
from engine.report.types import Report

COUNSEL_TITLE = N_("Questions to take to counsel")
COUNSEL_INTRO = N_(
    "You answered \u201cdon't know \u2013 ask counsel\u201d to these questions. A lawyer who reads your policy "
    "can answer them; until then they count as unanswered, so the controls that use them may stay open."
)


def counsel_questions(report: Report) -> list[str]:
    """The text of each question answered "don't know - ask counsel", in report order (may be empty)."""
    return [str(item.get("text") or item.get("question")) for item in report.get("ask_counsel") or []]


def text_block(report: Report, detail: bool, wrap: Callable[..., str]) -> list[str]:
    """Text lines for the list (none when nothing was left to counsel)."""
    items = report.get("ask_counsel") or []
    if not items:
        return []
    lines = ["", _(COUNSEL_TITLE).upper(), wrap(_(COUNSEL_INTRO), "  ")]
    for item in items:
        ident = f" [{item['question']}]" if detail else ""
        lines.append(wrap(f"- {item['text']}{ident}", "  ", "    "))
    return lines


def markdown_block(report: Report, escape: Callable[[Any], str]) -> list[str]:
    """Markdown lines for the list (none when nothing was left to counsel)."""
    texts = counsel_questions(report)
    if not texts:
        return []
    return [f"## {_(COUNSEL_TITLE)}", "", escape(_(COUNSEL_INTRO)), "", *[f"- {escape(t)}" for t in texts], ""]


def html_block(report: Report, escape: Callable[[Any], str]) -> list[str]:
    """HTML parts for the list (none when nothing was left to counsel)."""
    texts = counsel_questions(report)
    if not texts:
        return []
    return [
        f"<section class='counsel'><h2 id='ask-counsel'>{escape(_(COUNSEL_TITLE))}</h2>",
        f"<p>{escape(_(COUNSEL_INTRO))}</p><ul>",
        *[f"<li>{escape(t)}</li>" for t in texts],
        "</ul></section>",
    ]
