"""CSV text that is safe to open in a spreadsheet (the OWASP CSV-injection rule), written one way everywhere.

Survey respondents type free text (institution names, respondent ids) that we copy into results
files. A spreadsheet treats a cell beginning with ``=``, ``+``, ``-`` or ``@`` as a formula, and a
leading tab or carriage return can hide one, so such cells get a leading apostrophe: Excel,
LibreOffice and Google Sheets then show the text as typed and never evaluate it. The same holds
after a line break *inside* a cell, because a reader that splits records on bare CR or LF would
start a new record there. Every file is written with CRLF between records (RFC 4180) and quotes
around any cell holding CR, LF, a quote or the delimiter, so a spreadsheet reads each cell exactly
as intended. No dependency beyond the standard library: every CSV writer in the project uses this.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from typing import Any

# OWASP "CSV Injection": the characters that make a cell a formula or hide one.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_FIRST_TRIGGERS = frozenset(FORMULA_TRIGGERS)
# A trigger at the start of the cell or right after a line break inside it.
_TRIGGER_AT_LINE_START = re.compile(r"(?:^|(?<=[\r\n]))(?=[=+\-@\t\r])")


def neutralise_cell(value: Any) -> str:
    """The cell as text, with an apostrophe before anything that could start a formula on any of its lines."""
    text = "" if value is None else str(value)
    # Fast path (most cells: outcome words, names, numbers): no trigger first and no line break inside means
    # the pattern cannot match anywhere. tests/test_csv_safe.py checks this equals the regex for any text.
    if not text or (text[0] not in _FIRST_TRIGGERS and "\n" not in text and "\r" not in text):
        return text
    return _TRIGGER_AT_LINE_START.sub("'", text)


class _NeutralisedCells(dict):
    """neutralise_cell with a memo: a results row is mostly the same few words ("pass", "not_applicable").

    Only ``str`` keys are kept (``1``, ``True`` and ``1.0`` are equal as dict keys but are written
    differently), and only while the memo is small, so unique names and ids cannot make it grow without
    bound. A hit is a plain dict lookup, which is what makes writing a wide row cheap.
    """

    __slots__ = ()
    LIMIT = 4096

    def __missing__(self, value: Any) -> str:
        text = neutralise_cell(value)
        if type(value) is str and len(self) < self.LIMIT:
            self[value] = text
        return text


def safe_writer(handle: Any, delimiter: str = ",") -> Any:
    """A csv writer with the project's dialect: CRLF records, minimal quoting (CR, LF, quote, delimiter)."""
    return csv.writer(handle, delimiter=delimiter, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)


def write_safe_rows(handle: Any, rows: Iterable[Iterable[Any]]) -> None:
    """Write rows to an open text handle (opened with ``newline=""``) as CSV, every cell neutralised."""
    writer = safe_writer(handle)
    neutralised = _NeutralisedCells()
    write = handle.write
    for row in rows:
        try:
            cells = list(map(neutralised.__getitem__, row))
        except TypeError:  # an unhashable cell (a list...): written as its text, like any other value
            cells = [neutralise_cell(cell) for cell in row]
        line = ",".join(cells)
        # When no cell holds a quote, comma, CR or LF, the csv module would write exactly the cells joined by
        # commas: one join instead of its per-character scan of ~80 cells (tests/test_csv_safe.py compares the
        # two for any rows). A lone cell goes through csv, which writes a lone empty cell as "".
        # (Three `in` scans are several times faster than one regex search over a ~1,000-character line.)
        plain = '"' not in line and "\r" not in line and "\n" not in line
        if plain and len(cells) > 1 and line.count(",") == len(cells) - 1:
            write(line + "\r\n")
        else:
            writer.writerow(cells)


def safe_csv_text(header: Iterable[Any], rows: Iterable[Iterable[Any]]) -> str:
    """A whole CSV document (header then rows) as text, every cell neutralised."""
    buffer = io.StringIO(newline="")
    write_safe_rows(buffer, [list(header)])
    write_safe_rows(buffer, rows)
    return buffer.getvalue()
