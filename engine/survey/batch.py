"""Batch evaluation of survey CSVs: one verdict row per respondent and a summary to act on.

The only part of the engine that uses pandas. Three layers, each usable alone:

* reading (``read_survey``, ``SurveyFile``): decode what survey tools really export (UTF-8 with or
  without BOM, UTF-16, Windows-1252; comma, semicolon or tab), map headers written as question ids
  or as the questions' full text to canonical columns, keep every cell as text, and remember the
  file line of every row;
* evaluating (``evaluate_frame``): the per-partition function, DataFrame in, DataFrame out; a row
  that cannot be evaluated becomes a results row whose ``error`` says why, never an exception;
* running (``evaluate_survey``, ``run_batch``): chunks through a process pool whose workers load the
  rules and build the durable backend once each, in input order, with a summary and progress.

The Dask entry point over the same per-partition function lives in ``engine.survey.dask_batch``.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import multiprocessing
import os
import re
import sys
import time
import unicodedata
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.csv_safe import neutralise_cell, safe_csv_text, write_safe_rows
from engine.errors import EvaluationError, InputError, did_you_mean
from engine.rules.loader import load_ruleset
from engine.rules.model import Institution, Level, Outcome, Question, Ruleset, Submission
from engine.run.answers import is_blank, normalise_answer, parse_public, parse_state, parse_types, split_undecided
from engine.run.evaluate import evaluate

if TYPE_CHECKING:
    import pandas as pd

FIXED_COLUMNS = ("respondent_id", "institution_name", "institution_type", "state", "public")
ROW_ERROR_COLUMN = "_row_error"
"""Frames from the reader carry this column: a structural problem of the row (too many cells...)."""

# Headers for the fixed columns in a template meant for Google Forms, Microsoft Forms or SurveyMonkey.
FIXED_TEXT_HEADERS = {
    "respondent_id": "Respondent ID",
    "institution_name": "Institution name",
    "institution_type": "Institution type",
    "state": "State (two-letter code)",
    "public": "Public body? (yes/no)",
}
_FIXED_ALIASES = {
    "respondent_id": {"respondent_id", "respondent", "respondentid", "respondent_number", "response_id", "encuestado"},
    "institution_name": {
        "institution_name",
        "institution",
        "name_of_institution",
        "name_of_the_institution",
        "organization",
        "organisation",
        "organization_name",
        "organisation_name",
        "nombre_de_la_institucion",
        "institucion",
    },
    "institution_type": {
        "institution_type",
        "type",
        "type_of_institution",
        "kind_of_institution",
        "tipo_de_institucion",
        "tipo",
    },
    "state": {"state", "state_code", "us_state", "estado"},
    "public": {"public", "public_body", "is_public", "public_or_private", "publico"},
}
# Microsoft Forms numbers responses in a column headed "ID"; use it only when nothing better exists.
_WEAK_RESPONDENT_ALIASES = {"id"}
# SurveyMonkey's export has a second header row naming the kind of answer under each question.
_SURVEYMONKEY_SUBHEADERS = {"response", "open-ended response", "other (please specify)", "respuesta"}

DEFAULT_CHUNK_ROWS = 250
LIST_SEPARATOR = "|"  # as in 'sanctuary questions --format csv'
ERROR_SEPARATOR = " | "
_MAX_LISTED = 20
_DELIMITERS = (",", ";", "\t")
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " "})


def _pandas() -> Any:
    # Imported on first use: pool workers and the other sanctuary commands never need pandas (half a
    # second to import and about 50 MB per process).
    import pandas

    return pandas


# -- results layout -------------------------------------------------------------------------------------------


def results_columns(ruleset: Ruleset) -> list[str]:
    """Columns of the results CSV: SPEC's, with ``line`` first and ``state`` after the type."""
    return [
        "line",
        "respondent_id",
        "institution_name",
        "institution_type",
        "state",
        "overall_level",
        *ruleset.components,
        "flags",
        "error",
        *(f"control:{cid}" for cid in ruleset.controls),
    ]


LONG_COLUMNS = [
    "line",
    "respondent_id",
    "institution_name",
    "institution_type",
    "state",
    "control",
    "title",
    "component",
    "outcome",
    "explanation",
    "flags",
    "recommended_clause",
    "citations",
    "error",
]


# -- reading --------------------------------------------------------------------------------------------------


def _fold_header(text: str) -> str:
    """Header text folded for matching: case, accents of quotes, numbering and 'required' marks."""
    text = unicodedata.normalize("NFKC", text).replace("\ufeff", "").translate(_QUOTES).strip().lower()
    text = re.sub(r"^(q\s*)?\d+\s*[.):]\s+", "", text)
    text = re.sub(r"\s*(\*|\((required|obligatori[ao])\))\s*$", "", text)
    return " ".join(text.split())


def _alias_key(text: str) -> str:
    plain = "".join(c for c in unicodedata.normalize("NFKD", _fold_header(text)) if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "_", plain).strip("_")


for _column, _text in FIXED_TEXT_HEADERS.items():
    _FIXED_ALIASES[_column].add(_alias_key(_text))


