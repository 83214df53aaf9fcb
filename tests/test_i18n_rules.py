"""Rules texts in English and Spanish (issue 25): the bilingual loader, the sidecar injector, the glossary check,
--lang on the rules-text commands, and Spanish surveys.

Runs on a bilingual copy of the mini fixture ruleset made by the injector itself: every Spanish text there is the
English with "ES:" in front, which is enough to see which language a command printed. The bundled rules' own
translations are checked by tests/test_i18n_bundled.py.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import re
import shutil
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from engine.cli import main
from engine.errors import RulesetError
from engine.rules import bilingual
from engine.rules.compiler import compile_ruleset
from engine.rules.glossary import check_pairs, load_glossary
from engine.rules.loader import load_ruleset
from tests.conftest import MINI_RULES, ROOT


def _script(name: str):
    """A module of scripts/ (not a package: the scripts run from a checkout)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


i18n_inject = _script("i18n_inject")

GLOSSARY = ROOT / "rulesets" / "sanctuary" / "glossary.yaml"


def _mirror(value, path, citations):
    """The sidecar of a rules file: every text "ES: <English>", in the sidecar's shape (the translators' walk)."""
    if path and bilingual.is_text_position(path, citations) and isinstance(value, str):
        return "ES: " + value.strip()
    if isinstance(value, dict):
        out = {k: m for k, v in value.items() if (m := _mirror(v, (*path, k), citations)) is not None}
        return out or None
    if isinstance(value, list):
        if value and all(isinstance(i, dict) and "id" in i for i in value):
            items = [{"id": i["id"], **m} for n, i in enumerate(value) if (m := _mirror(i, (*path, n), citations))]
            return items or None
        items = [_mirror(i, (*path, n), citations) for n, i in enumerate(value)]
        return [i if i is not None else {} for i in items] if any(i is not None for i in items) else None
    return None


def write_sidecars(repo: Path, rules: Path) -> Path:
    """Write "ES:" sidecars for every rules file and an .es.md for every clause; returns the sidecar folder."""
    sidecars = repo / "i18n" / "es"
    for path in i18n_inject.rules_files(rules):
        inside = path.relative_to(rules).as_posix()
        data = _mirror(yaml.safe_load(path.read_text()), (), inside.startswith("citations/"))
        if data:
            target = sidecars / path.relative_to(repo)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    for clause in (rules / "clauses").glob("*.md"):
        if not clause.name.endswith(".es.md"):
            front, body = re.match(r"^---\n(.*?)\n---\n(.*)$", clause.read_text(), re.S).groups()
            front = re.sub(r"^title: (.*)$", r"title: 'ES: \1'", front, count=1, flags=re.M)
            clause.with_name(clause.stem + ".es.md").write_text(f"---\n{front}\n---\nES: {body}")
    return sidecars


def inject(repo: Path, rules: Path, *extra: str) -> int:
    return i18n_inject.main(["--repo", str(repo), "--rules", str(rules), "--clauses", str(rules / "clauses"), *extra])


@pytest.fixture
def mini_copy(tmp_path: Path) -> tuple[Path, Path]:
    """(repo, rules): an English-only copy of the mini rules inside a scratch repository."""
    rules = tmp_path / "rules" / "mini"
    shutil.copytree(MINI_RULES, rules)
    return tmp_path, rules


@pytest.fixture
def bilingual_mini(mini_copy: tuple[Path, Path]) -> Path:
    """The mini rules made bilingual by the injector (sidecars written, injected, then deleted)."""
    repo, rules = mini_copy
    write_sidecars(repo, rules)
    assert inject(repo, rules, "--delete-sidecars") == 0
    assert not (repo / "i18n" / "es").exists() or not any((repo / "i18n" / "es").rglob("*.yaml"))
    return rules


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


