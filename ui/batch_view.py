"""What the Batch page shows, in words: ids from the rules and the results CSV become titles and labels.

The downloaded CSV keeps the ids (scripts and pivot tables read them); the page never shows them. No
Streamlit import here, so a property test can check every string these functions make.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from engine import LEVEL_WORDS, N_, NOT_EVALUATED, OUTCOME_WORDS, Ruleset, _

LIST_SEPARATOR = "|"
# Results-CSV column -> (header on the page, what it holds, or "" when the header says it all). English ids for
# translation (N_): the page shows them through ``column_labels``, in the session's language.
COLUMN_LABELS = {
    "line": (N_("File line"), N_("The row's line in the uploaded file; the header is line 1")),
    "respondent_id": (N_("Respondent"), ""),
    "institution_name": (N_("Institution"), ""),
    "institution_type": (N_("Type"), N_("Institution types, several separated by commas")),
    "state": (N_("State"), ""),
    "public": (N_("Public body"), ""),
    "overall_level": (N_("Overall level"), ""),
    "provisional": (N_("Provisional"), N_("Components whose verdict rests on too few decided controls")),
    "flags": (N_("Legal risks and notes"), N_("Legal-risk and information flags raised")),
    "error": (N_("Problem"), N_("Why the row could not be evaluated; empty when it was")),
    "duplicate_of": (N_("Same as row"), N_("The earlier row this one repeats")),
}


def _words(text: str) -> str:
    return _(text) if text else ""


# An id as the rules and the CSV write it: snake_case, or upper-case words joined by hyphens.
ID_PATTERN = re.compile(r"\b(?:[a-z][a-z0-9]*(?:_[a-z0-9]+)+|[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+(?::[A-Z0-9-]+)?)\b")
_QUOTED = re.compile(r"('[^']*'|\"[^\"]*\")")


def id_words(ruleset: Ruleset) -> dict[str, str]:
    """Every id a person might meet in a message or a cell, and the words to show instead."""
    words: dict[str, str] = {}
    words.update({column: _(label) for column, (label, _about) in COLUMN_LABELS.items()})
    words.update({o: _(w) for o, w in OUTCOME_WORDS.items()})
    words.update({lvl: _(w) for lvl, w in LEVEL_WORDS.items()})
    words.update({cid: meta.get("title", cid) for cid, meta in ruleset.components.items()})
    words.update({tid: meta.get("title", tid) for tid, meta in ruleset.institution_types.items()})
    words.update({cid: control.title for cid, control in ruleset.controls.items()})
    words.update({f"control:{cid}": control.title for cid, control in ruleset.controls.items()})
    words.update({fid: _title(flag) for fid, flag in ruleset.flags.items()})
    words.update({qid: _('the question "{text}"').format(text=q.text) for qid, q in ruleset.questions.items()})
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
            view[column] = view[column].map(lambda v: words.get(str(v), str(v)))
        elif name in ruleset.components or name.startswith("control:"):
            view[column] = view[column].map(lambda v: _(OUTCOME_WORDS[str(v)]) if str(v) in OUTCOME_WORDS else str(v))
        elif name == "error":
            view[column] = view[column].map(lambda v: plain_words(v, words) if str(v).strip() else "")
    return view


def column_labels(columns: list[str], ruleset: Ruleset) -> dict[str, tuple[str, str]]:
    """Header and help for each results column the page shows (components and controls by title)."""
    labels: dict[str, tuple[str, str]] = {}
    for column in columns:
        control_id = column.removeprefix("control:")
        if column in COLUMN_LABELS:
            label, about = COLUMN_LABELS[column]
            labels[column] = (_(label), _words(about))
        elif column in ruleset.components:
            labels[column] = (ruleset.components[column].get("title", column), _("Component verdict"))
        elif control_id != column and control_id in ruleset.controls:
            labels[column] = (ruleset.controls[control_id].title, _("Control verdict"))
    return labels


def errors_view(frame: pd.DataFrame, ruleset: Ruleset) -> pd.DataFrame:
    """The rows that could not be evaluated: line, respondent, institution and the reason in words."""
    bad = frame[frame["error"].astype(str).str.strip() != ""]
    words = id_words(ruleset)
    return pd.DataFrame(
        {
            _("File line"): bad["line"].tolist(),
            _("Respondent"): bad["respondent_id"].astype(str).tolist() if "respondent_id" in bad else "",
            _("Institution"): bad["institution_name"].astype(str).tolist() if "institution_name" in bad else "",
            _("Problem"): [plain_words(e, words) for e in bad["error"].astype(str)],
        }
    )


def levels_line(overall: dict[str, int]) -> str:
    """'Overall levels: Strong 6, Developing 12, Could not be evaluated 2.'"""
    parts = [f"{_(LEVEL_WORDS.get(k, NOT_EVALUATED))}: {v}" for k, v in overall.items() if v]
    return _("Overall levels: {levels}.").format(levels=", ".join(parts) or _("none yet"))


def most_failed_view(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """'Controls most often failed' with word headers and no control ids."""
    headers = {  # summary field -> column header
        "title": _("Control"),
        "fail": _("Fail"),
        "partial": _("Partial"),
        # Bounds are counted apart: blanks leave those respondents open, and "at most partial" may yet be a fail.
        "at_least_partial": _("At least partial (open)"),
        "at_most_partial": _("At most partial (open)"),
        "applicable": _("Applies to"),
    }
    return pd.DataFrame(rows).reindex(columns=list(headers), fill_value=0).rename(columns=headers)


def type_options(frame: pd.DataFrame, ruleset: Ruleset) -> list[str]:
    """The institution types present in the results (ids, shown by title), in the rules' order."""
    present = {t for value in frame["institution_type"].astype(str) for t in value.split(LIST_SEPARATOR) if t}
    return [t for t in ruleset.institution_types if t in present]