@dataclass
class ColumnMapping:
    """How the headers of a survey map to canonical columns."""

    positions: list[tuple[int, str]]
    column_map: dict[str, str]
    ignored: list[str]
    problems: list[str]

    @property
    def canonical(self) -> list[str]:
        """Fixed columns, then the question columns in file order, then the row-error column."""
        questions = [c for _, c in self.positions if c not in FIXED_COLUMNS]
        return [*FIXED_COLUMNS, *questions, ROW_ERROR_COLUMN]

    @property
    def recognised(self) -> int:
        """How many headers mapped to a known column."""
        return len(self.positions)


def map_columns(ruleset: Ruleset, headers: list[str], reserved: tuple[str, ...] = ()) -> ColumnMapping:
    """Map survey headers (question ids, question texts, fixed-column names) to canonical columns.

    Args:
        ruleset: the rules whose questions the headers should name.
        headers: the header cells in file order.
        reserved: headers passed through unchanged (such as ``line`` in a frame we made).

    Returns:
        The mapping; unknown headers are listed in ``ignored`` and explained in ``problems``.

    Raises:
        InputError: two columns hold the same question or fixed column.
    """
    by_id = {qid.lower(): qid for qid in ruleset.questions}
    by_text: dict[str, list[str]] = {}
    for q in ruleset.questions.values():
        by_text.setdefault(_fold_header(q.text), []).append(q.id)
    positions: list[tuple[int, str]] = []
    column_map: dict[str, str] = {}
    ignored: list[str] = []
    problems: list[str] = []
    taken: dict[str, str] = {}
    weak_id: tuple[int, str] | None = None
    for index, header in enumerate(headers):
        if header in reserved:
            continue
        folded, key = _fold_header(header), _alias_key(header)
        target = by_id.get(folded) or by_id.get(key)
        if target is None:
            target = next((col for col, names in _FIXED_ALIASES.items() if key in names), None)
        if target is None and folded in by_text:
            matches = by_text[folded]
            if len(matches) > 1:
                problems.append(
                    f"column {header!r} matches several questions ({', '.join(matches)}) and was ignored; "
                    "head it by the question id."
                )
                ignored.append(header)
                continue
            target = matches[0]
        if target is None:
            if key in _WEAK_RESPONDENT_ALIASES and weak_id is None:
                weak_id = (index, header)
                continue
            label = header if header.strip() else f"(column {index + 1}, no header)"
            ignored.append(label)
            continue
        if target in taken:
            raise InputError(
                f"columns {taken[target]!r} and {header!r} both hold {target}; keep one of them and try again."
            )
        taken[target] = header
        positions.append((index, target))
        column_map[header] = target
    if weak_id is not None:
        if "respondent_id" in taken:
            ignored.append(weak_id[1])
        else:
            positions.append((weak_id[0], "respondent_id"))
            column_map[weak_id[1]] = "respondent_id"
    if ignored:
        hints = []
        for name in ignored:
            hint = did_you_mean(name, ruleset.questions)
            if hint:
                hints.append(f"{name!r}:{hint}")
        shown = ", ".join(repr(n) for n in ignored[:_MAX_LISTED]) + (" ..." if len(ignored) > _MAX_LISTED else "")
        problems.append(
            f"ignored {len(ignored)} column(s) that are not questions of these rules: {shown}"
            + (f" ({'; '.join(hints[:5])})" if hints else "")
            + "."
        )
    if "institution_type" not in taken and positions:
        problems.append(
            "the survey has no institution_type column, so no row can be evaluated; add one (see 'sanctuary template')."
        )
    return ColumnMapping(positions, column_map, ignored, problems)


class _ByteSource:
    """A re-readable binary source: a path opened on demand, or bytes in memory."""

    def __init__(self, source: str | Path | bytes, name: str | None) -> None:
        if isinstance(source, bytes | bytearray):
            self.data: bytes | None = bytes(source)
            self.path: Path | None = None
            self.name = name or "survey"
        else:
            self.data = None
            self.path = Path(source)
            self.name = name or str(source)
            if not self.path.is_file():
                what = "is a directory" if self.path.is_dir() else "no such file"
                raise InputError(f"{self.name}: {what}; give the path of a survey CSV file.")

    def open(self) -> io.BufferedIOBase:
        if self.data is not None:
            return io.BytesIO(self.data)
        try:
            return open(self.path, "rb")
        except OSError as exc:
            raise InputError(f"{self.name}: cannot read the file ({exc.strerror}).") from None


