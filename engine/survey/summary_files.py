"""The batch summary as JSON, as one CSV table, or as an .xlsx workbook with one sheet per view.

The JSON's keys and the CSV's column names (view, group, id, measure, value) are the same in every language;
sheet names, view titles, measures and headings are in the run's language (``--lang es``).

``--summary summary.json`` (or any other name) writes the JSON document; ``.csv`` a long table
(view, group, measure, value) ready for a pivot table; ``.xlsx`` a workbook with one sheet per view: Overview,
Components, By institution type, By state, Controls most failed, Flags, Problems. Every text cell is
spreadsheet-safe: in the CSV through ``engine/csv_safe.py``; in the workbook each one is stored as text (never a
formula), and one that starts like a formula is also marked to show as typed.
"""

from __future__ import annotations

import io
import json
from pathlib import PurePath
from typing import Any

from engine.csv_safe import FORMULA_TRIGGERS, safe_csv_text
from engine.i18n import N_, _
from engine.rules.model import Ruleset
from engine.survey.summary import BAD_STATE, NO_STATE, NO_TYPE
from engine.vocabulary import LEVEL_WORDS, NOT_EVALUATED, OUTCOME_WORDS

SUMMARY_FORMATS = {".csv": "csv", ".xlsx": "xlsx"}  # any other suffix: JSON
# The report's words for levels (bounded ones included) and outcomes, plus the summary's own "error" row.
ROW_OUTCOME_WORDS = {**OUTCOME_WORDS, "error": NOT_EVALUATED}
# The two views written as (measure, value) lists rather than tables (summary_csv); titled in the run's language.
OVERVIEW, PROBLEMS = N_("Overview"), N_("Problems")


def summary_format(path: str | PurePath) -> str:
    """'json', 'csv' or 'xlsx', from the file name's suffix."""
    return SUMMARY_FORMATS.get(PurePath(path).suffix.lower(), "json")


def group_type_title(ruleset: Ruleset, tid: str) -> str:
    """The title of a summary's by-type group in the run's language, the no-usable-type group included."""
    return ruleset.institution_types.get(tid, {}).get("title", _(NO_TYPE) if tid == NO_TYPE else tid)


def _state_name(code: str) -> str:
    from engine.run.spellings import states

    return dict(states()).get(code) or (_(code) if code in (NO_STATE, BAD_STATE) else code)


