"""Issue 22 item 3 and issue 23 item 4: user text is never Markdown, and a person never reads an internal id.

Every field a person or a file supplies (institution name typed or loaded, answers-file name and keys,
survey file name, header, respondent id, name, type, state and answer cells, the autosave file) carries
image, link, HTML and script payloads. Every string Streamlit parses as Markdown (text, captions,
headings, alerts, labels, help, expander labels, radio options and table cells) is then read back: no
payload may survive there as a link, an image, HTML or an autolink. The browser half (no request leaves
127.0.0.1 while the payloads are on screen) is tests/browser/test_plain_text.py.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import load_ruleset, template_header
from ui import autosave
from ui.batch_view import errors_view, id_words, levels_line, most_failed_view, plain_words, results_view
from ui.text import md_escape, open_questions

MARK = "PWN"
PAYLOADS = [
    f"{MARK}![x](http://198.51.100.7/pwn.png)",
    f"{MARK}[click here](http://phish.example/login)",
    f"{MARK}<img src=http://198.51.100.7/i.png onerror=alert(1)>",
    f"{MARK}<script>alert(1)</script>",
    f"{MARK} http://phish.example www.phish.example help@phish.example",
    f"{MARK} :red[x] $x^2$ <a href='http://phish.example'>y</a>",
]
NAME = " ".join(PAYLOADS)[:200]  # the name field takes 200 characters
# What Markdown would turn into a request or a link, once the escaped characters are set aside.
DANGEROUS = re.compile(r"!\[|\]\(|<[A-Za-z/!]|://|www\.|@|javascript:", re.I)


def _unescaped(text: str) -> str:
    """``text`` with every backslash-escaped character blanked (what Markdown reads literally)."""
    return re.sub(r"\\.", "_", text, flags=re.S)


def _markdown_strings(at) -> list[str]:
    """Every string on the page that Streamlit renders as Markdown."""
    out: list[str] = []
    for kind in ("markdown", "caption", "title", "header", "subheader", "error", "warning", "info", "success"):
        out += [str(e.value) for e in at.get(kind)]
    for kind in ("button", "checkbox", "toggle", "text_input", "number_input", "selectbox", "multiselect", "radio"):
        for widget in at.get(kind):
            out.append(str(getattr(widget, "label", "") or ""))
            out.append(str(getattr(widget, "help", "") or ""))
    out += [str(r) for radio in at.radio for r in radio.options]
    out += [str(e.label) for e in at.expander]
    for table in at.table:
        frame = table.value
        out += [str(c) for c in frame.columns]
        out += [str(v) for v in frame.to_numpy().ravel()]
    return out


def _assert_literal(at, where: str) -> int:
    """No payload renders as a link, image, HTML or autolink; returns how many payload strings were seen."""
    seen = 0
    for text in _markdown_strings(at):
        if MARK not in text.replace("\\", ""):
            continue
        seen += 1
        found = DANGEROUS.search(_unescaped(text))
        assert found is None, f"{where}: {found.group(0)!r} would be Markdown in {text[:300]!r}"
    return seen


def _plain_texts(at) -> str:
    return "\n".join(str(t.value) for t in at.text)


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv(autosave.DIR_ENV, str(tmp_path / "data"))
    return tmp_path / "data"


def test_md_escape_leaves_nothing_for_markdown_to_read():
    for payload in [*PAYLOADS, "a\n![b](http://x.example/i.png)", "line\r\n<img src=x>"]:
        assert DANGEROUS.search(_unescaped(md_escape(payload))) is None, payload


@given(st.text(max_size=80))
@settings(max_examples=300, deadline=None)
def test_md_escape_never_lets_an_image_link_or_tag_through(text):
    escaped = md_escape(text + "![i](http://x.example/a.png) <b>" + text)
    assert DANGEROUS.search(_unescaped(escaped)) is None
    assert "\n" not in escaped


def test_a_name_typed_with_payloads_is_plain_on_every_page(new_app):
    at = new_app()
    at.switch_page("app_pages/assessment.py").run()
    at.text_input(key="inst_name").set_value(NAME).run()
    at.multiselect(key="inst_types").set_value(["congregation"]).run()
    at.checkbox(key="autosave_on").check().run()
    assert not at.exception
    seen = _assert_literal(at, "assessment")
    for page in ("app_pages/review.py", "app_pages/results.py", "app_pages/draft.py"):
        at.switch_page(page).run()
        assert not at.exception, page
        seen += _assert_literal(at, page)
    assert seen >= 3, "the payload name was not shown at all: the test checked nothing"
    # A reload: the resume offer shows the saved name as plain text.
    again = new_app()
    assert MARK in _plain_texts(again)
    _assert_literal(again, "start page resume offer")
    again.switch_page("app_pages/assessment.py").run()
    assert MARK in _plain_texts(again)
    _assert_literal(again, "assessment resume offer")


def test_a_loaded_answers_file_with_payloads_is_plain(new_app):
    at = new_app()
    at.switch_page("app_pages/assessment.py").run()
    name = NAME.replace("'", "")
    good = f"institution: {{name: '{name}', type: library}}\nanswers: {{}}\n".encode()
    at.file_uploader(key="answers_file").set_value((f"{PAYLOADS[0]}.yaml", good, "application/x-yaml"))
    at.run()
    assert not at.exception
    assert _assert_literal(at, "loaded file notice") >= 1
    bad = f"institution: {{name: x, type: library}}\nanswers: {{'{PAYLOADS[1]}': yes}}\n".encode()
    at.file_uploader(key="answers_file").set_value((f"{PAYLOADS[2]}.yaml", bad, "application/x-yaml"))
    at.run()
    assert not at.exception and at.error, "a bad file gives a message"
    assert _assert_literal(at, "bad answers file") >= 1
    problem = at.error[0].value.replace("\\", "")
    assert "sanctuary questions" not in problem and "Self-assessment page" in problem


def _payload_survey() -> bytes:
    ruleset = load_ruleset()
    header = template_header(ruleset, None, "text")
    questions = header[4:]
    rows = [
        [f"r1 {PAYLOADS[0]}", f"{PAYLOADS[1]} school", "School district", "New Mexico", *["Yes"] * len(questions)],
        [f"r2 {PAYLOADS[2]}", f"{PAYLOADS[3]}", PAYLOADS[4], "CA", *["No"] * len(questions)],
        [f"r3 {PAYLOADS[5]}", f"{PAYLOADS[0]}\n{PAYLOADS[1]}", "Church", PAYLOADS[1], *[""] * len(questions)],
        ["r4", "Plain name", "Library", "NM", PAYLOADS[3], *[""] * (len(questions) - 1)],
    ]
    buf = io.StringIO()
    csv.writer(buf).writerows([[*header, PAYLOADS[2]], *[[*r, PAYLOADS[0]] for r in rows]])
    return buf.getvalue().encode("utf-8")


def test_a_survey_with_payloads_in_every_cell_is_plain_on_the_batch_page(new_app):
    at = new_app()
    at.switch_page("app_pages/batch.py").run()
    at.file_uploader(key="batch_csv").set_value((f"{PAYLOADS[1]}.csv", _payload_survey(), "text/csv"))
    at.run()
    assert not at.exception
    seen = _assert_literal(at, "batch checks")
    at.button(key="batch_run").click().run()
    assert not at.exception
    seen += _assert_literal(at, "batch results")
    at.text_input(key="batch_search").set_value(PAYLOADS[0]).run()
    assert not at.exception
    seen += _assert_literal(at, "batch search")
    assert seen >= 3, "no payload reached a Markdown element: the test checked nothing"


# --- no internal id on the Batch, Review and Results pages ---------------------------------------------------

RULESET = load_ruleset()
WORDS = id_words(RULESET)
# Internal ids a person should never read: snake_case and upper-case hyphenated ones. Ids that are plain
# words ("library", "pass") read as words and are left out.
INTERNAL = {i for i in WORDS if "_" in i or ("-" in i and i.upper() == i)}
INTERNAL_RE = re.compile(
    r"(?<![\w-])(" + "|".join(sorted(map(re.escape, INTERNAL), key=len, reverse=True)) + r")(?![\w-])"
)


def _ids_in(texts: list[str]) -> list[str]:
    return [m.group(0) for t in texts for m in INTERNAL_RE.finditer(t.replace("\\", ""))]


def _page_texts(at) -> list[str]:
    texts = _markdown_strings(at) + [str(t.value) for t in at.text]
    texts += [str(m.label) + " " + str(m.value) for m in at.metric]
    for frame in (d.value for d in at.dataframe):
        texts += [str(v) for v in frame.to_numpy().ravel()]
    for grid in at.dataframe:
        import json

        config = json.loads(grid.proto.columns or "{}")
        texts += [str(c.get("label", "")) + " " + str(c.get("help", "")) for c in config.values()]
    for select in at.multiselect:
        texts += [str(o) for o in select.options]
    return texts


def test_the_batch_page_shows_no_internal_id(new_app):
    at = new_app()
    at.switch_page("app_pages/batch.py").run()
    at.button(key="batch_sample").click().run()
    at.button(key="batch_run").click().run()
    assert not at.exception
    at.checkbox(key="batch_show_controls").check().run()
    texts = _page_texts(at)
    assert "Could not be evaluated" in " ".join(texts)
    assert _ids_in(texts) == []
    assert not any(re.search(r"\berror: \d", t) for t in texts)


def test_review_and_results_count_open_questions_the_same_way(new_app):
    at = new_app()
    at.switch_page("app_pages/assessment.py").run()
    answers = (
        b"institution: {name: Riverbend, type: local_government, state: WA, public: true}\n"
        b"answers: {xc_policy_limits_other_personal_data: true,\n"
        b"  xc_policy_has_1373_savings_clause: dont_know_ask_counsel}\n"
    )
    at.file_uploader(key="answers_file").set_value(("city.yaml", answers, "application/x-yaml"))
    at.run()
    at.switch_page("app_pages/review.py").run()
    review = " ".join(_page_texts(at))
    at.switch_page("app_pages/results.py").run()
    results = " ".join(_page_texts(at))
    report = at.session_state["report_cache"][1]
    blank, counsel = open_questions(report)
    assert counsel == 1 and blank == len(report["unanswered_questions"]) - 1
    sentence = f"{blank + counsel} questions are still open: {blank} not answered yet and 1 waiting"
    assert sentence in review.replace("\\", "") and sentence in results.replace("\\", "")
    assert _ids_in([review, results]) == []


# Survey cells: valid spellings, ids, junk and blanks, so rows both evaluate and fail.
_TYPE_CELLS = st.sampled_from(["School district", "k12_school", "Church", "library", "spaceship", "", "jail|library"])
_STATE_CELLS = st.sampled_from(["New Mexico", "CA", "tx", "Atlantis", ""])
_ANSWER_CELLS = st.sampled_from(["Yes", "No", "", "maybe", "sí"])


@given(
    st.lists(
        st.tuples(_TYPE_CELLS, _STATE_CELLS, st.lists(_ANSWER_CELLS, min_size=6, max_size=6)), min_size=1, max_size=6
    )
)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_batch_views_never_show_an_internal_id(rows):
    from engine import evaluate_survey, read_survey

    header = template_header(RULESET, None, "text")
    questions = header[4:10]
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([*header[:4], *questions])
    for i, (kind, state, cells) in enumerate(rows):
        writer.writerow([f"R{i}", f"Name {i}", kind, state, *cells])
    survey = read_survey(buf.getvalue().encode("utf-8"), RULESET, name="s.csv")
    result = evaluate_survey(RULESET, survey)
    texts = [levels_line(result.summary["overall"])]
    texts += [str(v) for v in results_view(result.results, RULESET).to_numpy().ravel()]
    texts += [str(v) for v in errors_view(result.results, RULESET).to_numpy().ravel()]
    texts += [str(v) for v in most_failed_view(result.summary["controls_most_failed"]).to_numpy().ravel()]
    texts += [plain_words(p, WORDS) for p in survey.problems]
    assert _ids_in(texts) == [], _ids_in(texts)
