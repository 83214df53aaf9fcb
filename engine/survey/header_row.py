"""Where a survey's header row is and how its cells are separated: comma, semicolon or tab, or a ``sep=`` line.

Tries each delimiter on the first non-blank record and keeps the one whose header recognises the most columns
(``engine.survey.headers`` maps them), then holds the header to the input limits. Separate from streaming the
rows (``engine.survey.reading``) because it is decided once per file, before any row is read.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from engine.errors import InputError
from engine.i18n import _
from engine.limits import SURVEY_MAX_COLUMNS, SURVEY_MAX_HEADER_CHARS
from engine.rules.model import Ruleset
from engine.safe_text import UNSAFE
from engine.survey.encoding import ByteSource, open_text
from engine.survey.headers import SURVEYMONKEY_SUBHEADERS, ColumnMapping, fold_header, map_columns
from engine.survey.records import Record, read_records

_DELIMITERS = (",", ";", "\t")


class HeaderRow(NamedTuple):
    """The layout a survey file was found to have."""

    delimiter: str
    headers: list[str]  # the header cells, as shown in messages (no code point a message cannot hold)
    mapping: ColumnMapping
    last_line: int  # the file line the header row ends on; respondent rows follow it


def _header_record(source: ByteSource, encoding: str, delimiter: str, after_line: int = 0) -> Record | None:
    with open_text(source, encoding) as text:
        for record in read_records(text, delimiter):
            if record.last <= after_line:
                continue
            if record.error or any(c.strip() for c in record.cells):
                # A header cell is shown in messages and the summary: never with a code point they cannot hold.
                record.cells = [UNSAFE.sub("\ufffd", c) for c in record.cells]
                return record
    return None


def _separator_line(source: ByteSource, encoding: str) -> str | None:
    """The delimiter a first line such as ``sep=;`` names, or None.

    Excel writes and reads that line so a CSV opens in columns whatever the computer's list separator;
    some survey exports add it. The header then follows on line 2.
    """
    with open_text(source, encoding) as text:
        first = text.readline(80)
    found = re.fullmatch(r"sep=([^\r\n\"])[\r\n]*", first, re.IGNORECASE)
    return found.group(1) if found else None


def find_header_row(source: ByteSource, encoding: str, ruleset: Ruleset, name: str) -> HeaderRow:
    """The delimiter and header row that recognise the most columns (a ``sep=`` line, if any, names the delimiter).

    Raises:
        InputError: no header row, a header that is not valid CSV or is beyond the limits, or a column
            named twice (one line, naming the file).
    """
    best: tuple[tuple[int, int, int], str, Record, ColumnMapping] | None = None
    named = _separator_line(source, encoding)
    for rank, delimiter in enumerate((named,) if named else _DELIMITERS):
        record = _header_record(source, encoding, delimiter, after_line=1 if named else 0)
        if record is None:
            raise InputError(
                _("{path}: the file has no header row; start from 'sanctuary template'.").format(path=name)
            )
        if record.error:
            continue
        try:
            mapping = map_columns(ruleset, record.cells)
        except InputError:
            mapping = ColumnMapping([], {}, record.cells, [])
        score = (mapping.recognised, len(record.cells), -rank)
        if best is None or score > best[0]:
            best = (score, delimiter, record, mapping)
    if best is None:
        assert record is not None  # the loop above raised on a file without a header row
        raise InputError(
            _(
                "{path}: line {line}: the header row is not valid CSV ({reason}); "
                "fix its quotes or export the survey again."
            ).format(path=name, line=record.first, reason=record.error.split(" (")[0])
        )
    _score, delimiter, record, _mapping = best
    if sum(len(c) for c in record.cells) > SURVEY_MAX_HEADER_CHARS or len(record.cells) > SURVEY_MAX_COLUMNS:
        raise InputError(
            _(
                "{path}: the header row has {columns:,} columns and {chars:,} characters; at most "
                "{max_columns:,} columns and {max_chars:,} characters are read."
            ).format(
                path=name,
                columns=len(record.cells),
                chars=sum(len(c) for c in record.cells),
                max_columns=SURVEY_MAX_COLUMNS,
                max_chars=SURVEY_MAX_HEADER_CHARS,
            )
        )
    # Map again so a duplicate-column error for the chosen delimiter surfaces with the file name.
    try:
        mapping = map_columns(ruleset, record.cells)
    except InputError as exc:
        raise InputError(f"{name}: {exc}") from None
    return HeaderRow(delimiter, record.cells, mapping, record.last)


def is_surveymonkey_subheader(cells: list[str]) -> bool:
    """True for the second header row SurveyMonkey writes under the questions ("Response", "Open-Ended Response")."""
    words = {fold_header(c) for c in cells if c.strip()}
    return bool(words) and words <= SURVEYMONKEY_SUBHEADERS
