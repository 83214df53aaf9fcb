"""``sanctuary states [--format table|json|coverage] [--as-of D] [--state XX]``: the state-law table for a reader.

Every state and DC with the date it was researched and each law's kind, dates, citations (with quality) and
quote; ``--as-of`` marks which laws are in force that day. ``coverage`` (also accepted as ``readme``, its
name when the block lived in README.md) prints the coverage paragraph and the "not verified" table that
docs/what-it-evaluates.md carries between its state-coverage markers (a test keeps them equal).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import textwrap
from typing import Any

from engine.cli.lang import add_lang_option
from engine.cli.sources import quality_word
from engine.errors import InputError
from engine.i18n import _, pgettext
from engine.report.states_table import coverage_markdown, state_table
from engine.rules.model import Ruleset
from engine.rules.states import STATES_AND_DC


def _direction(word: str) -> str:
    """A state's direction or a law's kind, as the table shows it (JSON keeps the English value)."""
    words = {
        "protective": pgettext("state law", "protective"),
        "restrictive": pgettext("state law", "restrictive"),
        "mixed": pgettext("state law", "mixed"),
        "none": pgettext("state law", "none"),
    }
    return words.get(word, word)


def _wrap(text: str, indent: str) -> list[str]:
    return textwrap.wrap(text, width=100, initial_indent=indent, subsequent_indent=indent, break_long_words=False)


def _table(rows: list[dict[str, Any]], as_of: dt.date) -> str:
    lines = []
    for r in rows:
        researched = (
            _("researched {date}").format(date=r["researched_on"]) if r["researched_on"] else _("NOT RESEARCHED")
        )
        lines.append(f"{r['code']}  {r['name']}  [{_direction(r['direction'])}; {researched}]")
        if r["no_law_found"]:
            lines += _wrap(
                _("no statewide law found in a primary text; searched: {where}").format(
                    where=r["no_law_found"]["searched"]
                ),
                "    ",
            )
        for law in r["laws"]:
            window = law["effective"]
            start = window["from"] or _("an unrecorded date")
            if window["to"]:
                dates = _("from {start} until {end}").format(start=start, end=window["to"])
            else:
                dates = _("from {start}").format(start=start)
            if law["in_force"]:
                state = _("in force on {date}").format(date=as_of.isoformat())
            else:
                state = _("not in force on {date}").format(date=as_of.isoformat())
            lines.append(f"  {law['id']}  ({_direction(law['kind'])}; {dates}; {state})")
            lines += _wrap(law["title"], "    ")
            lines += _wrap(f'"{law["quote"]}"' + (f" ({law['quote_note']})" if law.get("quote_note") else ""), "    ")
            lines.append("    " + _("read at: {url}").format(url=law["quote_source"]["url"]))
            marks = ", ".join(f"{c['id']} [{quality_word(c['quality'])}]" for c in law["citations"])
            lines += _wrap(_("sources: {marks}").format(marks=marks), "    ")
            if law["exposure"]:
                lines += _wrap(_("exposure: {text}").format(text=law["exposure"]), "    ")
            if law["still_lawful"]:
                lines += _wrap(_("still lawful: {text}").format(text=law["still_lawful"]), "    ")
        for claim in r["not_verified"]:
            lines += _wrap(
                _("not verified (no flag): {claim} ({why})").format(claim=claim["claim"], why=claim["why"]), "    "
            )
    laws = sum(len(r["laws"]) for r in rows)
    lines.append(
        "\n"
        + _("{jurisdictions} jurisdictions, {laws} laws; in force marked as of {date}.").format(
            jurisdictions=len(rows), laws=laws, date=as_of.isoformat()
        )
    )
    return "\n".join(lines) + "\n"


def cmd_states(args: argparse.Namespace, ruleset: Ruleset) -> int:
    """Print the state-law table."""
    from engine.cli.main import _write
    from engine.evaluator.evaluate import parse_as_of

    as_of = parse_as_of(args.as_of) or dt.date.today()
    rows = state_table(ruleset, as_of)
    if args.state:
        code = args.state.strip().upper()
        if code not in STATES_AND_DC:
            raise InputError(_("--state: {value} is not a state code such as CA or DC.").format(value=repr(args.state)))
        rows = [r for r in rows if r["code"] == code]
    if args.format == "json":
        text = json.dumps({"as_of": as_of.isoformat(), "states": rows}, indent=2, ensure_ascii=False) + "\n"
    elif args.format in ("coverage", "readme"):
        text = coverage_markdown(rows)
    else:
        text = _table(rows, as_of)
    _write(text, args.output)
    return 0


def register(sub: Any) -> None:
    """Add the ``states`` subcommand."""
    p = sub.add_parser("states", help=_("list every state's law in the table: dates, quotes and sources"))
    # "readme" is the earlier name of "coverage" (the block moved from README.md to docs/what-it-evaluates.md).
    p.add_argument("--format", choices=("table", "json", "coverage", "readme"), default="table")
    p.add_argument("--as-of", help=_("mark the laws in force on this date (YYYY-MM-DD); default today"))
    p.add_argument("--state", help=_("only this state (two-letter code)"))
    p.add_argument("-o", "--output")
    add_lang_option(p)
    p.set_defaults(func=cmd_states)
