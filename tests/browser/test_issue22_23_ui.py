"""Issues 22 and 23 in a real browser (Debian chromium): user text stays plain, autosave never loses answers,
and the app works on a 390 px phone and by keyboard.

Every test's page also fails if any request leaves the app's host (the ``page`` fixture in conftest.py).
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from engine import load_ruleset, template_header
from tests.browser.conftest import audit, screenshot, wait_for_app
from tests.browser.test_users import tab_to

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
MARK = "PWN"
PAYLOADS = [
    f"{MARK}![x](http://198.51.100.7/pwn.png)",
    f"{MARK}[click here](http://phish.example/login)",
    f"{MARK}<img src=http://198.51.100.7/i.png onerror=alert(1)>",
    f"{MARK}<script>alert(1)</script>",
    f"{MARK} http://phish.example www.phish.example help@phish.example",
]
NAME = " ".join(PAYLOADS)[:200]
# Every sidebar link text the page ever showed, from the first paint on.
NAV_WATCH = """
window.__navTexts = new Set();
new MutationObserver(() => {
  for (const a of document.querySelectorAll('[data-testid="stSidebarNav"] a, [data-testid="stSidebarNavLink"]')) {
    window.__navTexts.add(a.innerText.trim());
  }
}).observe(document, {childList: true, subtree: true, characterData: true});
"""


def _main(page):
    return page.get_by_test_id("stMainBlockContainer")


def _no_remote_markup(page, where: str) -> None:
    """No image outside the app, no link to the payload hosts, no script or image element from user text."""
    app_origin = page.evaluate("location.origin")
    images = page.evaluate("[...document.images].map(i => i.getAttribute('src') || '')")
    foreign = [s for s in images if s and not s.startswith(("data:", "blob:", "/", app_origin))]
    assert foreign == [], f"{where}: images from elsewhere: {foreign}"
    links = page.evaluate("[...document.querySelectorAll('a[href]')].map(a => a.href)")
    away = [h for h in links if not h.startswith(app_origin)]
    assert not [h for h in away if "phish" in h or "198.51.100.7" in h], f"{where}: a payload became a link: {away}"
    assert page.locator("img[onerror]").count() == 0, f"{where}: an <img> from user text"


def _choose_type(page, title: str) -> None:
    choices = _main(page).get_by_test_id("stMultiSelect")
    choices.click()
    page.get_by_role("option", name=title, exact=True).click()
    expect(choices).to_contain_text(title)  # chosen before the list is closed: an Escape too soon dropped it
    page.keyboard.press("Escape")
    wait_for_app(page)


def _autosave_box(page):
    """The autosave checkbox, with its "Save or load your answers" expander opened if it is closed."""
    box = _main(page).get_by_role("checkbox", name="Autosave my answers on this computer")
    if not box.is_visible():
        _main(page).get_by_text("Save or load your answers").click()
        expect(box).to_be_visible()
    return box


def _start(page) -> None:
    _main(page).get_by_role("button", name="Start a self-assessment").click()
    wait_for_app(page)
    expect(_main(page).get_by_role("heading", name="Self-assessment", exact=True)).to_be_visible()


def test_payloads_in_every_field_stay_plain_and_nothing_leaves_the_machine(page, app_server, tmp_path):
    page.goto(app_server)
    wait_for_app(page)
    main = _main(page)
    _start(page)
    main.get_by_role("textbox", name="Institution name").fill(NAME)
    main.get_by_role("textbox", name="Institution name").press("Enter")
    wait_for_app(page)
    _choose_type(page, "Place of worship")
    main.get_by_role("button", name="Review my answers").click()
    wait_for_app(page)
    expect(main).to_contain_text(MARK)
    _no_remote_markup(page, "review")
    main.get_by_role("button", name="See my results").click()
    wait_for_app(page)
    expect(main.get_by_role("heading", name="Your action plan")).to_be_visible()
    expect(main).to_contain_text("![x](http")  # shown literally, as typed
    _no_remote_markup(page, "results")
    main.get_by_role("button", name="Next: the draft policy").click()
    wait_for_app(page)
    expect(main).to_contain_text(MARK)
    _no_remote_markup(page, "draft")

    ruleset = load_ruleset()
    header = template_header(ruleset, None, "text")
    blanks = [""] * (len(header) - 4)
    rows = [
        [f"r1 {PAYLOADS[0]}", PAYLOADS[1], "School district", "New Mexico", *blanks],
        [f"r2 {PAYLOADS[2]}", PAYLOADS[3], PAYLOADS[4], "CA", *blanks],
        ["r3", f"{PAYLOADS[0]}\n{PAYLOADS[1]}", "Church", PAYLOADS[1], *blanks],
    ]
    buf = io.StringIO()
    csv.writer(buf).writerows([[*header, PAYLOADS[2]], *[[*r, PAYLOADS[0]] for r in rows]])
    survey = tmp_path / "PWN![x](x.png).csv"
    survey.write_text(buf.getvalue(), encoding="utf-8")
    page.get_by_test_id("stSidebarNav").get_by_text("Batch").click()
    wait_for_app(page)
    main.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(survey))
    wait_for_app(page)
    expect(main).to_contain_text("3 rows")
    _no_remote_markup(page, "batch checks")
    main.get_by_role("button", name=re.compile(r"Evaluate 3 rows")).click()
    wait_for_app(page)
    expect(main.get_by_role("heading", name="Rows that could not be evaluated")).to_be_visible()
    expect(main.get_by_test_id("stTable").filter(has_text="![x](http")).not_to_have_count(0)
    _no_remote_markup(page, "batch results")
    text = main.inner_text()
    for internal in ("k12_school", "not_answered", "respondent_id", "error: "):
        assert internal not in text, internal
    screenshot(page, "issue22-payloads-batch")


def test_autosave_survives_a_reload_and_a_second_tab_never_empties_it(page, app_server):
    other = page.context.new_page()  # a tab opened before anything was saved
    other.goto(app_server)
    wait_for_app(other)
    _start(other)

    page.bring_to_front()  # a background tab's clicks can be lost (chromium gives focus to one tab)
    page.goto(app_server)
    wait_for_app(page)
    main = _main(page)
    _start(page)
    main.get_by_role("textbox", name="Institution name").fill("Riverside Library")
    main.get_by_role("textbox", name="Institution name").press("Enter")
    wait_for_app(page)
    _choose_type(page, "Library")
    _autosave_box(page).check(force=True)
    wait_for_app(page)
    main.get_by_role("button", name="Next section").click()
    wait_for_app(page)
    groups = main.get_by_test_id("stRadio")
    for i in range(2):
        radio = groups.nth(i).get_by_role("radio").first
        radio.click(force=True)  # each answer is written to the file before the rerun ends
        wait_for_app(page, stable_ms=300)
        expect(radio).to_be_checked()
    progress = main.get_by_test_id("stProgress")
    expect(progress).to_contain_text("2 of")
    answered = progress.inner_text()

    # The older tab ticks the box: it must offer the saved answers, not write its empty assessment.
    other.bring_to_front()
    other_main = _main(other)
    _autosave_box(other).check(force=True)
    wait_for_app(other)
    expect(other_main.get_by_text("You have saved answers on this computer.")).to_be_visible()
    other.close()
    page.bring_to_front()

    page.reload()  # a new session: the form starts empty
    wait_for_app(page)
    page.get_by_test_id("stSidebarNav").get_by_text("Self-assessment").click()
    wait_for_app(page)
    box = main.locator(".st-key-resume_box_assessment")
    expect(box).to_contain_text("Riverside Library: 2 answers")
    expect(_autosave_box(page)).to_be_checked()
    audit(page, "autosave-01-resume-offer")
    box.get_by_role("button", name="Resume your saved answers").click()
    wait_for_app(page)
    expect(main.get_by_test_id("stProgress")).to_have_text(answered)
    expect(main.get_by_role("textbox", name="Institution name")).to_have_count(0)  # back on the questions
    expect(main.get_by_test_id("stRadio").first.get_by_role("radio").first).to_be_checked()

    # Leave the shared data folder clean: unticking deletes the file.
    _autosave_box(page).uncheck(force=True)
    wait_for_app(page)
    page.reload()
    wait_for_app(page)
    expect(main.get_by_text("You have saved answers on this computer.")).to_have_count(0)


def _contrast(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    def luminance(rgb):
        channels = [c / 255 for c in rgb]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _rgb(css: str) -> tuple[float, float, float]:
    r, g, b = (float(x) for x in re.findall(r"[\d.]+", css)[:3])
    return r, g, b


OVERFLOW = """el => { const limit = Math.min(el.getBoundingClientRect().right, window.innerWidth) + 1; const out = [];
  for (const t of el.querySelectorAll('text, td, th, p, span, div')) { const r = t.getBoundingClientRect();
    if (r.width && r.right > limit) out.push([t.textContent.trim().slice(0, 40), Math.round(r.right)]); }
  return out.slice(0, 5); }"""


def test_on_a_phone_start_is_on_the_first_screen_focus_follows_and_nothing_is_clipped(page, app_server):
    page.context.add_init_script(NAV_WATCH)
    page.goto(app_server)  # 1280 px first: the sidebar is open, so its links can be watched from the first paint
    wait_for_app(page)
    titles = {"Start", "Self-assessment", "Review answers", "Results", "Draft policy", "Batch", "Coalition", "Rules"}
    shown = set(page.evaluate("[...window.__navTexts]"))
    assert shown and shown <= titles | {""}, f"the sidebar listed other names: {shown - titles}"

    page.set_viewport_size(PHONE)
    page.reload()
    wait_for_app(page)
    main = _main(page)
    start = main.get_by_role("button", name="Start a self-assessment")
    box = start.bounding_box()
    assert box and box["y"] + box["height"] <= PHONE["height"], f"Start is {box} down a {PHONE} screen"
    start.focus()  # the keyboard path to it is covered by test_users.py; here: where focus goes next
    page.keyboard.press("Enter")
    wait_for_app(page)
    focused = page.evaluate("document.activeElement && document.activeElement.closest('.st-key-section_heading')")
    assert focused is not None, "after Start, focus fell to " + page.evaluate("document.activeElement.tagName")
    # The first field is next (after its help button): no trip through the sidebar or the page header.
    assert tab_to(page, main.get_by_role("textbox", name="Institution name"), "Institution name", limit=2) <= 2

    _choose_type(page, "Library")
    main.get_by_role("button", name="Next section").click()
    wait_for_app(page)
    first = main.get_by_test_id("stRadio").first.get_by_role("radio").first
    # Focus is on the new section's heading; its first question is next.
    assert tab_to(page, main.get_by_test_id("stRadio").first.get_by_role("radio"), "first question", limit=1) == 1
    expect(first).to_be_focused()
    ring = first.evaluate(
        """el => { const label = el.closest('label'); const s = getComputedStyle(label);
        return [s.outlineStyle, parseFloat(s.outlineWidth), s.outlineColor,
                getComputedStyle(document.querySelector('[data-testid="stApp"]')).backgroundColor]; }"""
    )
    style, width, colour, background = ring
    assert style != "none" and width >= 2, f"faint focus mark: {ring}"
    assert _contrast(_rgb(colour), _rgb(background)) >= 3, f"focus ring contrast too low: {ring}"
    audit(page, "phone-01-assessment")

    page.goto(app_server)
    wait_for_app(page)
    main.get_by_role("button", name=re.compile("Open a sample school district")).click()
    wait_for_app(page)
    expect(main.get_by_role("heading", name="Your action plan")).to_be_visible()
    page.wait_for_timeout(500)  # charts draw after the script settles
    expect(page.locator(".st-key-scorecard")).to_be_hidden()
    expect(page.locator(".st-key-scorecard_cards")).to_be_visible()
    checked = 0
    for target in [page.locator(".st-key-scorecard_cards"), *main.get_by_test_id("stVegaLiteChart").all()]:
        target.scroll_into_view_if_needed()
        assert target.evaluate(OVERFLOW) == [], f"clipped at 390 px: {target.evaluate(OVERFLOW)}"
        checked += 1
    assert checked >= 2
    legend = main.get_by_test_id("stVegaLiteChart").first.locator("text", has_text="Not answered")
    expect(legend).to_have_count(1)
    audit(page, "phone-02-results")
