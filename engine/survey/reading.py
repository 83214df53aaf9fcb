"""Reading survey CSVs: stream respondent rows in file order, each as canonical text cells with its file line.

The file's bytes become text in ``engine.survey.encoding`` and its delimiter and header row are found in
``engine.survey.header_row``; this module maps each record to the canonical columns, keeps every cell as text,
turns a damaged record into an error row that says why (never a lost row or a failed file), notes repeated
respondent ids, and gathers the file-level warnings. ``read_survey`` reads a whole file into memory for the UI.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from engine.errors import InputError
from engine.i18n import _
from engine.limits import SURVEY_MAX_CELL_CHARS
from engine.rules.model import Ruleset
from engine.safe_text import UNSAFE
from engine.survey.encoding import STRAY, ByteSource, check_text, encoding_name, open_text, sniff_encoding
from engine.survey.first_seen import RepeatedIds
from engine.survey.header_row import find_header_row, is_surveymonkey_subheader
from engine.survey.headers import map_columns
from engine.survey.layout import DEFAULT_CHUNK_ROWS, ROW_ERROR_COLUMN, pandas_module
from engine.survey.records import Record, read_records

if TYPE_CHECKING:
    import pandas as pd


def _visible(found: re.Match[str]) -> str:
    """What an error row shows for a code point no output can hold: nothing for a NUL, else U+FFFD."""
    return "" if found.group() == "\x00" else "\ufffd"


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
    kept_columns: list[str] = field(default_factory=list)  # carried through to the results (--keep-columns)


class _FirstLines:
    """How many lines were noted, and the first ``SHOWN`` of them."""

    SHOWN = 10

    def __init__(self) -> None:
        self.count = 0
        self.first: list[int] = []

    def add(self, line: int) -> None:
        self.count += 1
        if len(self.first) < self.SHOWN:
            self.first.append(line)

    def __bool__(self) -> bool:
        return self.count > 0


class SurveyFile:
    """A survey CSV opened for streaming: header mapped up front, rows read in chunks.

    Raises (on construction):
        InputError: the file cannot be read as a survey at all (one line, naming the file).
    """

    def __init__(
        self,
        source: str | Path | bytes,
        ruleset: Ruleset,
        name: str | None = None,
        keep: list[str] | None = None,
        keep_columns: Mapping[str, str] | None = None,
    ) -> None:
        """``keep``: survey headers carried through to the results as they are (--keep-columns "Timestamp,Email").
        ``keep_columns``: extra frame column -> survey header, carried through as read for the store's sink (its
        county and id columns); a header the file lacks is refused."""
        self.ruleset = ruleset
        self._source = ByteSource(source, name)
        self.name = self._source.name
        self.encoding, newlines, self.stray_bytes = sniff_encoding(self._source)
        # Rows refused for bytes that are not text in the file's encoding, and rows whose control characters were
        # replaced by U+FFFD: how many, and the first lines (all a warning names), so memory does not grow with rows.
        self.stray_lines = _FirstLines()
        self.replaced_lines = _FirstLines()
        with open_text(self._source, self.encoding) as text:
            sample = text.read(65536)
        check_text(self.name, sample)
        self.delimiter, self.headers, self.mapping, self.header_last_line = find_header_row(
            self._source, self.encoding, self.ruleset, self.name
        )
        if not self.mapping.recognised:
            raise InputError(
                _(
                    "{path}: no column is a question id, a question's text or institution_type, so this is "
                    "not a survey of these rules; start from 'sanctuary template'."
                ).format(path=self.name)
            )
        if "institution_type" not in self.mapping.column_map.values():
            raise InputError(
                _(
                    "{path}: the survey has no institution_type column, so no row can be evaluated; add a column "
                    "'institution_type' holding one of {types} (see 'sanctuary template')."
                ).format(path=self.name, types=", ".join(self.ruleset.institution_types))
            )
        # Columns carried through to the results as they are (--keep-columns "Timestamp,Email"), after the rest.
        kept_at: list[int] = []
        if keep:
            from engine.survey.coalition import resolve_keep

            kept_at = resolve_keep(self.headers, keep, self.mapping.column_map, self.name)
            # Carried columns are not "ignored": map again with them set aside.
            self.mapping = map_columns(self.ruleset, self.headers, reserved=tuple(self.headers[i] for i in kept_at))
        # The store's columns (county, id) come last; only the sink reads them, never the results writer.
        stored = [(self._header_position(header), column) for column, header in (keep_columns or {}).items()]
        unmapped = tuple(self.headers[p] for p, _ in stored if self.headers[p] not in self.mapping.column_map)
        if unmapped:  # read for the store, so not "ignored" either (a mapped one, such as respondent_id, stays mapped)
            reserved = (*(self.headers[i] for i in kept_at), *unmapped)
            self.mapping = map_columns(self.ruleset, self.headers, reserved=reserved)
        self.kept = [self.headers[i] for i in kept_at]
        self._kept_at = kept_at
        self.columns = [*self.mapping.canonical, *self.kept, *(column for _, column in stored)]
        self._positions = [*self.mapping.positions, *stored]
        self.problems: list[str] = list(self.mapping.problems)
        if not self.encoding.startswith(("utf-8", "utf-16")):
            self.problems.append(
                _(
                    "the file is not UTF-8; it was read as {encoding}: check accented letters "
                    "in the results, and export as CSV UTF-8 next time."
                ).format(encoding=encoding_name(self.encoding))
            )
        self.duplicates: dict[str, list[int]] = {}
        self.estimated_rows = max(1, newlines - 1)
        self.rows_read = 0
        # For _canonical_row: the file position of each canonical column (-1: not in the file, read as ""), the
        # row-error column last and blank; and how many cells a row needs for that gather to be complete.
        where = {column: position for position, column in self.mapping.positions}
        order = [where.get(column, -1) for column in self.mapping.canonical] + kept_at + [p for p, _ in stored]
        order[self.columns.index(ROW_ERROR_COLUMN)] = -1
        self._needed = max(order) + 1
        self._take = operator.itemgetter(*order) if len(order) > 1 else None

    def _header_position(self, header: str) -> int:
        if header in self.headers:
            return self.headers.index(header)
        folded = [h.strip().casefold() for h in self.headers]
        if header.strip().casefold() in folded:
            return folded.index(header.strip().casefold())
        canonical = {column: position for position, column in self.mapping.positions}
        if header in canonical:  # a canonical name such as respondent_id, whatever its header says
            return canonical[header]
        raise InputError(
            _("{path}: no column is headed {header}; the headers are {headers}.").format(
                path=self.name, header=repr(header), headers=", ".join(self.headers)
            )
        )

    @property
    def column_map(self) -> dict[str, str]:
        """Original header -> canonical column."""
        return self.mapping.column_map

    @property
    def ignored_columns(self) -> list[str]:
        """Headers that are not questions or fixed columns."""
        return self.mapping.ignored

    def records(
        self, start: tuple[int, int] | None = None, limit: int | None = None
    ) -> Iterator[tuple[int, list[str]]]:
        """(file line, canonical cells) for every respondent row, in file order.

        A malformed record becomes a row whose ``_row_error`` says why (see ``engine.survey.records``);
        every other row is read as written.

        Args:
            start: ``(file line, rows before it)`` of a row found by an earlier full pass: resume there, so a
                partition of the file can be read on its own (``engine.survey.dask_batch``) with the same
                line numbers and default respondent ids as a whole read.
            limit: stop after this many rows.
        """
        width = len(self.headers)
        index = {column: i for i, column in enumerate(self.columns)}
        positions = self._positions
        type_position = next((p for p, c in positions if c == "institution_type"), None)
        seen = RepeatedIds(self.duplicates)
        with open_text(self._source, self.encoding) as text:
            first_row = start is None
            first_line = 1
            if start is not None:
                # A row starts at the beginning of a physical line, so skipping whole lines lands exactly on it
                # (lines are split the way the reader counts them: text mode with newline="").
                for _skipped in range(start[0] - 1):
                    text.readline()
                first_line, self.rows_read = start[0], start[1]
            taken = 0
            for record in read_records(text, self.delimiter, width, first_line):
                if start is None and record.last <= self.header_last_line:
                    continue
                if not record.error and not any(c.strip() for c in record.cells):
                    continue
                if first_row and not record.error and is_surveymonkey_subheader(record.cells):
                    first_row = False
                    continue
                first_row = False
                if limit is not None and taken >= limit:
                    seen.flush()
                    seen.close()
                    return
                row = self._canonical_row(record, width, index, positions, type_position, seen)
                self.rows_read += 1
                taken += 1
                yield row
        seen.flush()
        seen.close()
        if self.rows_read == 0:
            raise InputError(_("{path}: the file has a header row but no respondent rows.").format(path=self.name))
        if self.replaced_lines:
            shown = ", ".join(map(str, self.replaced_lines.first)) + (" ..." if self.replaced_lines.count > 10 else "")
            self.problems.append(
                _(
                    "{count} row(s) held control characters or other code points no report can show "
                    "(line {lines}); each was replaced by U+FFFD and the rows were evaluated."
                ).format(count=self.replaced_lines.count, lines=shown)
            )
        if self.stray_lines:
            shown = ", ".join(map(str, self.stray_lines.first)) + (" ..." if self.stray_lines.count > 10 else "")
            self.problems.append(
                _(
                    "{count} row(s) hold bytes that are not {encoding} text "
                    "(line {lines}); those rows were not evaluated, every other row was."
                ).format(count=self.stray_lines.count, encoding=encoding_name(self.encoding), lines=shown)
            )
        for rid, lines in self.duplicates.items():
            self.problems.append(
                _("respondent_id {id} is used on lines {lines}; every row was still evaluated.").format(
                    id=repr(rid), lines=", ".join(map(str, lines))
                )
            )

    def _canonical_row(
        self,
        record: Record,
        width: int,
        index: dict[str, int],
        positions: list[tuple[int, str]],
        type_position: int | None,
        seen: RepeatedIds,
    ) -> tuple[int, list[str]]:
        cells, line = record.cells, record.first
        take = self._take
        if take is not None and not record.error and len(cells) >= self._needed:
            # The usual row: every mapped cell is there; one C-level gather instead of a loop over ~150 columns
            # (a column the file lacks reads the "" appended after the cells, position -1).
            row = list(take([*cells, ""]))
        else:
            row = [""] * len(self.columns)
            for position, column in positions:
                if position < len(cells):
                    # An error row keeps its id and name for the results file, cut to a readable length.
                    row[index[column]] = cells[position][:200] if record.error else cells[position]
            first_kept = len(self.mapping.canonical)  # the carried columns follow the canonical ones
            for offset, position in enumerate(self._kept_at):
                if position < len(cells):
                    row[first_kept + offset] = cells[position][:200] if record.error else cells[position]
        problem = record.error
        # Cheap whole-record checks first (a cell is never longer than the file text it was read from, and holds
        # a NUL only if that text does); the cell is looked for only when there may be one to name.
        text = "".join(record.lines or cells)
        long_cell = bad_cell = None
        if len(text) > SURVEY_MAX_CELL_CHARS:
            long_cell = next((i for i, c in enumerate(cells) if len(c) > SURVEY_MAX_CELL_CHARS), None)
        bad = UNSAFE.search(text)
        if bad is not None:
            bad_cell = next((i for i, c in enumerate(cells) if UNSAFE.search(c)), None)
        if problem:
            pass
        elif long_cell is not None:
            problem = _(
                "cell {cell} holds {chars:,} characters; at most {max_chars:,} are read (is a quote missing?)."
            ).format(cell=long_cell + 1, chars=len(cells[long_cell]), max_chars=SURVEY_MAX_CELL_CHARS)
            row = [c[:200] for c in row]
        elif bad is not None and (STRAY.search(text) or "\x00" in text):
            # A byte that is not text, or a NUL: the row's content cannot be trusted, so it costs the row.
            stray = STRAY.search(text)
            problem = self._bad_text(stray.group() if stray else "\x00", bad_cell, line)
        elif bad is not None:
            # A control character, noncharacter or bidi override in otherwise good text: replaced, and said so.
            row = [UNSAFE.sub("\ufffd", c) for c in row]
            self.replaced_lines.add(line)
            bad = None
        elif len(cells) > width:
            problem = _(
                "the row has {cells} cells but the header has {width}; a cell probably holds an unquoted "
                "'{delimiter}' (put that cell in double quotes)."
            ).format(cells=len(cells), width=width, delimiter=self._delimiter_name())
        elif type_position is None:
            problem = _(
                "institution_type: the survey has no institution_type column; add one with one of {types}."
            ).format(types=", ".join(self.ruleset.institution_types))
        elif type_position >= len(cells):
            problem = _("institution_type: missing (the row has only {cells} of the {width} columns).").format(
                cells=len(cells), width=width
            )
        if problem and bad is not None:  # the results file keeps what it can show, never the bad code points
            row = [UNSAFE.sub(_visible, c) for c in row]
        row[index[ROW_ERROR_COLUMN]] = problem
        respondent = row[0].strip()
        if not respondent:
            row[0] = respondent = str(self.rows_read + 1)
        seen.note(respondent, line)
        return line, row

    def _bad_text(self, ch: str, cell: int | None, line: int) -> str:
        if STRAY.match(ch):
            self.stray_lines.add(line)
            byte, encoding = f"0x{ord(ch) - 0xDC00:02X}", encoding_name(self.encoding)
            if cell is None:
                return _(
                    "the row holds the byte {byte}, which is not {encoding} text "
                    "(a damaged or mixed file?); fix that cell or save the survey as UTF-8 again."
                ).format(byte=byte, encoding=encoding)
            return _(
                "cell {cell} holds the byte {byte}, which is not {encoding} text "
                "(a damaged or mixed file?); fix that cell or save the survey as UTF-8 again."
            ).format(cell=cell + 1, byte=byte, encoding=encoding)
        if cell is None:
            return _("the row holds a NUL byte (a damaged file?); re-export the survey.")
        return _("cell {cell} holds a NUL byte (a damaged file?); re-export the survey.").format(cell=cell + 1)

    def _delimiter_name(self) -> str:
        return {"\t": _("tab")}.get(self.delimiter, self.delimiter)

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


def read_survey(
    source: str | Path | bytes, ruleset: Ruleset, name: str | None = None, keep: list[str] | None = None
) -> Survey:
    """Read a whole survey CSV into memory, every cell as text.

    Args:
        source: a path, or the file's bytes (an upload).
        ruleset: the rules whose questions the columns name.
        name: how to name the file in messages (default: the path, or "survey" for bytes).
        keep: other columns to carry through to the results as they are (e.g. Timestamp, Email).

    Returns:
        The survey; file-level warnings (ignored columns, duplicate respondent ids) in ``problems``.

    Raises:
        InputError: the file cannot be read as a survey at all (empty, binary, no known column).
    """
    survey_file = SurveyFile(source, ruleset, name, keep)
    lines: list[int] = []
    rows: list[list[str]] = []
    for line, row in survey_file.records():
        lines.append(line)
        rows.append(row)
    frame = pandas_module().DataFrame(rows, columns=survey_file.columns, dtype=str)
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
        kept_columns=list(survey_file.kept),
    )
