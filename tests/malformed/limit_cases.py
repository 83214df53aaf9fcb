"""Inputs at each input limit's maximum (docs/input-limits.md), for the timing test and bench/limits_benchmark.py.

Each case writes one file and names the command that reads it. Before issue 22 a 9,999-character
``institution.type`` kept ``evaluate`` busy for hours and one 8 KB type cell cost 139-166 s per batch run; every
case here must end in seconds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from engine.limits import (
    ANSWER_MAX_CHARS,
    ANSWERS_MAX_BYTES,
    DOCUMENT_MAX_DEPTH,
    INSTITUTION_MAX_TYPES,
    INSTITUTION_NAME_MAX_CHARS,
    NUMBER_MAX_DIGITS,
    SURVEY_MAX_CELL_CHARS,
    SURVEY_MAX_COLUMNS,
    SURVEY_MAX_HEADER_CHARS,
    SURVEY_MAX_RECORD_LINES,
)
from tests.malformed.survey_cases import HEADER, row, table

INSTITUTION = "institution:\n  name: Riverside Library\n  type: library\n  state: CA\n"


@dataclass
class LimitCase:
    id: str
    limit: str  # docs/input-limits.md's words for the limit
    command: str  # "evaluate", "draft" or "batch"
    suffix: str
    build: Callable[[], bytes]

    def write(self, folder: Path) -> Path:
        path = folder / f"{self.id.replace(' ', '_').replace(',', '')}{self.suffix}"
        path.write_bytes(self.build())
        return path


def _answers(institution: str = INSTITUTION, answers: str = "answers:\n  q_policy: written\n") -> bytes:
    return (institution + answers).encode("utf-8")


def _type_answers(type_text: str) -> bytes:
    return _answers(f'institution:\n  name: R\n  type: "{type_text}"\n  state: CA\n')


def _biggest_answers_file() -> bytes:
    # A million bytes of text values the limit allows (99 of 10,000 characters), under a key that is then refused:
    # the whole file is parsed and checked first.
    values = "".join(
        f'  - "{"v" * (ANSWER_MAX_CHARS - 10)}"\n' for _ in range(ANSWERS_MAX_BYTES // ANSWER_MAX_CHARS - 1)
    )
    return (INSTITUTION + "answers:\n  q_policy: written\nnotes:\n" + values).encode("utf-8")[:ANSWERS_MAX_BYTES]


def _nested() -> bytes:
    depth = DOCUMENT_MAX_DEPTH - 2
    return _answers(answers="answers:\n  q_policy: " + "[" * depth + "x" + "]" * depth + "\n")


def _long_type_list() -> bytes:
    return _type_answers("a," * ((ANSWER_MAX_CHARS - 1) // 2) + "a")


def _long_title_list() -> bytes:
    # Titles that hold commas, repeated to the text limit: the pieces that may join back are looked up.
    title = "Jail, sheriff or corrections, "
    return _type_answers((title * (ANSWER_MAX_CHARS // len(title)))[: ANSWER_MAX_CHARS - 1])


def _most_types() -> bytes:
    return _type_answers(", ".join(["library"] * INSTITUTION_MAX_TYPES))


def _survey_rows(rows: list[list[str]], header: list[str] = HEADER) -> bytes:
    return table(rows, header=header).encode("utf-8")


def _type_cells() -> bytes:
    cell = ("library," * (SURVEY_MAX_CELL_CHARS // 8 + 1))[:SURVEY_MAX_CELL_CHARS]
    return _survey_rows([row(f"R{i}", kind=cell) for i in range(40)] + [row("R40")])


def _title_cells() -> bytes:
    title = "Jail, sheriff or corrections; "
    cell = (title * (SURVEY_MAX_CELL_CHARS // len(title) + 1))[:SURVEY_MAX_CELL_CHARS]
    return _survey_rows([row(f"R{i}", kind=cell) for i in range(40)] + [row("R40")])


def _name_cells() -> bytes:
    return _survey_rows([row(f"R{i}", "N" * SURVEY_MAX_CELL_CHARS) for i in range(40)] + [row("R40")])


def _answer_cells() -> bytes:
    cell = ("written, " * (SURVEY_MAX_CELL_CHARS // 9 + 1))[:SURVEY_MAX_CELL_CHARS]
    return _survey_rows([row(f"R{i}", q_policy=cell) for i in range(40)] + [row("R40")])


def _widest_header() -> bytes:
    width = SURVEY_MAX_COLUMNS - len(HEADER)
    each = SURVEY_MAX_HEADER_CHARS // SURVEY_MAX_COLUMNS - 2
    header = [*HEADER, *(f"Extra question {i} " + "x" * (each - 20) for i in range(width))]
    return _survey_rows([[*row(f"R{i}"), *[""] * width] for i in range(20)], header=header)


def _longest_records() -> bytes:
    cell = "\n" * (SURVEY_MAX_RECORD_LINES - 2) + "Riverside Library"  # a name is one line once read
    return _survey_rows([row(f"R{i}", cell) for i in range(200)])


CASES = [
    LimitCase(
        "answers file of 1,000,000 bytes", "answers file: 1,000,000 bytes", "evaluate", ".yaml", _biggest_answers_file
    ),
    LimitCase("answers nested 30 levels", "nesting 32 levels", "evaluate", ".yaml", _nested),
    LimitCase("9,999-character type list", "text values 10,000 characters", "evaluate", ".yaml", _long_type_list),
    LimitCase("9,999 characters of titles", "text values 10,000 characters", "evaluate", ".yaml", _long_title_list),
    LimitCase(f"{INSTITUTION_MAX_TYPES} types", f"{INSTITUTION_MAX_TYPES} types", "evaluate", ".yaml", _most_types),
    LimitCase(
        "9,999-character type",
        "text values 10,000 characters",
        "evaluate",
        ".yaml",
        lambda: _type_answers("x" * (ANSWER_MAX_CHARS - 1)),
    ),
    LimitCase(
        "30-digit number",
        "integers 30 digits",
        "evaluate",
        ".yaml",
        lambda: _answers(answers=f"answers:\n  q_staff_trained: {'1' * NUMBER_MAX_DIGITS}\n"),
    ),
    LimitCase(
        f"{INSTITUTION_NAME_MAX_CHARS}-character name in a Word draft",
        f"name {INSTITUTION_NAME_MAX_CHARS} characters",
        "draft",
        ".yaml",
        lambda: _answers(f"institution:\n  name: {'N' * INSTITUTION_NAME_MAX_CHARS}\n  type: library\n"),
    ),
    LimitCase("40 type cells of 32,767 characters", "survey cell 32,767", "batch", ".csv", _type_cells),
    LimitCase("40 cells of titles with commas", "survey cell 32,767", "batch", ".csv", _title_cells),
    LimitCase("40 names of 32,767 characters", "survey cell 32,767", "batch", ".csv", _name_cells),
    LimitCase("40 choice cells of 32,767 characters", "survey cell 32,767", "batch", ".csv", _answer_cells),
    LimitCase("header of 5,000 columns, 4,000,000 characters", "survey header", "batch", ".csv", _widest_header),
    LimitCase("200 records of 199 lines", "one survey record 200 lines", "batch", ".csv", _longest_records),
]


def argv(case: LimitCase, path: Path, out: Path) -> list[str]:
    """The command line (after ``--rules DIR``) that reads the case's file."""
    if case.command == "batch":
        return ["batch", str(path), "-o", str(out.with_suffix(".csv")), "-q", "--as-of", "2026-11-28"]
    if case.command == "draft":
        return ["draft", str(path), "-o", str(out.with_suffix(".docx")), "--as-of", "2026-11-28"]
    return ["evaluate", str(path), "--format", "json", "-o", str(out.with_suffix(".json")), "--as-of", "2026-11-28"]