# -- the loader ------------------------------------------------------------------------------------------------
def test_both_languages_load_with_the_same_conditions_and_compiled_rules(bilingual_mini: Path) -> None:
    english, spanish = load_ruleset(bilingual_mini), load_ruleset(bilingual_mini, lang="es")
    assert english.languages == spanish.languages == ("en", "es")
    assert english.questions["q_policy"].text == "Is there a written policy?"
    assert spanish.questions["q_policy"].text == "ES: Is there a written policy?"
    assert spanish.questions["q_policy"].choices["written"] == "ES: Adopted written policy"
    assert spanish.controls["XX-AC-TRAIN"].explanation["pass"] == "ES: Trained {q_staff_trained} times a year."
    assert spanish.clauses["CL-A"].text.startswith("ES: ")
    assert spanish.institution_types["k12_school"]["title"] == "ES: K-12 school or district"
    # Ids, conditions and the content hash are the language's business no more than the compiled rules are.
    assert english.content_hash == spanish.content_hash
    assert english.controls["XX-AC-TRAIN"].pass_condition == spanish.controls["XX-AC-TRAIN"].pass_condition
    assert compile_ruleset(english).name == compile_ruleset(spanish).name
    assert english.text_key != spanish.text_key
    assert load_ruleset(bilingual_mini, lang="es") is spanish  # cached per language


def test_an_english_only_ruleset_loads_as_before_and_refuses_spanish(mini_copy: tuple[Path, Path]) -> None:
    _, rules = mini_copy
    assert load_ruleset(rules).languages == ("en",)
    with pytest.raises(RulesetError, match=r"ruleset\.yaml: these rules are written in en only, not Spanish"):
        load_ruleset(rules, lang="es")
    with pytest.raises(RulesetError, match="unknown language 'fr'"):
        load_ruleset(rules, lang="fr")


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        # A plain string where both languages are needed.
        (
            "questions/q.yaml",
            '    en: Is it published?\n    es: "ES: Is it published?"',
            "    en: Is it published?",
            r"questions/q\.yaml: q_published\.text\.es: the Spanish text is missing or empty; add es: beside en:",
        ),
        (
            "questions/q.yaml",
            'text:\n    en: Is it published?\n    es: "ES: Is it published?"',
            "text: Is it published?",
            r"questions/q\.yaml: q_published\.text: this text needs both languages .* add es: beside en:",
        ),
        ("questions/q.yaml", 'es: "ES: Is it published?"', "es: ''", r"q_published\.text\.es: .*missing or empty"),
        (
            "controls/XX-AC-TRAIN_training.yaml",
            'es: "ES: Trained {q_staff_trained} times a year."',
            'es: "ES: Trained every year."',
            r"XX-AC-TRAIN_training\.yaml: explanation\.pass: the placeholders differ between languages "
            r"\(en \{q_staff_trained\}, es none\)",
        ),
        (
            "ruleset.yaml",
            "{applicable:control|controls}",
            "{applicable:control|controls|many}",
            r"placeholders differ between languages",
        ),
        (
            "controls/XX-AC-TRAIN_training.yaml",
            'es: "ES: Not trained."',
            'es: "ES: <<CA: Not trained.>>"',
            r"explanation\.fail: the state markers differ between languages \(en \[\], es \['CA'\]\)",
        ),
        (
            "controls/XX-AC-TRAIN_training.yaml",
            "component: accountability",
            "component: {en: accountability, es: rendición}",
            r"XX-AC-TRAIN_training\.yaml: component: not a translated text; write one value here",
        ),
    ],
)
def test_the_loader_names_the_file_key_and_fix(bilingual_mini: Path, file, old, new, message) -> None:
    path = bilingual_mini / file
    _edit(path, old, new) if file != "ruleset.yaml" else _edit_spanish_template(path, old, new)
    for lang in ("en", "es"):  # validation is the same whichever language is asked for
        with pytest.raises(RulesetError, match=message):
            load_ruleset(bilingual_mini, lang=lang)


def _edit_spanish_template(path: Path, old: str, new: str) -> None:
    """Change a count template in the Spanish of ruleset.yaml only (a Spanish text may span several lines)."""
    text = path.read_text()
    for match in re.finditer(r"\n\s*es: ", text):
        end = re.compile(r"\n\s*[a-z_-]+:").search(text, match.end())
        stop = end.start() if end else len(text)
        at = text.find(old, match.end(), stop)
        if at >= 0:
            path.write_text(text[:at] + new + text[at + len(old) :])
            return
    raise AssertionError(f"no Spanish text holds {old}")