def views(summary: dict[str, Any], ruleset: Ruleset) -> dict[str, list[list[Any]]]:
    """Sheet name -> rows (the first row is the header), in words people read; ids kept in their own column."""
    levels = [*LEVEL_WORDS, "error"]
    outcomes = list(ROW_OUTCOME_WORDS)
    # The vocabulary's words are translated where shown (engine/vocabulary.py marks them for the catalogue).
    not_evaluated = _(NOT_EVALUATED)
    overview = [
        [_("Measure"), _("Value")],
        [_("Survey"), summary.get("source", "")],
        [
            _("Rules"),
            f"{summary.get('ruleset', {}).get('id', '')} {summary.get('ruleset', {}).get('version', '')}".strip(),
        ],
        [_("Law applied as of"), summary.get("as_of", "")],
        [_("Respondents"), summary.get("respondents", 0)],
        [_("Evaluated"), summary.get("evaluated", 0)],
        [not_evaluated, summary.get("errors", 0)],
        [_("Marked as duplicates"), summary.get("duplicates", 0)],
        *[
            [_("Overall level: {level}").format(level=_(LEVEL_WORDS.get(k, NOT_EVALUATED))), v]
            for k, v in summary["overall"].items()
        ],
    ]
    components = [[_("Component"), _("Id"), *(_(ROW_OUTCOME_WORDS[o]) for o in outcomes), _("Provisional")]]
    for cid, counts in summary["components"].items():
        title = ruleset.components.get(cid, {}).get("title", cid)
        components.append(
            [title, cid, *(counts.get(o, 0) for o in outcomes), summary.get("provisional", {}).get(cid, 0)]
        )

    def grouped(groups: dict[str, Any], name: str, title: Any) -> list[list[Any]]:
        rows = [
            [
                name,
                _("Id"),
                _("Respondents"),
                _("Evaluated"),
                not_evaluated,
                *(_(LEVEL_WORDS[k]) if k in LEVEL_WORDS else _("Error") for k in levels),
            ]
        ]
        for key, group in groups.items():
            rows.append(
                [title(key), key, group["respondents"], group["evaluated"], group["errors"]]
                + [group["overall"].get(k, 0) for k in levels]
            )
        return rows

    most = [
        [
            _("Control"),
            _("Id"),
            _("Component"),
            _("Fail"),
            _("Partial"),
            _("At least partial"),
            _("At most partial"),
            _("Applies to"),
            _("Fail %"),
        ]
    ]
    for c in summary.get("controls_most_failed", []):
        most.append(
            [
                c["title"],
                c["control"],
                ruleset.components.get(c["component"], {}).get("title", c["component"]),
                c["fail"],
                c["partial"],
                c.get("at_least_partial", 0),
                c.get("at_most_partial", 0),
                c["applicable"],
                c.get("fail_percent", 0),
            ]
        )
    titles = {f.id: f.title for f in ruleset.flags.values()}
    flags = [
        [_("Flag"), _("Id"), _("Respondents")],
        *([titles.get(fid, fid), fid, n] for fid, n in summary.get("flags", {}).items()),
    ]
    problems = [[_("Problem")], *([p] for p in summary.get("problems", []))]
    return {
        _(OVERVIEW): overview,
        _("Components"): components,
        _("By institution type"): grouped(
            summary.get("by_institution_type", {}), _("Institution type"), lambda t: group_type_title(ruleset, t)
        ),
        _("By state"): grouped(summary.get("by_state", {}), _("State"), _state_name),
        _("Controls most failed"): most,
        _("Flags"): flags,
        _(PROBLEMS): problems,
    }


def summary_csv(summary: dict[str, Any], ruleset: Ruleset) -> str:
    """Every view in one long table: view, group, id, measure, value (one number or text per row)."""
    rows = []
    for view, table in views(summary, ruleset).items():
        header, body = table[0], table[1:]
        if view in (_(OVERVIEW), _(PROBLEMS)):
            for row in body:
                rows.append([view, "", "", row[0] if view == _(OVERVIEW) else _("Problem"), row[-1]])
            continue
        for row in body:
            for measure, value in zip(header[2:], row[2:], strict=True):
                rows.append([view, row[0], row[1], measure, value])
    return safe_csv_text(["view", "group", "id", "measure", "value"], rows)


def summary_xlsx(summary: dict[str, Any], ruleset: Ruleset) -> bytes:
    """A workbook with one sheet per view; text cells never become formulas."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for name, table in views(summary, ruleset).items():
        sheet = book.create_sheet(title=name[:31])
        for r, row in enumerate(table, start=1):
            for c, value in enumerate(row, start=1):
                cell = sheet.cell(row=r, column=c)
                if isinstance(value, str):
                    cell.value = value
                    cell.data_type = "s"  # openpyxl stores a text starting with '=' as a formula otherwise
                    if value.startswith(FORMULA_TRIGGERS):
                        cell.quotePrefix = True  # shown as typed, and edited as text
                else:
                    cell.value = value
                if r == 1:
                    cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for column in sheet.columns:
            width = max(len(str(cell.value or "")) for cell in column)
            sheet.column_dimensions[column[0].column_letter].width = min(60, max(10, width + 2))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def summary_bytes(summary: dict[str, Any], path: str | PurePath, ruleset: Ruleset) -> bytes:
    """The summary in the format ``path``'s suffix names (JSON unless .csv or .xlsx)."""
    kind = summary_format(path)
    if kind == "csv":
        return summary_csv(summary, ruleset).encode("utf-8-sig")  # the BOM lets Excel read accents
    if kind == "xlsx":
        return summary_xlsx(summary, ruleset)
    return (json.dumps(summary, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
