"""User text in reports, drafts and terminal messages (issue 22, items 3 and 9).

A name holding a line break injected raw ``<img>`` and links into the Markdown report (escaping works within one
line only); raw CR and terminal escapes reached the terminal through messages quoting a path or a header.
"""

from __future__ import annotations

import re
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.cli import main
from engine.report.formats.markdown import escape
from tests.conftest import MINI_RULES
from tests.malformed import answers_cases, survey_cases

MINI = str(MINI_RULES)
HOSTILE = (
    "Riverside\\n<img src=http://198.51.100.7/x.png>\\n[click](https://198.51.100.7/a)\\n=====\\n# Heading\\r\\n| a |"
)


def _hostile_answers(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text(answers_cases._inst(name=f'"{HOSTILE}"'), encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", ["markdown", "html", "text"])
def test_a_name_with_line_breaks_stays_one_escaped_line(fmt, tmp_path, capsys):
    out = tmp_path / f"report.{fmt}"
    assert main(["--rules", MINI, "evaluate", str(_hostile_answers(tmp_path)), "--format", fmt, "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    for line in text.splitlines():
        assert not line.lstrip().startswith(("<img", "[click", "=====", "# Heading", "| a |")), line
    if fmt == "html":
        assert "<img" not in text and "&lt;img" in text
    if fmt == "markdown":
        assert not re.search(r"(?<!\\)<img", text) and "\\<img" in text
        # No link to the name's address, and no bare URL a viewer would autolink (sources keep their own links).
        assert "](https://198" not in text and "http://198" not in text
    if fmt == "text":
        assert "Riverside <img src=http://198.51.100.7/x.png> [click]" in text  # shown as written, one line


def test_a_hostile_name_in_a_draft_stays_text(tmp_path, capsys):
    answers = _hostile_answers(tmp_path)
    md, docx = tmp_path / "draft.md", tmp_path / "draft.docx"
    assert main(["--rules", MINI, "draft", str(answers), "-o", str(md)]) == 0
    assert main(["--rules", MINI, "draft", str(answers), "-o", str(docx)]) == 0
    assert not any(line.startswith(("<img", "[click", "=====")) for line in md.read_text(encoding="utf-8").splitlines())
    with zipfile.ZipFile(docx) as archive:
        body = archive.read("word/document.xml").decode("utf-8")
    assert "&lt;img src=http://198.51.100.7/x.png&gt;" in body  # text in Word, never markup


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_escaped_markdown_never_starts_a_line_or_a_link(text):
    escaped = escape(text)
    assert not re.search(r"[\r\n\u2028\u2029\x85\v\f]", escaped)
    assert not re.search(r"(?<!\\)\[", escaped) and not re.search(r"(?<!\\)<", escaped)
    assert not re.search(r"(?i)\bhttps?://", escaped)


def test_messages_never_send_a_raw_cr_or_escape_to_the_terminal(tmp_path, capsys):
    missing = tmp_path / "a\rb\x1b[2J.yaml"
    assert main(["--rules", MINI, "evaluate", str(missing)]) == 2
    err = capsys.readouterr().err
    assert "\r" not in err and "\x1b" not in err and "a\\rb\\x1b[2J.yaml" in err
    survey = tmp_path / "s.csv"
    header = [*survey_cases.HEADER, "Extra\rcolumn\x1b[31m"]
    survey.write_text(survey_cases.table([[*r, ""] for r in survey_cases.GOOD_ROWS], header=header), encoding="utf-8")
    assert main(["--rules", MINI, "batch", str(survey), "-o", str(tmp_path / "r.csv"), "-q"]) == 0
    err = capsys.readouterr().err
    assert "ignored 1 column(s)" in err and "\r" not in err and "\x1b" not in err


def test_look_alike_letters_are_named_in_the_message(tmp_path, capsys):
    path = tmp_path / "a.yaml"
    path.write_text(answers_cases._answer("q_policy", "wr\u0456tten"), encoding="utf-8")
    assert main(["--rules", MINI, "evaluate", str(path)]) == 2
    assert "'wrіtten' (U+0456 CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I)" in capsys.readouterr().err
