"""More browser checks: 200% zoom, the sample survey, two users at once (the rules search is AppTest's).

The three users' flows from a blank start are in test_users.py.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ROOT, screenshot, wait_for_app

pytestmark = pytest.mark.browser
NAME = "Maple Grove Unified <b>School</b> District"


def _main(page):
    return page.get_by_test_id("stMainBlockContainer")


def _answer_section(page) -> int:
    """Answer every question in the current section: the first option of each radio group."""
    main = _main(page)
    groups = main.get_by_test_id("stRadio")
    count = groups.count()
    for i in range(count):
        groups.nth(i).get_by_role("radio").first.check(force=True)
        wait_for_app(page, stable_ms=150, initial_ms=60)
    return count


def test_sample_results_readable_at_200_percent_zoom(browser, app_server):
    # 200% zoom on a 1280-pixel-wide window lays the page out in 640 CSS pixels.
    context = browser.new_context(viewport={"width": 640, "height": 900}, device_scale_factor=2)
    page = context.new_page()
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url))
    try:
        page.goto(app_server)
        wait_for_app(page)
        _main(page).get_by_role("button", name=re.compile("Open a sample school district")).click()
        wait_for_app(page)
        expect(_main(page).get_by_role("heading", name="Results", exact=True)).to_be_visible()
        expect(_main(page).get_by_role("heading", name="Your action plan")).to_be_visible()
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"page is {overflow}px wider than the window at 200% zoom"
        screenshot(page, "06-results-200-percent")
    finally:
        context.close()
    assert all(u.startswith(app_server) or u.startswith(("data:", "blob:")) for u in seen)


def test_batch_upload_of_the_sample_survey(page, app_server, tmp_path):
    started = time.monotonic()
    survey = ROOT / "sample_policies" / "surveys" / "mixed_institutions.csv"
    page.goto(app_server)
    wait_for_app(page)
    page.get_by_test_id("stSidebarNav").get_by_text("Batch").click()
    wait_for_app(page)
    main = _main(page)
    main.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(survey))
    wait_for_app(page)
    expect(main).to_contain_text(re.compile(r"\d+ rows read"))
    main.get_by_role("button", name=re.compile(r"Evaluate \d+ rows")).click()
    wait_for_app(page)
    expect(main.get_by_test_id("stExpander").filter(has_text="Evaluated ")).to_have_count(1)
    expect(main.get_by_test_id("stVegaLiteChart")).to_have_count(2)
    expect(main.get_by_test_id("stDataFrame").last).to_be_visible()
    with page.expect_download() as info:
        main.get_by_test_id("stDownloadButton").filter(has_text="Download results CSV").get_by_role("button").click()
    text = Path(info.value.path()).read_text(encoding="utf-8-sig")
    header = text.splitlines()[0].split(",")
    assert {"respondent_id", "overall_level", "provisional", "error"} <= set(header)
    assert len(text.splitlines()) > 10
    assert "at_most_partial" in text  # a bound is written as one, never as a bare "partial"
    expect(main).to_contain_text("At most partial (open)")
    screenshot(page, "08-batch")
    print(f"\nbatch flow took {time.monotonic() - started:.1f} s")


def test_two_simultaneous_users_keep_their_own_results(browser, app_server):
    # Two sessions share one process (one cached ruleset and engine) but never each other's answers.
    contexts = [browser.new_context() for _ in range(2)]
    try:
        pages = [c.new_page() for c in contexts]
        for pg in pages:
            pg.goto(app_server)
        for pg in pages:
            wait_for_app(pg)
        _main(pages[0]).get_by_role("button", name=re.compile("Open a sample school district")).click()
        choose = _main(pages[1]).get_by_test_id("stSelectbox").filter(has_text="Or choose another sample")
        choose.click()
        pages[1].keyboard.type("Cedar Plains")  # the list is long and virtualised: filter it as a user would
        pages[1].get_by_role("option", name=re.compile(r"^Cedar Plains Public Schools")).click()
        wait_for_app(pages[1])
        _main(pages[1]).get_by_role("button", name="Open the chosen sample").click()
        for pg in pages:
            wait_for_app(pg)
        expect(_main(pages[0]).get_by_role("heading", name="Brazos Creek Independent School District")).to_be_visible()
        expect(_main(pages[1]).get_by_role("heading", name="Cedar Plains Public Schools")).to_be_visible()
        expect(_main(pages[0])).not_to_contain_text("Cedar Plains Public Schools")
    finally:
        for c in contexts:
            c.close()
