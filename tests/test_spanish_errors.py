"""The last English under --lang es (issue 25): the errors users meet from evaluate, upgrade and rules check, and
what a malformed rules file says, run through the CLI in both languages.

Each case runs in English and in Spanish: the exit code is the same, the English line is exactly what it was
before these messages were wrapped, and the Spanish line differs from it and holds no English sentence from the
catalogue (nor one of PyYAML's own phrases that engine.safe_yaml translates).
"""

from __future__ import annotations

import json
import re
import shutil
from functools import cache
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from engine import safe_yaml
from engine.cli import main
from engine.i18n import LOCALE_DIR, language
from tests.malformed import rules_cases

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rulesets" / "sanctuary"
ANSWERS = "institution: {name: Lincoln, type: k12_school, state: NM, public: true}\nanswers: {}\n"


@cache
def english_phrases() -> frozenset[str]:
    """Every run of three or more English words between placeholders in the catalogue's translated messages, plus
    the PyYAML phrases engine.safe_yaml translates: none of them may appear in a Spanish message."""
    with open(LOCALE_DIR / "es" / "LC_MESSAGES" / "sanctuary.po", "rb") as handle:
        catalogue = read_po(handle)
    texts = []
    for message in catalogue:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        texts += [i for i, s in zip(ids, strings, strict=False) if i and s and i != s]
    texts += [re.sub(r"\(\?P<\w+>[^)]*\)|\(\?:[^)]*\)", "{}", p.pattern) for p, _m in safe_yaml.PYYAML_PROBLEMS]
    phrases = set()
    for text in texts:
        for fragment in re.split(r"\{[^{}]*\}", text):
            fragment = " ".join(fragment.split()).strip(" .,;:()")
            if len(re.findall(r"\b[A-Za-z]{2,}\b", fragment)) >= 3:
                phrases.add(fragment)
    return frozenset(phrases)


def _run(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str]:
    try:
        code = main(argv)
    except SystemExit as stop:  # argparse's own errors
        code = int(stop.code or 0)
    return code, capsys.readouterr().err


def _both(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str, str]:
    """(exit code, English stderr, Spanish stderr) of ``argv``; the codes must agree and the Spanish be Spanish."""
    en_code, english = _run(capsys, ["--lang", "en", *argv])
    es_code, spanish = _run(capsys, ["--lang", "es", *argv])
    assert en_code == es_code, (argv, english, spanish)
    assert "Traceback" not in english + spanish
    if en_code != 0:
        assert english.strip() and english != spanish, (argv, spanish)
        left = sorted(p for p in english_phrases() if p in spanish)
        assert not left, f"{argv}: English left in {spanish!r}: {left}"
    return en_code, english, spanish


def test_no_phrase_list_is_empty() -> None:
    """The check above is only as good as its phrases: they come from the real catalogue."""
    phrases = english_phrases()
    assert "is not a date; write it as YYYY-MM-DD" in phrases
    assert "mapping values are not allowed here" in phrases
    assert len(phrases) > 500


# -- evaluate ------------------------------------------------------------------------------------------------------


def test_the_as_of_error(tmp_path: Path, capsys) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(ANSWERS, encoding="utf-8")
    code, english, spanish = _both(capsys, ["evaluate", str(path), "--as-of", "2026-13-45"])
    assert code == 2
    assert english == "sanctuary: error: --as-of: '2026-13-45' is not a date; write it as YYYY-MM-DD.\n"
    assert spanish == "sanctuary: error: --as-of: '2026-13-45' no es una fecha; escríbala como AAAA-MM-DD.\n"


def test_the_backend_error_is_spanish() -> None:
    from engine.errors import InputError
    from engine.evaluator.evaluate import evaluator_for
    from engine.rules.loader import load_ruleset

    evaluator = evaluator_for(load_ruleset(lang="es"))
    with language("es"), pytest.raises(InputError, match=r"^backend: 'rete' no es uno de estos: durable, oracle\.$"):
        evaluator.derive(None, None, backend="rete")  # type: ignore[arg-type]


# -- upgrade -------------------------------------------------------------------------------------------------------


