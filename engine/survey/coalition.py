"""What a coalition needs around a batch run: the pre-check, duplicate submissions and carried id columns.

* ``check_survey`` / ``check_file`` find every row the evaluation will reject, with the same reason, by running the
  evaluation's own row checks (``RowEvaluator.validate``) without the rules.
* ``DuplicateMarker`` marks a row that repeats an earlier one: the same institution (name, type and state, as the
  evaluation reads them) or the same answers. Its ``duplicate_of`` is the file line of the first such row.
* Kept columns (``--keep-columns "Timestamp,Email"``) are read by the survey reader beside the canonical ones
  and written right after ``line``, so a result row can be matched to its form response.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import operator
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.errors import InputError
from engine.rules.model import Ruleset
from engine.run.institution import parse_state, parse_types
from engine.run.spellings import fold
from engine.survey.first_seen import FirstSeen
from engine.survey.layout import DEFAULT_CHUNK_ROWS, FIXED_COLUMNS, ROW_ERROR_COLUMN
from engine.survey.reading import SurveyFile
from engine.survey.rows import RowEvaluator

if TYPE_CHECKING:
    from engine.survey.reading import Survey

DUPLICATE_COLUMN = "duplicate_of"
# "The same answers" marks a duplicate only when at least this many questions are answered: two different
# institutions that answered two questions alike are not one submission sent twice.
MIN_SAME_ANSWERS = 5


@dataclass(frozen=True)
class RowProblem:
    """A row the evaluation will not evaluate, and why (the text its ``error`` cell will hold)."""

    line: int
    respondent_id: str
    institution_name: str
    problem: str


def _problems(ruleset: Ruleset, chunks: Iterator[tuple[list[str], list[list[str]], list[int]]]) -> Iterator[RowProblem]:
    checker = RowEvaluator(ruleset, dt.date.today(), "oracle", long=False)
    for columns, rows, lines in chunks:
        for head, why in checker.problems(columns, rows, lines):
            yield RowProblem(int(head[0]), str(head[1]), str(head[2]), why)


def check_survey(ruleset: Ruleset, survey: Survey) -> list[RowProblem]:
    """Every row of a survey read by ``read_survey`` that the evaluation will reject, in file order."""
    from engine.survey.rows import canonical_frame, frame_rows, lines_for

    frame = canonical_frame(ruleset, survey.frame)
    columns, rows = frame_rows(frame)
    lines = list(survey.lines) if survey.lines else lines_for(survey.frame, None)
    return list(_problems(ruleset, iter([(columns, rows, lines)])))


def check_file(
    ruleset: Ruleset, source: str | Path | bytes, name: str | None = None
) -> tuple[int, list[RowProblem], list[str]]:
    """(rows read, rows the evaluation will reject, file-level warnings) for a survey file, read in chunks."""
    survey_file = SurveyFile(source, ruleset, name)
    problems = list(_problems(ruleset, survey_file.chunks(DEFAULT_CHUNK_ROWS)))
    return survey_file.rows_read, problems, list(survey_file.problems)


class DuplicateMarker:
    """Marks rows that repeat an earlier row of the same survey: fed chunks in file order.

    Two rows are the same submission when they name the same institution (name folded for case, accents and
    spacing; the same types and state as the evaluation reads them) or give the same answers (every question cell
    alike but for case, with at least ``MIN_SAME_ANSWERS`` answered). Rows the reader found
    broken are never matched.
    """

    # Raw type and state cells remembered with their keys; a file with more distinct spellings starts afresh,
    # so the memo cannot grow with the file.
    MEMO_LIMIT = 4096

    def __init__(self) -> None:
        # Digest of a key -> the line that first had it, on disk (``FirstSeen``) so memory does not grow with rows.
        self._first: FirstSeen[bytes] = FirstSeen()
        self._types: dict[str, str] = {}
        self._states: dict[str, str] = {}

    def close(self) -> None:
        """Drop the index of keys seen (its temporary file too)."""
        self._first.close()

    @staticmethod
    def _digest(*parts: str) -> bytes:
        # 128-bit BLAKE2b: the chance that any two of n different keys share a digest is below n^2 / 2^129, about
        # 1e-26 for the four million keys of a 2,000,000-row survey, far below the chance of a disk error. So a
        # shared digest is taken as the same key, and no row is marked a duplicate that is not one.
        return hashlib.blake2b("\x1e".join(parts).encode("utf-8", "surrogatepass"), digest_size=16).digest()

    def _type_key(self, ruleset: Ruleset, raw: str) -> str:
        found = self._types.get(raw)
        if found is None:
            try:
                found = "|".join(sorted(parse_types(ruleset, raw))) if raw.strip() else ""
            except InputError:
                found = "?" + fold(raw)
            if len(self._types) >= self.MEMO_LIMIT:
                self._types.clear()
            self._types[raw] = found
        return found

    def _state_key(self, raw: str) -> str:
        found = self._states.get(raw)
        if found is None:
            try:
                found = parse_state(raw) or ""
            except InputError:
                found = "?" + fold(raw)
            if len(self._states) >= self.MEMO_LIMIT:
                self._states.clear()
            self._states[raw] = found
        return found

    def mark(self, ruleset: Ruleset, columns: list[str], rows: list[list[str]], lines: list[int]) -> list[str]:
        """The ``duplicate_of`` cell of each row: the first matching row's line, or ''."""
        at = {c: i for i, c in enumerate(columns)}
        questions = [i for i, c in enumerate(columns) if c in ruleset.questions]
        # The question cells of a row as a tuple (itemgetter of one index gives the cell itself, not a tuple).
        take: Callable[[list[str]], Any] | None = operator.itemgetter(*questions) if len(questions) > 1 else None
        if len(questions) == 1:
            only = questions[0]

            def take_one(row: list[str]) -> tuple[str, ...]:
                return (row[only],)

            take = take_one

        broken = at.get(ROW_ERROR_COLUMN)
        row_keys: list[list[bytes]] = []
        for row in rows:
            if broken is not None and str(row[broken] or "").strip():
                row_keys.append([])
                continue

            def cell(name: str, row: list[str] = row) -> str:
                i = at.get(name)
                value = row[i] if i is not None else ""
                return value if isinstance(value, str) else ""

            keys = []
            name = fold(cell("institution_name"))
            if name:
                keys.append(
                    self._digest(
                        "who", name, self._type_key(ruleset, cell("institution_type")), self._state_key(cell("state"))
                    )
                )
            # Cells compared as typed but for case, gathered and joined in C: a loop over ~150 cells a row cost more
            # than the rest of the parent's work on it.
            cells = take(row) if take is not None else ()
            if len(cells) - cells.count("") >= MIN_SAME_ANSWERS:
                keys.append(self._digest("answers", "\x1f".join(map(str, cells)).casefold()))
            row_keys.append(keys)
        # The keys earlier chunks recorded, looked up at once; then the rows decided in file order, a key first met in
        # this chunk counting for the rows after it.
        first_lines = self._first.firsts(key for keys in row_keys for key in keys)
        new: list[tuple[bytes, int]] = []
        out = []
        for keys, line in zip(row_keys, lines, strict=True):
            first = min((first_lines[k] for k in keys if k in first_lines), default=None)
            for key in keys:
                if key not in first_lines:
                    first_lines[key] = line
                    new.append((key, line))
            out.append(str(first) if first is not None else "")
        self._first.record(new)
        return out


