"""Evaluate one submission: the public entry point of the engine."""

from __future__ import annotations

import datetime as dt
from typing import Any

from engine.errors import InputError
from engine.report.build import build_report
from engine.rules.branching import ask_when_text
from engine.rules.model import Ruleset, Submission
from engine.run.derive import Derivation
from engine.run.durable_backend import durable_backend
from engine.run.oracle import derive_oracle

BACKENDS = ("durable", "oracle")


def evaluate(
    ruleset: Ruleset,
    submission: Submission,
    *,
    as_of: dt.date | None = None,
    backend: str = "durable",
    detail: bool = True,
) -> dict[str, Any]:
    """Evaluate ``submission`` against ``ruleset`` and return the explained report.

    Args:
        ruleset: a loaded ruleset (``load_ruleset``).
        submission: validated answers (``load_submission`` / ``parse_submission``).
        as_of: the date the law is applied at (today when None); controls outside their
            effective window are ``not_in_force``.
        backend: "durable" (the forward-chaining rules engine) or "oracle" (the plain-Python
            evaluation of the same conditions, for checks and comparison).
        detail: False skips the per-finding 'because', 'to_pass', clause text and proof tree
            (for batch runs; outcomes, explanations and flags are unchanged).

    Returns:
        The report as a JSON-ready dict (see SPEC.md, "Report").

    Raises:
        EvaluationError: the rules engine failed (a bug, not bad input).
    """
    day = as_of or dt.date.today()
    report = build_report(ruleset, submission, day, derive(ruleset, submission, day, backend), detail)
    if submission.undecided:
        _note_ask_counsel(ruleset, submission, report)
    if submission.ignored:
        _note_ignored(ruleset, submission, report)
    return report


def derive(ruleset: Ruleset, submission: Submission, as_of: dt.date, backend: str = "durable") -> Derivation:
    """What the rules conclude (findings, flags, verdicts, each with its rule), without the explained report.

    Batch rows need only these; building the report for them would be thrown away.
    """
    if backend == "durable":
        return durable_backend(ruleset).derive(submission, as_of)
    if backend == "oracle":
        return derive_oracle(ruleset, submission, as_of)
    raise InputError(f"backend: {backend!r} is not one of {', '.join(BACKENDS)}.")


def _note_ask_counsel(ruleset: Ruleset, submission: Submission, report: dict[str, Any]) -> None:
    """Say where a "don't know - ask counsel" answer left a control open, and keep the answer on record.

    Such answers are unordered choices: the rules never see them (Submission.undecided), so the question
    counts as unanswered; the report names it and says who can settle it.
    """
    asked = {}
    for qid, value in submission.undecided.items():
        question = ruleset.questions[qid]
        asked[qid] = {"question": qid, "text": question.text, "answer": question.label(value)}
    report["ask_counsel"] = list(asked.values())
    report["answers"] = {**report.get("answers", {}), **submission.undecided}
    for finding in report.get("findings", []):
        if finding["outcome"] in ("not_applicable", "not_in_force"):
            continue
        open_here = [asked[q]["text"] for q in ruleset.controls[finding["control"]].questions if q in asked]
        if open_here:
            finding["explanation"] += (
                ' You answered "don\'t know - ask counsel" to: ' + " / ".join(open_here) + " A lawyer who reads"
                " your policy can settle this; until then the question counts as unanswered."
            )


def _note_ignored(ruleset: Ruleset, submission: Submission, report: dict[str, Any]) -> None:
    """Name the answers left out because the other answers skip their question (``ask_when``).

    Such an answer is not an error (a form may keep a follow-up answered before the earlier answer changed),
    but nothing reads it, so the report says so rather than dropping it silently.
    """
    notes = []
    for qid, value in submission.ignored.items():
        question = ruleset.questions[qid]
        notes.append(
            {
                "question": qid,
                "text": question.text,
                "answer": question.label(value),
                "note": f"Not used: this question is asked {ask_when_text(ruleset, question)}.",
            }
        )
    report["ignored_answers"] = notes


def parse_as_of(text: str | None) -> dt.date | None:
    """Parse a --as-of value (YYYY-MM-DD)."""
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"--as-of: {text!r} is not a date; write it as YYYY-MM-DD.") from None