def test_clauses_need_their_spanish_twin(bilingual_mini: Path) -> None:
    twin = bilingual_mini / "clauses" / "CL-A.es.md"
    english = (bilingual_mini / "clauses" / "CL-A.md").read_text()
    spanish = twin.read_text()
    twin.unlink()
    with pytest.raises(RulesetError, match=r"clauses/CL-A\.md: no Spanish clause CL-A\.es\.md beside it"):
        load_ruleset(bilingual_mini)
    twin.write_text(english.replace("{institution}", "la institución"))
    with pytest.raises(RulesetError, match=r"CL-A\.es\.md: text: the placeholders differ"):
        load_ruleset(bilingual_mini)
    twin.write_text(english.replace("based_on: [", "based_on: [src-b, "))
    with pytest.raises(RulesetError, match=r"CL-A\.es\.md: based_on must list the same citations"):
        load_ruleset(bilingual_mini)
    twin.write_text(spanish)
    (bilingual_mini / "clauses" / "CL-Z.es.md").write_text(english)
    with pytest.raises(RulesetError, match=r"CL-Z\.es\.md: no English clause CL-Z\.md"):
        load_ruleset(bilingual_mini)


# -- the injector ----------------------------------------------------------------------------------------------
def test_injection_keeps_comments_layout_and_english(mini_copy: tuple[Path, Path]) -> None:
    repo, rules = mini_copy
    flags = rules / "flags" / "f.yaml"
    _edit(flags, "- id:", "# why this flag exists\n- id:")
    before = {p: p.read_text() for p in i18n_inject.rules_files(rules)}
    write_sidecars(repo, rules)
    assert inject(repo, rules) == 0
    after = flags.read_text()
    assert "# why this flag exists\n- id:" in after
    for path, old in before.items():
        new = path.read_text()
        # Every comment and every line of ids, numbers and flow lists is still there, in order.
        kept = [
            line
            for line in old.splitlines()
            if line.lstrip().startswith("#") or re.match(r"^\s*(- )?[a-z_]+:\s*(\[.*\]|\{.*\}|[a-z0-9_.-]*)$", line)
        ]
        remaining = iter(new.splitlines())
        assert all(line in remaining for line in kept), path
        english = i18n_inject._english(yaml.safe_load(new))
        if path.name == "ruleset.yaml":
            assert english.pop("languages") == ["en", "es"]
        assert english == yaml.safe_load(old), path
    assert "languages: [en, es]" in (rules / "ruleset.yaml").read_text()


def test_injection_is_idempotent_and_updates_a_changed_translation(mini_copy: tuple[Path, Path]) -> None:
    repo, rules = mini_copy
    sidecars = write_sidecars(repo, rules)
    assert inject(repo, rules) == 0
    first = {p: p.read_text() for p in i18n_inject.rules_files(rules)}
    assert inject(repo, rules) == 0
    assert {p: p.read_text() for p in first} == first  # nothing changes on a second run
    sidecar = sidecars / (rules / "questions" / "q.yaml").relative_to(repo)
    data = yaml.safe_load(sidecar.read_text())
    data["q_published"]["text"] = "¿Se ha publicado?"
    sidecar.write_text(yaml.safe_dump(data, allow_unicode=True))
    assert inject(repo, rules) == 0
    changed = [p for p in first if p.read_text() != first[p]]
    assert changed == [rules / "questions" / "q.yaml"]
    assert load_ruleset(rules, lang="es").questions["q_published"].text == "¿Se ha publicado?"


