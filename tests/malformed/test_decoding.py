"""Decoding surveys (issue 22, item 7): UTF-8 unless the file is not UTF-8 as a whole.

One stray non-UTF-8 byte made a whole survey decode as Windows-1252 ("Sí" became "SÃ­", 200 of 200 rows failed,
no warning); a NUL run early in a survey refused the whole file. Now a stray byte costs its row with a warning
naming the line, a NUL run costs its row, and a file that is not UTF-8 is decoded in the code page
charset-normalizer finds, with a note saying so.
"""

from __future__ import annotations

import csv
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from engine import load_ruleset, read_survey
from engine.cli import main
from engine.survey.reading import SurveyFile
from tests.conftest import MINI_RULES
from tests.malformed.survey_cases import GOOD_ROWS, row, table

MINI = str(MINI_RULES)


def _survey_with_stray_byte(rows: int = 200, stray_at: int = 57) -> bytes:
    lines = [table([row(f"R{i}", "Biblioteca Peñasco", q_published="Sí") for i in range(1, rows + 1)])]
    data = bytearray(lines[0].encode("utf-8"))
    start = data.index(f"R{stray_at},".encode())
    data[start + len(f"R{stray_at},Biblioteca Pe")] = 0xF1  # "ñ" as Windows-1252 writes it: one stray byte
    return bytes(data)


def _results(path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))


def test_one_stray_byte_costs_its_row_and_is_named_by_line(tmp_path, capsys):
    survey, out = tmp_path / "s.csv", tmp_path / "r.csv"
    survey.write_bytes(_survey_with_stray_byte())
    assert main(["--rules", MINI, "batch", str(survey), "-o", str(out), "-q", "--as-of", "2026-11-28"]) == 0
    err = capsys.readouterr().err
    assert "1 row(s) hold bytes that are not UTF-8 text (line 58)" in err, err
    rows = _results(out)
    assert len(rows) == 200
    failed = [r for r in rows if r["error"]]
    assert [r["respondent_id"] for r in failed] == ["R57"]
    assert "holds the byte 0xF1, which is not UTF-8 text" in failed[0]["error"]
    assert "\ufffd" in failed[0]["institution_name"]  # shown as a replacement character, never as a lone surrogate
    assert {r["institution_name"] for r in rows if not r["error"]} == {"Biblioteca Peñasco"}


def test_a_windows_1252_survey_is_read_as_such_and_said_so():
    ruleset = load_ruleset(MINI)
    data = table([row("R1", "Peñasco Café", q_published="Sí"), *GOOD_ROWS[1:]]).encode("cp1252")
    survey = read_survey(data, ruleset)
    assert survey.encoding == "cp1252"
    assert survey.frame["institution_name"][0] == "Peñasco Café"
    assert any("not UTF-8; it was read as Windows-1252" in p for p in survey.problems)


def test_a_cyrillic_code_page_survey_is_detected_by_charset_normalizer():
    # A hand-written guess tried UTF-8 then Windows-1252 only, and read Windows-1251 as Latin letters.
    ruleset = load_ruleset(MINI)
    names = ["Городская библиотека", "Школа номер пять", "Церковь Святой Марии", "Больница города"] * 8
    data = table([row(f"R{i}", name) for i, name in enumerate(names)]).encode("cp1251")
    survey = read_survey(data, ruleset)
    assert survey.encoding == "cp1251"
    assert list(survey.frame["institution_name"][:4]) == names[:4]


def test_a_nul_run_early_in_the_survey_costs_only_its_row(tmp_path):
    ruleset = load_ruleset(MINI)
    rows = [row("R1", "A" + "\x00" * 6000 + "B"), *[row(f"R{i}") for i in range(2, 40)]]
    survey = read_survey(table(rows).encode("utf-8"), ruleset)
    errors = dict(zip(survey.frame["respondent_id"], survey.frame["_row_error"], strict=True))
    assert "NUL byte" in errors["R1"]
    assert not any(errors[f"R{i}"] for i in range(2, 40))


def test_a_binary_file_is_still_refused_as_a_whole(tmp_path, capsys):
    survey = tmp_path / "s.csv"
    survey.write_bytes(bytes(range(256)) * 400)
    assert main(["--rules", MINI, "batch", str(survey), "-q"]) == 2
    assert "binary file" in capsys.readouterr().err


@settings(max_examples=40, deadline=None)
@given(position=st.integers(min_value=0, max_value=10_000), byte=st.integers(min_value=0x80, max_value=0xFF))
def test_any_single_stray_byte_keeps_the_file_utf_8(position, byte):
    # Wherever one byte that cannot start or continue UTF-8 lands in a UTF-8 survey full of accents, the file is
    # still read as UTF-8 and no other row changes.
    ruleset = load_ruleset(MINI)
    good = table([row(f"R{i}", "Peñasco", q_published="Sí") for i in range(1, 60)]).encode("utf-8")
    header = good.index(b"\r\n") + 2  # in the rows: a stray byte in a header cell costs that column's name
    at = header + position % (len(good) - header)
    while at < len(good) and good[at] >= 0x80:  # keep the other characters whole
        at += 1
    data = good[:at] + bytes([byte]) + good[at:]
    survey = SurveyFile(data, ruleset)
    assert survey.encoding.startswith("utf-8")
    assert survey.stray_bytes <= 1
