"""Real browser, issue 23: the SRO follow-ups disappear after "No", and the HTML brief prints on one page."""

from __future__ import annotations

import copy
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from engine import evaluate, load_ruleset, load_submission, render_report
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, audit, wait_for_app
from tests.test_brief_pdf import _hand_built

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
RULESET = load_ruleset()
SRO_TEXTS = [
    RULESET.questions[q].text for q in ("sc_school_police_enforcement_barred", "sc_school_police_info_sharing_barred")
]
SAMPLES = sorted((ROOT / "sample_policies" / "answers").glob("*.yaml"))
PARENT = RULESET.questions["sc_has_school_police"].text


def _main(page):
    return page.get_by_test_id("stMainBlockContainer")


def _counts(text: str) -> tuple[int, int]:
    found = re.search(r"(\d+) of (\d+) questions answered", text)
    assert found, text
    return int(found[1]), int(found[2])


def test_k12_district_without_school_police_is_not_asked_the_sro_follow_ups(page, app_server):
    page.goto(app_server)
    wait_for_app(page)
    main = _main(page)
    main.get_by_role("button", name="Start a self-assessment").click()
    wait_for_app(page)
    main.get_by_test_id("stMultiSelect").click()
    page.get_by_role("option", name="K-12 school or district", exact=True).click()
    expect(main.get_by_test_id("stMultiSelect")).to_contain_text("K-12 school or district")  # before Escape
    page.keyboard.press("Escape")
    wait_for_app(page)
    progress = main.get_by_test_id("stProgress")
    for _ in range(10):  # to the section that asks about school police
        if main.get_by_text(PARENT, exact=True).count():
            break
        main.get_by_role("button", name="Next section").click()
        wait_for_app(page)
    group = main.get_by_test_id("stRadio").filter(has_text=PARENT)
    expect(group).to_have_count(1)
    for text in SRO_TEXTS:
        expect(main.get_by_text(text, exact=True)).to_be_visible()
    answered, total = _counts(progress.inner_text())

    group.get_by_role("radio", name="No", exact=True).check(force=True)
    wait_for_app(page)
    for text in SRO_TEXTS:
        expect(main.get_by_text(text, exact=True)).to_have_count(0)
    expect(progress).to_contain_text(f"{answered + 1} of {total - 2} questions answered")
    audit(page, "k12-sro-no-follow-ups")

    group.get_by_role("radio", name="Yes", exact=True).check(force=True)
    wait_for_app(page)
    for text in SRO_TEXTS:
        expect(main.get_by_text(text, exact=True)).to_be_visible()
    expect(progress).to_contain_text(f"{answered + 1} of {total} questions answered")


def test_the_html_brief_prints_on_one_page_for_every_sample(browser):
    """Printed by a browser process of its own, closed afterwards, so 80 print jobs do not weigh on the app's."""
    reports = {p.stem: evaluate(RULESET, load_submission(RULESET, p)) for p in SAMPLES}
    reports["with range, state-law note and blocked steps"] = _hand_built()
    printer = browser.browser_type.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    try:
        page = printer.new_page()
        for stem, report in reports.items():
            report = copy.deepcopy(report)
            report["institution"]["name"] += " — Escuela “Sí” de Nuevo México"
            page.set_content(render_report(report, "brief-html"))
            for paper in ("Letter", "A4"):
                reader = PdfReader(io.BytesIO(page.pdf(format=paper)))
                assert len(reader.pages) == 1, f"{stem}: the printed brief runs to {len(reader.pages)} pages on {paper}"
                assert "Level:" in reader.pages[0].extract_text()
    finally:
        printer.close()
