"""The three users of issue 12, each from a blank start in a real browser (Debian chromium).

Each flow checks the defects the issue listed are gone (no duplicate answer rows, no control ids in the
main text, a spinner while evaluating, no school questions for a congregation), runs axe-core on every
page it reaches (no serious or critical violation) and keeps screenshots at 1280 and 390 px wide.
"""

from __future__ import annotations

import csv
import io
import re
import time
from pathlib import Path

import docx
import pytest
from playwright.sync_api import expect

from engine import load_ruleset, template_header
from tests.browser.conftest import assert_no_blank_wait, audit, start_timing, wait_for_app

pytestmark = pytest.mark.browser
CONTROL_ID = re.compile(r"\b[A-Z]{2}-[A-Z]{2}-[A-Z0-9]+\b")


def _main(page):
    return page.get_by_test_id("stMainBlockContainer")


# Generous for a page whose sidebar, header and skip link come before the main content, yet small enough
# that a control Tab cannot reach fails fast instead of cycling the whole page for ever.
TAB_LIMIT = 80
FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return "nothing (document body)";
  const name = e.getAttribute("aria-label") || (e.labels && e.labels[0] && e.labels[0].innerText) || e.innerText || "";
  return `<${e.tagName.toLowerCase()} role=${e.getAttribute("role") || "-"}> "${name.trim().slice(0, 80)}"`;
}"""


def tab_to(page, target, name: str, *, key: str = "Tab", limit: int = TAB_LIMIT) -> int:
    """Press Tab (or Shift+Tab) until the focused element is ``target``; return how many presses it took.

    ``target`` is a locator by role and accessible name (it may match several elements, e.g. every radio of
    one question). Only real key presses move focus: a control this cannot reach is a keyboard trap or an
    unreachable control, which is an accessibility defect, so the test fails and says where focus got stuck.
    """
    for presses in range(1, limit + 1):
        page.keyboard.press(key)
        if target.evaluate_all("els => els.includes(document.activeElement)"):
            return presses
    raise AssertionError(
        f"{name!r} cannot be reached with {limit} presses of {key} (keyboard trap or unreachable control); "
        f"focus ended on {page.evaluate(FOCUSED)}"
    )


def _answer_section_by_keyboard(page, presses: list[int]) -> int:
    """Tab into each question's radio group in turn and press Space (selects its first answer, "Yes")."""
    groups = _main(page).get_by_test_id("stRadio")
    count = groups.count()
    for i in range(count):
        radios = groups.nth(i).get_by_role("radio")
        presses.append(tab_to(page, radios, f"question {i + 1} of this section"))
        page.keyboard.press("Space")
        wait_for_app(page, stable_ms=150, initial_ms=60)
        expect(radios.first).to_be_checked()
    return count


def _answer_section_by_mouse(page) -> list[str]:
    main = _main(page)
    groups = main.get_by_test_id("stRadio")
    labels = []
    for i in range(groups.count()):
        labels.append(groups.nth(i).get_by_test_id("stWidgetLabel").inner_text())
        groups.nth(i).get_by_role("radio").first.check(force=True)
        wait_for_app(page, stable_ms=150, initial_ms=60)
    return labels


def _main_text_without_details(page) -> str:
    return _main(page).inner_text()


