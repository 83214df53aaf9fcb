"""The one-page brief (Markdown, HTML, PDF) and the full report as PDF, checked by reading them back."""

from __future__ import annotations

import copy
import io
import re
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from engine import evaluate, load_ruleset, load_submission
from engine.cli.main import main
from engine.report.formats import output_format, render, render_output
from engine.report.formats.brief import brief
from engine.report.formats.pdf import brief_pdf, report_pdf

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "sample_policies" / "answers").glob("*.yaml"))
RULESET = load_ruleset()
LEVELS = {"strong": "Strong", "developing": "Developing", "weak": "Weak", "incomplete": "Incomplete"}


@cache
def _report(path: Path) -> dict[str, Any]:
    return evaluate(RULESET, load_submission(RULESET, path))


def _pdf_text(data: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(data))
    return len(reader.pages), " ".join(" ".join(p.extract_text().split()) for p in reader.pages)


def _words(text: str, n: int = 6) -> str:
    return " ".join(text.split()[:n])


@pytest.mark.parametrize("sample", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_the_brief_is_one_page_with_the_level_and_the_first_step(sample: Path) -> None:
    report = _report(sample)
    level = LEVELS[report["overall"]["level"]]
    b = brief(report)
    markdown = render(report, "brief")
    assert len(markdown.splitlines()) <= 70
    assert f"**Level: {level}" in markdown
    pages, text = _pdf_text(brief_pdf(report))
    assert pages == 1, f"{sample.name}: the brief runs to {pages} pages"
    assert f"Level: {level}" in text
    if report["action_plan"]["steps"]:
        assert b.steps and _words(b.steps[0].action) in text
        assert "1. " in markdown
    assert "Questions for counsel" in text and "State law" in text


def test_the_brief_lists_at_most_five_steps_and_says_how_many_more():
    report = _report(ROOT / "sample_policies" / "answers" / "jail_weak.yaml")
    steps = report["action_plan"]["steps"]
    assert len(steps) > 5
    markdown = render(report, "brief")
    assert re.search(r"^5\. ", markdown, re.M) and not re.search(r"^6\. ", markdown, re.M)
    assert f"{len(steps) - 5} more steps are in the full report" in markdown


def _hand_built() -> dict[str, Any]:
    """A report with the parts other branches add: a level range, a state-law note and blocked steps."""
    report = copy.deepcopy(_report(ROOT / "sample_policies" / "answers" / "k12_school_developing.yaml"))
    report["overall"]["range"] = {"lowest": "weak", "highest": "developing"}
    report["overall"]["bound"] = None
    report["state_law"] = {
        "state": "TX",
        "name": "Texas",
        "researched": True,
        "researched_on": "2026-12-01",
        "note": "Texas SB 4 requires police to honour detainers; the steps below say where it stands in the way.",
    }
    report["action_plan"]["state_law_steps"] = [
        {"title": "No detainer holds", "laws": [{"id": "TX-SB4-DETAINERS", "title": "Texas SB 4"}]}
    ]
    report["ask_counsel"] = [{"question": "q", "text": "Does the 1373 savings clause cover our forms?"}]
    return report


def test_the_brief_shows_a_level_range_the_state_law_note_and_the_steps_state_law_blocks():
    report = _hand_built()
    for text in (render(report, "brief"), render(report, "brief-html"), _pdf_text(brief_pdf(report))[1]):
        plain = text.replace("\\", "")
        assert "Level: Weak to Developing" in plain
        assert "Texas SB 4 requires police to honour detainers" in plain
        assert "State law stands in the way of: No detainer holds" in plain
        assert "Does the 1373 savings clause cover our forms?" in plain
    report["overall"]["range"] = None
    report["overall"]["bound"] = "at_least"
    assert "Level: At least" in render(report, "brief")


def test_the_html_brief_is_self_contained_and_sized_for_one_printed_page():
    html = render(_hand_built(), "brief-html")
    assert "@page{size:letter" in html and "<script" not in html
    assert not re.search(r"(src|href)=|url\(|@import", html), "no external resources"


def test_pdf_text_keeps_curly_quotes_accents_and_breaks_long_words():
    report = copy.deepcopy(_report(ROOT / "sample_policies" / "answers" / "k12_school_nm_developing.yaml"))
    long_word = "Supercalifragilistic" * 12
    name = f"Escuela “Sí” de Nuevo México {long_word}"
    # The title reads the report's institution_label (name, type and state in words), so both carry the new name.
    report["institution_label"] = report["institution_label"].replace(report["institution"]["name"], name)
    report["institution"]["name"] = name
    for data in (brief_pdf(report), report_pdf(report)):
        _, text = _pdf_text(data)
        assert "“Sí”" in text and "Nuevo México" in text
        assert text.replace(" ", "").count(long_word) >= 1, "the long word is all there, broken across lines"


def test_the_full_report_pdf_has_the_level_the_first_step_and_every_component():
    report = _report(ROOT / "sample_policies" / "answers" / "k12_school_weak.yaml")
    pages, text = _pdf_text(report_pdf(report))
    assert pages > 3
    assert "Overall: Weak" in text
    assert _words(report["action_plan"]["steps"][0]["title"]) in text
    for component in report["components"]:
        if component["outcome"] != "not_applicable":
            assert component["title"] in text


def test_output_format_follows_the_suffix_unless_a_format_is_given():
    assert output_format(None, "report.pdf") == "pdf"
    assert output_format(None, "r.HTML") == "html"
    assert output_format(None, None) == "text"
    assert output_format("brief", "b.pdf") == "brief-pdf"
    assert output_format("brief", "b.html") == "brief-html"
    assert output_format("brief", None) == "brief"
    assert output_format("json", "x.pdf") == "json"
    assert isinstance(render_output(_hand_built(), "brief-pdf"), bytes)


def test_sanctuary_evaluate_writes_pdfs_chosen_by_suffix_or_format(tmp_path):
    sample = str(ROOT / "sample_policies" / "answers" / "congregation_weak.yaml")
    full, one = tmp_path / "report.pdf", tmp_path / "brief.pdf"
    assert main(["evaluate", sample, "-o", str(full)]) == 0
    assert main(["evaluate", sample, "--format", "brief", "-o", str(one)]) == 0
    assert full.read_bytes().startswith(b"%PDF") and _pdf_text(full.read_bytes())[0] > 1
    assert _pdf_text(one.read_bytes())[0] == 1
    piped = subprocess.run(
        [sys.executable, "-m", "engine.cli", "evaluate", sample, "--format", "brief-pdf"],
        capture_output=True,
        check=True,
        cwd=ROOT,
    )
    assert piped.stdout.startswith(b"%PDF") and _pdf_text(piped.stdout)[0] == 1


def test_the_fonts_travel_in_the_wheel():
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    fonts = ROOT / "engine" / "report" / "fonts"
    assert {p.name for p in fonts.iterdir()} == {"DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "LICENSE-DejaVu.txt"}
    assert {"fonts/*.ttf", "fonts/*.txt"} <= set(config["engine.report"])
