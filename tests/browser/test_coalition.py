"""The Coalition page in a real browser: two stored waves, an offline map, the institution whose level dropped
and its report, and axe-core clean."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from engine.cli.main import main
from tests.browser.conftest import audit, wait_for_app
from tests.store.conftest import AS_OF, DROPPING, write_waves

pytestmark = pytest.mark.browser
# The shapes Vega drew in the first chart on the page (the map).
SHAPES = "document.querySelectorAll('[data-testid=stVegaLiteChart] svg path').length"


@pytest.fixture
def store_with_two_waves(tmp_path):
    folder = write_waves(tmp_path)
    store = tmp_path / "coalition.db"
    for survey, wave in (("wave_a.csv", "2025"), ("wave_b.csv", "2026")):
        assert main(["batch", str(folder / survey), "--store", str(store), "--wave", wave, "--as-of", AS_OF, "-q"]) == 0
    return f"sqlite:///{store}"


def test_coalition_page_maps_two_waves_offline_and_lists_the_dropped(page, app_server, store_with_two_waves):
    page.goto(app_server)
    wait_for_app(page)
    page.get_by_test_id("stSidebar").get_by_role("link", name="Coalition").click()
    wait_for_app(page)
    main_area = page.get_by_test_id("stMainBlockContainer")
    box = main_area.get_by_role("textbox", name="Store")
    box.fill(store_with_two_waves)
    box.press("Enter")
    wait_for_app(page)
    expect(main_area.get_by_role("heading", name="Where institutions stand")).to_be_visible()
    # The map is drawn by Vega from the TopoJSON inside the chart: shapes in the SVG/canvas, no fetch.
    chart = main_area.get_by_test_id("stVegaLiteChart").first
    expect(chart).to_be_visible()
    # 50 states, DC and territories in the backdrop, plus the states with data.
    page.wait_for_function(f"() => {SHAPES} > 60", timeout=30_000)
    expect(main_area.get_by_text("California", exact=True).first).to_be_attached()
    link = main_area.get_by_role("link", name=re.compile(re.escape(DROPPING)))
    expect(link).to_have_count(1)
    expect(link).to_contain_text("Strong to Developing")
    audit(page, "20-coalition")

    main_area.get_by_role("radio", name="County").check(force=True)
    wait_for_app(page)
    expect(main_area.get_by_text("Alameda, CA", exact=True).first).to_be_attached()
    page.wait_for_function(f"() => {SHAPES} > 3000", timeout=30_000)  # every county's shape is drawn

    link.click()
    wait_for_app(page)
    expect(main_area.get_by_role("heading", name=re.compile("Report: " + re.escape(DROPPING)))).to_be_visible()
    expect(main_area.get_by_text("Overall level: Developing")).to_be_visible()
    audit(page, "21-coalition-report")
    main_area.get_by_role("button", name="Open the full report on the Results page").click()
    wait_for_app(page)
    expect(main_area.get_by_role("heading", name="Results", exact=True)).to_be_visible()