def _sniff_encoding(source: _ByteSource) -> tuple[str, int]:
    """The text encoding of the survey and its number of line breaks (for progress).

    Raises:
        InputError: the file is empty or is not text (a workbook, a PDF, an image...).
    """
    with source.open() as handle:
        head = handle.read(8192)
        if not head.strip(b" \t\r\n\x00"):
            raise InputError(f"{source.name}: the file is empty; export the survey responses as CSV.")
        signatures = {
            b"PK\x03\x04": "a zip archive (an Excel .xlsx workbook?)",
            b"\xd0\xcf\x11\xe0": "an Excel .xls workbook",
            b"%PDF": "a PDF document",
            b"\x1f\x8b": "a gzip archive",
            b"\x89PNG": "a PNG image",
            b"\xff\xd8\xff": "a JPEG image",
        }
        for magic, what in signatures.items():
            if head.startswith(magic):
                raise InputError(f"{source.name}: this is {what}, not CSV; save the survey as CSV (UTF-8) first.")
        if head.startswith(codecs.BOM_UTF8):
            candidates = ["utf-8-sig"]
        elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            candidates = ["utf-16"]
        elif b"\x00" in head:
            even, odd = head[0::2], head[1::2]
            if odd.count(0) > 0.3 * len(odd) and even.count(0) < 0.05 * len(even):
                candidates = ["utf-16-le"]
            elif even.count(0) > 0.3 * len(even) and odd.count(0) < 0.05 * len(odd):
                candidates = ["utf-16-be"]
            else:
                raise InputError(f"{source.name}: this is a binary file, not CSV text; export the survey as CSV.")
        else:
            candidates = ["utf-8-sig", "cp1252", "latin-1"]
    for encoding in candidates:
        decoder = codecs.getincrementaldecoder(encoding)()
        newlines = 0
        try:
            with source.open() as handle:
                while block := handle.read(1 << 20):
                    newlines += decoder.decode(block).count("\n")
                newlines += decoder.decode(b"", final=True).count("\n")
        except UnicodeDecodeError:
            continue
        return encoding, newlines
    raise InputError(f"{source.name}: cannot decode the file as UTF-8, UTF-16 or Windows-1252 text.")


