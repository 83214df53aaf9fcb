"""The command line and the batch in Spanish (--lang es): help, every error wrapped, and a Spanish survey.

What changes with the language is only what people read (help, messages, error cells, summary headings);
the results CSV's columns, ids and outcome cells do not, so a Spanish survey gives its English twin's bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest

from engine.cli import main
from engine.i18n import language
from engine.rules.loader import load_ruleset
from tests import forms_export

AS_OF = ["--as-of", "2026-12-01"]


def _csv(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def both() -> tuple:
    english = load_ruleset()
    assert english.languages == ("en", "es")
    return english, load_ruleset(lang="es")


def _twin_surveys(both, tmp_path: Path) -> dict[str, Path]:
    """A Google-Forms-style export in each language: headers are the question texts, answers the labels.

    Rows 2 and 3 are good; the rest are bad in ways that do not depend on the survey's language (the same bad
    cell in both), so their error cells are the same text in both files.
    """
    english, spanish = both
    kind = "k12_school"
    questions = [q for q in english.questions_for([kind]) if q.ask_when is None]
    boolean = next(q for q in questions if q.type == "boolean")
    choice = next(q for q in questions if q.type == "choice")

    paths = {}
    for lang, ruleset in (("en", english), ("es", spanish)):
        kind_name = ruleset.institution_types[kind]["title"]
        state = forms_export.NEW_MEXICO[lang]
        yes = "yes" if lang == "en" else "Sí"
        good = forms_export.answers(ruleset, questions, yes)

        def with_cell(qid: str, value: str, good=good) -> list[str]:
            return [value if q.id == qid else cell for q, cell in zip(questions, good, strict=True)]

        rows = [
            forms_export.header(ruleset, lang, questions),
            ["R1", "Lincoln", kind_name, state, yes, *good],
            ["R2", "Roosevelt", kind_name, "NM", yes, *good],
            ["R3", "Bad state", kind_name, "Narnia", yes, *good],
            ["R4", "Bad yes/no", kind_name, state, yes, *with_cell(boolean.id, "42")],
            ["R5", "Bad choice", kind_name, state, yes, *with_cell(choice.id, "zzz-not-a-choice")],
            ["R6", "Bad type", "Spaceport", state, yes, *good],
        ]
        paths[lang] = tmp_path / f"survey-{lang}.csv"
        paths[lang].write_text(_csv(rows), encoding="utf-8")
    return paths


def test_a_spanish_survey_in_spanish_gives_its_english_twins_bytes(both, tmp_path: Path, capsys) -> None:
    surveys = _twin_surveys(both, tmp_path)
    results = {}
    for lang, path in surveys.items():
        out = tmp_path / f"results-{lang}.csv"
        code = main(["batch", str(path), "-o", str(out), "--lang", "es", "-q", *AS_OF])
        stderr = capsys.readouterr().err
        assert code == 0, stderr
        assert "6 filas: 2 evaluadas, 4 con errores" in stderr
        results[lang] = out.read_bytes()
    assert results["es"] == results["en"]
    rows = list(csv.DictReader(io.StringIO(results["es"].decode("utf-8-sig"))))
    # Column names and ids stay English (language-independent data); the error cells are Spanish.
    assert list(rows[0])[:2] == ["line", "respondent_id"]
    errors = {row["line"]: row["error"] for row in rows if row["error"]}
    assert set(errors) == {"4", "5", "6", "7"}
    assert "no es un estado ni un territorio de EE. UU." in errors["4"]
    assert "no es una respuesta de sí o no" in errors["5"]
    assert "no es una de las opciones" in errors["6"]
    assert "tipo de institución desconocido" in errors["7"]
    for text in errors.values():
        assert not any(word in text for word in ("is not", "unknown", "give its name")), text


def test_the_english_run_of_the_same_survey_stays_english(both, tmp_path: Path, capsys) -> None:
    surveys = _twin_surveys(both, tmp_path)
    out = tmp_path / "results.csv"
    assert main(["batch", str(surveys["es"]), "-o", str(out), "-q", *AS_OF]) == 0
    assert "6 rows: 2 evaluated, 4 with errors" in capsys.readouterr().err
    text = out.read_text(encoding="utf-8-sig")
    assert "is not a yes/no answer" in text and "no es una respuesta" not in text


def test_check_names_the_spanish_error_rows_by_line(both, tmp_path: Path, capsys) -> None:
    surveys = _twin_surveys(both, tmp_path)
    assert main(["batch", str(surveys["es"]), "--check", "--lang", "es"]) == 2
    captured = capsys.readouterr()
    for line in (4, 5, 6, 7):
        assert f"línea {line} (R{line - 1}" in captured.out
    assert "line " not in captured.out
    assert "6 filas: 2 se pueden evaluar, 4 no" in captured.err


def test_workers_evaluate_in_the_runs_language(both, tmp_path: Path, capsys) -> None:
    surveys = _twin_surveys(both, tmp_path)
    one, two = tmp_path / "one.csv", tmp_path / "two.csv"
    assert main(["batch", str(surveys["es"]), "-o", str(one), "--lang", "es", "-q", *AS_OF]) == 0
    assert main(["batch", str(surveys["es"]), "-o", str(two), "--lang", "es", "-q", "--workers", "2", *AS_OF]) == 0
    capsys.readouterr()
    assert one.read_bytes() == two.read_bytes()
    assert "no es una respuesta de sí o no" in two.read_text(encoding="utf-8-sig")


def test_the_summary_workbook_and_table_are_spanish(both, tmp_path: Path, capsys) -> None:
    from openpyxl import load_workbook

    surveys = _twin_surveys(both, tmp_path)
    book, table, data = tmp_path / "summary.xlsx", tmp_path / "summary.csv", tmp_path / "summary.json"
    for summary in (book, table, data):
        argv = ["batch", str(surveys["es"]), "-o", str(tmp_path / "r.csv"), "--summary", str(summary), "-q"]
        assert main([*argv, "--lang", "es", *AS_OF]) == 0
    capsys.readouterr()
    sheets = load_workbook(book).sheetnames
    assert sheets[:3] == ["Resumen", "Componentes", "Por tipo de institución"]
    assert "Overview" not in sheets and "Problems" not in sheets
    text = table.read_text(encoding="utf-8-sig")
    assert text.startswith("view,group,id,measure,value")  # column names: language-independent
    assert "Encuestados" in text and "Respondents" not in text
    english = tmp_path / "summary-en.json"
    argv = ["batch", str(surveys["es"]), "-o", str(tmp_path / "r.csv"), "--summary", str(english), "-q", *AS_OF]
    assert main(argv) == 0
    capsys.readouterr()
    import json

    # JSON keys never change with the language; only human texts (problems) may.
    assert json.loads(data.read_text())["overall"] == json.loads(english.read_text())["overall"]
    assert json.loads(data.read_text()).keys() == json.loads(english.read_text()).keys()


@pytest.mark.parametrize(
    "argv",
    [
        ["--lang", "es", "--help"],
        ["batch", "--help", "--lang", "es"],
        ["evaluate", "--lang=es", "--help"],
        ["--lang", "es", "upgrade", "--help"],
    ],
)
def test_help_in_spanish(argv: list[str], capsys) -> None:
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("uso: ")
    assert "opciones:" in out and "muestra este mensaje de ayuda y sale" in out
    for english in ("usage:", "show this help message", "options:", " the ", " default"):
        assert english not in out, english


def test_help_in_english_is_unchanged(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["batch", "--help"])
    out = capsys.readouterr().out
    assert out.startswith("usage: sanctuary batch")
    assert "show this help message and exit" in out
    assert "evaluate every row" not in out  # the command's help line is shown in the list, not here
    assert "worker processes (default 1)" in out


def _error_cases(tmp: Path) -> list[list[str]]:
    """Every command-line error path wrapped in this area, as argv (each gets --lang es or nothing)."""
    (tmp / "empty.csv").write_text("")
    (tmp / "doc.csv").write_bytes(b"%PDF-1.4 not a survey")
    (tmp / "noheader.csv").write_text("a,b\r\n1,2\r\n")
    (tmp / "notype.csv").write_text("respondent_id,institution_name\r\nR1,X\r\n")
    (tmp / "onlyheader.csv").write_text("respondent_id,institution_type\r\n")
    (tmp / "bad.yaml").write_text("institution: [unclosed\n")
    (tmp / "key.yaml").write_text("institution: {name: X, type: k12_school}\nanswerz: {}\n")
    (tmp / "qid.yaml").write_text("institution: {name: X, type: k12_school}\nanswers: {no_such_question: yes}\n")
    (tmp / "yn.yaml").write_text("institution: {name: X, type: k12_school, state: Narnia}\nanswers: {}\n")
    (tmp / "type.yaml").write_text("institution: {name: X, type: spaceport}\nanswers: {}\n")
    (tmp / "ok.yaml").write_text("institution: {name: X, type: k12_school}\nanswers: {}\n")
    (tmp / "dir").mkdir()
    t = str(tmp)
    return [
        ["batch", f"{t}/missing.csv"],
        ["batch", f"{t}/dir"],
        ["batch", f"{t}/empty.csv"],
        ["batch", f"{t}/doc.csv"],
        ["batch", f"{t}/noheader.csv"],
        ["batch", f"{t}/notype.csv"],
        ["batch", f"{t}/onlyheader.csv"],
        ["batch", f"{t}/noheader.csv", "-o", f"{t}/noheader.csv"],
        ["batch", f"{t}/notype.csv", "--workers", "0"],
        ["batch", f"{t}/notype.csv", "--keep-columns", "Nope"],
        ["batch", f"{t}/notype.csv", "--store", "x.db"],
        ["evaluate", f"{t}/missing.yaml"],
        ["evaluate", f"{t}/dir"],
        ["evaluate", f"{t}/bad.yaml"],
        ["evaluate", f"{t}/key.yaml"],
        ["evaluate", f"{t}/qid.yaml"],
        ["evaluate", f"{t}/yn.yaml"],
        ["evaluate", f"{t}/type.yaml"],
        ["evaluate", f"{t}/ok.yaml", "-o", f"{t}/ok.yaml"],
        ["evaluate", f"{t}/ok.yaml", "-o", f"{t}/dir"],
        ["template", "--answers"],
        ["questions", "--type", "spaceport"],
        ["draft", f"{t}/ok.yaml", "-o", f"{t}/policy.txt"],
        ["draft", f"{t}/ok.yaml", "-o", f"{t}/policy.md", "--format", "json"],
        ["states", "--state", "XX"],
        ["upgrade", f"{t}/a.yaml", f"{t}/b.yaml", "-o", f"{t}/c.yaml"],
        ["upgrade", f"{t}/ok.yaml", "--in-place", "-o", f"{t}/c.yaml"],
        ["upgrade", f"{t}/missing.yaml"],
        ["ui", "--port", "0"],
        ["no-such-command"],
        ["batch"],
        ["evaluate", f"{t}/ok.yaml", "--format", "nope"],
        ["--rules", f"{t}/missing", "states"],
        ["--rules", f"{t}/dir", "states"],
    ]


def test_every_wrapped_error_path_speaks_spanish(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.delenv("SANCTUARY_LANG", raising=False)
    monkeypatch.setenv("SANCTUARY_STORE", str(tmp_path / "store.db"))
    english_left: list[str] = []
    for argv in _error_cases(tmp_path):
        said = {}
        for lang in ("en", "es"):
            try:
                code = main(["--lang", lang, *argv])
            except SystemExit as stop:  # argparse's own errors
                code = stop.code
            captured = capsys.readouterr()
            said[lang] = (code, captured.err.strip() or captured.out.strip())  # argparse's help goes to stdout
        (en_code, english), (es_code, spanish) = said["en"], said["es"]
        assert en_code == es_code != 0, (argv, said)
        assert english and spanish, argv
        # The English message must not come back: compare the text after the program's name.
        en_text = english.splitlines()[-1].split("error: ", 1)[-1]
        es_text = spanish.splitlines()[-1].split("error: ", 1)[-1]
        if en_text == es_text:
            english_left.append(f"{argv}: {spanish}")
    assert english_left == []


def test_an_unknown_language_is_one_clear_line(capsys) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["--lang", "fr", "states"])
    assert stop.value.code == 2
    assert "invalid choice: 'fr'" in capsys.readouterr().err


def test_the_language_does_not_leak_out_of_a_run(capsys) -> None:
    from engine.i18n import _, current_language

    with pytest.raises(SystemExit):
        main(["--lang", "es", "--help"])
    capsys.readouterr()
    assert current_language() == "en"
    assert _("no progress bar") == "no progress bar"
    with language("es"):
        assert _("no progress bar") != "no progress bar"


def test_dask_partitions_evaluate_in_the_runs_language(both, tmp_path: Path, capsys) -> None:
    """A Dask worker process does not inherit the client's language: the run passes it to every partition."""
    from engine.survey.dask_batch import run_dask

    surveys = _twin_surveys(both, tmp_path)
    pool, dask_out = tmp_path / "pool.csv", tmp_path / "dask.csv"
    assert main(["batch", str(surveys["es"]), "-o", str(pool), "--lang", "es", "-q", *AS_OF]) == 0
    capsys.readouterr()
    distributed = pytest.importorskip("distributed", reason="distributed is not installed; pip install '.[dask]'")
    cluster = distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0", host="127.0.0.1"
    )
    with distributed.Client(cluster), language("es"):
        run_dask(load_ruleset(), surveys["es"], dask_out, as_of=dt.date(2026, 12, 1), rows_per_partition=2)
    cluster.close()
    assert "no es una respuesta de sí o no" in dask_out.read_text(encoding="utf-8-sig")
    assert dask_out.read_bytes() == pool.read_bytes()
