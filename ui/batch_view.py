"""What the Batch page shows, in words: ids from the rules and the results CSV become titles and labels.

The downloaded CSV keeps the ids (scripts and pivot tables read them); the page never shows them. No
Streamlit import here, so a property test can check every string these functions make.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from engine import LEVEL_WORDS, NOT_EVALUATED, OUTCOME_WORDS, Ruleset

LIST_SEPARATOR = "|"
# Results-CSV column -> (header on the page, what it holds, or "" when the header says it all).
COLUMN_LABELS = {
    "line": ("File line", "The row's line in the uploaded file; the header is line 1"),
    "respondent_id": ("Respondent", ""),
    "institution_name": ("Institution", ""),
    "institution_type": ("Type", "Institution types, several separated by commas"),
    "state": ("State", ""),
    "public": ("Public body", ""),
    "overall_level": ("Overall level", ""),
    "provisional": ("Provisional", "Components whose verdict rests on too few decided controls"),
    "flags": ("Legal risks and notes", "Legal-risk and information flags raised"),
    "error": ("Problem", "Why the row could not be evaluated; empty when it was"),
    "duplicate_of": ("Same as row", "The earlier row this one repeats"),
}
# An id as the rules and the CSV write it: snake_case, or upper-case words joined by hyphens.
ID_PATTERN = re.compile(r"\b(?:[a-z][a-z0-9]*(?:_[a-z0-9]+)+|[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+(?::[A-Z0-9-]+)?)\b")
_QUOTED = re.compile(r"('[^']*'|\"[^\"]*\")")


def id_words(ruleset: Ruleset) -> dict[str, str]:
    """Every id a person might meet in a message or a cell, and the words to show instead."""
    words: dict[str, str] = {}
    words.update({column: label for column, (label, _) in COLUMN_LABELS.items()})
    words.update({o: w for o, w in OUTCOME_WORDS.items()})
    words.update({lvl: w for lvl, w in LEVEL_WORDS.items()})
    words.update({cid: meta.get("title", cid) for cid, meta in ruleset.components.items()})
    words.update({tid: meta.get("title", tid) for tid, meta in ruleset.institution_types.items()})
    words.update({cid: control.title for cid, control in ruleset.controls.items()})
    words.update({f"control:{cid}": control.title for cid, control in ruleset.controls.items()})
    words.update({fid: _title(flag) for fid, flag in ruleset.flags.items()})
    words.update({qid: f'the question "{q.text}"' for qid, q in ruleset.questions.items()})
    return words


def _title(item: Any) -> str:
    return str(getattr(item, "title", None) or (item.get("title") if isinstance(item, dict) else item))


def plain_words(message: object, words: dict[str, str]) -> str:
    """A message with its ids replaced by titles; quoted text (what the person wrote) is left as it is."""
    parts = _QUOTED.split(str(message))
    for i in range(0, len(parts), 2):  # even parts lie outside quotes
        parts[i] = ID_PATTERN.sub(lambda m: words.get(m.group(0), m.group(0)), parts[i])
        parts[i] = re.sub(r"\bcontrol:([A-Z][A-Z0-9-]+)", lambda m: words.get(m.group(1), m.group(0)), parts[i])
    return "".join(parts)


def _list_words(value: object, words: dict[str, str]) -> str:
    items = [v for v in str(value).split(LIST_SEPARATOR) if v]
    return ", ".join(words.get(v, v) for v in items)


def results_view(frame: pd.DataFrame, ruleset: Ruleset) -> pd.DataFrame:
    """The results table with words in every cell (types, levels, outcomes, flags, problems)."""
    words = id_words(ruleset)
    view = frame.copy()
    for column in view.columns:
        name = str(column)
        if name in ("institution_type", "provisional", "flags"):
            view[column] = view[column].map(lambda v: _list_words(v, words))
        elif name == "overall_level":
            view[column] = view[column].map(lambda v: LEVEL_WORDS.get(str(v), str(v)))
        elif name in ruleset.components or name.startswith("control:"):
            view[column] = view[column].map(lambda v: OUTCOME_WORDS.get(str(v), str(v)))
        elif name == "error":
            view[column] = view[column].map(lambda v: plain_words(v, words) if str(v).strip() else "")
    return view


def column_labels(columns: list[str], ruleset: Ruleset) -> dict[str, tuple[str, str]]:
    """Header and help for each results column the page shows (components and controls by title)."""
    labels: dict[str, tuple[str, str]] = {}
    for column in columns:
        control_id = column.removeprefix("control:")
        if column in COLUMN_LABELS:
            labels[column] = COLUMN_LABELS[column]
        elif column in ruleset.components:
            labels[column] = (ruleset.components[column].get("title", column), "Component verdict")
        elif control_id != column and control_id in ruleset.controls:
            labels[column] = (ruleset.controls[control_id].title, "Control verdict")
    return labels


def errors_view(frame: pd.DataFrame, ruleset: Ruleset) -> pd.DataFrame:
    """The rows that could not be evaluated: line, respondent, institution and the reason in words."""
    bad = frame[frame["error"].astype(str).str.strip() != ""]
    words = id_words(ruleset)
    return pd.DataFrame(
        {
            "File line": bad["line"].tolist(),
            "Respondent": bad["respondent_id"].astype(str).tolist() if "respondent_id" in bad else "",
            "Institution": bad["institution_name"].astype(str).tolist() if "institution_name" in bad else "",
            "Problem": [plain_words(e, words) for e in bad["error"].astype(str)],
        }
    )


def levels_line(overall: dict[str, int]) -> str:
    """'Overall levels: Strong 6, Developing 12, Could not be evaluated 2.'"""
    parts = [f"{LEVEL_WORDS.get(k, NOT_EVALUATED)}: {v}" for k, v in overall.items() if v]
    return f"Overall levels: {', '.join(parts) or 'none yet'}."


def most_failed_view(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """'Controls most often failed' with word headers and no control ids."""
    headers = {  # summary field -> column header
        "title": "Control",
        "fail": "Fail",
        "partial": "Partial",
        # Bounds are counted apart: blanks leave those respondents open, and "at most partial" may yet be a fail.
        "at_least_partial": "At least partial (open)",
        "at_most_partial": "At most partial (open)",
        "applicable": "Applies to",
    }
    return pd.DataFrame(rows).reindex(columns=list(headers), fill_value=0).rename(columns=headers)


def type_options(frame: pd.DataFrame, ruleset: Ruleset) -> list[str]:
    """The institution types present in the results (ids, shown by title), in the rules' order."""
    present = {t for value in frame["institution_type"].astype(str) for t in value.split(LIST_SEPARATOR) if t}
    return [t for t in ruleset.institution_types if t in present]