def test_an_upgrade_error(tmp_path: Path, capsys) -> None:
    path = tmp_path / "old.yaml"
    path.write_text(ANSWERS.replace("answers: {}", "answers: {xq_never_released: yes}"), encoding="utf-8")
    code, english, spanish = _both(capsys, ["upgrade", str(path)])
    assert code == 2
    assert english == (
        f"sanctuary: error: {path}: answers.xq_never_released: a question id that no release of these rules had, "
        "and no current question replaces it.\n"
    )
    assert "ninguna versión de estas reglas" in spanish


def test_an_upgrade_says_what_changed_in_spanish(tmp_path: Path, capsys) -> None:
    """The lines `sanctuary upgrade` prints for a file of an earlier release, and the comment it leaves on a question
    left blank, are the reader's language; the answers themselves are the same in both."""
    # One file of each earlier release (a congregation's: renamed ids, a changed choice and questions left blank).
    releases = sorted((ROOT / "tests" / "fixtures" / "released_answers").glob("*/before"))
    old = [(sorted(r.glob("*_weak.yaml")) or sorted(r.glob("*.yaml")))[0] for r in releases if any(r.glob("*.yaml"))]
    assert len(old) >= 3, "no released answers fixtures"
    outputs = {}
    for lang in ("en", "es"):
        out = tmp_path / lang
        out.mkdir()
        printed = []
        for path in old:
            target = out / f"{path.parent.parent.name}-{path.name}"
            code = main(["--lang", lang, "upgrade", str(path), "-o", str(target)])
            printed.append(capsys.readouterr().out)
            assert code == 0
        outputs[lang] = (printed, sorted(out.iterdir()))
    spanish = "".join(outputs["es"][0])
    assert spanish != "".join(outputs["en"][0])
    assert "se dejaron en blanco" in spanish and "ahora es" in spanish
    assert any("dejada en blanco por sanctuary upgrade" in f.read_text(encoding="utf-8") for f in outputs["es"][1])
    left = sorted(p for p in english_phrases() if p in spanish)
    assert not left, left
    for en_file, es_file in zip(outputs["en"][1], outputs["es"][1], strict=True):
        strip = re.compile(r"\s*#.*$", re.M)
        assert strip.sub("", en_file.read_text(encoding="utf-8")) == strip.sub("", es_file.read_text(encoding="utf-8"))


# -- rules check and malformed rules -------------------------------------------------------------------------------


def _rules_copy(tmp_path: Path) -> Path:
    root = tmp_path / "rulesets" / "sanctuary"
    shutil.copytree(RULES, root)
    # The rules find their clause files beside the repository's rulesets folder.
    shutil.copytree(ROOT / "sample_policies", tmp_path / "sample_policies")
    return root


CASES_FILE = "controls/CC-AC-PROTOCOL_child-care-staff-protocol.cases.yaml"


@pytest.mark.parametrize(
    ("old", "new", "english"),
    [
        (
            "  expect: pass\n",
            "  expect: pass\n  expekt: pass\n",
            f"rulesets/sanctuary/{CASES_FILE}[0]: unknown key 'expekt'. Did you mean 'expect'?",
        ),
        ("  expect: pass\n", "  expect: passes\n", f"rulesets/sanctuary/{CASES_FILE}[0].expect: 'passes' is not an"),
        ("  expect: pass\n", "", "[0]: missing required key 'expect'."),
        (
            "  institution: {type: child_care, state: TX, public: false}\n",
            "  institution: child care\n",
            "[0].institution: expected a mapping such as {type: jail, state: CA}.",
        ),
    ],
)
def test_a_rules_check_case_file_error(old: str, new: str, english: str, tmp_path: Path, capsys) -> None:
    root = _rules_copy(tmp_path)
    path = root / CASES_FILE
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    code, en, _es = _both(capsys, ["--rules", str(root), "rules", "check"])
    assert code == 2
    assert english in en


# The malformed-rules corpus (tests/malformed/rules_cases.py) is written against the English-only mini rules; its
# edits that are not tied to the mini's own texts are replayed here on a copy of the bilingual rules.
REAL_FILES = {
    rules_cases.CONTROL: "controls/CC-AC-PROTOCOL_child-care-staff-protocol.yaml",
    rules_cases.TRAIN: "controls/CC-AX-CONSENT_child-leaves-only-with-parent.yaml",
    rules_cases.POLICE_CASES: CASES_FILE,
    "controls/XX-PS-ENTRY_judicial-warrant.cases.yaml": CASES_FILE,
    "ruleset.yaml": "ruleset.yaml",
}


