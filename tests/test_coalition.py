"""Coalition batch features (issue 23): the pre-check, duplicate_of, --keep-columns, summary CSV/xlsx, Spanish
state names."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from engine import InputError, check_survey, evaluate_survey, load_ruleset, read_survey
from engine.cli.main import main
from engine.run.institution import parse_state
from engine.survey.coalition import check_file
from engine.survey.pool import run_batch
from engine.survey.summary_files import summary_csv, summary_xlsx
from tests.conftest import MINI_RULES
from tests.malformed import survey_cases

ROOT = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2026, 11, 28)
MINI = load_ruleset(MINI_RULES)
SAMPLE = ROOT / "sample_policies" / "surveys" / "mixed_institutions.csv"
READABLE = [c for c in survey_cases.cases() if c.exit == 0]


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))


@pytest.mark.parametrize("case", READABLE, ids=[c.id for c in READABLE])
def test_the_pre_check_finds_exactly_the_rows_the_evaluation_rejects(case, tmp_path):
    out = tmp_path / "results.csv"
    run_batch(MINI, case.data, out, as_of=AS_OF, name="survey.csv")
    rejected = {(int(r["line"]), r["error"]) for r in _rows(out) if r["error"]}
    _, found, _ = check_file(MINI, case.data, "survey.csv")
    assert {(p.line, p.problem) for p in found} == rejected
    in_memory = check_survey(MINI, read_survey(case.data, MINI, name="survey.csv"))
    assert {(p.line, p.problem) for p in in_memory} == rejected


def test_the_pre_check_of_the_sample_survey_finds_every_rejected_row(ruleset, tmp_path, capsys):
    out = tmp_path / "results.csv"
    run_batch(ruleset, SAMPLE, out, as_of=AS_OF)
    rejected = sorted(int(r["line"]) for r in _rows(out) if r["error"])
    assert len(rejected) >= 2
    assert main(["batch", str(SAMPLE), "--check"]) == 2
    printed = capsys.readouterr()
    assert sorted(int(line.split()[1]) for line in printed.out.splitlines()) == rejected
    assert f"{len(rejected)} cannot" in printed.err
    assert not list(tmp_path.glob("*.part"))


def _survey(*rows: list[str], header: list[str] | None = None) -> bytes:
    head = header or ["Timestamp", "Email", *survey_cases.HEADER]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([head, *rows])
    return buffer.getvalue().encode("utf-8")


def _row(stamp: str, email: str, *args: str, **answers: str) -> list[str]:
    return [stamp, email, *survey_cases.row(*args, **answers)]


MANY = {"q_policy": "none", "q_entry": "admitted", "q_has_police": "yes", "q_police_barred": "no", "q_block": "no"}
DUPLICATES = _survey(
    _row("2026-12-01 09:00", "a@example.org", "R1", "Riverside Library", "library", "CA"),  # line 2
    _row("2026-12-01 09:05", "b@example.org", "R2", "Peñasco Farms", "employer", "NM", **MANY),  # 3
    _row("2026-12-01 09:06", "a@example.org", "R3", "RIVERSIDE  library", "Library", "California"),  # 4: same place
    _row("2026-12-01 09:07", "c@example.org", "R4", "Penasco Farms", "employer", "Nuevo México", q_policy="none"),  # 5
    _row("2026-12-01 09:08", "d@example.org", "R5", "Other Name", "library", "TX", **MANY),  # 6: R2's 7 answers
    _row("2026-12-01 09:09", "e@example.org", "R6", "Riverside Library", "library", "OR"),  # 7: other state, 3 answers
)


def test_duplicate_submissions_point_to_the_first_row_by_institution_or_by_answers(tmp_path):
    out = tmp_path / "results.csv"
    summary = run_batch(MINI, DUPLICATES, out, as_of=AS_OF, name="forms.csv")
    marks = {int(r["line"]): r["duplicate_of"] for r in _rows(out)}
    # Line 7 gives line 2's three answers, too few to call the same answers a duplicate; its state differs.
    assert marks == {2: "", 3: "", 4: "2", 5: "3", 6: "3", 7: ""}
    assert summary["duplicates"] == 3
    frame = evaluate_survey(MINI, read_survey(DUPLICATES, MINI, name="forms.csv"), as_of=AS_OF).results
    assert dict(zip(frame["line"], frame["duplicate_of"], strict=True)) == marks


def test_rows_with_different_answers_and_institutions_are_not_duplicates(tmp_path):
    data = _survey(
        _row("t1", "a", "R1", "A Library", "library", "CA"),
        _row("t2", "b", "R2", "B Library", "library", "CA", q_policy="none"),
    )
    out = tmp_path / "results.csv"
    run_batch(MINI, data, out, as_of=AS_OF, name="forms.csv")
    assert [r["duplicate_of"] for r in _rows(out)] == ["", ""]


def test_keep_columns_carries_timestamp_and_email_right_after_the_line(tmp_path, capsys):
    survey = tmp_path / "forms.csv"
    survey.write_bytes(DUPLICATES)
    out, long_out = tmp_path / "results.csv", tmp_path / "long.csv"
    args = ["--rules", str(MINI_RULES), "batch", str(survey), "--as-of", "2026-11-28", "-q"]
    assert main([*args, "-o", str(out), "--keep-columns", "timestamp, Email"]) == 0
    assert "Timestamp" not in capsys.readouterr().err, "kept columns are not reported as ignored"
    rows = _rows(out)
    assert list(rows[0])[:4] == ["line", "Timestamp", "Email", "respondent_id"]
    assert [(r["Timestamp"], r["Email"]) for r in rows[:2]] == [
        ("2026-12-01 09:00", "a@example.org"),
        ("2026-12-01 09:05", "b@example.org"),
    ]
    assert main([*args, "-o", str(long_out), "--long", "--keep-columns", "Email"]) == 0
    long_rows = _rows(long_out)
    assert list(long_rows[0])[:3] == ["line", "Email", "respondent_id"]
    assert {r["Email"] for r in long_rows if r["line"] == "3"} == {"b@example.org"}
    frame = evaluate_survey(MINI, read_survey(DUPLICATES, MINI, keep=["Email"]), as_of=AS_OF, long=True)
    assert list(frame.results.columns[:3]) == ["line", "Email", "respondent_id"]
    assert list(frame.long.columns[:3]) == ["line", "Email", "respondent_id"]


def test_keep_columns_naming_a_missing_column_is_one_line_with_a_suggestion(tmp_path, capsys):
    with pytest.raises(InputError, match=r"no column 'Emial'.*Did you mean 'Email'"):
        read_survey(DUPLICATES, MINI, name="forms.csv", keep=["Emial"])
    with pytest.raises(InputError, match="already in the results as institution_name"):
        read_survey(DUPLICATES, MINI, name="forms.csv", keep=["institution_name"])
    survey = tmp_path / "forms.csv"
    survey.write_bytes(DUPLICATES)
    code = main(
        ["--rules", str(MINI_RULES), "batch", str(survey), "-o", str(tmp_path / "r.csv"), "--keep-columns", "X"]
    )
    assert code == 2 and "no column 'X'" in capsys.readouterr().err
    assert not (tmp_path / "r.csv").exists()


def test_spanish_state_names_are_accepted_with_or_without_accents():
    for name, code in [
        ("Nuevo México", "NM"),
        ("nuevo mexico", "NM"),
        ("Carolina del Norte", "NC"),
        ("Nueva York", "NY"),
    ]:
        assert parse_state(name) == code
    with pytest.raises(InputError):
        parse_state("Nuevo Narnia")


def test_the_summary_as_csv_and_as_a_workbook_with_one_sheet_per_view(ruleset, tmp_path):
    out = tmp_path / "results.csv"
    xlsx, table = tmp_path / "summary.xlsx", tmp_path / "summary.csv"
    assert main(["batch", str(SAMPLE), "-o", str(out), "--summary", str(xlsx), "-q", "--as-of", "2026-11-28"]) == 0
    assert main(["batch", str(SAMPLE), "-o", str(out), "--summary", str(table), "-q", "--as-of", "2026-11-28"]) == 0
    book = load_workbook(xlsx)
    assert book.sheetnames == [
        "Overview",
        "Components",
        "By institution type",
        "By state",
        "Controls most failed",
        "Flags",
        "Problems",
    ]
    overview = {row[0]: row[1] for row in book["Overview"].iter_rows(min_row=2, values_only=True)}
    assert overview["Respondents"] == 44 and overview["Could not be evaluated"] == 2
    types = [row[0] for row in book["By institution type"].iter_rows(min_row=2, values_only=True)]
    assert "Jail, sheriff or corrections" in types or any("Jail" in str(t) for t in types)
    rows = _rows(table)
    assert list(rows[0]) == ["view", "group", "id", "measure", "value"]
    assert {"Overview", "Components", "By state", "Controls most failed"} <= {r["view"] for r in rows}
    assert any(r["view"] == "Overview" and r["measure"] == "Respondents" and r["value"] == "44" for r in rows)


def test_summary_files_never_hold_a_formula(ruleset):
    summary = {
        "source": '=HYPERLINK("http://x")',
        "respondents": 1,
        "evaluated": 1,
        "errors": 0,
        "overall": {"strong": 1},
        "components": {},
        "problems": ["@SUM(1)", "+1", "-2"],
    }
    book = load_workbook(io.BytesIO(summary_xlsx(summary, ruleset)))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
    assert book["Overview"]["B2"].value == summary["source"] and book["Overview"]["B2"].quotePrefix
    text = summary_csv(summary, ruleset)
    assert "'=HYPERLINK" in text and "'@SUM(1)" in text


def test_a_bounded_level_in_the_summary_table_is_named_as_a_level_not_as_an_error(tmp_path):
    # The sample survey has "developing at least" rows and two rows that could not be evaluated.
    table = tmp_path / "summary.csv"
    assert main(["batch", str(SAMPLE), "-o", str(tmp_path / "r.csv"), "--summary", str(table), "-q"]) == 0
    text = table.read_text(encoding="utf-8-sig")
    assert "Overall level: Developing — at least," in text
    assert "Overall level: Could not be evaluated,2" in text