class RowExtras:
    """The ``duplicate_of`` cell and the kept cells of every row, worked out from the input chunks in file order as
    they go to the evaluation, then written into its results rows (which come back in the same order)."""

    def __init__(self, ruleset: Ruleset, kept: list[str], duplicate_at: int, trailing: int = 0) -> None:
        self.ruleset = ruleset
        self.kept = kept
        self.trailing = trailing  # columns read after the kept ones (the store's county and id), never written
        self.duplicate_at = duplicate_at
        self.marker = DuplicateMarker()
        self.duplicates = 0
        self._pending: deque[dict[int, tuple[str, list[str]]]] = deque()

    def watch(
        self, chunks: Iterator[tuple[list[str], list[list[str]], list[int]]]
    ) -> Iterator[tuple[list[str], list[list[str]], list[int]]]:
        """Pass the chunks on, noting each row's extras."""
        for columns, rows, lines in chunks:
            marks = self.marker.mark(self.ruleset, columns, rows, lines)
            self.duplicates += sum(1 for m in marks if m)
            first = len(columns) - self.trailing - len(self.kept)
            kept_at = [first + i for i in range(len(self.kept))]
            self._pending.append(
                {line: (mark, [row[i] for i in kept_at]) for row, line, mark in zip(rows, lines, marks, strict=True)}
            )
            yield columns, rows, lines

    def apply(self, wide: list[list[Any]], long_rows: list[list[Any]]) -> None:
        """Fill ``duplicate_of`` and insert the kept cells after ``line`` in one chunk's results rows, in place.

        Call after the summary has counted the rows (it reads them in the plain layout).
        """
        extras = self._pending.popleft()
        for rows, at in ((wide, self.duplicate_at), (long_rows, -1)):
            for row in rows:
                mark, kept = extras[int(row[0])]
                row[at] = mark
                if kept:
                    row[1:1] = kept


def resolve_keep(headers: list[str], keep: list[str] | tuple[str, ...], mapped: dict[str, str], name: str) -> list[int]:
    """The header positions of the columns to carry through (``--keep-columns``), matched case-insensitively.

    Raises:
        InputError: a name that is not a header, or a column the results already hold under another name.
    """
    from engine.errors import did_you_mean
    from engine.i18n import _
    from engine.survey.headers import fold_header

    folded = {fold_header(h): i for i, h in reversed(list(enumerate(headers)))}
    positions = []
    for wanted in keep:
        i = folded.get(fold_header(wanted))
        if i is None:
            raise InputError(
                _("--keep-columns: {path} has no column {column}.").format(path=name, column=repr(wanted))
                + did_you_mean(wanted, headers)
                + " "
                + _("Its columns begin: {columns}.").format(columns=", ".join(repr(h) for h in headers[:8]))
            )
        if headers[i] in mapped and mapped[headers[i]] in FIXED_COLUMNS:
            raise InputError(
                _("--keep-columns: {column} is already in the results as {name}; leave it out.").format(
                    column=repr(headers[i]), name=mapped[headers[i]]
                )
            )
        positions.append(i)
    return positions
