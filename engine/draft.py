"""``sanctuary draft FILE -o POLICY.(md|docx)``: the draft policy for an answers file.

The assembly and rendering live in ``engine.drafting`` (exported from ``engine``). This module only
adds the sub-command; ``engine.cli`` imports it, so registration happens at import time. It is kept
apart from ``engine.drafting`` so that ``import engine`` never imports the CLI (which would make
``python -m engine.cli`` run a second copy of the CLI module without the command).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from engine.drafting import build_draft, draft_docx, draft_markdown
from engine.errors import InputError
from engine.model import Ruleset

DRAFT_FORMATS = {".md": "markdown", ".markdown": "markdown", ".docx": "docx"}


def cmd_draft(args: argparse.Namespace, ruleset: Ruleset) -> int:
    """``sanctuary draft FILE -o POLICY.(md|docx)``: evaluate the answers file and write the draft."""
    from engine.answers import load_submission
    from engine.evaluate import evaluate, parse_as_of

    fmt = "markdown"
    if args.output:
        fmt = DRAFT_FORMATS.get(Path(args.output).suffix.lower(), "")
        if not fmt:
            raise InputError(f"{args.output}: unknown draft format; name the output file .md or .docx.")
    submission = load_submission(ruleset, args.file)
    report = evaluate(ruleset, submission, as_of=parse_as_of(args.as_of), detail=False)
    draft = build_draft(ruleset, report)
    if not args.output:
        print(draft_markdown(draft), end="")
        return 0
    data = draft_docx(draft) if fmt == "docx" else draft_markdown(draft).encode("utf-8")
    try:
        Path(args.output).write_bytes(data)
    except OSError as exc:
        raise InputError(f"{args.output}: cannot write the file ({exc.strerror}).") from None
    print(f"{args.output}: draft with {len(draft.sections)} clause(s) for {len(draft.sources)} source(s) written.")
    return 0


def _register(subparsers: Any) -> None:
    p = subparsers.add_parser("draft", help="write a draft policy from the recommended clauses for the gaps found")
    p.add_argument("file", help="answers file (YAML or JSON)")
    p.add_argument("-o", "--output", help="POLICY.md or POLICY.docx (default: Markdown on standard output)")
    p.add_argument("--as-of", help="apply the law as of this date (YYYY-MM-DD); default today")
    p.set_defaults(func=cmd_draft)


def _install() -> None:
    import importlib

    # Under ``python -m engine.cli`` the running CLI is ``__main__``, a different module object from
    # ``engine.cli``; register with whichever CLI modules exist so both entry points see the command.
    targets = [importlib.import_module("engine.cli")]
    main = sys.modules.get("__main__")
    if main is not None and isinstance(getattr(main, "_EXTRA_COMMANDS", None), list):
        targets.append(main)
    for module in targets:
        if _register not in module._EXTRA_COMMANDS:
            module._EXTRA_COMMANDS.append(_register)


_install()