def _check_text(name: str, sample: str) -> None:
    controls = sum(1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in "\t\r\n")
    if controls > max(2, len(sample) // 100):
        raise InputError(f"{name}: this is a binary file, not CSV text; export the survey as CSV.")


class _LineFeed:
    """Feeds physical lines to csv.reader and keeps the raw lines of the record being read."""

    def __init__(self, handle: io.TextIOBase) -> None:
        self.handle = handle
        self.record: list[str] = []

    def __iter__(self) -> Iterator[str]:
        for line in self.handle:
            self.record.append(line)
            yield line


@dataclass
class Survey:
    """A survey read into memory (what the UI's batch page works with).

    ``frame`` holds only text, in canonical columns: ``respondent_id, institution_name,
    institution_type, state, public``, the question ids in file order, then ``_row_error`` (a
    structural problem of the row, blank normally). ``lines[i]`` is the file line of row ``i``.
    """

    frame: pd.DataFrame
    lines: list[int]
    ignored_columns: list[str]
    column_map: dict[str, str]
    problems: list[str]
    source: str = ""
    encoding: str = ""
    delimiter: str = ","
    duplicate_respondent_ids: dict[str, list[int]] = field(default_factory=dict)


class SurveyFile:
    """A survey CSV opened for streaming: header mapped up front, rows read in chunks.

    Raises (on construction):
        InputError: the file cannot be read as a survey at all (one line, naming the file).
    """

    def __init__(self, source: str | Path | bytes, ruleset: Ruleset, name: str | None = None) -> None:
        self.ruleset = ruleset
        self._source = _ByteSource(source, name)
        self.name = self._source.name
        self.encoding, newlines = _sniff_encoding(self._source)
        with self._open_text() as text:
            sample = text.read(65536)
        _check_text(self.name, sample)
        self.delimiter, self.headers, self.mapping = self._choose_layout(sample)
        if not self.mapping.recognised:
            raise InputError(
                f"{self.name}: no column is a question id, a question's text or institution_type, so this is "
                "not a survey of these rules; start from 'sanctuary template'."
            )
        self.columns = self.mapping.canonical
        self.problems: list[str] = list(self.mapping.problems)
        self.duplicates: dict[str, list[int]] = {}
        self.estimated_rows = max(1, newlines - 1)
        self.rows_read = 0

    @property
    def column_map(self) -> dict[str, str]:
        """Original header -> canonical column."""
        return self.mapping.column_map

    @property
    def ignored_columns(self) -> list[str]:
        """Headers that are not questions or fixed columns."""
        return self.mapping.ignored

    def _open_text(self) -> io.TextIOWrapper:
        return io.TextIOWrapper(self._source.open(), encoding=self.encoding, newline="")

    def _choose_layout(self, sample: str) -> tuple[str, list[str], ColumnMapping]:
        best: tuple[tuple[int, int, int], str, list[str], ColumnMapping] | None = None
        for rank, delimiter in enumerate(_DELIMITERS):
            try:
                header = next((row for row in csv.reader(io.StringIO(sample), delimiter=delimiter) if row), [])
            except csv.Error:
                continue
            try:
                mapping = map_columns(self.ruleset, header)
            except InputError:
                mapping = ColumnMapping([], {}, header, [])
            score = (mapping.recognised, len(header), -rank)
            if best is None or score > best[0]:
                best = (score, delimiter, header, mapping)
        assert best is not None
        # Map again so a duplicate-column error for the chosen delimiter surfaces with the file name.
        try:
            mapping = map_columns(self.ruleset, best[2])
        except InputError as exc:
            raise InputError(f"{self.name}: {exc}") from None
        return best[1], best[2], mapping

    def records(self) -> Iterator[tuple[int, list[str]]]:
        """(file line, canonical cells) for every respondent row, in file order.

        Raises:
            InputError: the CSV structure breaks so badly that rows cannot be told apart.
        """
        width = len(self.headers)
        index = {column: i for i, column in enumerate(self.columns)}
        positions = self.mapping.positions
        type_position = next((p for p, c in positions if c == "institution_type"), None)
        seen: dict[str, int] = {}
        with self._open_text() as text:
            feed = _LineFeed(text)
            reader = csv.reader(feed, delimiter=self.delimiter, strict=False)
            previous_end = 0
            header_done = False
            pending: tuple[int, list[str]] | None = None
            last_raw: list[str] = []
            try:
                for cells in reader:
                    start, previous_end = previous_end + 1, reader.line_num
                    raw_record, feed.record = feed.record, []
                    if not any(c.strip() for c in cells):
                        continue
                    if not header_done:
                        header_done = True
                        continue
                    if self.rows_read == 0 and pending is None and self._is_surveymonkey_subheader(cells):
                        continue
                    if pending is not None:
                        yield pending
                    pending = self._canonical_row(cells, start, width, index, positions, type_position, seen)
                    self.rows_read += 1
                    last_raw = raw_record
            except csv.Error as exc:
                raise InputError(f"{self.name}: line {reader.line_num}: the CSV is malformed ({exc}).") from None
            if pending is not None:
                if self._unclosed_quote(last_raw):
                    cells = pending[1]
                    cells[index[ROW_ERROR_COLUMN]] = (
                        f'a quote (") opened in this row is never closed, so lines {pending[0]}-{previous_end} '
                        "were read as one row; close the quote and run again."
                    )
                yield pending
        if self.rows_read == 0:
            raise InputError(f"{self.name}: the file has a header row but no respondent rows.")
        for rid, lines in self.duplicates.items():
            self.problems.append(
                f"respondent_id {rid!r} is used on lines {', '.join(map(str, lines))}; every row was still evaluated."
            )

    def _unclosed_quote(self, raw_record: list[str]) -> bool:
        if len(raw_record) < 2:
            return False
        try:
            list(csv.reader(io.StringIO("".join(raw_record)), delimiter=self.delimiter, strict=True))
        except csv.Error as exc:
            return "unexpected end of data" in str(exc)
        return False

    def _is_surveymonkey_subheader(self, cells: list[str]) -> bool:
        words = {_fold_header(c) for c in cells if c.strip()}
        return bool(words) and words <= _SURVEYMONKEY_SUBHEADERS

    def _canonical_row(
        self,
        cells: list[str],
        line: int,
        width: int,
        index: dict[str, int],
        positions: list[tuple[int, str]],
        type_position: int | None,
        seen: dict[str, int],
    ) -> tuple[int, list[str]]:
        row = [""] * len(self.columns)
        for position, column in positions:
            if position < len(cells):
                row[index[column]] = cells[position]
        problem = ""
        if len(cells) > width:
            problem = (
                f"the row has {len(cells)} cells but the header has {width}; a cell probably holds an unquoted "
                f"'{self._delimiter_name()}' (put that cell in double quotes)."
            )
        elif type_position is None:
            problem = (
                "institution_type: the survey has no institution_type column; add one with one of "
                f"{', '.join(self.ruleset.institution_types)}."
            )
        elif type_position >= len(cells):
            problem = f"institution_type: missing (the row has only {len(cells)} of the {width} columns)."
        row[index[ROW_ERROR_COLUMN]] = problem
        respondent = row[0].strip()
        if not respondent:
            row[0] = respondent = str(self.rows_read + 1)
        if respondent in seen:
            self.duplicates.setdefault(respondent, [seen[respondent]]).append(line)
        else:
            seen[respondent] = line
        return line, row

    def _delimiter_name(self) -> str:
        return {"\t": "tab"}.get(self.delimiter, self.delimiter)

    def chunks(self, size: int = DEFAULT_CHUNK_ROWS) -> Iterator[tuple[list[str], list[list[str]], list[int]]]:
        """(columns, rows, lines) in chunks of ``size`` rows, for the evaluation pool."""
        rows: list[list[str]] = []
        lines: list[int] = []
        for line, row in self.records():
            rows.append(row)
            lines.append(line)
            if len(rows) >= size:
                yield self.columns, rows, lines
                rows, lines = [], []
        if rows:
            yield self.columns, rows, lines


def read_survey(source: str | Path | bytes, ruleset: Ruleset, name: str | None = None) -> Survey:
    """Read a whole survey CSV into memory, every cell as text.

    Args:
        source: a path, or the file's bytes (an upload).
        ruleset: the rules whose questions the columns name.
        name: how to name the file in messages (default: the path, or "survey" for bytes).

    Returns:
        The survey; file-level warnings (ignored columns, duplicate respondent ids) in ``problems``.

    Raises:
        InputError: the file cannot be read as a survey at all (empty, binary, no known column).
    """
    survey_file = SurveyFile(source, ruleset, name)
    lines: list[int] = []
    rows: list[list[str]] = []
    for line, row in survey_file.records():
        lines.append(line)
        rows.append(row)
    frame = _pandas().DataFrame(rows, columns=survey_file.columns, dtype=str)
    return Survey(
        frame=frame,
        lines=lines,
        ignored_columns=list(survey_file.ignored_columns),
        column_map=dict(survey_file.column_map),
        problems=list(survey_file.problems),
        source=survey_file.name,
        encoding=survey_file.encoding,
        delimiter=survey_file.delimiter,
        duplicate_respondent_ids=dict(survey_file.duplicates),
    )


# -- evaluating -----------------------------------------------------------------------------------------------


def _normalise_cell(question: Question, raw: str) -> Any:
    """normalise_answer, plus the rule for multi-select cells in a one-answer choice question."""
    try:
        return normalise_answer(question, raw)
    except InputError:
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
            f"{question.id}: {raw!r} gives several choices ({', '.join(matched)}); this question takes one answer."
        )
    raise InputError(f"{question.id}: {raw!r} is not one of the choices: {', '.join(question.choices)}.")


