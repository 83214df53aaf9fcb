"""``sanctuary draft FILE [-o POLICY.(md|docx|json)] [--format markdown|json]``: the draft policy for an answers file.

The assembly and rendering live in ``engine.report.drafting`` (exported from ``engine``); this module only
adds the sub-command, registered by ``engine.cli.build_parser``.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from engine.cli.lang import add_lang_option
from engine.errors import InputError
from engine.i18n import _
from engine.outputs import refuse_clashes, write_atomic
from engine.rules.model import Ruleset
from engine.safe_text import for_terminal

DRAFT_FORMATS = {".md": "markdown", ".markdown": "markdown", ".docx": "docx", ".json": "json"}


def cmd_draft(args: argparse.Namespace, ruleset: Ruleset) -> int:
    """``sanctuary draft FILE -o POLICY.(md|docx)``: evaluate the answers file and write the draft."""
    from engine.evaluator.evaluate import evaluate, parse_as_of
    from engine.report.drafting import build_draft, draft_docx, draft_json_text, draft_markdown
    from engine.run.answers import load_submission

    fmt = args.format or "markdown"
    if args.output:
        by_name = DRAFT_FORMATS.get(Path(args.output).suffix.lower(), "")
        if not by_name:
            raise InputError(
                _("{path}: unknown draft format; name the output file .md, .docx or .json.").format(
                    path=for_terminal(args.output)
                )
            )
        if args.format and args.format != by_name and by_name != "docx":
            raise InputError(
                _("{path}: the name says {by_name} but --format says {given}; make them agree.").format(
                    path=for_terminal(args.output), by_name=by_name, given=args.format
                )
            )
        fmt = by_name if not args.format or by_name == "docx" else args.format
    refuse_clashes([(_("the answers file being read"), args.file)], [("-o", args.output)])
    submission = load_submission(ruleset, args.file)
    report = evaluate(ruleset, submission, as_of=parse_as_of(args.as_of), detail=False)
    draft = build_draft(ruleset, report)
    text = {"json": draft_json_text, "markdown": draft_markdown}
    if not args.output:
        print(text[fmt](draft), end="")
        return 0
    data = draft_docx(draft) if fmt == "docx" else text[fmt](draft).encode("utf-8")
    write_atomic(args.output, data)  # all at once or not at all: a full disk keeps the previous draft
    print(
        _("{path}: draft with {clauses} clause(s) for {sources} source(s) written.").format(
            path=for_terminal(args.output), clauses=len(draft.sections), sources=len(draft.sources)
        )
    )
    return 0


def register(subparsers: Any) -> None:
    """Add ``draft`` to the sub-commands."""
    p = subparsers.add_parser("draft", help=_("write a draft policy from the recommended clauses for the gaps found"))
    p.add_argument("file", help=_("answers file (YAML or JSON)"))
    p.add_argument("-o", "--output", help=_("POLICY.md, POLICY.docx or POLICY.json (default: standard output)"))
    p.add_argument(
        "--format",
        choices=("markdown", "json"),
        help=_("markdown (default) or json: the clauses and the clauses left out because state law forbids them"),
    )
    p.add_argument("--as-of", help=_("apply the law as of this date (YYYY-MM-DD); default today"))
    add_lang_option(p)
    p.set_defaults(func=cmd_draft)
