"""Draft policy assembly (engine.report.drafting) and the `sanctuary draft` command (engine.cli.draft)."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_COLOR_INDEX

from engine import build_draft, draft_docx, draft_markdown, evaluate, load_submission, parse_submission
from engine.cli import main

ROOT = Path(__file__).resolve().parent.parent
K12_WEAK = ROOT / "sample_policies" / "answers" / "k12_school_weak.yaml"
HOSTILE_NAME = "St. *Mary's* <b>[x](http://198.51.100.7/a)</b>"


def _mini_report(mini_ruleset, name: str = HOSTILE_NAME):
    submission = parse_submission(
        mini_ruleset,
        {
            "institution": {"name": name, "type": "k12_school", "state": "CA", "public": True},
            "answers": {"q_policy": "statement", "q_published": False, "q_entry": "admitted", "q_has_police": True},
        },
    )
    return evaluate(mini_ruleset, submission, backend="oracle")


def test_one_section_per_clause_listing_every_control_it_addresses(mini_ruleset):
    report = _mini_report(mini_ruleset)
    draft = build_draft(mini_ruleset, report)
    gaps = {f["control"] for f in report["findings"] if f["outcome"] in ("partial", "fail")}
    clauses = [s.clause_id for s in draft.sections]
    assert len(clauses) == len(set(clauses))  # shared clauses appear once
    addressed = {c.id for s in draft.sections for c in s.controls} | {c.id for c in draft.without_clause}
    assert addressed == gaps
    assert any(len(s.controls) > 1 for s in draft.sections), "the mini fixture shares CL-A between two controls"
    passing = {f["control"] for f in report["findings"] if f["outcome"] == "pass"}
    assert not passing & addressed


def test_markdown_fills_in_escaped_name_and_lists_sources(mini_ruleset):
    draft = build_draft(mini_ruleset, _mini_report(mini_ruleset))
    text = draft_markdown(draft)
    assert "{institution}" not in text
    assert "St\\. \\*Mary's\\* \\<b\\>\\[x\\]\\(http\\://198" in text  # name shown literally, never as markup
    assert "](http://198.51.100.7/a)" not in text
    assert "## Sources" in text and "last verified" in text
    assert "not legal advice" in text


def test_docx_has_title_clauses_highlighted_placeholders_and_sources(mini_ruleset):
    draft = build_draft(mini_ruleset, _mini_report(mini_ruleset, "Maple Grove Elementary"))
    document = docx.Document(io.BytesIO(draft_docx(draft)))
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0] == "Draft policy on immigration enforcement: Maple Grove Elementary"
    assert any("Maple Grove Elementary adopts a written policy" in p for p in paragraphs)
    assert "Sources" in paragraphs and not any("{institution}" in p for p in paragraphs)
    highlighted = [
        r.text for p in document.paragraphs for r in p.runs if r.font.highlight_color == WD_COLOR_INDEX.YELLOW
    ]
    assert "[Designated official]" in highlighted


def test_real_rules_draft_for_a_weak_district(ruleset):
    report = evaluate(ruleset, load_submission(ruleset, K12_WEAK))
    draft = build_draft(ruleset, report)
    name = report["institution"]["name"]
    assert draft.sections and all(s.citations for s in draft.sections)
    document = docx.Document(io.BytesIO(draft_docx(draft)))
    body = "\n".join(p.text for p in document.paragraphs)
    assert name in body and "**" not in body  # Markdown emphasis became Word formatting
    assert [s.clause_id for s in draft.sections] == list(dict.fromkeys(s.clause_id for s in draft.sections))


def test_no_gaps_says_so(mini_ruleset):
    submission = parse_submission(
        mini_ruleset,
        {
            "institution": {"name": "Good School", "type": "k12_school"},
            "answers": {
                "q_policy": "written",
                "q_published": True,
                "q_entry": "refused",
                "q_has_police": False,
                "q_staff_trained": 2,
            },
        },
    )
    report = evaluate(mini_ruleset, submission, backend="oracle")
    draft = build_draft(mini_ruleset, report)
    assert not draft.sections
    assert "nothing to draft yet" in draft_markdown(draft)


@pytest.mark.parametrize("suffix", [".md", ".docx"])
def test_cli_writes_the_draft(tmp_path: Path, suffix: str, capsys):
    out = tmp_path / f"policy{suffix}"
    assert main(["draft", str(K12_WEAK), "-o", str(out)]) == 0
    if suffix == ".docx":
        assert zipfile.is_zipfile(out)
    else:
        assert out.read_text(encoding="utf-8").startswith("# Draft policy on immigration enforcement:")
    assert "written" in capsys.readouterr().out


def test_cli_rejects_bad_input_with_one_line(tmp_path: Path, capsys):
    assert main(["draft", str(K12_WEAK), "-o", str(tmp_path / "policy.pdf")]) == 2
    assert main(["draft", str(tmp_path / "missing.yaml"), "-o", str(tmp_path / "p.md")]) == 2
    errors = capsys.readouterr().err.strip().splitlines()
    assert len(errors) == 2 and ".md, .docx or .json" in errors[0] and "no such file" in errors[1]


def test_python_dash_m_cli_knows_the_draft_command():
    # `python -m engine.cli` runs the CLI as __main__, a second module object; the command must register there too.
    done = subprocess.run(
        [sys.executable, "-m", "engine.cli", "draft", str(K12_WEAK)], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("# Draft policy on immigration enforcement:")
