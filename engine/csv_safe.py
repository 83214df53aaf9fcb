"""CSV text that is safe to open in a spreadsheet (the OWASP CSV-injection rule).

Survey respondents type free text (institution names, respondent ids) that we copy into results
files. A spreadsheet treats a cell beginning with ``=``, ``+``, ``-`` or ``@`` as a formula, and a
leading tab or carriage return can hide one, so such cells get a leading apostrophe: Excel,
LibreOffice and Google Sheets then show the text as typed and never evaluate it. This module has
no dependency beyond the standard library so every writer of CSV in the project can use it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

# OWASP "CSV Injection": the characters that make a cell a formula or hide one.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: Any) -> str:
    """The cell as text, with a leading apostrophe when it could start a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def write_safe_rows(handle: Any, rows: Iterable[Iterable[Any]]) -> None:
    """Write rows to an open text handle as comma-separated CSV, every cell neutralised."""
    writer = csv.writer(handle, lineterminator="\n")
    for row in rows:
        writer.writerow([neutralise_cell(cell) for cell in row])


def safe_csv_text(header: Iterable[Any], rows: Iterable[Iterable[Any]]) -> str:
    """A whole CSV document (header then rows) as text, every cell neutralised."""
    buffer = io.StringIO()
    write_safe_rows(buffer, [list(header)])
    write_safe_rows(buffer, rows)
    return buffer.getvalue()
