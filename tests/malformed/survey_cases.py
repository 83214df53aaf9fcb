"""Malformed (and borderline) survey CSVs for ``sanctuary batch``, with what must come out.

Each case is a ``SurveyCase``: the file's bytes, the exit code, a fragment of stderr (for a file
refused as a whole) or of one respondent's ``error`` cell, and the respondent ids the results must
hold, in order (every respondent kept, none mixed with another). Run against tests/fixtures/mini.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

HEADER = [
    "respondent_id",
    "institution_name",
    "institution_type",
    "state",
    "public",
    "q_policy",
    "q_published",
    "q_entry",
    "q_has_police",
    "q_police_barred",
    "q_staff_trained",
    "q_block",
]


def row(
    rid: str, name: str = "Riverside Library", kind: str = "library", state: str = "CA", **answers: str
) -> list[str]:
    values = {"q_policy": "written", "q_published": "yes", "q_staff_trained": "2"}
    values.update(answers)
    return [rid, name, kind, state, "yes", *(values.get(h, "") for h in HEADER[5:])]


def table(rows: list[list[str]], header: list[str] = HEADER, delimiter: str = ",", end: str = "\r\n") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator=end).writerows([header, *rows])
    return buffer.getvalue()


GOOD_ROWS = [row("R1"), row("R2", "Peñasco Farms", "employer", "NM"), row("R3", "Grace Church", "congregation", "TX")]
GOOD = table(GOOD_ROWS)
IDS = ["R1", "R2", "R3"]
LINES = GOOD.split("\r\n")  # header, R1, R2, R3, ""


def _with_line(index: int, text: str) -> str:
    """GOOD with data line ``index`` (1 = R1) replaced by raw text."""
    lines = list(LINES)
    lines[index] = text
    return "\r\n".join(lines)


@dataclass
class SurveyCase:
    id: str
    data: bytes
    exit: int
    fragment: str = ""
    respondent: str | None = None  # whose error cell holds the fragment; None: stderr
    ids: list[str] | None = None  # respondent ids expected in the results, in order


def _u(text: str) -> bytes:
    return text.encode("utf-8")


def _many(n: int, broken_every: int = 0) -> tuple[str, list[str]]:
    rows = [row(f"R{i}") for i in range(1, n + 1)]
    text = table(rows)
    lines = text.split("\r\n")
    if broken_every:
        for i in range(broken_every, n, broken_every):
            lines[i] = lines[i].replace("Riverside Library", '"Riverside Library', 1)
    return "\r\n".join(lines), [f"R{i}" for i in range(1, n + 1)]


def cases() -> list[SurveyCase]:
    long_text_header = [*HEADER, *(f"Extra question {i}: " + "blah " * 40 for i in range(400))]
    big_header = table([[*r, *[""] * 400] for r in GOOD_ROWS], header=long_text_header)
    many_broken, many_ids = _many(400, broken_every=37)
    swallow_rest = _with_line(1, LINES[1].replace("Riverside Library", '"Riverside Library', 1))
    swallow_rest += "".join(f"\r\n{','.join(row(f'T{i}'))}" for i in range(300))
    return [
        # -- accepted ------------------------------------------------------------------------------------------
        SurveyCase("good crlf", _u(GOOD), 0, ids=IDS),
        SurveyCase("lf only", _u(GOOD.replace("\r\n", "\n")), 0, ids=IDS),
        SurveyCase("cr only (old Mac)", _u(GOOD.replace("\r\n", "\r")), 0, ids=IDS),
        SurveyCase("mixed line ends", _u(LINES[0] + "\n" + LINES[1] + "\r" + LINES[2] + "\r\n" + LINES[3]), 0, ids=IDS),
        SurveyCase("no final newline", _u(GOOD.rstrip("\r\n")), 0, ids=IDS),
        SurveyCase("semicolons", _u(table(GOOD_ROWS, delimiter=";")), 0, ids=IDS),
        SurveyCase("tabs", _u(table(GOOD_ROWS, delimiter="\t")), 0, ids=IDS),
        SurveyCase("utf-8 bom", b"\xef\xbb\xbf" + _u(GOOD), 0, ids=IDS),
        SurveyCase("utf-16", GOOD.encode("utf-16"), 0, ids=IDS),
        SurveyCase("windows-1252", GOOD.encode("cp1252"), 0, ids=IDS),
        SurveyCase("blank lines between rows", _u(GOOD.replace("\r\nR2", "\r\n\r\n,,,\r\nR2")), 0, ids=IDS),
        SurveyCase("quoted newline in a name", _u(table([row("R1", "Two\nlines"), *GOOD_ROWS[1:]])), 0, ids=IDS),
        SurveyCase("quoted cr in a name", _u(table([row("R1", "Two\rlines"), *GOOD_ROWS[1:]])), 0, ids=IDS),
        SurveyCase("quoted newline in header", _u(GOOD.replace("institution_name", '"institution\nname"', 1)), 0),
        SurveyCase("header over 64 KB", _u(big_header), 0, ids=IDS),
        SurveyCase("formula in a name", _u(table([row("R1", "=HYPERLINK(1)"), *GOOD_ROWS[1:]])), 0, ids=IDS),
        SurveyCase("formula after cr", _u(table([row("R1", "ok\r=1+2"), *GOOD_ROWS[1:]])), 0, ids=IDS),
        SurveyCase("ansi escape in a name", _u(table([row("R1", "\x1b[31mred"), *GOOD_ROWS[1:]])), 0, ids=IDS),
        SurveyCase("title with a comma", _u(table([row("R1", kind="Jail, sheriff or corrections")])), 0, ids=["R1"]),
        SurveyCase("duplicate ids", _u(table([row("R1"), row("R1")])), 0, "is used on lines 2, 3", ids=["R1", "R1"]),
        SurveyCase("quote inside a cell", _u(_with_line(1, LINES[1].replace("Riverside", 'River"side'))), 0, ids=IDS),
        # -- one row is an error, every other respondent is evaluated as written ----------------------------------
        SurveyCase(
            "stray opening quote",
            _u(_with_line(2, LINES[2].replace("Peñasco", '"Peñasco'))),
            0,
            "not closed where the row should end",
            "R2",
            IDS,
        ),
        SurveyCase(
            "stray quote on the last row",
            _u(_with_line(3, LINES[3].replace("Grace", '"Grace'))),
            0,
            "a quote is never closed",
            "R3",
            IDS,
        ),
        SurveyCase(
            "stray quote closed two rows later",
            _u(_with_line(3, LINES[3] + ',"x').replace("Peñasco", '"Peñasco')),
            0,
            "not closed where the row should end",
            "R2",
            IDS,
        ),
        SurveyCase(
            "quote swallowing 300 lines",
            _u(swallow_rest),
            0,
            "runs past 200 lines",
            "R1",
            ["R1", "R2", "R3", *(f"T{i}" for i in range(300))],
        ),
        SurveyCase(
            "text after a closing quote",
            _u(_with_line(1, LINES[1].replace("Riverside Library", '"River" side'))),
            0,
            "text follows a closing quote",
            "R1",
            IDS,
        ),
        SurveyCase(
            "ragged row", _u(_with_line(2, LINES[2] + ",extra,cells")), 0, "cells but the header has", "R2", IDS
        ),
        SurveyCase("short row", _u(_with_line(2, "R2,Peñasco Farms")), 0, "institution_type: missing", "R2", IDS),
        SurveyCase("nul byte", _u(_with_line(2, LINES[2].replace("Farms", "Fa\x00rms"))), 0, "NUL byte", "R2", IDS),
        SurveyCase(
            "nuls in several cells", _u(_with_line(1, LINES[1].replace(",", "\x00,"))), 0, "NUL byte", "R1", IDS
        ),
        SurveyCase(
            "over-long cell", _u(_with_line(2, LINES[2].replace("Farms", "F" * 40_000))), 0, "at most 32,767", "R2", IDS
        ),
        SurveyCase("unknown state", _u(table([row("R1", state="ZZ"), *GOOD_ROWS[1:]])), 0, "not a US state", "R1", IDS),
        SurveyCase("unknown type", _u(table([row("R1", kind="libary"), *GOOD_ROWS[1:]])), 0, "Did you mean", "R1", IDS),
        SurveyCase(
            "5001-digit number",
            _u(table([row("R1", q_staff_trained="9" * 5001), *GOOD_ROWS[1:]])),
            0,
            "not a finite number",
            "R1",
            IDS,
        ),
        SurveyCase(
            "bad choice",
            _u(table([row("R1", q_policy="writen"), *GOOD_ROWS[1:]])),
            0,
            "not one of the choices",
            "R1",
            IDS,
        ),
        SurveyCase(
            "400 rows, a stray quote every 37",
            _u(many_broken),
            0,
            "not closed where the row should end",
            "R37",
            many_ids,
        ),
        # -- issue 22: stray bytes, NUL runs, long type cells, code points no output holds -----------------------
        SurveyCase(
            "one stray byte in a UTF-8 survey",
            _u(table([row("R1", q_published="S\u00ed"), row("R2", "Pe\u00f1asco Farms", "employer", "NM")]))
            + b"R3,Bad \xe9 byte,library,CA,yes,written,S\xc3\xad,,,,2,\r\n",
            0,
            "holds the byte 0xE9, which is not UTF-8 text",
            "R3",
            IDS,
        ),
        SurveyCase(
            "a NUL run early in the survey",
            _u(_with_line(1, LINES[1].replace("Riverside", "River" + "\x00" * 5000 + "side"))),
            0,
            "NUL byte",
            "R1",
            IDS,
        ),
        SurveyCase(
            "8 KB type cell",
            _u(table([row("R1", kind="library," * 1000), *GOOD_ROWS[1:]])),
            0,
            "more than 20 institution types",
            "R1",
            IDS,
        ),
        SurveyCase(
            "32,767-character type cell",
            _u(table([row("R1", kind="x" * 32_767), *GOOD_ROWS[1:]])),
            0,
            "unknown institution type",
            "R1",
            IDS,
        ),
        SurveyCase("U+FFFE in a name is replaced", _u(table([row("R1", "A\ufffeB"), *GOOD_ROWS[1:]])), 0, ids=IDS),
        SurveyCase(
            "name over 200 characters",
            _u(table([row("R1", "N" * 215), *GOOD_ROWS[1:]])),
            0,
            "at most 200",
            "R1",
            IDS,
        ),
        SurveyCase(
            "look-alike letter in an answer",
            _u(table([row("R1", q_published="Y\u0435s"), *GOOD_ROWS[1:]])),
            0,
            "U+0435 CYRILLIC SMALL LETTER IE",
            "R1",
            IDS,
        ),
        # -- the whole file is refused with one line ---------------------------------------------------------------
        SurveyCase("empty", b"", 2, "the file is empty"),
        SurveyCase("whitespace only", b" \r\n\t\r\n", 2, "the file is empty"),
        SurveyCase("xlsx", b"PK\x03\x04" + b"\x00" * 100, 2, "zip archive"),
        SurveyCase("xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 100, 2, "Excel .xls workbook"),
        SurveyCase("pdf", b"%PDF-1.7\n" + b"x" * 100, 2, "PDF document"),
        SurveyCase("png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, 2, "PNG image"),
        SurveyCase("gzip", b"\x1f\x8b\x08\x00" + b"\x00" * 100, 2, "gzip archive"),
        SurveyCase("control characters", bytes(range(1, 32)) * 50, 2, "binary file"),
        SurveyCase("header only", _u(LINES[0] + "\r\n"), 2, "header row but no respondent rows"),
        SurveyCase("unknown columns", _u("a,b,c\r\n1,2,3\r\n"), 2, "not a survey of these rules"),
        SurveyCase(
            "no institution_type column",
            _u(
                table(
                    [[c for i, c in enumerate(r) if i != 2] for r in GOOD_ROWS],
                    header=[h for h in HEADER if h != "institution_type"],
                )
            ),
            2,
            "no institution_type column, so no row can be evaluated",
        ),
        SurveyCase("duplicate columns", _u(GOOD.replace("q_block", "q_policy", 1)), 2, "both hold q_policy"),
        SurveyCase(
            "unclosed quote in the header",
            _u(GOOD.replace("respondent_id", '"respondent_id', 1)),
            2,
            "header row is not valid CSV",
        ),
        SurveyCase(
            "6000 columns",
            _u(table([row("R1")], header=[*HEADER, *(f"c{i}" for i in range(6000))])),
            2,
            "at most 5,000 columns",
        ),
        SurveyCase(
            "no row can be evaluated",
            _u(table([row("R1", kind="x"), row("R2", kind="y")])),
            2,
            "no row could be evaluated",
        ),
    ]