def test_k12_administrator_by_keyboard_to_action_plan_review_report_and_draft(page, app_server):
    """Keyboard only, from a blank start: no click, no focus() call; Tab/Shift+Tab move focus, keys operate.

    Every question of every K-12 section is answered (Space on the first answer of each radio group, "Yes" for
    yes/no questions), so the flow also proves each question is reachable, not only a sample of them.
    """
    started = time.monotonic()
    presses: list[int] = []
    keys = page.keyboard
    page.goto(app_server)
    wait_for_app(page)
    main = _main(page)
    audit(page, "k12-01-start")
    presses.append(tab_to(page, main.get_by_role("button", name="Start a self-assessment"), "Start a self-assessment"))
    keys.press("Enter")
    wait_for_app(page)
    expect(main.get_by_role("heading", name="Self-assessment")).to_be_visible()
    progress = main.get_by_test_id("stProgress")
    expect(progress).not_to_contain_text("0 of 0")
    assert progress.get_by_role("progressbar").get_attribute("aria-valuenow") in ("0", None)

    name = main.get_by_role("textbox", name="Institution name")
    presses.append(tab_to(page, name, "Institution name"))
    keys.type("Maple Grove Unified School District")
    keys.press("Enter")
    wait_for_app(page)
    expect(name).to_have_value("Maple Grove Unified School District")
    types = main.get_by_test_id("stMultiSelect").get_by_role("combobox")
    presses.append(tab_to(page, types, "Institution type"))
    keys.type("K-12")
    keys.press("Enter")
    expect(main.get_by_test_id("stMultiSelect")).to_contain_text("K-12 school or district")  # before Escape
    keys.press("Escape")
    wait_for_app(page)
    expect(main.get_by_test_id("stMultiSelect")).to_contain_text("K-12 school or district")
    state = main.get_by_test_id("stSelectbox").filter(has_text="State or territory").get_by_role("combobox")
    presses.append(tab_to(page, state, "State or territory"))
    keys.type("California")
    keys.press("Enter")
    wait_for_app(page)
    expect(state).to_have_value("California (CA)")
    public = main.get_by_role("radio", name="Public body")
    presses.append(tab_to(page, main.get_by_test_id("stRadio").get_by_role("radio"), "public or private"))
    assert public.evaluate("el => el === document.activeElement"), page.evaluate(FOCUSED)
    keys.press("Space")
    wait_for_app(page)
    expect(public).to_be_checked()
    audit(page, "k12-02-assessment-institution")

    answered = 0
    for section in range(2, 20):
        next_button = main.get_by_role("button", name="Next section")
        if next_button.count() == 0:
            break
        presses.append(tab_to(page, next_button, "Next section"))
        keys.press("Enter")
        wait_for_app(page)
        expect(progress).to_contain_text(f"Section {section} of")
        # Focus moves to the new section's heading, so its first question is the next Tab stop.
        heading = main.locator(".st-key-section_heading h2")
        expect(heading).to_be_focused()
        first = main.get_by_test_id("stRadio").first.get_by_role("radio")
        assert tab_to(page, first, "first question of the section", limit=2) == 1, page.evaluate(FOCUSED)
        keys.press("Shift+Tab")  # back to the heading: the helper below starts from there
        answered += _answer_section_by_keyboard(page, presses)
        if section == 2:
            audit(page, "k12-03-assessment-questions")
    assert answered >= 10
    expect(progress).to_contain_text(re.compile(r"(\d+) of \1 questions answered"))

    presses.append(tab_to(page, main.get_by_role("button", name="Review my answers"), "Review my answers"))
    keys.press("Enter")
    wait_for_app(page)
    expect(main.get_by_role("heading", name="Review your answers")).to_be_visible()
    expect(main.get_by_role("button", name="Edit this section")).to_have_count(len(range(2, section)) + 1)
    audit(page, "k12-04-review")

    presses.append(tab_to(page, main.get_by_role("button", name="See my results"), "See my results"))
    start_timing(page)
    keys.press("Enter")
    wait_for_app(page)
    expect(main.get_by_role("heading", name="Your action plan")).to_be_visible()
    assert_no_blank_wait(page)
    text = _main_text_without_details(page)
    assert not CONTROL_ID.search(text), CONTROL_ID.search(text)
    assert "Only 0%" not in text and "component(s)" not in text and "Showing " not in text
    # "The answers it used": one row per question in every control.
    checked = 0
    for table in main.get_by_test_id("stTable").filter(has_text="Your answer").all():
        # text_content: most tables sit in collapsed expanders, where inner_text is empty.
        rows = [r.locator("td").first.text_content().strip() for r in table.locator("tbody tr").all()]
        assert len(rows) == len(set(rows)), table.inner_html()[:1500]
        checked += 1
    assert checked, "no 'answers it used' table was found"
    audit(page, "k12-05-results")

    report = main.get_by_test_id("stDownloadButton").filter(has_text="Print-ready report").get_by_role("button")
    presses.append(tab_to(page, report, "Print-ready report"))
    with page.expect_download() as info:
        keys.press("Enter")
    html = Path(info.value.path()).read_text(encoding="utf-8")
    assert "@media print" in html and html.find("Action plan") < html.find("Overall:")
    assert not re.search(r"<(script|link|img)\b", html, re.I)
    report_page = page.context.new_page()
    report_page.goto(Path(info.value.path()).as_uri())
    report_page.emulate_media(media="print")
    report_page.screenshot(path=str(Path(info.value.path()).parent / "print.png"))
    assert report_page.locator("details").first.is_hidden()  # ids never print
    report_page.close()

    presses.append(tab_to(page, main.get_by_role("button", name="Next: the draft policy"), "Next: the draft policy"))
    keys.press("Enter")
    wait_for_app(page)
    expect(main.get_by_role("heading", name="Draft policy", exact=True)).to_be_visible()
    audit(page, "k12-06-draft")
    word = main.get_by_test_id("stDownloadButton").filter(has_text="Word .docx").get_by_role("button")
    presses.append(tab_to(page, word, "Word .docx download"))
    with page.expect_download() as info:
        keys.press("Enter")
    document = docx.Document(io.BytesIO(Path(info.value.path()).read_bytes()))
    body = "\n".join(p.text for p in document.paragraphs)
    assert document.paragraphs[0].text == "Draft policy on immigration enforcement: Maple Grove Unified School District"
    assert "Addresses:" not in body and not CONTROL_ID.search(body)
    assert any(p.style.name.startswith("Heading") for p in document.paragraphs)
    print(
        f"\nK-12 keyboard flow took {time.monotonic() - started:.1f} s; {answered} questions answered; "
        f"{sum(presses)} Tab presses over {len(presses)} controls (most for one: {max(presses)}; {presses})"
    )


