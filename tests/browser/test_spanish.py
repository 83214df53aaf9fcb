"""The Spanish app in a real browser: every page opened with ?lang=es shows no English the project wrote.

"English the project wrote" is measured, not listed by hand: every message in the gettext catalogue whose
Spanish differs from it (the longest run of three or more words between its placeholders) and every rules
text of three or more words whose Spanish differs (questions, answer labels, controls, components, types,
flags, clauses). So a string added later and left untranslated, or a page that forgets the language, fails
here. Each page is also checked with axe-core (no serious or critical violation) and for ``<html lang="es">``.
"""

from __future__ import annotations

import re
from functools import cache

import pytest
import yaml
from babel.messages.pofile import read_po
from playwright.sync_api import expect

from engine import load_ruleset
from tests.browser.conftest import ROOT, axe_violations, screenshot, wait_for_app

pytestmark = pytest.mark.browser

PO = ROOT / "engine" / "locale" / "es" / "LC_MESSAGES" / "sanctuary.po"
SAMPLE_NAME = yaml.safe_load((ROOT / "sample_policies" / "answers" / "k12_school_developing.yaml").read_text())[
    "institution"
]["name"]
PLACEHOLDER = re.compile(r"\{[^}]*\}")
# Page (URL path) -> its title in the sidebar navigation, in Spanish.
PAGES = {
    "start": "Inicio",
    "assessment": "Autoevaluación",
    "review": "Revisar respuestas",
    "results": "Resultados",
    "draft": "Borrador de política",
    "batch": "Lote",
    "coalition": "Coalición",
    "rules": "Reglas",
}


def _plain(text: str) -> str:
    """Markdown marks, escapes and spacing removed, so catalogue text and rendered text compare."""
    text = text.replace("**", "").replace("\\", "").replace("`", "")
    return re.sub(r"\s+", " ", text).strip()


def _phrases(english: str, spanish: str) -> list[str]:
    """The parts of an English text a Spanish page must not show (3+ words, differing from the Spanish)."""
    if _plain(english) == _plain(spanish):
        return []  # a name or code that is the same in both languages
    runs = [_plain(run).strip(" .,:;()-—·") for run in PLACEHOLDER.split(english)]
    return [run for run in runs if len(run.split()) >= 3]


@cache
def english_phrases() -> tuple[str, ...]:
    found: set[str] = set()
    with PO.open("rb") as handle:
        for message in read_po(handle):
            if not message.id:
                continue
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            for english, spanish in zip(ids, strings, strict=False):
                found.update(_phrases(english, spanish))
    en, es = load_ruleset(lang="en"), load_ruleset(lang="es")
    for qid, question in en.questions.items():
        found.update(_phrases(question.text, es.questions[qid].text))
        for key, label in question.choices.items():
            found.update(_phrases(label, es.questions[qid].choices[key]))
    for cid, control in en.controls.items():
        found.update(_phrases(control.title, es.controls[cid].title))
    for group in ("components", "institution_types"):
        for key, meta in getattr(en, group).items():
            for field in ("title", "description"):
                if meta.get(field):
                    found.update(_phrases(meta[field], getattr(es, group)[key].get(field) or ""))
    found.update(_phrases(en.disclaimer, es.disclaimer))
    return tuple(sorted(found, key=len, reverse=True))


def english_left(text: str) -> list[str]:
    visible = _plain(text)
    return [phrase for phrase in english_phrases() if phrase in visible]


def _visible_text(page) -> str:
    return page.get_by_test_id("stSidebar").inner_text() + "\n" + page.get_by_test_id("stMain").inner_text()


def _check(page, name: str) -> None:
    wait_for_app(page)
    expect(page.locator("[data-stale='true']")).to_have_count(0)
    assert page.evaluate("document.documentElement.lang") == "es", f"{name}: <html lang> is not es"
    left = english_left(_visible_text(page))
    screenshot(page, f"es-{name}")
    assert left == [], f"{name}: English text on the Spanish page: {left[:10]}"
    problems = axe_violations(page)
    assert problems == [], f"{name}: accessibility violations: {problems}"


def test_the_phrase_list_catches_english():
    """The check itself can fail: an English app page holds many listed phrases, a Spanish sentence none."""
    assert len(english_phrases()) > 300
    assert english_left("Legal information, not legal advice. Everything stays on this computer.")
    assert not english_left("Información legal, no asesoría legal. Todo se queda en esta computadora.")


def test_every_page_in_spanish_shows_no_english(page, app_server):
    page.goto(f"{app_server}/?lang=es")
    wait_for_app(page)
    _check(page, "start")
    # A finished assessment, so Results, Review and Draft have content to check.
    page.locator(".st-key-sample_featured button").click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Resultados", level=1)).to_be_visible()
    for path, title in PAGES.items():
        page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
        wait_for_app(page)
        expect(page.get_by_role("heading", level=1).first).to_be_visible()
        assert "lang=es" in page.url, f"{path}: the address lost ?lang=es ({page.url})"
        _check(page, path)
        if path == "assessment":  # the questions themselves, from the Spanish rules
            page.locator(".st-key-nav_next button").click()
            _check(page, "assessment-questions")
        if path == "batch":
            page.locator(".st-key-batch_sample button").click()
            wait_for_app(page)
            page.locator(".st-key-batch_run button").click()
            wait_for_app(page, timeout_ms=120_000)
            _check(page, "batch-results")


def test_the_switch_turns_the_open_page_spanish_and_keeps_the_answers(page, app_server):
    page.goto(app_server)
    wait_for_app(page)
    page.locator(".st-key-sample_featured button").click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Results", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name=SAMPLE_NAME)).to_be_visible()
    level = page.get_by_test_id("stMetricValue").first.inner_text()
    assert page.evaluate("document.documentElement.lang") == "en"
    # A real radio group with a label, reached and chosen from the keyboard.
    switch = page.get_by_role("radiogroup", name="Language / Idioma")
    switch.get_by_role("radio", name="Español").focus()
    page.keyboard.press("Space")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Resultados", level=1)).to_be_visible()
    assert "lang=es" in page.url
    # The same assessment, now in Spanish: the same institution, its level in Spanish words.
    expect(page.get_by_role("heading", name=SAMPLE_NAME)).to_be_visible()
    spanish_level = page.get_by_test_id("stMetricValue").first.inner_text()
    assert spanish_level != level and spanish_level in {"Sólido", "En desarrollo", "Débil", "Incompleto"}
    assert page.evaluate("document.documentElement.lang") == "es"
    assert english_left(_visible_text(page)) == []