class _RowEvaluator:
    """Turns canonical rows into results rows for one ruleset, date and backend."""

    def __init__(self, ruleset: Ruleset, as_of: dt.date | None, backend: str, long: bool) -> None:
        self.ruleset = ruleset
        self.as_of = as_of or dt.date.today()
        self.backend = backend
        self.long = long
        self.components = list(ruleset.components)
        self.controls = list(ruleset.controls)

    def rows(
        self, columns: list[str], rows: list[list[str]], lines: list[int]
    ) -> tuple[list[list[Any]], list[list[Any]]]:
        index = {c: i for i, c in enumerate(columns)}
        questions = [(i, self.ruleset.questions[c]) for i, c in enumerate(columns) if c in self.ruleset.questions]
        wide: list[list[Any]] = []
        long_rows: list[list[Any]] = []
        for row, line in zip(rows, lines, strict=True):
            w, lr = self.row(row, line, index, questions)
            wide.append(w)
            long_rows.extend(lr)
        return wide, long_rows

    def row(
        self, row: list[str], line: int, index: dict[str, int], questions: list[tuple[int, Question]]
    ) -> tuple[list[Any], list[list[Any]]]:
        def cell(name: str) -> str:
            i = index.get(name)
            value = row[i] if i is not None else ""
            return "" if value is None or (isinstance(value, float) and value != value) else str(value)

        errors: list[str] = []
        if cell(ROW_ERROR_COLUMN).strip():
            errors.append(cell(ROW_ERROR_COLUMN).strip())
        respondent, name = cell("respondent_id").strip() or str(line), cell("institution_name").strip()
        type_text, state_text = cell("institution_type").strip(), cell("state").strip()
        types: tuple[str, ...] = ()
        state: str | None = None
        public: bool | None = None
        if "institution_type" not in index:
            errors.append(
                "institution_type: the survey has no institution_type column; add one with one of "
                f"{', '.join(self.ruleset.institution_types)}."
            )
        elif not errors:
            try:
                types = parse_types(self.ruleset, type_text, "institution_type")
                type_text = LIST_SEPARATOR.join(types)
            except InputError as exc:
                errors.append(str(exc))
        try:
            state = parse_state(state_text, "state")
            state_text = state or ""
        except InputError as exc:
            errors.append(str(exc))
        try:
            public = parse_public(cell("public"), "public")
        except InputError as exc:
            errors.append(str(exc))
        answers: dict[str, Any] = {}
        for i, question in questions:
            raw = row[i]
            if raw is None or not isinstance(raw, str) or not raw.strip():
                continue
            try:
                value = _normalise_cell(question, raw)
            except InputError as exc:
                errors.append(str(exc))
                continue
            if value is not None:
                answers[question.id] = value
        head = [line, respondent, name, type_text, state_text]
        if not errors:
            answers, undecided = split_undecided(self.ruleset, answers)
            submission = Submission(
                institution=Institution(name=name or "Unnamed institution", types=types, state=state, public=public),
                answers=answers,
                source=f"line {line}",
                undecided=undecided,
            )
            try:
                report = evaluate(self.ruleset, submission, as_of=self.as_of, backend=self.backend, detail=False)
            except EvaluationError as exc:
                errors.append(f"internal error while evaluating: {exc}")
            else:
                return self._report_rows(head, report)
        message = ERROR_SEPARATOR.join(errors)
        wide = [*head, "", *([""] * len(self.components)), "", message, *([""] * len(self.controls))]
        long_rows = [[*head, "", "", "", "", "", "", "", "", message]] if self.long else []
        return wide, long_rows

    def _report_rows(self, head: list[Any], report: dict[str, Any]) -> tuple[list[Any], list[list[Any]]]:
        outcomes = {f["control"]: f["outcome"] for f in report["findings"]}
        components = {c["id"]: c["outcome"] for c in report["components"]}
        flags = LIST_SEPARATOR.join(f["id"] for f in report["flags"])
        wide = [
            *head,
            report["overall"]["level"],
            *(components.get(c, "") for c in self.components),
            flags,
            "",
            *(outcomes.get(c, "") for c in self.controls),
        ]
        long_rows: list[list[Any]] = []
        if self.long:
            for f in report["findings"]:
                if f["outcome"] == Outcome.NOT_APPLICABLE.value:
                    continue
                clause = f.get("recommended_clause") or {}
                long_rows.append(
                    [
                        *head,
                        f["control"],
                        f["title"],
                        f["component"],
                        f["outcome"],
                        f["explanation"],
                        LIST_SEPARATOR.join(f.get("flags") or []),
                        clause.get("id", ""),
                        LIST_SEPARATOR.join(c["id"] for c in f.get("citations") or []),
                        "",
                    ]
                )
        return wide, long_rows


