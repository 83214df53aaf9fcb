"""Evaluate submissions: the ``Evaluator``, which owns a ruleset's compiled state, and the public functions over it.

An ``Evaluator(ruleset)`` compiles once and keeps what every evaluation of that ruleset shares: the durable-rules
rulesets (compiled per set of institution types, at most ``COMPILED_TYPE_SETS_MAX`` kept, the least recently used
deleted from durable) and the report plan with its memo of explanations. ``evaluate(ruleset, submission)``, the
public function, is a thin call on the ruleset's default evaluator (``evaluator_for``), so one process compiles
each ruleset once however many callers it has.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable, Iterator

from engine.errors import InputError
from engine.i18n import _, language
from engine.report.build import build_report
from engine.report.plan import ReportPlan, build_report_plan
from engine.report.types import AnswerNote, Report
from engine.rules.branching import ask_when_text
from engine.rules.model import Ruleset, Submission
from engine.run.derive import Derivation
from engine.run.durable_backend import DurableBackend, new_durable_backend
from engine.run.oracle import derive_oracle

BACKENDS = ("durable", "oracle")


class Evaluator:
    """One ruleset, compiled for evaluation; evaluates any number of submissions, from any number of threads.

    The durable rulesets are compiled on first use for each set of institution types, and the report plan on the
    first report, so making an evaluator is cheap. ``close()`` deletes its durable rulesets (a worker process that
    ends need not call it).
    """

    def __init__(self, ruleset: Ruleset, durable: DurableBackend | None = None) -> None:
        """``durable``: a backend compiled from the same rules in another language, to share (the conditions, and
        so the compiled rules, do not depend on the language of the texts)."""
        if durable is not None and durable.ruleset.content_hash != ruleset.content_hash:
            raise ValueError("an evaluator can share only a backend compiled from the same rules")
        self.ruleset = ruleset
        self._durable: DurableBackend | None = durable
        self._plan: ReportPlan | None = None
        self._lock = threading.Lock()

    @property
    def durable(self) -> DurableBackend:
        """The durable-rules backend (its compiled sets of types: ``durable.compiled_types``)."""
        found = self._durable
        if found is None:
            with self._lock:
                if self._durable is None:
                    self._durable = new_durable_backend(self.ruleset)
                found = self._durable
        return found

    @property
    def plan(self) -> ReportPlan:
        """What every report on the ruleset shares (built on the first report)."""
        found = self._plan
        if found is None:
            with self._lock:
                if self._plan is None:
                    # The plan is kept, so its code words are said in the rules' language, whatever the caller's.
                    with language(self.ruleset.lang):
                        self._plan = build_report_plan(self.ruleset)
                found = self._plan
        return found

    def evaluate(
        self,
        submission: Submission,
        *,
        as_of: dt.date | None = None,
        backend: str = "durable",
        detail: bool = True,
    ) -> Report:
        """The explained report of one submission (``engine.evaluate`` says what each argument does)."""
        day = as_of or dt.date.today()
        ruleset = self.ruleset
        derivation = self.derive(submission, day, backend)
        report = build_report(ruleset, submission, day, derivation, detail, plan=self.plan)
        if submission.undecided:
            _note_ask_counsel(ruleset, submission, report)
        if submission.ignored:
            _note_ignored(ruleset, submission, report)
        return report

    def batch(
        self,
        submissions: Iterable[Submission],
        *,
        as_of: dt.date | None = None,
        backend: str = "durable",
        detail: bool = False,
    ) -> Iterator[Report]:
        """The reports of many submissions, in order, one at a time (batch reports by default: ``detail=False``).

        Every report is read on one date (today when None), even if the run crosses midnight.
        """
        day = as_of or dt.date.today()
        for submission in submissions:
            yield self.evaluate(submission, as_of=day, backend=backend, detail=detail)

    def derive(self, submission: Submission, as_of: dt.date, backend: str = "durable") -> Derivation:
        """What the rules conclude (findings, flags, verdicts, each with its rule), without the explained report.

        Batch rows need only these; building the report for them would be thrown away.
        """
        if backend == "durable":
            return self.durable.derive(submission, as_of)
        if backend == "oracle":
            return derive_oracle(self.ruleset, submission, as_of)
        raise InputError(
            _("backend: {backend} is not one of {choices}.").format(backend=repr(backend), choices=", ".join(BACKENDS))
        )

    def close(self) -> None:
        """Delete the durable rulesets this evaluator compiled (it compiles again if used afterwards)."""
        if self._durable is not None:
            self._durable.release_except(())


# The one registry of compiled state: the default evaluator of each ruleset, by content hash and language (equal
# rules files share one), for the public functions below. The report plan holds texts, so each language has its
# own evaluator; they share one durable backend, since the compiled rules are the same in every language. Code
# that wants its own lifetime makes an ``Evaluator``.
_DEFAULT_EVALUATORS: dict[str, Evaluator] = {}
_DEFAULT_LOCK = threading.Lock()


def evaluator_for(ruleset: Ruleset) -> Evaluator:
    """The default evaluator of ``ruleset`` (in its language) in this process (made on first use)."""
    found = _DEFAULT_EVALUATORS.get(ruleset.text_key)
    if found is None:
        with _DEFAULT_LOCK:
            found = _DEFAULT_EVALUATORS.get(ruleset.text_key)
            if found is None:
                sibling = next(
                    (e for e in _DEFAULT_EVALUATORS.values() if e.ruleset.content_hash == ruleset.content_hash), None
                )
                found = Evaluator(ruleset, durable=sibling.durable if sibling else None)
                _DEFAULT_EVALUATORS[ruleset.text_key] = found
    return found


def evaluate(
    ruleset: Ruleset,
    submission: Submission,
    *,
    as_of: dt.date | None = None,
    backend: str = "durable",
    detail: bool = True,
) -> Report:
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
    return evaluator_for(ruleset).evaluate(submission, as_of=as_of, backend=backend, detail=detail)


def derive(ruleset: Ruleset, submission: Submission, as_of: dt.date, backend: str = "durable") -> Derivation:
    """What the rules conclude, without the explained report (``Evaluator.derive`` on the default evaluator)."""
    return evaluator_for(ruleset).derive(submission, as_of, backend)


def _note_ask_counsel(ruleset: Ruleset, submission: Submission, report: Report) -> None:
    """Say where a "don't know - ask counsel" answer left a control open, and keep the answer on record.

    Such answers are unordered choices: the rules never see them (Submission.undecided), so the question
    counts as unanswered; the report names it and says who can settle it.
    """
    asked: dict[str, AnswerNote] = {}
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
            finding["explanation"] += " " + _(
                'You answered "don\'t know - ask counsel" to: {questions} A lawyer who reads your policy can settle '
                "this; until then the question counts as unanswered."
            ).format(questions=" / ".join(open_here))


def _note_ignored(ruleset: Ruleset, submission: Submission, report: Report) -> None:
    """Name the answers left out because the other answers skip their question (``ask_when``).

    Such an answer is not an error (a form may keep a follow-up answered before the earlier answer changed),
    but nothing reads it, so the report says so rather than dropping it silently.
    """
    notes: list[AnswerNote] = []
    for qid, value in submission.ignored.items():
        question = ruleset.questions[qid]
        notes.append(
            {
                "question": qid,
                "text": question.text,
                "answer": question.label(value),
                "note": _("Not used: this question is asked {when}.").format(when=ask_when_text(ruleset, question)),
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
        raise InputError(_("--as-of: {text} is not a date; write it as YYYY-MM-DD.").format(text=repr(text))) from None
