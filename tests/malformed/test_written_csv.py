"""Every CSV the tool writes reads back, with csv and with pandas, with no cell that could start a formula.

Writers: ``batch`` results and ``--long``, ``template`` (ids and ``--headers text``), ``questions --format
csv``, and ``to_safe_csv`` (the UI's download). The survey is full of formula triggers, including after
a carriage return or line feed inside a cell.
"""

from __future__ import annotations

import csv
import io
import re

import pandas as pd
import pytest

from engine import evaluate_survey, load_ruleset, read_survey, to_safe_csv
from engine.cli import main
from engine.csv_safe import neutralise_cell, safe_csv_text
from tests.conftest import MINI_RULES
from tests.malformed.survey_cases import GOOD_ROWS, row, table

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
HOSTILE = ["=1+2", "+SUM(A1)", "-2+3", "@cmd", "\t=x", "\r=x", "ok\r=1+2", "ok\n@x", "ok\r\n-1", 'q"=x', "a,=b"]
MINI = str(MINI_RULES)


def _hostile_survey() -> bytes:
    rows = [row(f"{text}-{i}", text) for i, text in enumerate(HOSTILE)]
    return table([*rows, *GOOD_ROWS]).encode("utf-8")


def _no_trigger_anywhere(data: bytes) -> None:
    text = data.decode("utf-8-sig")
    assert "\r\n" in text and not re.search(r"(?<!\r)\n", _outside_quotes(text)), "records end in CRLF"
    records = list(csv.reader(io.StringIO(text, newline="")))
    assert len({len(r) for r in records}) == 1, "every record has the header's width"
    for record in records:
        for cell in record:
            for line in re.split(r"\r\n|\r|\n", cell):
                assert not line.startswith(TRIGGERS), repr(cell)
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    assert len(frame) == len(records) - 1
    for value in frame.to_numpy().ravel():
        assert not str(value).startswith(TRIGGERS), repr(value)


def _outside_quotes(text: str) -> str:
    return re.sub(r'"(?:[^"]|"")*"', "", text)


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("written")
    survey = folder / "survey.csv"
    survey.write_bytes(_hostile_survey())
    outputs = {
        "results": ["batch", str(survey), "-q", "--as-of", "2026-11-28"],
        "long": ["batch", str(survey), "--long", "-q", "--as-of", "2026-11-28"],
        "template ids": ["template"],
        "template text": ["template", "--headers", "text"],
        "questions csv": ["questions", "--format", "csv"],
    }
    files: dict[str, bytes] = {}
    for name, argv in outputs.items():
        out = folder / f"{name}.csv"
        assert main(["--rules", MINI, *argv, "-o", str(out)]) == 0
        files[name] = out.read_bytes()
    ruleset = load_ruleset(MINI)
    frame = evaluate_survey(ruleset, read_survey(_hostile_survey(), ruleset), backend="oracle").results
    files["ui download"] = to_safe_csv(frame).encode("utf-8")
    return files


@pytest.mark.parametrize("name", ["results", "long", "template ids", "template text", "questions csv", "ui download"])
def test_written_csv_reads_back_without_formula_triggers(written, name):
    _no_trigger_anywhere(written[name])


def test_hostile_names_survive_as_text(written):
    records = list(csv.reader(io.StringIO(written["results"].decode("utf-8-sig"), newline="")))
    names = [r[2] for r in records[1 : len(HOSTILE) + 1]]
    # A name is one line (runs of spaces and line breaks become one space), then neutralised.
    assert names == [neutralise_cell(" ".join(text.split())) for text in HOSTILE]
    assert names[6] == "ok =1+2"
    ids = [r[1] for r in records[1 : len(HOSTILE) + 1]]
    assert ids[6] == "ok\r'=1+2-6"  # respondent ids keep their line breaks, neutralised after each


def test_the_shared_writer_quotes_line_breaks_quotes_and_delimiters():
    text = safe_csv_text(["a", "b"], [["x\ry", 'q"'], ["c,d", "plain"]])
    assert text == 'a,b\r\n"x\ry","q"""\r\n"c,d",plain\r\n'
