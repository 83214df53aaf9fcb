"""``sanctuary draft FILE -o POLICY.(md|docx)``: the draft policy for an answers file.

The assembly and rendering live in ``engine.report.drafting`` (exported from ``engine``); this module only
adds the sub-command, registered by ``engine.cli.build_parser``.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from engine.errors import InputError
from engine.outputs import refuse_clashes, write_atomic
from engine.rules.model import Ruleset
from engine.safe_text import for_terminal

DRAFT_FORMATS = {".md": "markdown", ".markdown": "markdown", ".docx": "docx"}


def cmd_draft(args: argparse.Namespace, ruleset: Ruleset) -> int:
    """``sanctuary draft FILE -o POLICY.(md|docx)``: evaluate the answers file and write the draft."""
    from engine.report.drafting import build_draft, draft_docx, draft_markdown
    from engine.run.answers import load_submission
    from engine.run.evaluate import evaluate, parse_as_of

    fmt = "markdown"
    if args.output:
        fmt = DRAFT_FORMATS.get(Path(args.output).suffix.lower(), "")
        if not fmt:
            raise InputError(f"{args.output}: unknown draft format; name the output file .md or .docx.")
    refuse_clashes([("the answers file being read", args.file)], [("-o", args.output)])
    submission = load_submission(ruleset, args.file)
    report = evaluate(ruleset, submission, as_of=parse_as_of(args.as_of), detail=False)
    draft = build_draft(ruleset, report)
    if not args.output:
        print(draft_markdown(draft), end="")
        return 0
    data = draft_docx(draft) if fmt == "docx" else draft_markdown(draft).encode("utf-8")
    write_atomic(args.output, data)  # all at once or not at all: a full disk keeps the previous draft
    what = f"draft with {len(draft.sections)} clause(s) for {len(draft.sources)} source(s) written."
    print(f"{for_terminal(args.output)}: {what}")
    return 0


def register(subparsers: Any) -> None:
    """Add ``draft`` to the sub-commands."""
    p = subparsers.add_parser("draft", help="write a draft policy from the recommended clauses for the gaps found")
    p.add_argument("file", help="answers file (YAML or JSON)")
    p.add_argument("-o", "--output", help="POLICY.md or POLICY.docx (default: Markdown on standard output)")
    p.add_argument("--as-of", help="apply the law as of this date (YYYY-MM-DD); default today")
    p.set_defaults(func=cmd_draft)
