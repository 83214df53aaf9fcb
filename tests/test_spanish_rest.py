"""The rest of the command line in Spanish: templates, YAML and rules-file errors, the store, the words tables show.

Each area runs its error paths in English and in Spanish (same exit code, different text) and checks that what
a program reads back (answers-file keys, survey columns, results CSVs, JSON values) does not change with the
language.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
import yaml

from engine.cli import main
from engine.i18n import _, language
from engine.rules.loader import load_ruleset

AS_OF = ["--as-of", "2026-12-01"]
RULES = Path(__file__).resolve().parent.parent / "rulesets" / "sanctuary"


def _run(capsys, argv: list[str]) -> tuple[int, str, str]:
    try:
        code = main(argv)
    except SystemExit as stop:
        code = stop.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _both_fail_and_differ(capsys, argv: list[str]) -> str:
    """Run ``argv`` in English and Spanish; both fail the same way and the Spanish message is not the English one."""
    (en_code, _o, english), (es_code, _p, spanish) = (_run(capsys, ["--lang", lang, *argv]) for lang in ("en", "es"))
    assert en_code == es_code != 0, (argv, english, spanish)
    assert english.strip() and spanish.strip(), argv
    en_text = english.strip().splitlines()[-1].split("error: ", 1)[-1]
    es_text = spanish.strip().splitlines()[-1].split("error: ", 1)[-1]
    assert en_text != es_text, f"{argv}: English left in {spanish!r}"
    return spanish


# -- 1. templates ------------------------------------------------------------------------------------------------


def test_the_spanish_survey_template_reads_back_as_its_english_twin(tmp_path: Path, capsys) -> None:
    """A Spanish text-header template is a survey the batch reads: same results bytes as the English one."""
    results = {}
    for lang in ("en", "es"):
        header_file = tmp_path / f"header-{lang}.csv"
        argv = ["--lang", lang, "template", "--type", "k12_school", "--headers", "text", "-o", str(header_file)]
        assert main(argv) == 0
        header = next(csv.reader(io.StringIO(header_file.read_text(encoding="utf-8-sig"))))
        fixed = {"en": "Institution type", "es": "Tipo de institución"}[lang]
        assert header[2].startswith(fixed)
        if lang == "es":
            assert header[0] == "Encuestado" and header[3].startswith("Estado (") and "Public" not in ",".join(header)
        row = ["R1", "Lincoln", "k12_school", "NM", "yes"] + [""] * (len(header) - 5)
        survey = tmp_path / f"survey-{lang}.csv"
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerows([header, row])
        survey.write_text(buffer.getvalue(), encoding="utf-8")
        out = tmp_path / f"results-{lang}.csv"
        assert main(["batch", str(survey), "-o", str(out), "-q", *AS_OF]) == 0
        results[lang] = out.read_bytes()
    capsys.readouterr()
    assert results["es"] == results["en"]


def test_the_spanish_answers_template_has_spanish_comments_and_the_same_keys(tmp_path: Path, capsys) -> None:
    texts = {}
    for lang in ("en", "es"):
        path = tmp_path / f"answers-{lang}.yaml"
        assert main(["--lang", lang, "template", "--answers", "--type", "k12_school", "-o", str(path)]) == 0
        texts[lang] = path.read_text(encoding="utf-8")
    capsys.readouterr()
    assert yaml.safe_load(texts["es"]) == yaml.safe_load(texts["en"])  # comments aside, the same file
    comments = "\n".join(line.split("#", 1)[1] for line in texts["es"].splitlines() if "#" in line)
    for english in ("Answers file for", "Fill in what you know", "two-letter code", "a public body", "yes | no"):
        assert english not in comments
    assert "Archivo de respuestas" in comments and "[sí | no]" in comments
    # Filled in as the Spanish comments say, it loads.
    filled = (
        texts["es"]
        .replace('name: ""', 'name: "X"')
        .replace("  state:", "  state: NM")
        .replace("  public:", "  public: sí")
    )
    (tmp_path / "filled.yaml").write_text(filled, encoding="utf-8")
    assert main(["evaluate", str(tmp_path / "filled.yaml"), "--format", "json", *AS_OF]) == 0


# -- 2. YAML and rules-file errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("duplicate.yaml", "institution: {name: X, type: k12_school}\ninstitution: {name: Y}\nanswers: {}\n"),
        ("alias.yaml", "institution: &i {name: X, type: k12_school}\nother: *i\nanswers: {}\n"),
        ("int.yaml", "institution: {name: X, type: k12_school}\nanswers: {xc_policy_published: !!int abc}\n"),
        ("bool.yaml", "institution: {name: X, type: k12_school}\nanswers: {xc_policy_published: !!bool maybe}\n"),
        ("listkey.yaml", "institution: {name: X, type: k12_school}\nanswers: {[a, b]: yes}\n"),
        (
            "digits.yaml",
            "institution: {name: X, type: k12_school}\nanswers: {xc_policy_published: " + "9" * 400 + "}\n",
        ),
    ],
)
def test_answers_file_yaml_errors_speak_spanish(name: str, text: str, tmp_path: Path, capsys) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    spanish = _both_fail_and_differ(capsys, ["evaluate", str(path), *AS_OF])
    assert "línea" in spanish or "!!" in spanish


def _broken_rules(tmp_path: Path, file: str, old: str, new: str) -> Path:
    root = tmp_path / "rulesets" / "sanctuary"
    shutil.copytree(RULES, root)
    # The rules find their clause files beside the repository's rulesets folder.
    shutil.copytree(RULES.parent.parent / "sample_policies", tmp_path / "sample_policies")
    target = root / file
    text = target.read_text(encoding="utf-8")
    assert old in text, (file, old)
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    return root


@pytest.mark.parametrize(
    ("file", "old", "new"),
    [
        ("questions/child_care.yaml", "  type: boolean\n", "  type: boolen\n"),  # questions.py
        ("questions/child_care.yaml", "  who_knows:\n", "  who_know:\n"),  # parsing.py: unknown key
        ("questions/child_care.yaml", "  more_protective: true\n", "  more_protective: maybe\n"),  # directions.py
        ("questions/child_care.yaml", "cc_nonpublic_areas_designated:\n", "Bad-Id:\n"),  # questions.py: id
        ("questions/child_care.yaml", "  type: boolean\n", "  type: boolean\n  type: choice\n"),  # safe_yaml
        ("states.yaml", "researched_on:", "researched_on: not-a-date\n    ignored:"),  # parsing/states
        ("questions/child_care.yaml", "  more_protective: true\n", "  more_protective: true\n  aliases: {x: [y]}\n"),
    ],
)
def test_rules_file_errors_speak_spanish(file: str, old: str, new: str, tmp_path: Path, capsys) -> None:
    root = _broken_rules(tmp_path, file, old, new)
    _both_fail_and_differ(capsys, ["--rules", str(root), "questions"])


# -- 3. the store -------------------------------------------------------------------------------------------------


@pytest.fixture()
def store_with_two_waves(tmp_path: Path, capsys) -> str:
    english = load_ruleset()
    questions = [q for q in english.questions_for(["k12_school"]) if q.ask_when is None and q.type == "boolean"]
    header = ["respondent_id", "institution_name", "institution_type", "state", "public"] + [q.id for q in questions]
    store = str(tmp_path / "store.db")
    for wave, answer in (("2025", "no"), ("2026", "yes")):
        rows = [header]
        rows.append(["R1", "Lincoln", "k12_school", "NM", "yes"] + [answer] * len(questions))
        rows.append(["R2", "Lincoln", "k12_school", "NM", "yes"] + ["no"] * len(questions))  # disagrees in 2026
        rows.append(["R3", "Roosevelt", "k12_school", "CA", "yes"] + [answer] * len(questions))
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerows(rows)
        survey = tmp_path / f"survey-{wave}.csv"
        survey.write_text(buffer.getvalue(), encoding="utf-8")
        argv = ["batch", str(survey), "-o", str(tmp_path / f"r-{wave}.csv"), "--store", store, "--wave", wave, "-q"]
        assert main([*argv, *AS_OF]) == 0
    capsys.readouterr()
    return store


@pytest.mark.parametrize(
    ("argv", "english_words"),
    [
        (["waves"], ("law as of", "rules / source", "waves in")),
        (["compare", "2025", "2026"], ("Wave ", "matched by", "in both", "only in", "rows with errors left out")),
        (["consistency", "--wave", "2026"], ("Wave ", "answered more than once", "respondent ", "(line ")),
    ],
)
def test_store_tables_speak_spanish(store_with_two_waves: str, argv, english_words, capsys) -> None:
    said = {}
    for lang in ("en", "es"):
        code, out, err = _run(capsys, ["--lang", lang, *argv, "--store", store_with_two_waves])
        assert code == 0, err
        said[lang] = out
    for word in english_words:
        assert word in said["en"], word
        assert word not in said["es"], (word, said["es"])
    # The JSON a program reads is the same in both languages.
    as_json = [
        _run(capsys, ["--lang", lang, *argv, "--store", store_with_two_waves, "--format", "json"])
        for lang in ("en", "es")
    ]
    assert json.loads(as_json[0][1]) == json.loads(as_json[1][1])


def test_store_error_paths_speak_spanish(store_with_two_waves: str, tmp_path: Path, capsys) -> None:
    store = store_with_two_waves
    cases = [
        ["compare", "2025", "nope", "--store", store],
        ["compare", "2025", "2026", "--store", store, "--id-column", "District"],
        ["consistency", "--wave", "2026", "--store", store, "--id-column", "District"],
        ["consistency", "--wave", "nope", "--store", store],
        ["export", "--wave", "2026", "--store", store, "-o", str(tmp_path / "out.txt.gz")],
        ["waves", "--store", "mysql://user@host/db"],
        ["waves", "--store", "sqlite://"],
        ["waves", "--store", str(tmp_path)],
    ]
    for argv in cases:
        _both_fail_and_differ(capsys, argv)


# -- 4. words the tables show -------------------------------------------------------------------------------------


def test_states_sources_and_questions_show_spanish_words(capsys) -> None:
    _code, states_es, _e = _run(capsys, ["--lang", "es", "states", *AS_OF])
    _code, states_en, _e = _run(capsys, ["states", *AS_OF])
    assert "[protective;" in states_en and "[protective;" not in states_es and "[protectora;" in states_es
    assert "[primary]" in states_en and "[primary]" not in states_es and "[primaria]" in states_es
    _code, sources_es, _e = _run(capsys, ["--lang", "es", "sources", "--state", "CA", *AS_OF])
    assert "[primary;" not in sources_es and "[primaria;" in sources_es
    assert "ejemplo local de su estado" in sources_es or "ejemplo de otro estado" in sources_es
    _code, questions_es, _e = _run(capsys, ["--lang", "es", "questions", "--type", "k12_school"])
    assert "[sí/no: sí | no]" in questions_es and "[boolean:" not in questions_es and "[choice:" not in questions_es
    # JSON keeps the English values a program compares.
    _code, as_json, _e = _run(capsys, ["--lang", "es", "states", "--format", "json", *AS_OF])
    directions = {s["direction"] for s in json.loads(as_json)["states"]}
    assert directions <= {"protective", "restrictive", "mixed", "none"}


def test_the_lang_option_and_draft_status_speak_spanish(tmp_path: Path, capsys) -> None:
    _code, help_es, _e = _run(capsys, ["--lang", "es", "draft", "--help"])
    assert "idioma de la salida" in help_es and "language of the output" not in help_es
    answers = tmp_path / "a.yaml"
    answers.write_text("institution: {name: X, type: k12_school, state: NM, public: yes}\nanswers: {}\n")
    code, out, _e = _run(capsys, ["--lang", "es", "draft", str(answers), "-o", str(tmp_path / "p.md"), *AS_OF])
    assert code == 0 and "borrador escrito con" in out and "draft with" not in out


# -- 5. the app's advice instead of the command line's ------------------------------------------------------------

# Every engine message that carries command-line advice the app replaces (with made-up values).
ADVICE_MESSAGES = [
    ("Run 'sanctuary questions' for the list.", {}),
    ("the survey has no institution_type column, so no row can be evaluated; add one (see 'sanctuary template').", {}),
    ("{path}: the file has no header row; start from 'sanctuary template'.", {"path": "s.csv"}),
    (
        "{path}: no column is a question id, a question's text or institution_type, so this is "
        "not a survey of these rules; start from 'sanctuary template'.",
        {"path": "s.csv"},
    ),
    (
        "{path}: the survey has no institution_type column, so no row can be evaluated; add a column "
        "'institution_type' holding one of {types} (see 'sanctuary template').",
        {"path": "s.csv", "types": "k12_school"},
    ),
]


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize(("message", "values"), ADVICE_MESSAGES)
def test_app_words_replace_command_line_advice_in_every_language(lang: str, message: str, values: dict) -> None:
    from ui.text import app_words

    with language(lang):
        said = _(message).format(**values)
        shown = app_words(said)
        assert "sanctuary " not in shown, shown
        apps = (
            _("the blank survey template on the Batch page"),
            _("(download the blank survey template on the Batch page)"),
        )
        assert shown != said
        if "questions" not in message:
            assert (
                any(app in shown for app in apps)
                or _("start from the blank survey template on the Batch page") in shown
            )
    if lang == "es":
        assert "Batch page" not in shown and "Rules page" not in shown


def test_state_flag_titles_are_whole_sentences_in_the_rules_language() -> None:
    """A state flag's title is made at load time: in the Spanish rules it is Spanish, whatever the code speaks."""
    english, spanish = load_ruleset(), load_ruleset(lang="es")
    state_flags = [key for key, flag in english.flags.items() if "STATE" in flag.id]
    assert state_flags
    for key in state_flags:
        en_title, es_title = english.flags[key].title, spanish.flags[key].title
        assert en_title != es_title
        for frame in ("This practice", "requires this protection", "State law itself gives"):
            assert frame not in es_title, es_title
    with language("es"):  # an English load inside a Spanish run stays English
        assert load_ruleset().flags[state_flags[0]].title == english.flags[state_flags[0]].title