def test_an_uncovered_text_leaves_the_ruleset_english_only(mini_copy: tuple[Path, Path], capsys) -> None:
    repo, rules = mini_copy
    sidecars = write_sidecars(repo, rules)
    (sidecars / (rules / "flags" / "f.yaml").relative_to(repo)).unlink()
    assert inject(repo, rules) == 0
    out = capsys.readouterr().out
    assert re.search(r"NOT TRANSLATED rules/mini/flags/f\.yaml: \[0\]\.title", out)
    assert "left English-only" in out
    assert "languages:" not in (rules / "ruleset.yaml").read_text()
    assert load_ruleset(rules).languages == ("en",)  # still loads, in English


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda d: d["q_published"].update(type="booleano"), r"q_published\.type: the source has no text here"),
        (lambda d: d.update(q_nothing={"text": "¿?"}), r"q_nothing: no such key in the source"),
        (lambda d: d["q_policy"]["choices"].update(written=""), r"q_policy\.choices\.written: empty or not a string"),
        (
            lambda d: d["q_staff_trained"].update(text="¿Cuántas {n} capacitaciones?"),
            r"q_staff_trained\.text: the placeholders differ",
        ),
    ],
)
def test_a_bad_sidecar_writes_nothing(mini_copy: tuple[Path, Path], capsys, change, problem) -> None:
    repo, rules = mini_copy
    sidecars = write_sidecars(repo, rules)
    sidecar = sidecars / (rules / "questions" / "q.yaml").relative_to(repo)
    data = yaml.safe_load(sidecar.read_text())
    change(data)
    sidecar.write_text(yaml.safe_dump(data, allow_unicode=True))
    before = {p: p.read_text() for p in i18n_inject.rules_files(rules)}
    assert inject(repo, rules, "--delete-sidecars") == 1
    out = capsys.readouterr().out
    assert re.search("PROBLEM .*" + problem, out), out
    assert "Nothing written" in out
    assert {p: p.read_text() for p in before} == before
    assert sidecar.exists()  # kept for fixing


@given(
    st.lists(
        st.text(
            st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp")), min_size=1, max_size=12
        ),
        min_size=1,
        max_size=40,
    )
)
def test_a_spanish_text_is_written_as_yaml_that_reads_back_the_same(words: list[str]) -> None:
    text = " ".join(words)
    for indent in (0, 4):
        block = i18n_inject.scalar(text, indent)
        assert yaml.safe_load(f"{' ' * indent}k: {block}\n") == {"k": text.strip()}


# -- placeholders ------------------------------------------------------------------------------------------------
NAMES = st.sampled_from(["title", "fail", "at_most", "decided", "q_staff_trained", "institution"])


@st.composite
def templates(draw) -> tuple[list[str], list[tuple[str, int]]]:
    """Pieces of a template (plain words, {name}, {name:a|b...}) and the placeholders they hold."""
    pieces, expected = [], []
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.integers(0, 2))
        if kind == 0:
            pieces.append(draw(st.sampled_from(["la", "política", "cumple", "(en parte)", "{ no", "a|b", "}"])))
            continue
        name = draw(NAMES)
        if kind == 1:
            pieces.append("{" + name + "}")
            expected.append((name, 1))
        else:
            forms = draw(st.integers(2, 3))
            pieces.append("{" + name + ":" + "|".join(["uno"] * forms) + "}")
            expected.append((name, forms))
    return pieces, expected


@given(templates(), st.randoms(use_true_random=False))
def test_placeholders_are_the_same_in_any_word_order(template, random) -> None:
    pieces, expected = template
    if any(p in ("{ no", "}") for p in pieces):  # a stray brace next to a placeholder is not a fair test of order
        pieces = [p for p in pieces if p not in ("{ no", "}")]
    shuffled = pieces[:]
    random.shuffle(shuffled)
    assert bilingual.placeholders(" ".join(pieces)) == sorted(expected)
    bilingual.check_pair(" ".join(pieces) or "x", " ".join(shuffled) or "x", "t")  # Spanish may reorder
    if expected:
        with pytest.raises(RulesetError, match="placeholders differ"):
            bilingual.check_pair(" ".join(pieces), " ".join(p for p in pieces if "{" not in p) or "x", "t")


def test_nested_count_templates_count_their_own_forms() -> None:
    text = "({fail} {fail:fails|fail}{at_most:|, {at_most} at most partial|, {at_most} at most partial})"
    assert bilingual.placeholders(text) == [("at_most", 1), ("at_most", 1), ("at_most", 3), ("fail", 1), ("fail", 2)]


