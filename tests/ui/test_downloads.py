"""The payloads behind the app's download buttons and the answers-file upload (AppTest cannot read bytes)."""

from __future__ import annotations

import io
import json
import re

import docx
import pytest

from engine import InputError, evaluate, parse_submission
from tests.ui.conftest import SAMPLES
from ui.downloads import (
    answers_yaml,
    draft_files,
    make_draft,
    pdf_files,
    read_answers_file,
    report_files,
    submission_document,
)
from ui.text import md_escape, slug

SAMPLE = SAMPLES / "k12_school_developing.yaml"


@pytest.fixture(scope="module")
def sample_report(ruleset):
    institution, answers = read_answers_file(ruleset, SAMPLE.name, SAMPLE.read_bytes())
    return evaluate(ruleset, parse_submission(ruleset, submission_document(institution, answers)))


def test_report_files_are_self_contained(sample_report):
    files = report_files(sample_report)
    html = files["html"].decode("utf-8")
    assert html.lstrip().lower().startswith("<!doctype html")
    # No resource the browser would fetch: no scripts, stylesheets, images or fonts from anywhere.
    assert not re.search(r"<(script|link|img|iframe)\b|@import|url\(", html, re.I)
    assert sample_report["institution"]["name"] in html
    assert json.loads(files["json"])["overall"]["level"] == sample_report["overall"]["level"]
    assert files["markdown"].decode("utf-8").startswith("# Sanctuary policy evaluation")


def test_answers_round_trip(ruleset):
    institution, answers = read_answers_file(ruleset, SAMPLE.name, SAMPLE.read_bytes())
    text = answers_yaml(institution, answers)
    again = read_answers_file(ruleset, "saved.yaml", text.encode("utf-8"))
    assert again == (institution, answers)
    as_json = json.dumps(submission_document(institution, answers)).encode("utf-8")
    assert read_answers_file(ruleset, "saved.json", as_json) == (institution, answers)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("x.yaml", b"\xff\xfe\x00binary", "not UTF-8 text"),
        ("x.yaml", b"institution: [unclosed", "malformed YAML"),
        ("x.json", b"{nope", "malformed JSON"),
        ("x.yaml", b"a: &a [1]\nb: *a\n", "alias *a is not allowed"),
        ("x.yaml", b"institution: {name: A, type: library}\ninstitution: {name: B, type: library}\n", "duplicate key"),
        ("x.yaml", b"- a list\n", "expected a mapping"),
        ("x.yaml", b"institution: {name: X, type: spaceship}\n", "unknown institution type"),
        ("x.yaml", b"institution: {name: X, type: k12_school}\nanswers: {xc_policy_form: maybe}\n", "not one of"),
    ],
)
def test_bad_answers_files_raise_one_line_input_errors(ruleset, name, data, message):
    with pytest.raises(InputError) as info:
        read_answers_file(ruleset, name, data)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_draft_files(ruleset, sample_report):
    files = draft_files(make_draft(ruleset, sample_report))
    document = docx.Document(io.BytesIO(files["docx"]))
    assert sample_report["institution"]["name"] in document.paragraphs[0].text
    assert files["markdown"].decode("utf-8").startswith("# Draft policy on immigration enforcement:")


def test_md_escape_neutralises_markdown_html_and_autolinks():
    hostile = "<img src=x onerror=alert(1)> ![t](http://198.51.100.7/t.png) :red[x] $x^2$ a@b.org www.x.org"
    escaped = md_escape(hostile)
    # Every Markdown/HTML special character is backslash-escaped (the input has no backslashes of its own).
    assert re.search(r"(?<!\\)[!<>\[\]():$^@*_`]", escaped) is None
    assert "://" not in escaped and "www." not in escaped and "a@b" not in escaped
    assert escaped.replace("\\", "").replace("\u200b", "") == hostile


def test_slug():
    assert slug("St. Brigid's Church / Main") == "st-brigid-s-church-main"
    assert slug("***") == "institution"


def test_pdf_downloads_are_the_brief_on_one_page_and_the_full_report(sample_report):
    from pypdf import PdfReader

    files = pdf_files(sample_report)
    brief = PdfReader(io.BytesIO(files["brief"]()))
    full = PdfReader(io.BytesIO(files["report"]()))
    assert len(brief.pages) == 1 and len(full.pages) > 1
    level = sample_report["overall"]["level"].capitalize()
    assert f"Level: {level}" in brief.pages[0].extract_text()


def test_a_loaded_answer_to_a_skipped_follow_up_is_kept_not_lost(ruleset):
    data = (
        b"institution: {name: X, type: k12_school}\n"
        b"answers: {sc_has_school_police: false, sc_school_police_enforcement_barred: true}\n"
    )
    _, answers = read_answers_file(ruleset, "x.yaml", data)
    assert answers == {"sc_has_school_police": False, "sc_school_police_enforcement_barred": True}