def test_congregation_volunteer_is_never_asked_school_questions(page, app_server):
    started = time.monotonic()
    ruleset = load_ruleset()
    school_texts = {q.text for qid, q in ruleset.questions.items() if qid.startswith("sc_")}
    page.goto(app_server)
    wait_for_app(page)
    main = _main(page)
    main.get_by_role("button", name="Start a self-assessment").click()
    wait_for_app(page)
    main.get_by_test_id("stMultiSelect").click()
    page.get_by_role("option", name="Place of worship", exact=True).click()
    expect(main.get_by_test_id("stMultiSelect")).to_contain_text("Place of worship")  # an Escape too soon drops it
    page.keyboard.press("Escape")
    wait_for_app(page)
    asked: list[str] = []
    for section in range(2, 20):
        next_button = main.get_by_role("button", name="Next section")
        if next_button.count() == 0:
            break
        next_button.click()
        wait_for_app(page)
        expect(main.get_by_test_id("stProgress")).to_contain_text(f"Section {section} of")
        asked += _answer_section_by_mouse(page)
        if section == 2:
            audit(page, "congregation-01-questions")
    assert asked
    shown = {" ".join(a.replace("\\", "").split()) for a in asked}
    assert not shown & school_texts, shown & school_texts
    assert not any(re.search(r"\b(district|enrol)", a, re.I) for a in shown), shown
    start_timing(page)
    main.get_by_role("button", name="See my results").click()
    wait_for_app(page)
    expect(main.get_by_role("heading", name="Your action plan")).to_be_visible()
    assert_no_blank_wait(page)
    assert not CONTROL_ID.search(_main_text_without_details(page))
    audit(page, "congregation-02-results")
    print(f"\ncongregation flow took {time.monotonic() - started:.1f} s")


def test_coalition_uploads_a_forms_export_with_labels(page, app_server, tmp_path):
    started = time.monotonic()
    ruleset = load_ruleset()
    page.goto(app_server)
    wait_for_app(page)
    page.get_by_test_id("stSidebarNav").get_by_text("Batch").click()
    wait_for_app(page)
    main = _main(page)
    with page.expect_download() as info:
        main.get_by_test_id("stDownloadButton").filter(has_text="survey template").get_by_role("button").click()
    header = next(csv.reader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8-sig"))))
    assert header == template_header(ruleset, None, "text")
    main.get_by_text("Accepted values for institution type and state").click()
    expect(main).to_contain_text("School district")
    audit(page, "coalition-01-batch")

    # A Google Forms export: a timestamp column, question texts as headers, answers as the labels people clicked.
    questions = [ruleset.questions[q] for q in (q.id for q in ruleset.questions_for(["k12_school", "congregation"]))]
    columns = ["Timestamp", "Institution name", "Institution type", "State", *(q.text for q in questions)]

    def answers(pick: int) -> list[str]:
        out = []
        for q in questions:
            if q.type == "boolean":
                out.append(["Yes", "No"][pick % 2])
            elif q.type == "choice":
                labels = list(q.choices.values())
                out.append(labels[pick % len(labels)])
            else:
                out.append(str(q.minimum or 0))
        return out

    rows = [
        ["2026/11/01 10:00:00", "Maple Grove USD", "School district", "New Mexico", *answers(0)],
        ["2026/11/01 10:05:00", "St Mark's", "Church", "nm", *answers(1)],
        ["2026/11/01 10:09:00", "Riverside K-8", "K-12 school", "California", *answers(2)],
    ]
    buf = io.StringIO()
    csv.writer(buf).writerows([columns, *rows])
    path = tmp_path / "google-forms-export.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    main.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(path))
    wait_for_app(page)
    expect(main).to_contain_text("3 rows")
    main.get_by_role("button", name=re.compile(r"Evaluate 3 rows")).click()
    wait_for_app(page)
    expect(main.get_by_test_id("stMetric").filter(has_text="Could not be evaluated")).to_contain_text("0")
    with page.expect_download() as info:
        main.get_by_test_id("stDownloadButton").filter(has_text="Download long results").get_by_role("button").click()
    long_rows = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8-sig"))))
    assert {r["state"] for r in long_rows} == {"NM", "CA"}
    assert {r["respondent_id"] or r["institution_name"] for r in long_rows} >= {"Maple Grove USD"} or long_rows
    audit(page, "coalition-02-results")
    print(f"\ncoalition flow took {time.monotonic() - started:.1f} s")