def _frame_rows(frame: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
    columns = [str(c) for c in frame.columns]
    return columns, frame.astype(object).where(frame.notna(), "").values.tolist()


def _canonical_frame(ruleset: Ruleset, frame: pd.DataFrame) -> pd.DataFrame:
    """Rename survey-tool headers to canonical columns (a no-op for frames from read_survey)."""
    reserved = ("line", ROW_ERROR_COLUMN)
    mapping = map_columns(ruleset, [str(c) for c in frame.columns], reserved=reserved)
    keep = [frame.columns[i] for i, _ in mapping.positions] + [c for c in frame.columns if c in reserved]
    renamed = frame[keep].copy()
    renamed.columns = [c for _, c in mapping.positions] + [c for c in frame.columns if c in reserved]
    return renamed


def _lines_for(frame: pd.DataFrame, lines: list[int] | pd.Series | None) -> list[int]:
    if lines is not None:
        result = [int(x) for x in lines]
    elif "line" in frame.columns:
        result = [int(x) for x in frame["line"]]
    else:
        # Without file lines, a row's line is its position after a one-line header.
        result = [int(x) + 2 for x in frame.index] if _pandas().api.types.is_integer_dtype(frame.index) else []
        if not result:
            result = list(range(2, len(frame) + 2))
    if len(result) != len(frame):
        raise InputError(f"lines: {len(result)} line numbers for {len(frame)} rows; give one per row.")
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
        evaluated has blank outcomes and says why in ``error``. ``line`` is an integer column,
        every other column text.
    """
    wide, _ = _evaluate_partition(ruleset, frame, as_of=as_of, lines=lines, backend=backend, long=False)
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
    line_numbers = _lines_for(frame, lines)
    columns, rows = _frame_rows(_canonical_frame(ruleset, frame))
    wide, long_rows = _RowEvaluator(ruleset, as_of, backend, long).rows(columns, rows, line_numbers)
    return _results_frame(ruleset, wide), (_long_frame(long_rows) if long else None)


def _results_frame(ruleset: Ruleset, rows: list[list[Any]]) -> pd.DataFrame:
    frame = _pandas().DataFrame(rows, columns=results_columns(ruleset), dtype=str)
    frame["line"] = frame["line"].astype("int64")
    return frame


def _long_frame(rows: list[list[Any]]) -> pd.DataFrame:
    frame = _pandas().DataFrame(rows, columns=LONG_COLUMNS, dtype=str)
    frame["line"] = frame["line"].astype("int64")
    return frame


# -- the worker pool ------------------------------------------------------------------------------------------

_WORKER_EVALUATOR: dict[str, _RowEvaluator] = {}


def _init_worker(rules_dir: str, content_hash: str, as_of: str, backend: str, long: bool) -> None:
    """Load the rules and build the rules engine once in this worker process."""
    ruleset = load_ruleset(rules_dir)
    if ruleset.content_hash != content_hash:
        raise RuntimeError(f"{rules_dir}: the rules changed while the batch was starting; run it again.")
    evaluator = _RowEvaluator(ruleset, dt.date.fromisoformat(as_of), backend, long)
    # Evaluating one empty submission builds the durable backend now rather than in the first chunk.
    first_type = next(iter(ruleset.institution_types))
    evaluate(ruleset, Submission(Institution("warm-up", (first_type,)), {}), as_of=evaluator.as_of, backend=backend)
    _WORKER_EVALUATOR["current"] = evaluator


def _work(chunk: tuple[list[str], list[list[str]], list[int]]) -> tuple[list[list[Any]], list[list[Any]]]:
    return _WORKER_EVALUATOR["current"].rows(*chunk)


def _pool_context() -> multiprocessing.context.BaseContext:
    # Never fork: the parent may hold a durable-rules engine and threads (Streamlit) that fork would copy.
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    # Workers fork from a server that has already imported the engine: faster start, shared pages.
    context.set_forkserver_preload(["engine.survey.batch"])
    return context


def _run_chunks(
    ruleset: Ruleset,
    chunks: Iterator[tuple[list[str], list[list[str]], list[int]]],
    *,
    workers: int,
    as_of: dt.date,
    backend: str,
    long: bool,
) -> Iterator[tuple[list[list[Any]], list[list[Any]]]]:
    """Evaluate chunks in input order; with workers > 1 through a bounded process pool."""
    if workers < 1:
        raise InputError(f"--workers: {workers} is not a positive number of worker processes.")
    if workers == 1:
        evaluator = _RowEvaluator(ruleset, as_of, backend, long)
        for chunk in chunks:
            yield evaluator.rows(*chunk)
        return
    if not ruleset.root:
        raise InputError("workers: the rules were not loaded from a directory; use one worker.")
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=_pool_context(),
        initializer=_init_worker,
        initargs=(ruleset.root, ruleset.content_hash, as_of.isoformat(), backend, long),
    ) as pool:
        # A bounded window of chunks in flight keeps memory flat however long the file is.
        pending: deque[Any] = deque()
        try:
            for chunk in chunks:
                pending.append(pool.submit(_work, chunk))
                if len(pending) >= 2 * workers:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        except BrokenProcessPool:
            raise EvaluationError(
                "a worker process stopped unexpectedly (out of memory?); run again with fewer --workers."
            ) from None


# -- summary --------------------------------------------------------------------------------------------------


class SummaryBuilder:
    """Counts for the --summary JSON, fed one results row at a time (so memory stays flat)."""

    OUTCOMES = tuple(o.value for o in Outcome)
    LEVELS = (*(level.value for level in Level), "error")

    def __init__(self, ruleset: Ruleset) -> None:
        self.ruleset = ruleset
        self.components = list(ruleset.components)
        self.controls = list(ruleset.controls)
        self.total = self._group()
        self.by_type: dict[str, dict[str, Any]] = {}
        self.by_state: dict[str, dict[str, Any]] = {}
        self.control_counts = {c: dict.fromkeys((*self.OUTCOMES, "error"), 0) for c in self.controls}
        self.flags: dict[str, int] = {}
        first = 6
        self._component_slice = slice(first, first + len(self.components))
        self._flags_at = first + len(self.components)
        self._error_at = self._flags_at + 1
        self._controls_at = self._error_at + 1

    def _group(self) -> dict[str, Any]:
        return {
            "respondents": 0,
            "evaluated": 0,
            "errors": 0,
            "overall": dict.fromkeys(self.LEVELS, 0),
            "components": {c: dict.fromkeys((*self.OUTCOMES, "error"), 0) for c in self.components},
        }

    def add(self, row: list[Any]) -> None:
        """Count one results row (in ``results_columns`` order)."""
        error = bool(row[self._error_at])
        level = "error" if error else row[5]
        components = ["error"] * len(self.components) if error else row[self._component_slice]
        types = [t for t in str(row[3]).split(LIST_SEPARATOR) if t]
        if not types or any(t not in self.ruleset.institution_types for t in types):
            types = ["(invalid or missing type)"]
        state = str(row[4]) or "(no state)"
        if error and state != "(no state)" and not re.fullmatch(r"[A-Z]{2}", state):
            state = "(invalid state)"
        groups = [self.total]
        groups += [self.by_type.setdefault(t, self._group()) for t in types]
        groups.append(self.by_state.setdefault(state, self._group()))
        for group in groups:
            group["respondents"] += 1
            group["errors" if error else "evaluated"] += 1
            group["overall"][level] += 1
            for cid, outcome in zip(self.components, components, strict=True):
                group["components"][cid][outcome] += 1
        if error:
            for cid in self.controls:
                self.control_counts[cid]["error"] += 1
            return
        for cid, outcome in zip(self.controls, row[self._controls_at :], strict=True):
            self.control_counts[cid][outcome] += 1
        for flag in filter(None, str(row[self._flags_at]).split(LIST_SEPARATOR)):
            self.flags[flag] = self.flags.get(flag, 0) + 1

    def result(self, *, source: str, as_of: dt.date, problems: list[str], ignored: list[str]) -> dict[str, Any]:
        """The summary document (see the module docstring of engine.cli.batch for its shape)."""
        failed = []
        for cid, counts in self.control_counts.items():
            applicable = sum(counts[o] for o in ("pass", "partial", "fail", "not_answered"))
            if counts["fail"]:
                control = self.ruleset.controls[cid]
                failed.append(
                    {
                        "control": cid,
                        "title": control.title,
                        "component": control.component,
                        "fail": counts["fail"],
                        "partial": counts["partial"],
                        "applicable": applicable,
                        "fail_percent": round(100 * counts["fail"] / applicable, 1),
                    }
                )
        failed.sort(key=lambda item: (-item["fail"], -item["partial"], item["control"]))
        return {
            "schema_version": 1,
            "source": source,
            "ruleset": {"id": self.ruleset.id, "version": self.ruleset.version, "hash": self.ruleset.content_hash},
            "as_of": as_of.isoformat(),
            **{k: self.total[k] for k in ("respondents", "evaluated", "errors", "overall", "components")},
            "by_institution_type": dict(sorted(self.by_type.items())),
            "by_state": dict(sorted(self.by_state.items())),
            "controls_most_failed": failed[:10],
            "flags": dict(sorted(self.flags.items(), key=lambda kv: (-kv[1], kv[0]))),
            "ignored_columns": ignored,
            "problems": problems,
        }


# -- running --------------------------------------------------------------------------------------------------


@dataclass
class BatchResult:
    """What a batch run produced: the results frame, the long frame (when asked) and the summary."""

    results: pd.DataFrame
    long: pd.DataFrame | None
    summary: dict[str, Any]


def _chunk_frame(
    frame: pd.DataFrame, lines: list[int], size: int
) -> Iterator[tuple[list[str], list[list[str]], list[int]]]:
    columns, rows = _frame_rows(frame)
    for start in range(0, len(rows), size):
        yield columns, rows[start : start + size], lines[start : start + size]


def evaluate_survey(
    ruleset: Ruleset,
    survey: Survey,
    *,
    workers: int = 1,
    as_of: dt.date | None = None,
    progress: Callable[[int, int], None] | None = None,
    long: bool = False,
    backend: str = "durable",
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
) -> BatchResult:
    """Evaluate a survey read by ``read_survey`` (the UI's batch page calls this).

    Args:
        ruleset: the loaded rules.
        survey: the survey.
        workers: processes to evaluate in (1 = in this process).
        as_of: the date the law is applied at (today when None).
        progress: called as ``progress(done_rows, total_rows)`` after every chunk.
        long: also build the long frame (one row per respondent and applicable control).
        backend: "durable" (default) or "oracle".
        chunk_rows: rows per chunk sent to a worker.

    Returns:
        The results (input order, identical whatever ``workers``), the long frame or None, and the summary.
    """
    day = as_of or dt.date.today()
    frame = _canonical_frame(ruleset, survey.frame)
    lines = list(survey.lines) if survey.lines else _lines_for(survey.frame, None)
    total = len(frame)
    summary = SummaryBuilder(ruleset)
    wide: list[list[Any]] = []
    long_rows: list[list[Any]] = []
    done = 0
    chunks = _chunk_frame(frame, lines, chunk_rows)
    for chunk_wide, chunk_long in _run_chunks(ruleset, chunks, workers=workers, as_of=day, backend=backend, long=long):
        for row in chunk_wide:
            summary.add(row)
        wide.extend(chunk_wide)
        long_rows.extend(chunk_long)
        done += len(chunk_wide)
        if progress is not None:
            progress(done, total)
    return BatchResult(
        results=_results_frame(ruleset, wide),
        long=_long_frame(long_rows) if long else None,
        summary=summary.result(
            source=survey.source, as_of=day, problems=survey.problems, ignored=survey.ignored_columns
        ),
    )


def to_safe_csv(frame: pd.DataFrame) -> str:
    """The frame as CSV text (UTF-8, comma, '\\n'), every cell neutralised against CSV injection."""
    columns, rows = _frame_rows(frame)
    return safe_csv_text(columns, rows)


class ProgressBar:
    """A one-line progress bar on a terminal; silent when the stream is not a terminal."""

    def __init__(self, stream: Any = None, label: str = "sanctuary batch") -> None:
        self.stream = stream or sys.stderr
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self.label = label
        self.started = time.monotonic()
        self._last = 0.0

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < 0.2 and done < total:
            return
        self._last = now
        total = max(total, done)
        rate = done / max(now - self.started, 1e-6)
        left = (total - done) / rate if rate else 0
        filled = int(30 * done / total) if total else 30
        self.stream.write(
            f"\r{self.label} [{'#' * filled}{'.' * (30 - filled)}] {done:,}/{total:,} rows "
            f"{rate:,.0f} rows/s, {left:,.0f}s left "
        )
        self.stream.flush()

    def close(self) -> None:
        """End the bar's line."""
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


def run_batch(
    ruleset: Ruleset,
    source: str | Path | bytes,
    output: str | Path | None,
    *,
    workers: int = 1,
    as_of: dt.date | None = None,
    long: bool = False,
    summary_path: str | Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    backend: str = "durable",
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    stdout: Any = None,
    name: str | None = None,
) -> dict[str, Any]:
    """Stream a survey file to a results CSV (the ``sanctuary batch`` command).

    Rows are read, evaluated and written chunk by chunk, so memory stays flat however long the file.
    The CSV is written as UTF-8 with a byte-order mark (so Excel shows accents right), every cell
    neutralised against CSV injection; it appears at ``output`` only once complete.

    Returns:
        The summary document (also written to ``summary_path`` when given).

    Raises:
        InputError: the survey cannot be read, or an output cannot be written.
    """
    day = as_of or dt.date.today()
    survey_file = SurveyFile(source, ruleset, name)
    summary = SummaryBuilder(ruleset)
    columns = LONG_COLUMNS if long else results_columns(ruleset)
    partial = Path(f"{output}.part") if output else None
    try:
        handle = open(partial, "w", encoding="utf-8-sig", newline="") if partial else None  # noqa: SIM115
    except OSError as exc:
        raise InputError(f"{output}: cannot write the file ({exc.strerror}).") from None
    target = handle or stdout or sys.stdout
    done = 0
    try:
        write_safe_rows(target, [columns])
        chunks = survey_file.chunks(chunk_rows)
        for chunk_wide, chunk_long in _run_chunks(
            ruleset, chunks, workers=workers, as_of=day, backend=backend, long=long
        ):
            for row in chunk_wide:
                summary.add(row)
            write_safe_rows(target, chunk_long if long else chunk_wide)
            done += len(chunk_wide)
            if progress is not None:
                progress(done, max(done, survey_file.estimated_rows))
    except BaseException:
        if handle:
            handle.close()
            partial.unlink(missing_ok=True)
        raise
    if handle:
        handle.close()
        os.replace(partial, output)
    result = summary.result(
        source=survey_file.name, as_of=day, problems=survey_file.problems, ignored=survey_file.ignored_columns
    )
    if summary_path:
        try:
            Path(summary_path).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        except OSError as exc:
            raise InputError(f"{summary_path}: cannot write the file ({exc.strerror}).") from None
    return result


def template_header(ruleset: Ruleset, types: list[str] | None, headers: str = "id") -> list[str]:
    """A survey header for ``types``: question ids, or the texts survey tools show as column titles."""
    questions = ruleset.questions_for(types or list(ruleset.institution_types))
    if headers == "text":
        return [*FIXED_TEXT_HEADERS.values(), *(q.text for q in questions)]
    return [*FIXED_COLUMNS, *(q.id for q in questions)]


__all__ = [
    "FIXED_COLUMNS",
    "LONG_COLUMNS",
    "BatchResult",
    "ColumnMapping",
    "ProgressBar",
    "SummaryBuilder",
    "Survey",
    "SurveyFile",
    "evaluate_frame",
    "evaluate_survey",
    "is_blank",
    "map_columns",
    "neutralise_cell",
    "read_survey",
    "results_columns",
    "run_batch",
    "template_header",
    "to_safe_csv",
]
