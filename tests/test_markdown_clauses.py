"""The Markdown report shows recommended clauses as Markdown, with the institution's name escaped."""

from __future__ import annotations

from engine import evaluate, load_submission, render_report
from engine.report.formats.markdown import clause_markdown, escape


def test_clause_lines_keep_their_markdown_and_escape_only_the_name() -> None:
    name = "Evil *Corp* [click](http://example.invalid)"
    line = f"1. **Access.** {name} shall not admit agents; {name} logs every request."
    out = clause_markdown(line, name)
    assert out.startswith("1. **Access.** ")
    assert out.count(escape(name)) == 2
    assert "[click](http" not in out  # the name cannot become a link


def test_markdown_report_renders_clause_bold_headings(ruleset) -> None:
    submission = load_submission(ruleset, "sample_policies/answers/jail_weak.yaml")
    text = render_report(evaluate(ruleset, submission), "markdown")
    clause_lines = [line for line in text.splitlines() if line.startswith("> **")]
    assert clause_lines, "a recommended clause's bold heading should render as Markdown"
    assert "\\*\\*" not in "\n".join(clause_lines)