def _replayable() -> list[tuple[str, list[rules_cases.Edit], list[str]]]:
    cases = []
    for name, edits, command, expected, _fragment in rules_cases.CASES:
        if expected != 2 or not all(file in REAL_FILES for file, _o, _n in edits):
            continue
        moved = [(REAL_FILES[file], old, new) for file, old, new in edits]
        if all(old in (None, "") or old in (RULES / file).read_text(encoding="utf-8") for file, old, _n in moved):
            cases.append((name, moved, command))
    return cases


REPLAYED = _replayable()


def test_the_corpus_replays_enough() -> None:
    assert len(REPLAYED) >= 8, [c[0] for c in REPLAYED]


@pytest.mark.parametrize(("name", "edits", "command"), REPLAYED, ids=[c[0] for c in REPLAYED])
def test_a_malformed_rules_file(name: str, edits: list, command: list[str], tmp_path: Path, capsys) -> None:
    root = _rules_copy(tmp_path)
    for file, old, new in edits:
        path = root / file
        if new is None:
            path.unlink()
            continue
        text = path.read_text(encoding="utf-8")
        text = text + "\n" + new if old is None else new if old == "" else text.replace(old, new, 1)
        path.write_text(text, encoding="utf-8", errors="surrogateescape")
    code, _english, _spanish = _both(capsys, ["--rules", str(root), *command])
    assert code == 2


@pytest.mark.parametrize(
    ("text", "spanish"),
    [
        ("a: b: c\n", "aquí no se permite un valor de mapeo"),
        ("a: 1\n\tb: 2\n", "tabulador"),
        ("a: [1, 2\n", "se esperaba ',' o ']'"),
        ('a: "x\\q"\n', "carácter de escape desconocido"),
    ],
)
def test_pyyaml_problems_in_a_rules_file(text: str, spanish: str, tmp_path: Path, capsys) -> None:
    root = _rules_copy(tmp_path)
    (root / "ruleset.yaml").write_text(text, encoding="utf-8")
    code, english, es = _both(capsys, ["--rules", str(root), "questions"])
    assert code == 2 and "malformed YAML" in english
    assert "YAML mal formado" in es
    assert spanish in es or spanish.replace("se esperaba ',' o ']'", "','") in es, es


# -- the default institution name ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "markdown", "html", "brief", "json"])
def test_an_unnamed_institution_is_named_in_the_readers_language(fmt: str, tmp_path: Path, capsys) -> None:
    """The default name is data (answers read back and the JSON's institution.name keep it in English); every
    sentence and heading a reader sees says it in the report's language."""
    path = tmp_path / "a.yaml"
    path.write_text(ANSWERS.replace("name: Lincoln, ", ""), encoding="utf-8")
    out = {}
    for lang in ("en", "es"):
        assert main(["--lang", lang, "evaluate", str(path), "--format", fmt, "--as-of", "2026-12-01"]) == 0
        out[lang] = capsys.readouterr().out
    assert "Unnamed institution" in out["en"] and "Institución sin nombre" not in out["en"]
    assert "Institución sin nombre" in out["es"]
    if fmt == "json":
        report = json.loads(out["es"])
        assert report["institution"]["name"] == "Unnamed institution"
        out["es"] = out["es"].replace('"name": "Unnamed institution"', "")
    assert "Unnamed institution" not in out["es"]


def test_a_summary_titles_rows_without_type_or_state_in_spanish(tmp_path: Path, capsys) -> None:
    """The groups of rows with no usable type or state keep their English keys as ids; their titles are Spanish."""
    survey = tmp_path / "s.csv"
    survey.write_text(
        "respondent_id,institution_name,institution_type,state,public\nR1,A,,,yes\nR2,B,k12_school,NM,yes\n",
        encoding="utf-8",
    )
    summary = tmp_path / "summary.csv"
    argv = [
        "batch",
        str(survey),
        "-o",
        str(tmp_path / "r.csv"),
        "--summary",
        str(summary),
        "-q",
        "--as-of",
        "2026-12-01",
    ]
    assert main(["--lang", "es", *argv]) == 0
    capsys.readouterr()
    text = summary.read_text(encoding="utf-8-sig")
    assert "(tipo no válido o que falta),(invalid or missing type)," in text
    assert "(sin estado),(no state)," in text