# -- the glossary ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("field", "english", "spanish"),
    [
        ("text", "Entry needs a judicial warrant.", "La entrada exige una orden judicial (firmada por un juez)."),
        ("text", "Only with a judge's warrant.", "Solo con una orden de un juez."),
        (
            "text",
            "No detainer holds.",
            "No hay retenciones por un detainer (solicitud de ICE de retener a una persona).",
        ),
        ("text", "Ask counsel first.", "Consulte primero con un abogado."),
        ("text", "The Attorney General's model policy.", "La política modelo del Fiscal General."),
        ("searched", "searched for 'sanctuary policy prohibited'", "se buscó 'sanctuary policy prohibited'"),
        ("quote", "licensed child care centers", "los centros de cuidado infantil (guardería) con licencia"),
        ("summary", "New Mexico bans 287(g) agreements.", "New Mexico prohíbe los acuerdos 287(g)."),
        ("name", "New Mexico", "Nuevo México"),
        ("text", "ICE may ask.", "ICE puede pedirlo."),
        ("text", "Release dates and times.", "Las fechas y horas de puesta en libertad."),
    ],
)
def test_the_glossary_accepts_its_renderings(field, english, spanish) -> None:
    assert check_pairs(load_glossary(GLOSSARY), [("here", field, english, spanish)]) == []


@pytest.mark.parametrize(
    ("field", "english", "spanish", "term"),
    [
        ("text", "Entry needs a judicial warrant.", "La entrada exige un mandato judicial.", "judicial-warrant"),
        ("text", "An administrative warrant is not enough.", "Una orden judicial no basta.", "administrative-warrant"),
        ("text", "No detainer holds.", "No hay órdenes de detención.", "detainer"),
        ("text", "Ask counsel first.", "Pregunte primero al consejo.", "counsel"),
        ("text", "A written policy.", "Una póliza por escrito.", "policy"),
        ("text", "The sheriff's office.", "La oficina del alguacil.", "sheriff"),
        ("text", "Child care centres.", "Las guarderías.", "child-care"),
        ("name", "New Mexico", "Nueva México", "state-nm"),
        ("text", "FERPA applies.", "La ley de privacidad se aplica.", "kept-ferpa"),
        ("text", "It is a felony.", "Es un crimen.", "felony"),
    ],
)
def test_the_glossary_catches_a_wrong_rendering(field, english, spanish, term) -> None:
    problems = check_pairs(load_glossary(GLOSSARY), [("here", field, english, spanish)])
    assert problems and all(p.startswith(f"here: {term}:") for p in problems[:1]), problems


def test_a_glossary_with_a_term_missing_its_spanish_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "glossary.yaml"
    path.write_text("terms:\n  - id: x\n    en: [warrant]\n")
    with pytest.raises(RulesetError, match=r"terms\[0\]: a term needs English phrases"):
        load_glossary(path)


