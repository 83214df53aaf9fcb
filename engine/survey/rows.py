"""Evaluating survey rows: canonical text rows in, results rows out; a bad row becomes an error row.

``evaluate_frame`` is the per-partition function of batch, pool and Dask runs.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from engine.csv_safe import safe_csv_text
from engine.errors import EvaluationError, InputError, RulesetError
from engine.evaluator.evaluate import Evaluator, evaluator_for
from engine.i18n import _
from engine.limits import INSTITUTION_NAME_MAX_CHARS
from engine.report.cells import level_cell, outcome_cell, outcomes
from engine.rules.aliases import answer_key
from engine.rules.model import Institution, Outcome, Question, Ruleset, Submission
from engine.run.answers import split_answers
from engine.run.derive import Derivation
from engine.run.institution import parse_public, parse_state, parse_types
from engine.run.normalise import normalise_answer
from engine.safe_text import shown
from engine.survey.headers import map_columns
from engine.survey.layout import (
    ERROR_SEPARATOR,
    LIST_SEPARATOR,
    LONG_COLUMNS,
    ROW_ERROR_COLUMN,
    pandas_module,
    results_columns,
    with_kept,
)
from engine.vocabulary import UNNAMED_INSTITUTION

if TYPE_CHECKING:
    import pandas as pd

    from engine.report.types import BatchOutcomes, Report


def _normalise_cell(question: Question, raw: str) -> Any:
    """normalise_answer, plus the rule for multi-select cells in a one-answer choice question."""
    try:
        return normalise_answer(question, raw)
    except InputError:
        if question.retired_answers and answer_key(raw) in {answer_key(old) for old in question.retired_answers}:
            raise InputError(
                _(
                    "{question}: {answer} is an answer of an earlier release; run `sanctuary upgrade --survey` on "
                    "the survey (it leaves such answers blank and lists them)."
                ).format(question=question.id, answer=repr(raw))
            ) from None
        if question.type != "choice" or not re.search(r"[;,]", raw):
            raise
    # Google Forms joins checkbox answers with ", ": accept only when they name exactly one choice.
    matched: list[str] = []
    unknown: list[str] = []
    for part in (p.strip() for p in re.split(r"[;,]", raw)):
        if not part:
            continue
        try:
            value = normalise_answer(question, part)
        except InputError:
            unknown.append(part)
            continue
        if value is not None and value not in matched:
            matched.append(value)
    if len(matched) == 1 and not unknown:
        return matched[0]
    if len(matched) > 1:
        raise InputError(
            _("{question}: {answer} gives several choices ({choices}); this question takes one answer.").format(
                question=question.id, answer=shown(raw), choices=", ".join(matched)
            )
        )
    raise InputError(
        _("{question}: {answer} is not one of the choices: {choices}.").format(
            question=question.id, answer=shown(raw), choices=", ".join(question.choices)
        )
    )


normalise_cell = _normalise_cell
"""One survey cell as the evaluation reads it (the coalition store keeps answers in this form)."""


class _CellError:
    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message


_MISSING = object()
# Distinct spellings remembered per question (or institution column) before its memo starts afresh: a survey
# repeats a handful ("Yes", "no", a choice label), so the bound only matters for odd files.
_MEMO_LIMIT = 5000


class RowEvaluator:
    """Turns canonical rows into results rows for one ruleset, date and backend.

    ``evaluator``: the compiled rules to evaluate with (a pool worker makes its own; by default the ruleset's).
    """

    def __init__(
        self, ruleset: Ruleset, as_of: dt.date | None, backend: str, long: bool, evaluator: Evaluator | None = None
    ) -> None:
        self.ruleset = ruleset
        self.evaluator = evaluator or evaluator_for(ruleset)
        self.as_of = as_of or dt.date.today()
        self.backend = backend
        self.long = long
        self.components = list(ruleset.components)
        self.controls = list(ruleset.controls)
        self._blank_components, self._blank_controls = [""] * len(self.components), [""] * len(self.controls)
        columns = results_columns(ruleset)
        self._width, self._error_at = len(columns), columns.index("error")
        # Survey cells repeat a handful of spellings per question: normalise each distinct text once. One memo per
        # question (and institution column), text -> value, None (blank: skipped) or _CellError (raised again); a
        # memo per question makes the lookup a plain dict.get on the cell text, the cheapest thing in a 150-cell row.
        self._cells: dict[str, dict[str, Any]] = {}

    def _remember(self, memo: dict[str, Any], raw: Any, parse: Callable[[Any], Any]) -> Any:
        """``parse(raw)`` (an InputError becomes a _CellError), kept in ``memo`` when ``raw`` is text."""
        try:
            found = parse(raw)
        except InputError as exc:
            found = _CellError(str(exc))  # the message, not the exception: re-raising one grows its traceback
        if type(raw) is str:
            if len(memo) >= _MEMO_LIMIT:
                memo.clear()
            memo[raw] = found
        return found

    def _memo(self, what: str, raw: str, parse: Callable[[str], Any]) -> Any:
        """``parse(raw)``, computed once per distinct (what, raw); an InputError is remembered and raised again."""
        memo = self._cells.setdefault(what, {})
        found = memo.get(raw, _MISSING)
        if found is _MISSING:
            found = self._remember(memo, raw, parse)
        if type(found) is _CellError:
            raise InputError(found.message)
        return found

    @staticmethod
    def _answer(question: Question, raw: Any) -> Any:
        """The normalised answer of one cell; None when blank (or not text, like a frame's missing value)."""
        if not isinstance(raw, str) or not raw.strip():
            return None
        return _normalise_cell(question, raw)

    def rows(
        self, columns: list[str], rows: list[list[str]], lines: list[int]
    ) -> tuple[list[list[Any]], list[list[Any]]]:
        index = {c: i for i, c in enumerate(columns)}
        known = self.ruleset.questions
        questions = [(i, known[c], self._cells.setdefault(c, {})) for i, c in enumerate(columns) if c in known]
        wide: list[list[Any]] = []
        long_rows: list[list[Any]] = []
        for row, line in zip(rows, lines, strict=True):
            w, lr = self.row(row, line, index, questions)
            wide.append(w)
            long_rows.extend(lr)
        return wide, long_rows

    def problems(self, columns: list[str], rows: list[list[str]], lines: list[int]) -> list[tuple[list[Any], str]]:
        """(head, why) for every row the evaluation would reject, without running the rules: the pre-check."""
        index = {c: i for i, c in enumerate(columns)}
        known = self.ruleset.questions
        questions = [(i, known[c], self._cells.setdefault(c, {})) for i, c in enumerate(columns) if c in known]
        found = []
        for row, line in zip(rows, lines, strict=True):
            head, _submission, errors = self.validate(row, line, index, questions)
            if errors:
                found.append((head, ERROR_SEPARATOR.join(errors)))
        return found

    def validate(
        self,
        row: list[str],
        line: int,
        index: dict[str, int],
        questions: list[tuple[int, Question, dict[str, Any]]],
    ) -> tuple[list[Any], Submission | None, list[str]]:
        """(the row's head cells, its submission or None, why it cannot be evaluated): every check a row meets
        before the rules run, shared by the evaluation and the pre-check (``check_rows``)."""

        def cell(name: str) -> str:
            i = index.get(name)
            value = row[i] if i is not None else ""
            return "" if value is None or (isinstance(value, float) and value != value) else str(value)

        errors: list[str] = []
        if cell(ROW_ERROR_COLUMN).strip():
            errors.append(cell(ROW_ERROR_COLUMN).strip())
        respondent, name = cell("respondent_id").strip() or str(line), " ".join(cell("institution_name").split())
        type_text, state_text = cell("institution_type").strip(), cell("state").strip()
        types: tuple[str, ...] = ()
        state: str | None = None
        public: bool | None = None
        if len(name) > INSTITUTION_NAME_MAX_CHARS:
            errors.append(
                _("institution_name: {chars:,} characters; at most {max_chars} (shorten it).").format(
                    chars=len(name), max_chars=INSTITUTION_NAME_MAX_CHARS
                )
            )
            name = name[:INSTITUTION_NAME_MAX_CHARS] + "..."
        if "institution_type" not in index:
            errors.append(
                _("institution_type: the survey has no institution_type column; add one with one of {types}.").format(
                    types=", ".join(self.ruleset.institution_types)
                )
            )
        elif not errors:
            try:
                types = self._memo(" type", type_text, lambda t: parse_types(self.ruleset, t, "institution_type"))
                type_text = LIST_SEPARATOR.join(types)
            except InputError as exc:
                errors.append(str(exc))
        try:
            state = self._memo(" state", state_text, lambda t: parse_state(t, "state"))
            state_text = state or ""
        except InputError as exc:
            errors.append(str(exc))
        try:
            public = self._memo(" public", cell("public"), lambda t: parse_public(t, "public"))
        except InputError as exc:
            errors.append(str(exc))
        answers: dict[str, Any] = {}
        # The hot loop of a batch (about 150 cells a row): one dict lookup per cell once its spelling was seen.
        for i, question, memo in questions:
            raw = row[i]
            try:
                value = memo.get(raw, _MISSING)
            except TypeError:  # an unhashable value in a caller's frame (a list): not text, so not an answer
                continue
            if value is _MISSING:
                value = self._remember(memo, raw, functools.partial(self._answer, question))
            if value is None:
                continue
            if type(value) is _CellError:
                errors.append(value.message)
                continue
            answers[question.id] = value
        head = [line, respondent, name, type_text, state_text]
        submission = None
        if not errors:
            institution = Institution(name=name or UNNAMED_INSTITUTION, types=types, state=state, public=public)
            # "don't know" counts as blank; an answer to a question the row's other answers skip is not read.
            answers, undecided, ignored = split_answers(self.ruleset, answers, institution)
            submission = Submission(
                institution=institution, answers=answers, source=f"line {line}", undecided=undecided, ignored=ignored
            )
        return head, submission, errors

    def row(
        self,
        row: list[str],
        line: int,
        index: dict[str, int],
        questions: list[tuple[int, Question, dict[str, Any]]],
    ) -> tuple[list[Any], list[list[Any]]]:
        head, submission, errors = self.validate(row, line, index, questions)
        if submission is not None:
            try:
                if self.long:  # explanations are needed only for the long rows
                    report = self.evaluator.evaluate(submission, as_of=self.as_of, backend=self.backend, detail=False)
                else:
                    derivation = self.evaluator.derive(submission, self.as_of, self.backend)
            except EvaluationError as exc:
                errors.append(_("internal error while evaluating: {message}").format(message=exc))
            except RulesetError as exc:  # roll-up rules that miss this row's tallies: the other rows still count
                errors.append(_("the rules cannot evaluate this row: {message}").format(message=exc))
            else:
                if self.long:
                    return self._report_rows(head, report)
                return self._derivation_row(head, derivation), []
        message = ERROR_SEPARATOR.join(errors)
        wide = [*head, *[""] * (self._width - len(head))]  # every decision blank, and why in 'error'
        wide[self._error_at] = message
        long_rows = [[*head, "", "", "", "", "", "", "", "", message, ""]] if self.long else []
        return wide, long_rows

    def _wide_row(self, head: list[Any], decided: BatchOutcomes) -> list[Any]:
        """A results row (the layout of results_columns) from the decisions, in the shape ``outcomes`` returns."""
        return [
            *head,
            decided["level"],
            *map(decided["components"].get, self.components, self._blank_components),  # dict.get(id, "") in C
            LIST_SEPARATOR.join(decided["provisional"]),
            LIST_SEPARATOR.join(decided["flags"]),
            "",
            "",  # duplicate_of: filled in file order by the process that reads the survey (DuplicateMarker)
            *map(decided["findings"].get, self.controls, self._blank_controls),
        ]

    def _derivation_row(self, head: list[Any], derivation: Derivation) -> list[Any]:
        """The results row straight from what the rules derived (the explained report is never built)."""
        return self._wide_row(head, outcomes(self.ruleset, derivation))

    def _report_rows(self, head: list[Any], report: Report) -> tuple[list[Any], list[list[Any]]]:
        findings = {f["control"]: outcome_cell(f) for f in report["findings"]}
        # Controls written for other kinds of institution are grouped in the report, one entry for all.
        other_types = report.get("other_types")
        findings.update(dict.fromkeys(other_types["controls"] if other_types else (), "not_applicable"))
        decided: BatchOutcomes = {
            "level": level_cell(report["overall"]),
            "components": {c["id"]: outcome_cell(c) for c in report["components"]},
            "provisional": [c["id"] for c in report["components"] if c["provisional"]]
            + (["overall"] if report["overall"]["provisional"] else []),
            "flags": [f["id"] for f in report["flags"]],
            "findings": findings,
        }
        wide = self._wide_row(head, decided)
        long_rows: list[list[Any]] = []
        if self.long:
            for f in report["findings"]:
                if f["outcome"] == Outcome.NOT_APPLICABLE.value:
                    continue
                clause = f.get("recommended_clause")
                long_rows.append(
                    [
                        *head,
                        f["control"],
                        f["title"],
                        f["component"],
                        outcome_cell(f),
                        f["explanation"],
                        LIST_SEPARATOR.join(f.get("flags") or []),
                        clause["id"] if clause else "",
                        LIST_SEPARATOR.join(c["id"] for c in f.get("citations") or []),
                        "",
                        "",
                    ]
                )
        return wide, long_rows


def frame_rows(frame: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
    columns = [str(c) for c in frame.columns]
    return columns, frame.astype(object).where(frame.notna(), "").values.tolist()


def canonical_frame(ruleset: Ruleset, frame: pd.DataFrame, kept: list[str] | tuple[str, ...] = ()) -> pd.DataFrame:
    """Rename survey-tool headers to canonical columns (a no-op for frames from read_survey); ``kept`` columns
    (--keep-columns) stay as they are, last."""
    reserved = ("line", ROW_ERROR_COLUMN, *kept)
    mapping = map_columns(ruleset, [str(c) for c in frame.columns], reserved=reserved)
    keep = [frame.columns[i] for i, _ in mapping.positions] + [c for c in frame.columns if c in reserved]
    renamed = frame[keep].copy()
    renamed.columns = [c for _, c in mapping.positions] + [c for c in frame.columns if c in reserved]
    return renamed


def lines_for(frame: pd.DataFrame, lines: list[int] | pd.Series | None) -> list[int]:
    if lines is not None:
        result = [int(x) for x in lines]
    elif "line" in frame.columns:
        result = [int(x) for x in frame["line"]]
    else:
        # Without file lines, a row's line is its position after a one-line header.
        result = [int(x) + 2 for x in frame.index] if pandas_module().api.types.is_integer_dtype(frame.index) else []
        if not result:
            result = list(range(2, len(frame) + 2))
    if len(result) != len(frame):
        raise InputError(
            _("lines: {lines} line numbers for {rows} rows; give one per row.").format(
                lines=len(result), rows=len(frame)
            )
        )
    return result


def evaluate_frame(
    ruleset: Ruleset,
    frame: pd.DataFrame,
    *,
    as_of: dt.date | None = None,
    lines: list[int] | pd.Series | None = None,
    backend: str = "durable",
) -> pd.DataFrame:
    """Evaluate every row of a survey frame: the per-partition function of batch, pool and Dask runs.

    Args:
        ruleset: the loaded rules.
        frame: survey rows as text, headed by canonical columns (``read_survey``) or by the
            question ids or texts of a survey tool's export.
        as_of: the date the law is applied at (today when None).
        lines: the file line of each row; else a ``line`` column, else the row's position.
        backend: "durable" (default) or "oracle".

    Returns:
        One results row per input row, in input order (``results_columns``); a row that cannot be
        evaluated has blank outcomes and says why in ``error``. ``duplicate_of`` is left blank (the batch
        runs fill it in file order). ``line`` is an integer column,
        every other column text.
    """
    wide, _long = _evaluate_partition(ruleset, frame, as_of=as_of, lines=lines, backend=backend, long=False)
    return wide


def _evaluate_partition(
    ruleset: Ruleset,
    frame: pd.DataFrame,
    *,
    as_of: dt.date | None,
    lines: list[int] | pd.Series | None,
    backend: str,
    long: bool,
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    line_numbers = lines_for(frame, lines)
    columns, rows = frame_rows(canonical_frame(ruleset, frame))
    wide, long_rows = RowEvaluator(ruleset, as_of, backend, long).rows(columns, rows, line_numbers)
    return results_frame(ruleset, wide), (long_frame(long_rows) if long else None)


def results_frame(ruleset: Ruleset, rows: list[list[Any]], kept: list[str] | None = None) -> pd.DataFrame:
    frame = pandas_module().DataFrame(rows, columns=with_kept(results_columns(ruleset), kept or []), dtype=str)
    frame["line"] = frame["line"].astype("int64")
    return frame


def long_frame(rows: list[list[Any]], kept: list[str] | None = None) -> pd.DataFrame:
    frame = pandas_module().DataFrame(rows, columns=with_kept(LONG_COLUMNS, kept or []), dtype=str)
    frame["line"] = frame["line"].astype("int64")
    return frame


def to_safe_csv(frame: pd.DataFrame) -> str:
    """The frame as CSV text (UTF-8, comma, '\\n'), every cell neutralised against CSV injection."""
    columns, rows = frame_rows(frame)
    return safe_csv_text(columns, rows)
