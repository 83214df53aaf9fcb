"""CSV records with their file lines, for survey files that are not always well formed.

The standard library's ``csv`` reader does the quoting (strict mode); this module only decides what
to do when a record goes wrong, so that one broken row never takes other respondents with it:

* a record that spans several lines and then fails (a quote that never closes, text after a closing
  quote), has more cells than the header, or runs past ``SURVEY_MAX_RECORD_LINES`` lines is blamed on
  its first line, which becomes an error record, and the lines after it are read again as records of
  their own. (A swallowing quote that happens to end cleanly, with no more cells than the header,
  cannot be told from a long quoted cell; the strict reader makes that rare: the quote must close
  right before a delimiter or a line end.)
* a one-line record that fails is an error record for that line;
* lines end in CRLF, LF or a lone CR (old Mac "CSV (Macintosh)" exports): ``newline=""`` text mode.
"""

from __future__ import annotations

import csv
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from engine.i18n import _
from engine.limits import SURVEY_MAX_HEADER_CHARS, SURVEY_MAX_RECORD_LINES

# A cell can be as long as a header line; longer ones are caught by the reader, which names the limit.
csv.field_size_limit(max(csv.field_size_limit(), SURVEY_MAX_HEADER_CHARS))


class _TooManyLines(Exception):
    """Raised through csv.reader when one record has run past SURVEY_MAX_RECORD_LINES lines."""


@dataclass
class Record:
    """One CSV record: its first and last file line, its cells (best effort when broken) and what broke."""

    first: int
    last: int
    cells: list[str]
    error: str = ""
    lines: tuple[str, ...] = ()


class _Feed:
    """Physical lines for csv.reader, remembering those of the record being read; lines can be pushed back."""

    def __init__(self, handle: IO[str]) -> None:
        self.handle = handle
        self.number = 0  # file line of the last line handed out
        self.pending: deque[tuple[int, str]] = deque()
        self.current: list[tuple[int, str]] = []

    def __iter__(self) -> _Feed:
        return self

    def __next__(self) -> str:
        if len(self.current) >= SURVEY_MAX_RECORD_LINES:
            raise _TooManyLines
        if self.pending:
            number, line = self.pending.popleft()
        else:
            line = self.handle.readline()
            if not line:
                raise StopIteration
            self.number += 1
            number = self.number
        self.current.append((number, line))
        return line

    def take(self) -> list[tuple[int, str]]:
        taken, self.current = self.current, []
        return taken

    def push_back(self, lines: list[tuple[int, str]]) -> None:
        self.pending.extendleft(reversed(lines))


def _loose_cells(line: str, delimiter: str) -> list[str]:
    """Cells of one line read leniently (for the respondent id and name of an error row)."""
    try:
        return next(csv.reader([line], delimiter=delimiter, strict=False), [])
    except csv.Error:
        return [line.rstrip("\r\n")]


def read_records(handle: IO[str], delimiter: str, width: int | None = None, first_line: int = 1) -> Iterator[Record]:
    """Every record of the file in order, blank ones included (their cells are all empty).

    Args:
        handle: text opened with ``newline=""``.
        delimiter: the cell delimiter.
        width: the header's number of cells once known; a multi-line record with more cells is
            treated as a quote that swallowed the lines after it.
        first_line: the file line ``handle`` is positioned at (when resuming part-way through a file).
    """
    feed = _Feed(handle)
    feed.number = first_line - 1
    while True:
        reader = csv.reader(feed, delimiter=delimiter, strict=True)
        try:
            for cells in reader:
                taken = feed.take()
                if len(taken) > 1 and width is not None and len(cells) > width:
                    why = _("it holds {count} cells, the header {width}").format(count=len(cells), width=width)
                    yield _broken(feed, taken, delimiter, why)
                    break  # a fresh reader for the lines pushed back
                yield Record(taken[0][0], taken[-1][0], cells, "", tuple(line for _number, line in taken))
            else:
                return
        except _TooManyLines:
            taken = feed.take()
            why = _("it runs past {count} lines").format(count=SURVEY_MAX_RECORD_LINES)
            yield _broken(feed, taken, delimiter, why)
        except csv.Error as exc:
            taken = feed.take()
            if not taken:  # pragma: no cover - csv raises only after reading a line
                return
            if len(taken) > 1:
                yield _broken(feed, taken, delimiter, _cause(exc))
            else:
                number, line = taken[0]
                yield Record(
                    number,
                    number,
                    _loose_cells(line, delimiter),
                    _("the row is not valid CSV ({cause})").format(cause=_cause(exc)),
                    (line,),
                )


def _cause(exc: csv.Error) -> str:
    text = str(exc)
    if "unexpected end of data" in text:
        return _("a quote is never closed")
    if "field larger than field limit" in text:
        return _("a cell is too long")
    if "expected after" in text:
        return _('text follows a closing quote (write "" for a quote inside a quoted cell)')
    return text


def _broken(feed: _Feed, taken: list[tuple[int, str]], delimiter: str, why: str) -> Record:
    """The first line of a record that swallowed the lines after it; those lines are read again."""
    first, line = taken[0]
    feed.push_back(taken[1:])
    return Record(
        first,
        first,
        _loose_cells(line, delimiter),
        _(
            'a quote (") opened on this line is not closed where the row should end (lines {first}-{last} '
            "would be one row: {why}); the lines after it were read as their own rows. Fix the quotes on line {first}."
        ).format(first=first, last=taken[-1][0], why=why),
        (line,),
    )