# -- commands and surveys ----------------------------------------------------------------------------------------
def test_lang_picks_the_rules_language_and_the_environment_is_the_default(
    bilingual_mini: Path, capsys, monkeypatch
) -> None:
    assert main(["--rules", str(bilingual_mini), "questions", "--type", "k12_school", "--lang", "es"]) == 0
    assert "ES: Is there a written policy?" in capsys.readouterr().out
    monkeypatch.setenv("SANCTUARY_LANG", "es")
    assert main(["--rules", str(bilingual_mini), "questions", "--type", "k12_school"]) == 0
    assert "ES: Is there a written policy?" in capsys.readouterr().out
    assert main(["--rules", str(bilingual_mini), "questions", "--type", "k12_school", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "Is there a written policy?" in out and "ES:" not in out
    monkeypatch.setenv("SANCTUARY_LANG", "fr")
    assert main(["--rules", str(bilingual_mini), "questions", "--type", "k12_school"]) == 2
    err = capsys.readouterr().err
    assert (
        err.strip() == "sanctuary: error: $SANCTUARY_LANG: unknown language 'fr'; choose en (English) or es (Spanish)."
    )


def test_evaluate_in_spanish_gives_the_same_verdicts(bilingual_mini: Path, tmp_path: Path, capsys) -> None:
    answers = tmp_path / "a.yaml"
    answers.write_text(
        "institution: {name: Escuela Lincoln, type: k12_school, state: NM, public: true}\n"
        "answers: {q_policy: written, q_published: true, q_staff_trained: 0}\n"
    )
    reports = {}
    for lang in ("en", "es"):
        out = tmp_path / f"{lang}.json"
        assert main(["--rules", str(bilingual_mini), "evaluate", str(answers), "--lang", lang, "-o", str(out)]) == 0
        reports[lang] = json.loads(out.read_text())
    capsys.readouterr()

    def verdicts(report):
        return [(f["control"], f["outcome"]) for f in report["findings"]], report["overall"]["level"]

    assert verdicts(reports["en"]) == verdicts(reports["es"])
    titles = {f["control"]: f["title"] for f in reports["es"]["findings"]}
    assert titles["XX-AC-TRAIN"] == "ES: Staff are trained"
    assert all(not t.startswith("ES:") for t in (f["title"] for f in reports["en"]["findings"]))


def _survey(rows: list[list[str]], header: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([header, *rows])
    return buffer.getvalue()


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_spanish_survey_gives_the_same_results_as_its_english_twin(
    bilingual_mini: Path, tmp_path: Path, lang: str, monkeypatch, capsys
) -> None:
    english, spanish = load_ruleset(bilingual_mini), load_ruleset(bilingual_mini, lang="es")
    questions = ["q_policy", "q_published", "q_staff_trained"]
    en_rows = [
        ["R1", "Lincoln", "K-12 school or district", "New Mexico", "yes", "Adopted written policy", "yes", "2"],
        ["R2", "Grace", "Place of worship", "Texas", "no", "Public statement only", "no", "0"],
    ]
    es_rows = [
        ["R1", "Lincoln", "ES: K-12 school or district", "Nuevo México", "sí", "ES: Adopted written policy", "si", "2"],
        ["R2", "Grace", "Iglesia", "Texas", "no", "ES: Public statement only", "no", "0"],
    ]
    fixed = ["respondent_id", "institution_name", "institution_type", "state", "public"]
    en_header = fixed + [english.questions[q].text for q in questions]
    es_header = ["encuestado", "nombre de la institución", "tipo de institución", "estado", "público"] + [
        spanish.questions[q].text for q in questions
    ]
    if "Iglesia" not in english.institution_types["congregation"].get("aliases", []):
        es_rows[1][2] = "ES: Place of worship"
    monkeypatch.setenv("SANCTUARY_LANG", lang)  # batch reads both languages whatever the setting
    results = {}
    for name, header, rows in (("en", en_header, en_rows), ("es", es_header, es_rows)):
        survey = tmp_path / f"{name}.csv"
        survey.write_text(_survey(rows, header))
        out = tmp_path / f"{name}-results.csv"
        code = main(
            ["--rules", str(bilingual_mini), "batch", str(survey), "-o", str(out), "--as-of", "2026-11-28", "-q"]
        )
        assert code == 0, capsys.readouterr()
        results[name] = out.read_bytes()
    capsys.readouterr()
    assert results["en"] == results["es"]
    assert b"k12_school" in results["en"] and b"NM" in results["en"]


def test_the_spanish_template_heads_columns_that_batch_reads_back(bilingual_mini: Path, tmp_path: Path, capsys) -> None:
    header = tmp_path / "plantilla.csv"
    args = ["--rules", str(bilingual_mini), "template", "--type", "employer", "--headers", "text", "--lang", "es"]
    assert main([*args, "-o", str(header)]) == 0
    columns = next(csv.reader(io.StringIO(header.read_text(encoding="utf-8-sig"))))
    assert "ES: Is there a written policy?" in columns
    capsys.readouterr()


def test_a_translated_quote_says_it_is_not_the_laws_own_words(bilingual_mini: Path, capsys) -> None:
    assert main(["--rules", str(bilingual_mini), "states", "--lang", "es", "--state", "CA"]) == 0
    out = capsys.readouterr().out
    assert '"ES: The state requires this practice." (Traducción no oficial' in " ".join(out.split())
    assert main(["--rules", str(bilingual_mini), "states", "--lang", "en", "--state", "CA", "--format", "json"]) == 0
    assert "quote_note" not in capsys.readouterr().out  # the English table is as it was


def test_the_release_registry_reads_the_english_of_a_bilingual_catalogue() -> None:
    released = _script("released_questions")
    spec = {"q": {"text": {"en": "Is it?", "es": "¿Lo es?"}, "choices": {"a": {"en": "A", "es": "Á"}}, "type": "x"}}
    assert released._english(spec) == {"q": {"text": "Is it?", "choices": {"a": "A"}, "type": "x"}}
