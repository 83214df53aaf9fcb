"""``sanctuary schema [--answers] [-o FILE]``: the JSON Schema (draft 2020-12) of the report or of an answers file.

The report's schema is the contract of ``sanctuary evaluate --format json`` (docs/SPEC.md); the answers schema is
generated from the rules in use (``--rules``), so it lists this release's question ids, choice ids and types.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from engine.cli.lang import add_lang_option
from engine.i18n import _
from engine.outputs import write_atomic
from engine.report.schema import answers_schema, report_schema
from engine.rules.model import Ruleset


def cmd_schema(args: argparse.Namespace, ruleset: Ruleset) -> int:
    schema = answers_schema(ruleset) if args.answers else report_schema()
    text = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
    if args.output:
        write_atomic(args.output, text)
    else:
        print(text, end="")
    return 0


def register(subparsers: Any) -> None:
    """Add ``schema`` to the sub-commands."""
    p = subparsers.add_parser("schema", help=_("print the JSON Schema of the report (or, with --answers, of answers)"))
    p.add_argument(
        "--answers", action="store_true", help=_("the schema of an answers file for these rules instead of the report")
    )
    p.add_argument("-o", "--output", help=_("write the schema to this file instead of standard output"))
    add_lang_option(p)
    p.set_defaults(func=cmd_schema)
