"""The app in Spanish (AppTest): the sidebar switch, ?lang=es, answers kept across a switch, every page.

The browser walk (tests/browser/test_spanish.py) checks what is visible for left-over English; these check the
state and the widgets a person uses.
"""

from __future__ import annotations

import io

import docx
import pytest
from streamlit.testing.v1 import AppTest

from engine import _, current_language, evaluate, language, load_ruleset, parse_submission
from tests.ui.conftest import APP, SAMPLES
from ui import downloads

SAMPLE = SAMPLES / "k12_school_developing.yaml"

PAGES = (
    "app_pages/start.py",
    "app_pages/assessment.py",
    "app_pages/review.py",
    "app_pages/results.py",
    "app_pages/draft.py",
    "app_pages/batch.py",
    "app_pages/coalition.py",
    "app_pages/rules.py",
)
TITLES_ES = {
    "app_pages/start.py": "Evaluador de Políticas de Santuario",
    "app_pages/assessment.py": "Autoevaluación",
    "app_pages/review.py": "Revise sus respuestas",
    "app_pages/results.py": "Resultados",
    "app_pages/draft.py": "Borrador de política",
}


def test_switching_to_spanish_mid_assessment_keeps_every_answer(new_app):
    at = new_app()
    assert at.radio(key="language_switch").value == "en"
    assert at.radio(key="language_switch").label == "Language / Idioma"
    at.switch_page("app_pages/assessment.py").run()
    at.text_input(key="inst_name").set_value("Escuela Central").run()
    at.multiselect(key="inst_types").set_value(["k12_school"]).run()
    at.radio(key="inst_public").set_value("public").run()
    at.button(key="nav_next").click().run()
    first = next(r for r in at.radio if r.key.startswith("ans__") and r.options[:2] == ["Yes", "No"])
    first.set_value("yes").run()
    qid = first.key.removeprefix("ans__")
    before = (dict(at.session_state["institution"]), dict(at.session_state["answers"]))
    assert before[1][qid] is True

    at.radio(key="language_switch").set_value("es").run()
    assert not at.exception
    assert at.title[0].value == "Autoevaluación"
    assert (dict(at.session_state["institution"]), dict(at.session_state["answers"])) == before
    # The same question, now in the Spanish ruleset's words, still shows the answer given in English.
    spanish = load_ruleset(lang="es")
    question = at.radio(key=first.key)
    assert question.value == "yes"
    assert question.label.replace("\\", "") == spanish.questions[qid].text.replace("\\", "")
    assert question.label != load_ruleset().questions[qid].text
    assert at.query_params["lang"] == "es"  # a reload or a copied link opens the same language

    at.radio(key="language_switch").set_value("en").run()
    assert at.title[0].value == "Self-assessment"
    assert at.radio(key=first.key).value == "yes"
    assert "lang" not in at.query_params


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_in_spanish_from_the_address(new_app, page):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = "es"
    at.run()
    assert at.radio(key="language_switch").value == "es"
    at.button(key="sample_featured").click().run()  # a finished assessment, so every page has content
    assert not at.exception
    at.switch_page(page).run()
    assert not at.exception, at.exception
    assert not [e.value for e in at.error], "no page shows an error for the sample"
    if page in TITLES_ES:
        assert at.title[0].value == TITLES_ES[page]
    with language("es"):
        english_titles = {"Start", "Self-assessment", "Review your answers", "Results", "Draft policy", "Batch"}
        assert at.title[0].value not in english_titles
        assert _("Results") == "Resultados"


def test_an_unknown_language_in_the_address_opens_the_english_app(new_app):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = "xx"
    at.run()
    assert not at.exception
    assert at.title[0].value == "Sanctuary Policy Evaluator"
    assert at.radio(key="language_switch").value == "en"


def _sample_report(lang: str):
    ruleset = load_ruleset(lang=lang)
    with language(lang):
        return ruleset, evaluate(ruleset, parse_submission(ruleset, SAMPLE.read_bytes(), SAMPLE.name))


def test_pdfs_made_after_the_run_keep_the_language_they_were_offered_in(monkeypatch):
    # The PDF buttons take callables that Streamlit calls later, outside the page's run and its language; the
    # renderer is swapped for one that says which language it was called in.
    monkeypatch.setattr(downloads, "brief_pdf", lambda report: current_language().encode())
    monkeypatch.setattr(downloads, "report_pdf", lambda report: current_language().encode())
    _ruleset, report = _sample_report("es")
    with language("es"):
        makers = downloads.pdf_files(report)
    assert current_language() == "en"
    assert makers["brief"]() == b"es" and makers["report"]() == b"es"


def test_a_spanish_draft_download_holds_the_spanish_clauses_and_no_english_ones():
    ruleset_es, report_es = _sample_report("es")
    ruleset_en, report_en = _sample_report("en")
    with language("es"):
        files = downloads.draft_files(downloads.make_draft(ruleset_es, report_es))
    draft_en = downloads.make_draft(ruleset_en, report_en)
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(files["docx"])).paragraphs)
    markdown = files["markdown"].decode("utf-8")
    titles = [section.title for section in draft_en.sections]
    assert titles, "the sample has gaps with clauses"
    for title in titles:
        assert title not in text and title not in markdown
    with language("es"):
        spanish = downloads.make_draft(ruleset_es, report_es)
    assert all(section.title in text for section in spanish.sections)


def test_the_answers_file_is_the_same_in_both_languages():
    ruleset_es, ruleset_en = load_ruleset(lang="es"), load_ruleset(lang="en")
    data = SAMPLE.read_bytes()
    with language("es"):
        inst_es, answers_es = downloads.read_answers_file(ruleset_es, SAMPLE.name, data)
        saved_es = downloads.answers_yaml(inst_es, answers_es, ruleset_es.version)
    inst_en, answers_en = downloads.read_answers_file(ruleset_en, SAMPLE.name, data)
    assert (inst_es, answers_es) == (inst_en, answers_en)
    assert saved_es == downloads.answers_yaml(inst_en, answers_en, ruleset_en.version)


def test_state_names_follow_the_language():
    from ui.questionnaire import state_options

    ruleset = load_ruleset()
    assert state_options(ruleset)["NM"] == "New Mexico"
    with language("es"):
        spanish = state_options(ruleset)
    assert spanish["NM"] == "Nuevo México" and spanish["NC"] == "Carolina del Norte"
    assert spanish["TX"] == "Texas"  # the glossary's name, not the also-accepted "Tejas"
    assert set(spanish) == set(state_options(ruleset))  # the same codes: answers never change with the language
