"""AppTest for issue 12: action plan first, details toggle, review page, autosave, batch template."""

from __future__ import annotations

import re

import pytest

CONTROL_ID = re.compile(r"\b[A-Z]{2}-[A-Z]{2}-[A-Z0-9]+\b")


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    """Autosave writes into a throw-away folder, never the tester's own data directory."""
    monkeypatch.setenv("SANCTUARY_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def _texts(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [e.label for e in at.expander]
    parts += [e.value for kind in ("error", "warning", "info", "success") for e in at.get(kind)]
    return "\n".join(parts).replace("\\", "")  # md_escape's backslashes would hide ids from the pattern


def _open_sample(at, stem: str = "k12_school_weak"):
    at.selectbox(key="sample_choice").set_value(stem).run()
    at.button(key="sample_open").click().run()
    assert not at.exception


def test_results_open_with_the_action_plan_and_no_ids_until_details(new_app):
    at = new_app()
    _open_sample(at)
    assert at.header[0].value == "Your action plan"
    assert at.get_by_key("plan_step_1") is not None
    text = _texts(at)
    assert "The change that closes it" in text
    assert not CONTROL_ID.search(text), CONTROL_ID.search(text)
    assert at.button(key="to_draft").proto.type == "primary"
    at.toggle(key="show_details").set_value(True).run()
    assert CONTROL_ID.search(_texts(at))


def test_answers_used_list_each_question_once(new_app):
    at = new_app()
    _open_sample(at, "k12_school_developing")
    assert at.table, "answers are shown in wrapping tables"
    for table in at.table:
        frame = table.value
        if "Question" in frame.columns:
            assert not frame["Question"].duplicated().any(), list(frame["Question"])


def test_headlines_have_no_broken_grammar(new_app):
    at = new_app()
    for stem in ("k12_school_weak", "congregation_strong", "library_developing"):
        at.switch_page("app_pages/start.py").run()
        _open_sample(at, stem)
        text = _texts(at) + "\n" + "\n".join(map(str, at.get_by_key("scorecard").table[0].value["Why"]))
        assert not re.search(r"Only 0%|All 1 \\w|\\b1 are\\b|\\(s\\)|Showing \\d+ of \\d+ controls", text), text


def test_progress_is_empty_before_a_type_is_chosen(new_app):
    at = new_app()
    at.switch_page("app_pages/assessment.py").run()
    assert at.progress[0].value == 0
    assert "0 of 0" not in at.progress[0].text


def test_start_button_is_primary_and_opens_the_assessment(new_app):
    at = new_app()
    button = at.button(key="start_assessment")
    assert button.proto.type == "primary"
    button.click().run()
    assert at.title[0].value == "Self-assessment"


def test_review_page_lists_every_answer_by_section_with_edit_links(new_app):
    at = new_app()
    _open_sample(at, "k12_school_developing")
    at.switch_page("app_pages/review.py").run()
    assert not at.exception
    assert at.title[0].value == "Review your answers"
    subheaders = [s.value for s in at.subheader]
    assert subheaders[0] == "1. Your institution" and len(subheaders) >= 4
    answers = at.session_state["answers"]
    assert str(len(answers)) in at.markdown[0].value
    at.button(key="edit_confidentiality").click().run()
    assert at.title[0].value == "Self-assessment"
    assert "Confidentiality" in at.progress[0].text


def test_autosave_is_opt_in_and_resumes_after_a_new_session(new_app, data_dir):
    at = new_app()
    at.switch_page("app_pages/assessment.py").run()
    at.text_input(key="inst_name").set_value("Maple Grove Elementary").run()
    at.multiselect(key="inst_types").set_value(["k12_school"]).run()
    assert not (data_dir / "autosave.yaml").exists(), "nothing is written before the person opts in"
    at.checkbox(key="autosave_on").check().run()
    assert (data_dir / "autosave.yaml").exists()
    at.button(key="nav_next").click().run()
    first = next(r for r in at.radio if r.key.startswith("ans__") and r.options[:2] == ["Yes", "No"])
    first.set_value("yes").run()
    assert first.key.removeprefix("ans__") in (data_dir / "autosave.yaml").read_text()

    again = new_app()  # a reload: a new session with empty state
    assert "You have saved answers" in _texts(again)
    assert "Maple Grove Elementary" in "\n".join(t.value for t in again.text)  # the name is plain text
    again.button(key="resume_autosave").click().run()
    assert again.title[0].value == "Self-assessment"
    assert again.session_state["institution"]["name"] == "Maple Grove Elementary"
    assert first.key.removeprefix("ans__") in again.session_state["answers"]

    again.checkbox(key="autosave_on").uncheck().run()
    assert not (data_dir / "autosave.yaml").exists(), "unticking deletes the file"


def test_autosave_can_be_deleted_from_the_start_page(new_app, data_dir):
    from ui import autosave

    autosave.save({"name": "X", "types": ["library"], "state": None, "public": None}, {}, 0)
    at = new_app()
    assert "You have saved answers" in _texts(at)
    at.button(key="delete_autosave").click().run()
    assert not (data_dir / "autosave.yaml").exists()
    assert "You have saved answers" not in _texts(at)


def test_batch_page_offers_template_values_and_long_results(new_app):
    at = new_app()
    at.switch_page("app_pages/batch.py").run()
    labels = {b.label for b in at.download_button}
    assert "Download a blank survey template (CSV)" in labels
    spellings = at.table[0].value
    row = spellings[spellings["Type"] == r"K\-12 school or district"].iloc[0]  # st.table cells are escaped
    assert "School district" in row["Also accepted"]
    assert "New Mexico (NM)" in _texts(at)
    survey = (
        b"Respondent ID,Institution name,Institution type,State,Is there a written policy?\n"
        b"r1,A,School district,New Mexico,yes\nr2,B,Church,nm,no\n"
    )
    at.file_uploader(key="batch_csv").set_value(("forms.csv", survey, "text/csv"))
    at.run()
    at.button(key="batch_run").click().run()
    assert not at.exception
    results = at.get_by_key("batch_results").dataframe[0].value
    assert list(results["error"]) == ["", ""], list(results["error"])
    assert list(results["state"]) == ["NM", "NM"]
    assert at.download_button(key="dl_batch_long").label == "Download long results (CSV)"


def test_a_congregation_scorecard_leaves_out_what_does_not_apply_and_says_so(new_app):
    """Issue 23: "Bright line — does not apply, 0 of 0" read as a score; it is left out and said in words."""
    at = new_app()
    _open_sample(at, "congregation_strong")
    scorecard = at.get_by_key("scorecard").table[0].value
    assert "Bright line" not in list(scorecard["Component"])
    assert not scorecard["Decided"].eq("0 of 0").any()
    assert "Bright line and Equal access do not apply to this type of institution, so they are not scored." in _texts(
        at
    )


def test_the_level_shows_its_bound_and_what_limits_it_one_sentence_each(new_app):
    at = new_app()
    _open_sample(at, "local_government_developing")
    text = _texts(at)
    assert "What limits the level:" in text
    # one plain sentence pair per cap, never two caps run together in jargon
    assert "core control" not in text.split("What limits the level:")[1].split("Most important first")[0]
    assert "0 at most partial" not in text
