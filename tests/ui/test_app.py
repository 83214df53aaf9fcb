"""AppTest for every page, widgets found by key. Download bytes are checked in test_downloads.py."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import yaml

from engine import load_ruleset
from tests.ui.conftest import SAMPLES

K12_SAMPLE = SAMPLES / "k12_school_developing.yaml"


def _texts(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for kind in ("error", "warning", "info", "success") for e in at.get(kind)]
    return "\n".join(parts)


def test_start_page_explains_disclaimer_and_privacy(new_app):
    at = new_app()
    assert not at.exception
    assert at.title[0].value == "Sanctuary Policy Evaluator"
    text = _texts(at)
    assert "not legal advice" in text
    assert "Everything stays on this computer" in text
    assert at.button(key="sample_featured").label.startswith("Open a sample school district")


def test_open_sample_shows_results_with_scorecard_and_downloads(new_app):
    at = new_app()
    at.button(key="sample_featured").click().run()
    assert not at.exception
    assert at.title[0].value == "Results"
    assert at.metric[0].label == "Overall level"
    assert at.metric[0].value in {"Strong", "Developing", "Weak", "Incomplete"}
    scorecard = at.get_by_key("scorecard").table[0].value
    assert list(scorecard["Component"])[:2] == ["Bright line", "Confidentiality"]
    assert scorecard["Outcome"].str.contains(r"Pass|Partial|Fail|Not answered|Does not apply").all()
    labels = {key: at.download_button(key=key).label for key in ("dl_html", "dl_markdown", "dl_json")}
    assert labels == {
        "dl_html": "Print-ready report (HTML)",
        "dl_markdown": "Download report (Markdown)",
        "dl_json": "Download report (JSON)",
    }
    # Every shown control has an expander whose label names its outcome in words.
    controls = [e for e in at.expander if " — " in e.label]  # the plan's clause expanders are not controls
    assert controls and all(any(w in e.label for w in ("Pass", "Partial", "Fail", "Not answered")) for e in controls)
    assert not at.code, "clauses are readable text, not monospace code"
    assert any(b.label == "Download this clause (text)" for b in at.download_button)


def test_results_filter_by_outcome_and_component(new_app):
    at = new_app()
    at.button(key="sample_featured").click().run()

    def controls():
        return [e for e in at.expander if " — " in e.label]

    total = len(controls())
    at.multiselect(key="filter_outcome").set_value(["pass"]).run()
    assert not at.exception
    assert 0 < len(controls()) < total
    assert all("Pass" in e.label for e in controls())
    at.multiselect(key="filter_outcome").set_value(["pass", "partial", "fail", "not_answered"]).run()
    at.multiselect(key="filter_component").set_value(["accountability"]).run()
    assert controls() and len(controls()) < total


def test_flags_are_shown_apart_from_verdicts(new_app):
    at = new_app()
    at.selectbox(key="sample_choice").set_value("k12_school_weak").run()
    at.button(key="sample_open").click().run()
    assert not at.exception
    headers = [h.value for h in at.header]
    assert headers.index("Your action plan") < headers.index("Legal risks and notes") < headers.index("Every control")
    assert any(w.value.startswith("**Legal risk:**") for w in at.warning) or any(
        i.value.startswith("**Note:**") for i in at.info
    )


def test_assessment_answers_survive_pages_and_sections(new_app):
    at = new_app()
    at.switch_page("app_pages/assessment.py").run()
    assert at.title[0].value == "Self-assessment"
    assert at.button(key="nav_next").disabled  # no type chosen yet
    at.text_input(key="inst_name").set_value("Maple Grove Elementary").run()
    at.multiselect(key="inst_types").set_value(["k12_school"]).run()
    at.selectbox(key="inst_state").set_value("CA").run()
    at.radio(key="inst_public").set_value("public").run()
    at.button(key="nav_next").click().run()
    assert not at.exception
    assert at.progress[0].text.startswith("Section 2 of")
    first = next(r for r in at.radio if r.key.startswith("ans__") and r.options[:2] == ["Yes", "No"])
    assert first.value is None  # nothing pre-selected
    first.set_value("yes").run()
    qid = first.key.removeprefix("ans__")
    assert at.session_state["answers"][qid] is True
    # Leave for another page and come back: the answer and the institution are still there.
    at.switch_page("app_pages/rules.py").run()
    at.switch_page("app_pages/assessment.py").run()
    assert at.session_state["institution"]["name"] == "Maple Grove Elementary"
    assert at.radio(key=first.key).value == "yes"
    assert at.progress[0].text.startswith("Section 2 of")
    at.button(key="nav_prev").click().run()
    assert at.text_input(key="inst_name").value == "Maple Grove Elementary"
    assert at.multiselect(key="inst_types").value == ["k12_school"]
    at.button(key="nav_results").click().run()
    assert at.title[0].value == "Results" and not at.exception


def test_load_answers_file_and_bad_file(new_app):
    at = new_app()
    at.switch_page("app_pages/assessment.py").run()
    at.file_uploader(key="answers_file").set_value(("district.yaml", K12_SAMPLE.read_bytes(), "application/x-yaml"))
    at.run()
    assert not at.exception
    expected = yaml.safe_load(K12_SAMPLE.read_text(encoding="utf-8"))
    assert at.session_state["institution"]["name"] == expected["institution"]["name"]
    assert len(at.session_state["answers"]) == len([v for v in expected["answers"].values() if v is not None])
    assert at.text_input(key="inst_name").value == expected["institution"]["name"]
    assert at.download_button(key="save_answers").label == "Save answers (YAML)"

    at.file_uploader(key="answers_file").set_value(("broken.yaml", b"institution: [unclosed", "application/x-yaml"))
    at.run()
    assert not at.exception
    assert any("could not be loaded" in e.value and "broken" in e.value for e in at.error)
    # The earlier answers are kept when a bad file is offered.
    assert at.session_state["institution"]["name"] == expected["institution"]["name"]

    bad_answer = b"institution: {name: X, type: k12_school}\nanswers: {no_such_question: yes}\n"
    at.file_uploader(key="answers_file").set_value(("typo.yaml", bad_answer, "application/x-yaml"))
    at.run()
    assert not at.exception
    assert any("no\\_such\\_question" in e.value for e in at.error)

    # An explicit YAML tag on a key once raised a bare TypeError inside the reader: a traceback on the page.
    tagged = b"institution: {name: X, type: k12_school}\nanswers: {!!seq sc_staff_trained: yes}\n"
    at.file_uploader(key="answers_file").set_value(("tagged.yaml", tagged, "application/x-yaml"))
    at.run()
    assert not at.exception
    assert any("could not be loaded" in e.value and "plain text" in e.value for e in at.error)


def test_draft_page_previews_and_offers_downloads(new_app):
    at = new_app()
    at.button(key="sample_featured").click().run()
    at.switch_page("app_pages/draft.py").run()
    assert not at.exception
    assert at.title[0].value == "Draft policy"
    assert at.download_button(key="dl_draft_docx").label == "Download draft (Word .docx)"
    assert at.download_button(key="dl_draft_md").label == "Download draft (Markdown)"
    assert "Draft policy on immigration enforcement" in at.subheader[0].value


def test_results_and_draft_without_assessment_say_what_to_do(new_app):
    at = new_app()
    for page in ("app_pages/results.py", "app_pages/draft.py"):
        at.switch_page(page).run()
        assert not at.exception
        assert any("Self-assessment page" in i.value for i in at.info)


def test_rules_page_search(new_app):
    at = new_app()
    at.switch_page("app_pages/rules.py").run()
    assert not at.exception
    all_controls = len(at.get_by_key("rules_controls").dataframe[0].value)
    assert all_controls > 10
    at.text_input(key="rules_search").set_value("judge warrant").run()
    found = at.get_by_key("rules_controls").dataframe[0].value
    assert 0 < len(found) < all_controls
    at.text_input(key="rules_search").set_value("FERPA").run()
    assert len(at.get_by_key("rules_sources").dataframe[0].value) >= 1


def test_rules_page_sources_filter_by_state_and_warn_about_old_sources(new_app):
    at = new_app()
    at.switch_page("app_pages/rules.py").run()
    assert not at.exception
    every = at.get_by_key("rules_sources").dataframe[0].value
    assert {"Jurisdiction", "Quality", "Checked", "Used by", "Warning"} <= set(every.columns)
    # Never a fake live check: each source was read in the knowledge base or in a stored copy of the page.
    assert every["Checked"].str.startswith(("from the project's knowledge base", "read in a stored copy")).all()
    at.selectbox(key="sources_state").set_value("NM").run()
    nm = at.get_by_key("rules_sources").dataframe[0].value
    assert 0 < len(nm) < len(every)
    assert set(nm["Jurisdiction"]) <= {"US", "NM", "local:NM"}
    assert nm.iloc[0]["For this reader"] == "federal law"
    at.selectbox(key="sources_state").set_value("CA").run()
    ca = at.get_by_key("rules_sources").dataframe[0].value
    assert "CA" in set(ca["Jurisdiction"]) and len(ca) > len(nm)
    at.date_input(key="sources_as_of").set_value(dt.date(2026, 11, 28)).run()
    fresh = (at.get_by_key("rules_sources").dataframe[0].value["Warning"] != "").sum()
    at.date_input(key="sources_as_of").set_value(dt.date(2028, 1, 1)).run()
    old = at.get_by_key("rules_sources").dataframe[0].value
    assert (old["Warning"] != "").all() and fresh < len(old)  # every check is over a year old by 2028


def test_user_text_is_escaped_in_markdown(new_app):
    at = new_app()
    at.switch_page("app_pages/assessment.py").run()
    hostile = "<img src=x onerror=alert(1)> ![t](http://198.51.100.7/t.png) :red[x] www.example.org"
    at.text_input(key="inst_name").set_value(hostile).run()
    at.multiselect(key="inst_types").set_value(["k12_school"]).run()
    at.switch_page("app_pages/results.py").run()
    assert not at.exception
    shown = at.subheader[0].value
    assert "![" not in shown and "\\!\\[" in shown
    assert "://" not in shown and "www." not in shown  # autolinks broken by a zero-width space
    assert "\\<img" in shown


def test_broken_rules_show_a_clear_error(new_app, monkeypatch, tmp_path: Path):
    monkeypatch.setenv("SANCTUARY_RULES", str(tmp_path / "no-such-rules"))
    at = new_app()
    assert not at.exception
    assert any("rules could not be loaded" in e.value for e in at.error)
    at.switch_page("app_pages/results.py").run()
    assert not at.exception and at.error


SURVEY = SAMPLES.parent / "surveys" / "mixed_institutions.csv"


def test_batch_upload_runs_with_progress_summary_table_and_downloads(new_app):
    at = new_app()
    at.switch_page("app_pages/batch.py").run()
    at.file_uploader(key="batch_csv").set_value(("mixed.csv", SURVEY.read_bytes(), "text/csv"))
    at.run()
    assert not at.exception
    at.button(key="batch_run").click().run()
    assert not at.exception
    assert at.status[0].state == "complete"
    assert at.progress[0].value == 100
    rows = at.get_by_key("batch_results").dataframe[0].value
    data_rows = sum(1 for line in SURVEY.read_text(encoding="utf-8").splitlines()[1:] if line.strip())
    assert len(rows) == data_rows
    assert not any(str(c).startswith("control:") for c in rows.columns)
    assert "provisional" in rows.columns  # which components' verdicts rest on too little
    assert any(c.value.startswith("Provisional verdicts") for c in at.caption)
    most = next(t.value for t in at.table if "Fail" in t.value.columns)
    assert {"Partial", "At least partial (open)", "At most partial (open)"} <= set(most.columns)
    assert at.download_button(key="dl_batch_csv").label == "Download results CSV"
    assert at.download_button(key="dl_batch_summary").label == "Download summary (JSON)"
    at.multiselect(key="batch_filter_type").set_value(["k12_school"]).run()
    filtered = at.get_by_key("batch_results").dataframe[0].value
    assert 0 < len(filtered) < len(rows)
    assert filtered["institution_type"].str.contains("K-12 school or district", regex=False).all()
    at.checkbox(key="batch_show_controls").check().run()
    grid = at.get_by_key("batch_results").dataframe[0]
    assert any(str(c).startswith("control:") for c in grid.value.columns)
    # Headers in words: components and controls by title; no id in a header or its help (the CSV keeps the ids).
    headers = json.loads(grid.proto.columns)
    ruleset = load_ruleset()
    assert set(headers) - {"_index"} == set(grid.value.columns)  # _index: the hidden row index
    assert headers["overall_level"]["label"] == "Overall level"
    for cid, component in ruleset.components.items():
        assert headers[cid]["label"] == component["title"] and cid not in (headers[cid].get("help") or "")
    assert headers["control:SC-BL-SCHOOLPOLICE"]["label"] == ruleset.controls["SC-BL-SCHOOLPOLICE"].title
    assert "SC-BL-SCHOOLPOLICE" not in (headers["control:SC-BL-SCHOOLPOLICE"].get("help") or "")


def test_batch_rows_with_problems_and_bad_file(new_app):
    at = new_app()
    at.switch_page("app_pages/batch.py").run()
    at.file_uploader(key="batch_csv").set_value(("bad.csv", b"\x00\x01\x02binary", "text/csv"))
    at.run()
    assert not at.exception
    assert any("cannot be used as a survey" in e.value for e in at.error)
    survey = (
        b"respondent_id,institution_name,institution_type,xc_policy_form\n"
        b"r1,A,k12_school,adopted_written\nr2,B,spaceship,nope\n"
    )
    at.file_uploader(key="batch_csv").set_value(("small.csv", survey, "text/csv"))
    at.run()
    at.button(key="batch_run").click().run()
    assert not at.exception
    errors = at.get_by_key("batch_errors").table[0].value
    assert list(errors["Respondent"]) == ["r2"] and errors["Problem"].str.len().gt(0).all()


def test_batch_sample_button(new_app):
    at = new_app()
    at.switch_page("app_pages/batch.py").run()
    at.button(key="batch_sample").click().run()
    assert not at.exception
    assert at.button(key="batch_run").label.startswith("Evaluate")


def test_an_answers_file_from_an_earlier_release_is_offered_the_upgrade(new_app):
    """The app says the file is old and offers to upgrade it, rather than failing on the first old answer."""
    old = (
        b"institution: {name: Grace Chapel, type: congregation}\n"
        b"answers: {cg_plan_hides_people: true, cg_physical_sanctuary: concealed, xc_log_reporting: periodic_public}\n"
    )
    at = new_app()
    at.switch_page("app_pages/assessment.py").run()
    at.file_uploader(key="answers_file").set_value(("old.yaml", old, "application/x-yaml"))
    at.run()
    assert not at.exception and not at.error
    assert any("earlier version of these questions" in w.value for w in at.warning)
    at.button(key="upgrade_answers_file").click().run()
    assert not at.exception
    assert at.session_state["institution"]["name"] == "Grace Chapel"
    assert at.session_state["answers"] == {
        "cg_plan_forbids_obstruction": False,
        "cg_physical_sanctuary": "openness_not_required",
    }
    assert not any("earlier version" in w.value for w in at.warning)


def test_a_question_with_its_own_dont_know_offers_only_that_one(new_app):
    """Issue 23: "Don't know - ask counsel" is the question's one don't-know answer (no second "Don't know yet")."""
    at = new_app()
    at.switch_page("app_pages/assessment.py").run()
    at.text_input(key="inst_name").set_value("County Court").run()
    at.multiselect(key="inst_types").set_value(["courthouse"]).run()
    seen = {}
    for _ in range(8):
        at.button(key="nav_next").click().run()
        assert not at.exception
        seen.update({r.key: list(r.options) for r in at.radio if r.key and r.key.startswith("ans__")})
        if "ans__ct_civil_arrest_rule" in seen or at.button(key="nav_next").disabled:
            break
    options = seen["ans__ct_civil_arrest_rule"]
    assert sum("know" in option.lower() for option in options) == 1, options
    yes_no = next(opts for key, opts in seen.items() if opts[:2] == ["Yes", "No"])
    assert "Don't know yet" in yes_no  # other questions keep their way to stay unanswered


def test_a_survey_from_an_earlier_release_is_offered_upgraded(new_app):
    at = new_app()
    at.switch_page("app_pages/batch.py").run()
    old = b"institution_type,cg_plan_hides_people,xc_log_reporting\r\ncongregation,yes,periodic_public\r\n"
    at.file_uploader(key="batch_csv").set_value(("old.csv", old, "text/csv"))
    at.run()
    assert not at.exception
    assert any("earlier release" in w.value for w in at.warning)
    assert "dl_upgraded_survey" in [b.key for b in at.get("download_button")]
    upgraded = at.session_state["batch_survey_upgraded"][2]
    assert upgraded == b"institution_type,cg_plan_forbids_obstruction,xc_log_reporting\r\ncongregation,no,\r\n"
    # A current survey gets no such offer.
    current = b"institution_type,xc_policy_form\r\nlibrary,adopted_written\r\n"
    at.file_uploader(key="batch_csv").set_value(("new.csv", current, "text/csv"))
    at.run()
    assert not at.exception
    assert "dl_upgraded_survey" not in [b.key for b in at.get("download_button")]
