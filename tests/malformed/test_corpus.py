"""Every malformed input ends with one clear line and exit 2, or is accepted where accepting is right.

Inputs: answers files (answers_cases), survey CSVs (survey_cases) and rules copies (rules_cases),
run through the real command: ``engine.cli.main`` in-process (the same code path as the console
script, and fast), plus a representative subset through ``python -m engine.cli`` in a subprocess.
Every run must also be free of tracebacks and of more than one stderr line per error.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from engine.cli import main
from tests.conftest import MINI_RULES, ROOT
from tests.malformed import answers_cases, rules_cases, survey_cases

AS_OF = "2026-11-28"
MINI = str(MINI_RULES)


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(argv)
    err = capsys.readouterr().err
    return code, err


def _check_stderr(code: int, err: str, expected: int, fragment: str) -> None:
    assert "Traceback" not in err
    assert code == expected, err
    if expected == 2:
        error_lines = [line for line in err.splitlines() if "error:" in line]
        assert len(error_lines) == 1, err
        assert "\x1b" not in err  # control characters are shown escaped, never sent to the terminal
    if fragment and expected != 0:
        assert fragment in err, err


# -- answers files --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "file_name", "content", "expected", "fragment"),
    answers_cases.CASES,
    ids=[c[0] for c in answers_cases.CASES],
)
def test_answers_file(name, file_name, content, expected, fragment, tmp_path, capsys):
    path = tmp_path / file_name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="")
    code, err = _run(["--rules", MINI, "evaluate", str(path), "--as-of", AS_OF, "--format", "json"], capsys)
    _check_stderr(code, err, expected, fragment)


def test_answers_file_that_is_a_directory_or_missing(tmp_path, capsys):
    code, err = _run(["--rules", MINI, "evaluate", str(tmp_path)], capsys)
    _check_stderr(code, err, 2, "is a directory")
    code, err = _run(["--rules", MINI, "evaluate", str(tmp_path / "nope.yaml")], capsys)
    _check_stderr(code, err, 2, "no such file")


# -- survey CSVs ------------------------------------------------------------------------------------------------

SURVEYS = survey_cases.cases()


def _results(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("case", SURVEYS, ids=[c.id for c in SURVEYS])
def test_survey(case: survey_cases.SurveyCase, tmp_path, capsys):
    survey, out = tmp_path / "survey.csv", tmp_path / "results.csv"
    survey.write_bytes(case.data)
    code, err = _run(["--rules", MINI, "batch", str(survey), "-o", str(out), "--as-of", AS_OF, "-q"], capsys)
    assert "Traceback" not in err
    assert code == case.exit, err
    leftovers = sorted(p.name for p in tmp_path.iterdir() if p.name not in ("survey.csv", "results.csv"))
    assert not leftovers, leftovers  # no temporary file is ever left behind
    if case.respondent is None and case.fragment:
        assert case.fragment in err, err
    if code == 2 and case.respondent is None and case.fragment != "no row could be evaluated":
        _check_stderr(code, err, 2, case.fragment)
        assert not out.exists()
        return
    rows = _results(out)
    if case.ids is not None:
        assert [r["respondent_id"] for r in rows] == case.ids
    if case.respondent is not None:
        errors = {r["respondent_id"]: r["error"] for r in rows}
        assert case.fragment in errors[case.respondent], errors[case.respondent]
        # Only broken rows carry an error; the others were evaluated as written.
        assert all(r["overall_level"] for r in rows if not r["error"])
    elif code == 0:
        assert all(not r["error"] for r in rows), [r["error"] for r in rows if r["error"]]


def test_output_equal_to_the_survey_is_refused(tmp_path, capsys):
    survey = tmp_path / "survey.csv"
    survey.write_text(survey_cases.GOOD, encoding="utf-8")
    before = survey.read_bytes()
    for output in (str(survey), str(tmp_path / "." / "survey.csv")):
        code, err = _run(["--rules", MINI, "batch", str(survey), "-o", output, "-q"], capsys)
        _check_stderr(code, err, 2, "names the survey being read itself")
    code, err = _run(
        ["--rules", MINI, "batch", str(survey), "-o", str(tmp_path / "r.csv"), "--summary", str(survey)], capsys
    )
    _check_stderr(code, err, 2, "names the survey being read itself")
    assert survey.read_bytes() == before


def test_survey_path_that_is_a_directory_or_missing(tmp_path, capsys):
    code, err = _run(["--rules", MINI, "batch", str(tmp_path), "-q"], capsys)
    _check_stderr(code, err, 2, "is a directory")
    code, err = _run(["--rules", MINI, "batch", str(tmp_path / "nope.csv"), "-q"], capsys)
    _check_stderr(code, err, 2, "no such file")


# -- rules copies ------------------------------------------------------------------------------------------------


def _rules_copy(tmp_path: Path, edits: list[rules_cases.Edit]) -> Path:
    root = tmp_path / "rules" / "mini"
    shutil.copytree(MINI_RULES, root)
    for rel, old, new in edits:
        path = root / rel
        if new is None:
            path.unlink()
            continue
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        if old is None:
            text += "\n" + new
        elif old == "":
            text = new
        else:
            assert old in text, f"fixture text {old!r} not in {rel}"
            text = text.replace(old, new, 1)
        path.write_text(text, encoding="utf-8", errors="surrogateescape")
    return root


@pytest.mark.parametrize(
    ("name", "edits", "command", "expected", "fragment"), rules_cases.CASES, ids=[c[0] for c in rules_cases.CASES]
)
def test_rules_copy(name, edits, command, expected, fragment, tmp_path, capsys):
    root = _rules_copy(tmp_path, edits)
    code, err = _run(["--rules", str(root), *command], capsys)
    _check_stderr(code, err, expected, fragment)


def test_rules_path_that_is_not_a_directory(tmp_path, capsys):
    code, err = _run(["--rules", str(tmp_path / "nope"), "questions"], capsys)
    _check_stderr(code, err, 2, "not a directory")


def test_corpus_is_large_enough():
    total = len(answers_cases.CASES) + len(SURVEYS) + len(rules_cases.CASES)
    assert total >= 150, total


# -- the same through the console entry point, in a subprocess ---------------------------------------------------

SUBSET_ANSWERS = [
    "billion laughs",
    "5001-digit integer",
    "json nested 100000",
    "ansi escape in name",
    ".nan",
    "second institution",
    "unknown state",
    "title with a comma",
]
SUBSET_SURVEYS = [
    "cr only (old Mac)",
    "stray opening quote",
    "nul byte",
    "header over 64 KB",
    "no institution_type column",
    "xlsx",
]
SUBSET_RULES = ["270 any leaves", "300-deep not", "alias cycle", "alias bomb", "component placeholder unknown"]


def _cli(*argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "engine.cli", *argv], capture_output=True, text=True, env=env, timeout=120, check=False
    )


def test_representative_subset_through_the_command_line(tmp_path):
    checked = 0
    for name, file_name, content, expected, fragment in answers_cases.CASES:
        if name not in SUBSET_ANSWERS:
            continue
        path = tmp_path / f"{checked}-{file_name}"
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        done = _cli("--rules", MINI, "evaluate", str(path), "--as-of", AS_OF)
        _check_stderr(done.returncode, done.stderr, expected, fragment)
        checked += 1
    for case in SURVEYS:
        if case.id not in SUBSET_SURVEYS:
            continue
        path, out = tmp_path / f"{checked}.csv", tmp_path / f"{checked}-out.csv"
        path.write_bytes(case.data)
        done = _cli("--rules", MINI, "batch", str(path), "-o", str(out), "-q", "--as-of", AS_OF)
        assert "Traceback" not in done.stderr
        assert done.returncode == case.exit, done.stderr
        if case.ids is not None:
            assert [r["respondent_id"] for r in _results(out)] == case.ids
        checked += 1
    for name, edits, command, expected, fragment in rules_cases.CASES:
        if name not in SUBSET_RULES:
            continue
        root = _rules_copy(tmp_path / str(checked), edits)
        done = _cli("--rules", str(root), *command)
        _check_stderr(done.returncode, done.stderr, expected, fragment)
        checked += 1
    assert checked == len(SUBSET_ANSWERS) + len(SUBSET_SURVEYS) + len(SUBSET_RULES)


def test_results_stay_readable_as_csv(tmp_path, capsys):
    # The survey with the CR-then-formula name: the results file has exactly one record per respondent.
    case = next(c for c in SURVEYS if c.id == "formula after cr")
    survey, out = tmp_path / "s.csv", tmp_path / "r.csv"
    survey.write_bytes(case.data)
    assert main(["--rules", MINI, "batch", str(survey), "-o", str(out), "-q", "--as-of", AS_OF]) == 0
    text = out.read_bytes().decode("utf-8-sig")  # no newline translation: the CR inside the cell must survive
    records = list(csv.reader(io.StringIO(text, newline="")))
    assert len(records) == 1 + len(case.ids or [])
    # A name is one line wherever it is read (its line breaks become spaces), so the formula no longer starts a line
    # of the cell; csv_safe's own tests cover a CR-then-formula cell.
    assert records[1][2] == "ok =1+2"
