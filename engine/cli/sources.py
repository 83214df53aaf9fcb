"""``sanctuary sources [--state XX] [--format table|csv|json] [--as-of D]``: the citation register for a reader.

Every citation with its quality, publisher, jurisdiction, dates (in words: a knowledge-base check is never
shown as a live one), the controls and flags that cite it, and a warning for sources that may be out of date
at ``--as-of``. With ``--state`` only federal sources and that state's own are listed, federal first. The rows
come from ``engine.report.sources.list_sources``, which the Rules page uses too; CSV goes through
``engine.csv_safe`` because titles and notes are free text.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import textwrap
from typing import Any

from engine.cli.lang import add_lang_option
from engine.csv_safe import safe_csv_text
from engine.i18n import _, pgettext
from engine.report.sources import list_sources
from engine.rules.model import Ruleset

CSV_COLUMNS = (
    "id",
    "title",
    "url",
    "publisher",
    "publisher_kind",
    "jurisdiction",
    "relevance",
    "label",
    "quality",
    "established",
    "published",
    "last_verified",
    "checked",
    "checked_on",
    "checked_text",
    "controls",
    "flags",
    "warning",
    "note",
)


def quality_word(quality: str) -> str:
    """A citation's quality as a reader sees it in a table (CSV and JSON keep the English value)."""
    words = {
        "primary": pgettext("citation quality", "primary"),
        "secondary": pgettext("citation quality", "secondary"),
        "mirror": pgettext("citation quality", "mirror"),
        "unverified": pgettext("citation quality", "unverified"),
    }
    return words.get(quality, quality)


def _csv_cell(value: Any) -> Any:
    if isinstance(value, list):
        return "|".join(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def _table(rows: list[dict[str, Any]], state: str | None, as_of: str) -> str:
    lines = []
    for r in rows:
        marks = [quality_word(r["quality"]), r["jurisdiction"]]
        if r["label"]:
            marks.append(r["label"])
        lines.append(f"{r['id']}  [{'; '.join(marks)}]")
        lines.append(
            textwrap.fill(
                f"{r['title']} — {r['publisher']}",
                width=100,
                initial_indent="    ",
                subsequent_indent="    ",
                break_long_words=False,
            )
        )
        lines.append(f"    {r['url']}")
        dates = (_("published {date}; ").format(date=r["published"]) if r["published"] else "") + r["checked_text"]
        lines.append(f"    {dates}")
        users = r["controls"] + r["flags"]
        users = ", ".join(users) if users else _("nothing (kept for reference)")
        lines.append("    " + _("used by: {users}").format(users=users))
        if r["warning"]:
            lines.append("    " + _("WARNING: {warning}").format(warning=r["warning"]))
    warned = sum(1 for r in rows if r["warning"])
    if state:
        total = _("{count} federal and {state} sources as of {date}; {warned} may be out of date.")
    else:
        total = _("{count} sources as of {date}; {warned} may be out of date.")
    lines.append("\n" + total.format(count=len(rows), state=state, date=as_of, warned=warned))
    return "\n".join(lines) + "\n"


def cmd_sources(args: argparse.Namespace, ruleset: Ruleset) -> int:
    """List the citation register for a reader in ``--state`` (all states when not given)."""
    from engine.evaluator.evaluate import parse_as_of

    as_of = parse_as_of(args.as_of) or dt.date.today()
    state = args.state.upper() if args.state else None
    rows = list_sources(ruleset, state, as_of)
    if args.format == "json":
        text = json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    elif args.format == "csv":
        text = safe_csv_text(CSV_COLUMNS, ([_csv_cell(r.get(c)) for c in CSV_COLUMNS] for r in rows))
    else:
        text = _table(rows, state, as_of.isoformat())
    sys.stdout.write(text)
    return 0


def register(subparsers: Any) -> None:
    """Add ``sources`` to the sub-commands."""
    p = subparsers.add_parser("sources", help=_("list every citation: quality, date, jurisdiction and what uses it"))
    p.add_argument("--state", help=_("two-letter state code: only federal sources and this state's own"))
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.add_argument("--as-of", help=_("warn about sources older than a year on this date (YYYY-MM-DD); default today"))
    add_lang_option(p)
    p.set_defaults(func=cmd_sources)
