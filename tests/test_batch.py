"""Batch evaluation of survey CSVs: reading real exports, bad input, output safety, workers, CLI.

Runs against the small fixture ruleset (tests/fixtures/mini) so the expectations stay stable while
the real content grows; the golden test (test_batch_golden.py) covers the real rules.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
from pathlib import Path

import pandas as pd
import pytest

from engine import InputError, evaluate_frame, evaluate_survey, read_survey, to_safe_csv
from engine.cli import main
from engine.cli.batch import ProgressBar
from engine.csv_safe import neutralise_cell
from engine.survey.layout import FIXED_COLUMNS, LONG_COLUMNS, results_columns
from engine.survey.pool import run_batch
from engine.survey.template import template_header
from tests.malformed.survey_cases import HEADER  # the mini ruleset's survey columns

AS_OF = dt.date(2026, 11, 28)
GOOD_ROWS = [
    ["R1", "Riverside Unified", "k12_school", "CA", "yes", "written", "yes", "refused", "yes", "yes", "2", "no"],
    ["R2", "Peñasco Farms", "employer", "NM", "sí", "statement", "no", "case_by_case", "", "", "001", ""],
    ["R3", "Grace Church", "congregation", "tx", "no", "Adopted written policy", "N/A", "", "", "", "0", "no"],
]


def _csv(header: list[str], rows: list[list[str]], delimiter: str = ",") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _results(ruleset, data: bytes | str, **kwargs) -> pd.DataFrame:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    survey = read_survey(raw, ruleset)
    return evaluate_survey(ruleset, survey, as_of=AS_OF, **kwargs).results


@pytest.fixture(scope="module")
def baseline(mini_ruleset) -> pd.DataFrame:
    return _results(mini_ruleset, _csv(HEADER, GOOD_ROWS))


# -- reading ------------------------------------------------------------------------------------------------


def test_read_survey_keeps_every_cell_as_text(mini_ruleset):
    survey = read_survey(_csv(HEADER, GOOD_ROWS).encode(), mini_ruleset)
    assert list(survey.frame.columns[:5]) == list(FIXED_COLUMNS)
    assert survey.frame.loc[1, "q_staff_trained"] == "001"
    assert survey.frame.loc[2, "q_published"] == "N/A"
    assert survey.lines == [2, 3, 4]
    assert survey.problems == [] and survey.ignored_columns == []


def test_values_are_normalised_by_question_type(baseline):
    riverside, penasco, grace = baseline.to_dict("records")
    assert riverside["error"] == "" and riverside["control:XX-BL-POLICE"] == "pass"
    # '001' is one training a year and 'N/A' is unanswered, not a string or a NaN.
    assert penasco["control:XX-AC-TRAIN"] == "pass" and penasco["control:XX-PS-ENTRY"] == "partial"
    assert grace["control:XX-AC-TRAIN"] == "fail"
    # A written policy with publication left blank ('N/A') is at least partial: the cell says so, bound and all,
    # so a survey count of partial passes never takes a bound for a decided partial.
    assert grace["control:XX-AC-WRITTEN"] == "at_least_partial"
    assert penasco["state"] == "NM" and grace["state"] == "TX"
    assert baseline["line"].tolist() == [2, 3, 4]


def test_respondent_ids_keep_leading_zeros_and_default_to_the_row_number(mini_ruleset):
    rows = [["007", "A", "library", "", "", "", "", "", "", "", "", ""], ["", "B", "library", "", "", *[""] * 7]]
    results = _results(mini_ruleset, _csv(HEADER, rows))
    assert results["respondent_id"].tolist() == ["007", "2"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252"])
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_encodings_and_delimiters_read_the_same(mini_ruleset, baseline, encoding, delimiter):
    data = _csv(HEADER, GOOD_ROWS, delimiter).encode(encoding)
    survey = read_survey(data, mini_ruleset)
    assert survey.delimiter == delimiter
    results = evaluate_survey(mini_ruleset, survey, as_of=AS_OF).results
    pd.testing.assert_frame_equal(results, baseline)
    assert results.loc[1, "institution_name"] == "Peñasco Farms"


def test_excel_unicode_text_export_is_read(mini_ruleset, baseline):
    # Excel's "Unicode Text": UTF-16 little-endian with a BOM, tab-delimited, CRLF.
    data = _csv(HEADER, GOOD_ROWS, "\t").encode("utf-16")
    assert data.startswith(b"\xff\xfe")
    pd.testing.assert_frame_equal(_results(mini_ruleset, data), baseline)


def test_google_forms_headers_map_by_question_text(mini_ruleset, baseline):
    texts = {q.id: q.text for q in mini_ruleset.questions.values()}
    header = [
        "Timestamp",
        "Email Address",
        "Respondent ID",
        "Institution name",
        "Institution type",
        "State (two-letter code)",
        "Public body? (yes/no)",
        *(texts[q] for q in HEADER[5:]),
    ]
    rows = [["2026/11/01 10:00:00 AM GMT-8", "a@example.org", *row] for row in GOOD_ROWS]
    survey = read_survey(_csv(header, rows).encode(), mini_ruleset)
    assert survey.column_map["Is it published?"] == "q_published"
    assert survey.column_map["Institution type"] == "institution_type"
    assert survey.ignored_columns == ["Timestamp", "Email Address"]
    assert any("Timestamp" in p for p in survey.problems)
    pd.testing.assert_frame_equal(evaluate_survey(mini_ruleset, survey, as_of=AS_OF).results, baseline)


def test_microsoft_forms_headers_with_typographic_quotes_and_numbering(mini_ruleset):
    question = mini_ruleset.questions["q_entry"]
    header = ["ID", "Start time", "Completion time", "Email", "Name", "Institution type", f"3. {question.text}"]
    header[-1] = header[-1].replace("'", "\u2019") + " *"
    rows = [["1", "11/1/26 10:00", "11/1/26 10:05", "anonymous", "", "employer", "Refused pending counsel"]]
    survey = read_survey(_csv(header, rows).encode(), mini_ruleset)
    assert survey.column_map[header[-1]] == "q_entry"
    assert survey.column_map["ID"] == "respondent_id"
    results = evaluate_survey(mini_ruleset, survey, as_of=AS_OF).results
    assert results.loc[0, "control:XX-PS-ENTRY"] == "pass" and results.loc[0, "respondent_id"] == "1"


def test_surveymonkey_second_header_row_is_skipped(mini_ruleset, baseline):
    texts = {q.id: q.text for q in mini_ruleset.questions.values()}
    header = ["Respondent ID", "Collector ID", "Start Date", *HEADER[1:5], *(texts[q] for q in HEADER[5:])]
    subheader = ["", "", "", "", "", "", "", *["Response"] * 7]
    rows = [[row[0], "4321", "11/01/2026", *row[1:]] for row in GOOD_ROWS]
    data = _csv(header, [subheader, *rows]).encode()
    survey = read_survey(data, mini_ruleset)
    assert len(survey.frame) == 3 and survey.lines == [3, 4, 5]
    results = evaluate_survey(mini_ruleset, survey, as_of=AS_OF).results
    pd.testing.assert_frame_equal(results.drop(columns="line"), baseline.drop(columns="line"))


def test_template_text_headers_read_back_to_question_ids(mini_ruleset):
    header = template_header(mini_ruleset, None, headers="text")
    row = ["R1", "X", "jail", "CA", "yes", *[""] * (len(header) - 5)]
    survey = read_survey(_csv(header, [row]).encode(), mini_ruleset)
    assert survey.ignored_columns == []
    assert list(survey.frame.columns[:-1]) == template_header(mini_ruleset, None)


def test_template_command_writes_text_headers(mini_ruleset, capsys):
    assert main(["--rules", str(mini_ruleset.root), "template", "--headers", "text"]) == 0
    header = next(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert header[:2] == ["Respondent ID", "Institution name"]
    assert header[2].startswith("Institution type (one or more of: ") and "Place of worship" in header[2]
    assert header[3].startswith("State (name or two-letter code")
    assert mini_ruleset.questions["q_published"].text in header


# -- bad rows: reported in their place, every other row still evaluated --------------------------------------


def _with_bad_row(bad: list[str] | str) -> str:
    text = _csv(HEADER, GOOD_ROWS[:2])
    bad_line = bad if isinstance(bad, str) else _csv(HEADER, [bad]).split("\r\n", 1)[1]
    return text + bad_line + _csv(HEADER, GOOD_ROWS[2:]).split("\r\n", 1)[1]


def _assert_survivors(results: pd.DataFrame, baseline: pd.DataFrame, bad_line: int = 4) -> str:
    assert results["line"].tolist() == [2, 3, bad_line, bad_line + 1]
    good = results.drop(index=2).reset_index(drop=True)
    expected = baseline.copy()
    expected.loc[2, "line"] = bad_line + 1
    pd.testing.assert_frame_equal(good, expected)
    bad = results.loc[2]
    assert bad["overall_level"] == "" and all(bad[c] == "" for c in results.columns if c.startswith("control:"))
    return bad["error"]


def test_unknown_institution_type_is_an_error_row(mini_ruleset, baseline):
    results = _results(mini_ruleset, _with_bad_row(["R9", "St Mark", "chruch", "CA", "", *[""] * 7]))
    error = _assert_survivors(results, baseline)
    assert error.startswith("institution_type: unknown institution type 'chruch'")
    assert "congregation" in error


def test_invalid_values_are_all_named_in_the_error(mini_ruleset, baseline):
    row = ["R9", "County", "jail", "Californa", "maybe", "written", "perhaps", "", "", "", "-3", ""]
    error = _assert_survivors(_results(mini_ruleset, _with_bad_row(row)), baseline)
    assert "state: 'Californa' is not a US state or territory" in error
    assert "public: 'maybe'" in error
    assert "q_published: 'perhaps' is not a yes/no answer" in error
    assert "q_staff_trained: -3 is below the minimum 0" in error


def test_missing_required_cell_in_a_short_row(mini_ruleset, baseline):
    error = _assert_survivors(_results(mini_ruleset, _with_bad_row("R9,Short row\r\n")), baseline)
    assert error == "institution_type: missing (the row has only 2 of the 12 columns)."


def test_blank_institution_type_is_an_error_row(mini_ruleset, baseline):
    error = _assert_survivors(_results(mini_ruleset, _with_bad_row(["R9", "No type", "", *[""] * 9])), baseline)
    assert error.startswith("institution_type: missing; give one of law_enforcement")


def test_row_with_too_many_cells_is_an_error_row(mini_ruleset, baseline):
    error = _assert_survivors(
        _results(mini_ruleset, _with_bad_row("R9,Smith, Jones and Co,employer,CA,,,,,,,,\r\n")), baseline
    )
    assert error.startswith("the row has 13 cells but the header has 12")


def test_missing_institution_type_column_is_one_clear_error(mini_ruleset):
    # No row of such a file can be evaluated, so the whole file is refused with one line (CLI exit 2).
    header = [h for h in HEADER if h != "institution_type"]
    rows = [[c for i, c in enumerate(row) if i != 2] for row in GOOD_ROWS]
    with pytest.raises(InputError, match="no institution_type column, so no row can be evaluated"):
        read_survey(_csv(header, rows).encode(), mini_ruleset)


def test_unclosed_quote_is_reported_on_its_row(mini_ruleset, baseline):
    text = _csv(HEADER, GOOD_ROWS) + 'R9,"Broken name,library\r\nR10,Later,library\r\n'
    results = _results(mini_ruleset, text)
    pd.testing.assert_frame_equal(results.iloc[:3], baseline)
    assert "not closed where the row should end (lines 5-6" in results.loc[3, "error"]
    # The next respondent is read on its own, not swallowed by the broken row.
    assert results["respondent_id"].tolist()[3:] == ["R9", "R10"]


def test_duplicate_respondent_ids_are_reported_and_both_rows_evaluated(mini_ruleset):
    rows = [GOOD_ROWS[0], GOOD_ROWS[1], [GOOD_ROWS[0][0], *GOOD_ROWS[2][1:]]]
    survey = read_survey(_csv(HEADER, rows).encode(), mini_ruleset)
    assert survey.duplicate_respondent_ids == {"R1": [2, 4]}
    assert "respondent_id 'R1' is used on lines 2, 4; every row was still evaluated." in survey.problems
    result = evaluate_survey(mini_ruleset, survey, as_of=AS_OF)
    assert result.results["error"].tolist() == ["", "", ""]
    assert result.summary["problems"] == survey.problems


@pytest.mark.parametrize(
    ("cell", "outcome", "error"),
    [
        ("written, statement", "", "q_policy: 'written, statement' gives several choices (written, statement)"),
        ("Adopted written policy; Public statement only", "", "gives several choices"),
        ("written, written", "at_least_partial", ""),  # a written policy, publication blank: at least partial
        ("written, somewhere else", "", "is not one of the choices"),
    ],
)
def test_multi_select_cells_in_a_one_answer_question(mini_ruleset, cell, outcome, error):
    row = ["R1", "A", "library", "", "", cell, "", "", "", "", "1", ""]
    result = _results(mini_ruleset, _csv(HEADER, [row])).loc[0]
    assert result["control:XX-AC-WRITTEN"] == outcome
    assert error in result["error"] and bool(error) == bool(result["error"])


# -- files that cannot be read at all: one line, exit code 2 --------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"\r\n \r\n", "the file is empty"),
        (b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)), "an Excel .xlsx workbook"),
        (bytes(range(256)) * 8, "this is a binary file, not CSV text"),
        (b'{"institution": {"type": "jail"}}\n', "not a survey of these rules"),
        (b"name,email\nAda,ada@example.org\n", "not a survey of these rules"),
        (",".join(HEADER).encode() + b"\r\n", "a header row but no respondent rows"),
        (b"q_policy,institution_type,Is there a written policy?\nwritten,jail,written\n", "both hold q_policy"),
    ],
)
def test_unreadable_files_exit_2_with_one_line(mini_ruleset, tmp_path, capsys, content, message):
    path = tmp_path / "survey.csv"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        read_survey(path, mini_ruleset)
    out = tmp_path / "results.csv"
    assert main(["--rules", str(mini_ruleset.root), "batch", str(path), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and str(path) in err
    assert not out.exists() and not Path(f"{out}.part").exists()


def test_missing_file_exits_2(mini_ruleset, tmp_path, capsys):
    assert main(["--rules", str(mini_ruleset.root), "batch", str(tmp_path / "nope.csv")]) == 2
    assert "no such file" in capsys.readouterr().err


# -- output -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x")'])
def test_neutralise_cell_prefixes_formula_triggers(text):
    assert neutralise_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["Riverside", "", "1-2", "a=b", " =x", "'quoted"])
def test_neutralise_cell_leaves_plain_text(text):
    assert neutralise_cell(text) == text


def test_free_text_formulas_are_neutralised_in_the_results_csv(mini_ruleset, tmp_path):
    rows = [
        ["=cmd|' /C calc'!A0", '=HYPERLINK("http://evil","x")', "library", "", "", *[""] * 7],
        ["@R2", "+Plus", "library", "", "", *[""] * 7],
        ["-R3", "\t=SUM(1)", "jail|library", "", "", *[""] * 7],
    ]
    path = tmp_path / "survey.csv"
    path.write_text(_csv(HEADER, rows), encoding="utf-8")
    out = tmp_path / "results.csv"
    run_batch(mini_ruleset, path, out, as_of=AS_OF)
    parsed = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert [r["respondent_id"] for r in parsed] == ["'=cmd|' /C calc'!A0", "'@R2", "'-R3"]
    assert [r["institution_name"] for r in parsed] == ['\'=HYPERLINK("http://evil","x")', "'+Plus", "'=SUM(1)"]
    assert parsed[2]["institution_type"] == "jail|library"
    for row in parsed:
        assert not any(v.startswith(("=", "+", "-", "@", "\t", "\r")) for v in row.values())


def test_to_safe_csv_round_trips_plain_frames():
    frame = pd.DataFrame({"a": ["x", "=y"], "b": [1, 2]})
    assert to_safe_csv(frame) == "a,b\r\nx,1\r\n'=y,2\r\n"


def test_results_columns_follow_spec_with_line_and_state(mini_ruleset, baseline):
    columns = results_columns(mini_ruleset)
    assert columns[:6] == ["line", "respondent_id", "institution_name", "institution_type", "state", "overall_level"]
    assert columns[6:11] == list(mini_ruleset.components)
    assert columns[11:15] == ["provisional", "flags", "error", "duplicate_of"]
    assert columns[15:] == [f"control:{c}" for c in mini_ruleset.controls]
    assert list(baseline.columns) == columns


def test_long_output_has_a_row_per_applicable_control_with_explanation(mini_ruleset):
    text = _with_bad_row(["R9", "Bad", "nope", "", "", *[""] * 7])
    result = evaluate_survey(mini_ruleset, read_survey(text.encode(), mini_ruleset), as_of=AS_OF, long=True)
    long = result.long
    assert list(long.columns) == LONG_COLUMNS
    riverside = long[long["respondent_id"] == "R1"]
    assert riverside["control"].tolist() == ["XX-AC-TRAIN", "XX-AC-WRITTEN", "XX-BL-POLICE", "XX-PS-ENTRY"]
    assert (riverside["explanation"] != "").all()
    bad = long[long["respondent_id"] == "R9"]
    assert len(bad) == 1 and bad.iloc[0]["error"].startswith("institution_type: unknown")
    assert long["line"].is_monotonic_increasing


def test_summary_counts_outcomes_by_component_type_and_state(mini_ruleset):
    text = _with_bad_row(["R9", "Bad", "nope", "CA", "", *[""] * 7])
    summary = evaluate_survey(mini_ruleset, read_survey(text.encode(), mini_ruleset), as_of=AS_OF).summary
    assert (summary["respondents"], summary["evaluated"], summary["errors"]) == (4, 3, 1)
    assert sum(summary["overall"].values()) == 4 and summary["overall"]["error"] == 1
    assert summary["components"]["accountability"]["error"] == 1
    assert sum(summary["components"]["accountability"].values()) == 4
    assert set(summary["by_institution_type"]) == {
        "k12_school",
        "employer",
        "congregation",
        "(invalid or missing type)",
    }
    assert summary["by_state"]["CA"]["respondents"] == 2 and summary["by_state"]["CA"]["errors"] == 1
    failed = summary["controls_most_failed"]
    assert failed[0]["control"] == "XX-AC-TRAIN" and failed[0]["fail"] == 1
    assert summary["as_of"] == "2026-11-28"


# -- evaluate_frame: the per-partition function ----------------------------------------------------------------


def test_evaluate_frame_accepts_survey_tool_headers_and_lines(mini_ruleset, baseline):
    texts = {q.id: q.text for q in mini_ruleset.questions.values()}
    frame = pd.DataFrame(GOOD_ROWS, columns=[*HEADER[:5], *(texts[q] for q in HEADER[5:])], dtype=str)
    results = evaluate_frame(mini_ruleset, frame, as_of=AS_OF, lines=[2, 3, 4])
    pd.testing.assert_frame_equal(results, baseline)
    with_line = frame.assign(line=[2, 3, 4])
    pd.testing.assert_frame_equal(evaluate_frame(mini_ruleset, with_line, as_of=AS_OF), baseline)


def test_evaluate_frame_handles_missing_values_and_reports_missing_type_column(mini_ruleset):
    frame = pd.DataFrame({"institution_name": ["A", None], "q_policy": [None, "written"]})
    results = evaluate_frame(mini_ruleset, frame, as_of=AS_OF)
    assert results["line"].tolist() == [2, 3]
    assert results["error"].str.startswith("institution_type: the survey has no institution_type column").all()


# -- workers, progress and the command ------------------------------------------------------------------------


AFTER = ["refused", "yes", "no", "1", ""]


def _many_rows(n: int) -> list[list[str]]:
    kinds = ["law_enforcement", "k12_school", "library", "nope", "jail|law_enforcement"]
    policies = ["written", "statement", "none", "", "N/A", "bogus"]
    return [
        [f"R{i}", f"Inst {i}", kinds[i % 5], ["CA", "TX", ""][i % 3], "", policies[i % 6], "yes", *AFTER]
        for i in range(n)
    ]


def test_same_output_with_one_and_two_workers(mini_ruleset, tmp_path):
    path = tmp_path / "survey.csv"
    path.write_text(_csv(HEADER, _many_rows(230)), encoding="utf-8")
    outputs = {}
    for workers in (1, 2):
        out = tmp_path / f"results-{workers}.csv"
        summary = run_batch(mini_ruleset, path, out, workers=workers, as_of=AS_OF, chunk_rows=17)
        outputs[workers] = (out.read_bytes(), json.dumps(summary, sort_keys=True))
    assert outputs[1] == outputs[2]
    assert outputs[1][0].count(b"\n") == 231


def test_evaluate_survey_with_workers_reports_progress_in_order(mini_ruleset):
    survey = read_survey(_csv(HEADER, _many_rows(120)).encode(), mini_ruleset)
    calls: list[tuple[int, int]] = []
    two = evaluate_survey(
        mini_ruleset, survey, workers=2, as_of=AS_OF, progress=lambda d, t: calls.append((d, t)), chunk_rows=25
    )
    one = evaluate_survey(mini_ruleset, survey, workers=1, as_of=AS_OF)
    pd.testing.assert_frame_equal(two.results, one.results)
    assert two.summary == one.summary
    assert calls == [(25, 120), (50, 120), (75, 120), (100, 120), (120, 120)]


def test_progress_bar_is_quiet_when_not_a_terminal():
    stream = io.StringIO()
    bar = ProgressBar(stream)
    bar(5, 10)
    bar.close()
    assert stream.getvalue() == ""


def test_progress_bar_draws_on_a_terminal():
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Terminal()
    bar = ProgressBar(stream)
    bar(10, 10)
    bar.close()
    assert "10/10" in stream.getvalue()


def test_batch_command_writes_results_summary_and_warnings(mini_ruleset, tmp_path, capsys):
    path = tmp_path / "survey.csv"
    rows = [*GOOD_ROWS, ["R1", "Again", "nope", "", "", *[""] * 7]]
    path.write_text(_csv(["Timestamp", *HEADER], [["t", *r] for r in rows]), encoding="utf-8")
    out, summary_path = tmp_path / "results.csv", tmp_path / "summary.json"
    code = main(
        [
            *("--rules", str(mini_ruleset.root), "batch", str(path), "-o", str(out), "--summary", str(summary_path)),
            *("--as-of", "2026-11-28", "--workers", "2"),
        ]
    )
    assert code == 0
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # Excel needs the BOM to show 'Peñasco' right
    parsed = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [r["respondent_id"] for r in parsed] == ["R1", "R2", "R3", "R1"]
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    assert (summary["respondents"], summary["errors"]) == (4, 1)
    err = capsys.readouterr().err
    assert "warning: ignored 1 column(s) that are not questions of these rules: 'Timestamp'." in err
    assert "warning: respondent_id 'R1' is used on lines 2, 5" in err
    assert "4 rows: 3 evaluated, 1 with errors" in err


def test_batch_command_long_layout_to_stdout(mini_ruleset, tmp_path, capsys):
    path = tmp_path / "survey.csv"
    path.write_text(_csv(HEADER, GOOD_ROWS), encoding="utf-8")
    assert main(["--rules", str(mini_ruleset.root), "batch", str(path), "--long", "-q", "--as-of", "2026-11-28"]) == 0
    out = capsys.readouterr().out
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == LONG_COLUMNS
    assert {r["control"] for r in rows} >= {"XX-AC-TRAIN", "XX-AC-WRITTEN"}


@pytest.mark.parametrize("workers", ["0", "two"])
def test_batch_command_rejects_bad_worker_counts(mini_ruleset, tmp_path, capsys, workers):
    with pytest.raises(SystemExit) as exc:
        main(["--rules", str(mini_ruleset.root), "batch", "x.csv", "--workers", workers])
    assert exc.value.code == 2
    assert "--workers" in capsys.readouterr().err


def test_batch_exits_2_when_no_row_can_be_evaluated(mini_ruleset, tmp_path, capsys):
    path = tmp_path / "survey.csv"
    path.write_text("respondent_id,institution_name,q_published\nR1,A,yes\nR2,B,no\n", encoding="utf-8")
    code = main(["--rules", str(mini_ruleset.root), "batch", str(path), "-o", str(tmp_path / "r.csv"), "-q"])
    assert code == 2
    # No institution_type column: the reader refuses the file up front, with one line.
    assert "no institution_type column, so no row can be evaluated" in capsys.readouterr().err


# -- where the results go: files, links, devices, directories --------------------------------------------------


def _batch(mini_ruleset, tmp_path, *output: str) -> int:
    path = tmp_path / "survey.csv"
    path.write_text(_csv(HEADER, GOOD_ROWS), encoding="utf-8")
    return main(["--rules", str(mini_ruleset.root), "batch", str(path), "-q", "--as-of", "2026-11-28", *output])


def test_results_and_summary_through_a_symbolic_link_keep_the_link(mini_ruleset, tmp_path):
    # A finished file renamed over a link replaced the link; `-o /dev/stdout` is such a link.
    target, summary_target = tmp_path / "kept.csv", tmp_path / "kept.json"
    link, summary_link = tmp_path / "results.csv", tmp_path / "summary.json"
    link.symlink_to(target)
    summary_link.symlink_to(summary_target)
    assert _batch(mini_ruleset, tmp_path, "-o", str(link), "--summary", str(summary_link)) == 0
    assert link.is_symlink() and summary_link.is_symlink()
    assert len(list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8-sig"))))) == len(GOOD_ROWS)
    assert json.loads(summary_target.read_text(encoding="utf-8"))["respondents"] == len(GOOD_ROWS)


@pytest.mark.skipif(not Path("/dev/null").is_char_device(), reason="needs /dev/null")
def test_results_to_a_device_write_through_it(mini_ruleset, tmp_path):
    assert _batch(mini_ruleset, tmp_path, "-o", "/dev/null", "--summary", "/dev/null") == 0
    assert Path("/dev/null").is_char_device()  # still the device, not a results file


@pytest.mark.skipif(not Path("/dev/full").is_char_device(), reason="needs Linux's /dev/full")
def test_a_full_disk_is_one_line_not_a_traceback(mini_ruleset, tmp_path, capsys):
    assert _batch(mini_ruleset, tmp_path, "-o", "/dev/full") == 2
    assert "/dev/full: cannot write the file (No space left on device; free some space" in capsys.readouterr().err
    assert Path("/dev/full").is_char_device()


def test_results_to_a_directory_are_refused(mini_ruleset, tmp_path, capsys):
    assert _batch(mini_ruleset, tmp_path, "-o", str(tmp_path)) == 2
    err = capsys.readouterr().err
    assert "is a directory; give the name of the file to write" in err
    assert not list(tmp_path.glob(".*.part"))  # nothing left behind


def test_a_survey_on_a_pipe_or_standard_input_is_refused_with_what_to_do(mini_ruleset, tmp_path, capsys):
    # The survey is read twice (encoding, then rows); a pipe was reported as "no such file".
    fifo = tmp_path / "survey.fifo"
    os.mkfifo(fifo)
    assert main(["--rules", str(mini_ruleset.root), "batch", str(fifo), "-q"]) == 2
    assert "is not a regular file (a pipe or a device); save the survey to a file" in capsys.readouterr().err
    assert main(["--rules", str(mini_ruleset.root), "batch", "-", "-q"]) == 2
    assert "reading a survey from standard input is not supported" in capsys.readouterr().err


def test_roll_up_rules_with_a_gap_make_error_rows_not_a_crash(mini_ruleset, tmp_path):
    # The rules' fault, so a rules error; in a batch it becomes the row's error and the other rows still run.
    import shutil

    from engine import load_ruleset

    copy = tmp_path / "mini"
    shutil.copytree(mini_ruleset.root, copy)
    manifest = copy / "ruleset.yaml"
    text = manifest.read_text(encoding="utf-8")
    gap = "when: {measure: applicable, equals: 0}"  # no component rule then holds where nothing applies
    assert gap in text
    manifest.write_text(text.replace(gap, "when: {measure: applicable, equals: -1}"), encoding="utf-8")
    survey = _csv(HEADER, GOOD_ROWS).encode()
    results = _results(load_ruleset(copy), survey)
    assert results["error"].str.startswith("the rules cannot evaluate this row:").all()
    assert results["error"].str.contains("ruleset.yaml: no component rule matched").all()


@pytest.mark.parametrize(
    "first_line, delimiter",
    [("sep=,", ","), ("SEP=;", ";"), ("sep=\t", "\t"), ("\ufeffsep=,", ",")],
    ids=["comma", "semicolon upper-case", "tab", "after a byte-order mark"],
)
def test_excel_separator_line_names_the_delimiter(mini_ruleset, baseline, first_line, delimiter):
    # Excel's `sep=` first line was taken for the header: "no column is a question id".
    body = _csv(HEADER, GOOD_ROWS, delimiter=delimiter)
    results = _results(mini_ruleset, first_line + "\r\n" + body)
    assert list(results["line"]) == [line + 1 for line in baseline["line"]]  # the header is line 2 now
    pd.testing.assert_frame_equal(results.drop(columns="line"), baseline.drop(columns="line"))
