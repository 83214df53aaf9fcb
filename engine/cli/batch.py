"""The ``sanctuary batch`` command (registered by ``engine.cli.build_parser``).

``sanctuary batch SURVEY.csv -o RESULTS.csv [--workers N] [--summary SUMMARY.json|.csv|.xlsx] [--long]
[--keep-columns "Timestamp,Email"]``; ``sanctuary batch SURVEY.csv --check`` lists the rows that cannot be evaluated.
``sanctuary batch SURVEY.csv --wave NAME [--store URL] [--id-column COL] [--county-column COL]`` also keeps the run
as a wave in the coalition store (``engine.cli.store``); without ``-o`` it then writes no results CSV.

The summary JSON holds: ``respondents``, ``evaluated``, ``errors``; ``overall`` (count per level, plus
``error``); ``components`` (per component, count per outcome); ``provisional`` (per component, the evaluated
rows whose verdict on it is provisional); the same for every institution type (``by_institution_type``) and
state (``by_state``); ``controls_most_failed`` (top ten by fails, with ``partial``, ``at_least_partial`` and
``at_most_partial`` counted apart and ``applicable`` including the bounds); ``flags`` (count per flag);
``ignored_columns`` and ``problems`` (duplicate respondent ids...).

In the results CSV a control's cell is its outcome, or ``at_least_partial`` / ``at_most_partial`` where blanks
leave it open (``outcome_cell``), and ``provisional`` lists the components whose verdict rests on too little.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from engine.cli.lang import add_lang_option
from engine.errors import InputError
from engine.evaluator.evaluate import parse_as_of
from engine.i18n import _
from engine.rules.model import Ruleset
from engine.safe_text import for_terminal


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("{text} is not a whole number").format(text=repr(text))) from None
    if value < 1:
        raise argparse.ArgumentTypeError(_("{value} is not a positive number of worker processes").format(value=value))
    return value


class ProgressBar:
    """run_batch's progress callback drawn by tqdm on stderr; silent with -q or when stderr is not a terminal."""

    def __init__(self, stream: Any = None, *, quiet: bool = False) -> None:
        from tqdm import tqdm  # only the batch command draws a bar

        stream = stream or sys.stderr
        self.enabled = not quiet and bool(getattr(stream, "isatty", lambda: False)())
        self._bar = tqdm(
            total=0,
            file=stream,
            disable=not self.enabled,
            unit=" " + _("rows"),
            desc="sanctuary batch",
            mininterval=0.2,
        )

    def __call__(self, done: int, total: int) -> None:
        if self.enabled:
            # The total is an estimate (line breaks in the file) until the last chunk arrives.
            self._bar.total = max(total, done)
            self._bar.update(done - self._bar.n)

    def close(self) -> None:
        """End the bar's line."""
        self._bar.close()


def _keep(text: str | None) -> list[str]:
    return [name.strip() for name in (text or "").split(",") if name.strip()]


def cmd_check(args: argparse.Namespace, ruleset: Ruleset) -> int:
    """``--check``: list every row the evaluation would reject, with its reason; evaluate nothing."""
    from engine.survey.coalition import check_file

    rows, problems, warnings = check_file(ruleset, args.survey)
    for warning in warnings:
        print(_("sanctuary batch: warning: {message}").format(message=warning), file=sys.stderr)
    for p in problems:
        who = f"{p.respondent_id}" + (f", {p.institution_name}" if p.institution_name else "")
        print(_("line {line} ({who}): {problem}").format(line=p.line, who=who, problem=p.problem))
    print(
        _(
            "sanctuary batch --check: {rows} rows: {good} can be evaluated, "
            "{bad} cannot (listed above with the reason the results would give)"
        ).format(rows=rows, good=rows - len(problems), bad=len(problems)),
        file=sys.stderr,
    )
    return 2 if problems else 0


def cmd_batch(args: argparse.Namespace, ruleset: Ruleset) -> int:
    from engine.survey.pool import run_batch  # here, so other commands do not import the survey code at start-up

    """Evaluate every row of a survey CSV; see the module docstring."""
    if args.check:
        return cmd_check(args, ruleset)
    from engine.cli.store import batch_recording

    as_of = parse_as_of(args.as_of)
    with batch_recording(args, ruleset, as_of) as storing:
        if storing and storing["skip"] and not (args.output or args.summary):
            return 0  # the wave is stored already and no file was asked for
        bar = ProgressBar(sys.stderr, quiet=args.quiet)
        try:
            summary = run_batch(
                ruleset,
                args.survey,
                args.output,
                workers=args.workers,
                as_of=as_of,
                long=args.long,
                summary_path=args.summary,
                progress=bar,
                keep=_keep(args.keep_columns),
                **({"sink": storing["sink"], "keep_columns": storing["keep_columns"]} if storing else {}),
            )
        finally:
            bar.close()
        if storing and storing["sink"] and summary["respondents"] and not summary["evaluated"]:
            raise InputError(
                _("{path}: no row could be evaluated, so the wave was not stored.").format(path=args.survey)
            )
    for problem in summary["problems"]:
        print(_("sanctuary batch: warning: {message}").format(message=for_terminal(problem)), file=sys.stderr)
    where = f" -> {for_terminal(args.output)}" if args.output else ""
    print(
        _("sanctuary batch: {rows} rows: {evaluated} evaluated, {errors} with errors (see the error column)").format(
            rows=summary["respondents"], evaluated=summary["evaluated"], errors=summary["errors"]
        )
        + where,
        file=sys.stderr,
    )
    if summary["respondents"] and not summary["evaluated"]:
        # Nothing usable came out (e.g. no institution_type column): a script must not see success.
        print(
            _(
                "sanctuary: error: {path}: no row could be evaluated; see the error column and "
                "'sanctuary template --values' for the accepted values."
            ).format(path=for_terminal(args.survey)),
            file=sys.stderr,
        )
        return 2
    return 0


def register(sub: Any) -> None:
    """Add ``batch`` to the sub-commands."""
    p = sub.add_parser("batch", help=_("evaluate every row of a survey CSV"))
    p.add_argument("survey", help=_("the survey CSV (question ids or question texts as headers)"))
    p.add_argument("-o", "--output", help=_("results CSV to write (default: standard output)"))
    p.add_argument("--workers", type=_positive, default=1, help=_("worker processes (default 1)"))
    p.add_argument(
        "--summary",
        help=_("also write the summary here: JSON, or a table (.csv) or a workbook, one sheet per view (.xlsx)"),
    )
    p.add_argument(
        "--keep-columns",
        metavar="NAMES",
        help=_('other survey columns to carry into the results, comma separated (e.g. "Timestamp,Email")'),
    )
    p.add_argument(
        "--check",
        action="store_true",
        help=_("only check the rows: list every row that cannot be evaluated and why (exit 2 if any); write nothing"),
    )
    p.add_argument("--long", action="store_true", help=_("one row per respondent and control, with explanation"))
    p.add_argument("--as-of", help=_("apply the law as of this date (YYYY-MM-DD); default today"))
    p.add_argument("-q", "--quiet", action="store_true", help=_("no progress bar"))
    add_lang_option(p)
    from engine.cli.store import add_batch_arguments

    add_batch_arguments(p)
    p.set_defaults(func=cmd_batch)
