"""AppTest, issue 23: follow-up questions skipped after "No" (not shown, not counted) and the PDF downloads."""

from __future__ import annotations

import re

import pytest

SRO = ("ans__sc_school_police_enforcement_barred", "ans__sc_school_police_info_sharing_barred")


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("SANCTUARY_DATA_DIR", str(tmp_path / "data"))


def _counts(text: str) -> tuple[int, int]:
    found = re.search(r"(\d+) of (\d+) questions answered", text)
    assert found, text
    return int(found[1]), int(found[2])


def _bright_line(at):
    at.switch_page("app_pages/assessment.py").run()
    at.text_input(key="inst_name").set_value("Lincoln Valley Public Schools").run()
    at.multiselect(key="inst_types").set_value(["k12_school"]).run()
    nav = at.selectbox(key="nav_section")
    index = next(i for i, title in enumerate(nav.options) if "Bright line" in title)
    nav.set_value(index).run()
    assert not at.exception
    return at


def _keys(at) -> set[str]:
    return {r.key for r in at.radio}


def test_after_no_school_police_the_sro_follow_ups_are_hidden_and_not_counted(new_app):
    at = _bright_line(new_app())
    assert set(SRO) <= _keys(at), "asked while the district has not said"
    answered, total = _counts(at.progress[0].text)
    at.radio(key="ans__sc_has_school_police").set_value("no").run()
    assert not set(SRO) & _keys(at)
    assert _counts(at.progress[0].text) == (answered + 1, total - 2)

    at.switch_page("app_pages/review.py").run()
    review = at.markdown[0].value
    assert f"**{answered + 1} of {total - 2}**" in review
    assert "SRO agreement bar" not in "\n".join(m.value for m in at.markdown)

    at.switch_page("app_pages/results.py").run()
    assert not at.exception
    # The results count what the review counts: the two skipped follow-ups are not "still unanswered".
    unanswered = total - 2 - (answered + 1)
    texts = "\n".join(m.value for m in at.markdown) + "\n".join(i.value for i in at.info)
    assert re.search(rf"\b{unanswered} questions are still unanswered", texts), texts

    at.switch_page("app_pages/assessment.py").run()
    at.radio(key="ans__sc_has_school_police").set_value("yes").run()
    assert set(SRO) <= _keys(at), "they come back when the answer changes"
    assert _counts(at.progress[0].text) == (answered + 1, total)


def test_results_offer_the_brief_and_the_full_report_as_pdf(new_app):
    at = new_app()
    at.selectbox(key="sample_choice").set_value("k12_school_weak").run()
    at.button(key="sample_open").click().run()
    labels = {b.label for b in at.download_button}
    assert {"One-page brief (PDF)", "Full report (PDF)"} <= labels


SURVEY_BYTES = (
    b"Timestamp,Email,respondent_id,institution_name,institution_type,state,xc_policy_form\n"
    b"t1,a@x.org,r1,Riverside Schools,k12_school,Nuevo M\xc3\xa9xico,adopted_written\n"
    b"t2,b@x.org,r2,B,spaceship,NM,adopted_written\n"
    b"t3,c@x.org,r3,C,library,Narnia,adopted_written\n"
    b"t4,d@x.org,r4,D,library,CA,maybe\n"
    b"t5,a@x.org,r5,riverside schools,School district,NM,adopted_written\n"
)


def test_batch_pre_check_lists_every_row_the_evaluation_rejects_and_keeps_chosen_columns(new_app):
    at = new_app()
    at.switch_page("app_pages/batch.py").run()
    at.file_uploader(key="batch_csv").set_value(("forms.csv", SURVEY_BYTES, "text/csv"))
    at.run()
    assert not at.exception
    checked = at.get_by_key("batch_row_problems").dataframe[0].value
    assert list(checked["Line"]) == [3, 4, 5], "the type, the state and the answer: all three found before running"
    at.multiselect(key="batch_keep").set_value(["Timestamp", "Email"]).run()
    assert not at.exception
    at.button(key="batch_run").click().run()
    assert not at.exception
    results = at.get_by_key("batch_results").dataframe[0].value
    errors = results[results["error"] != ""]
    assert list(errors["line"]) == list(checked["Line"]), "the pre-check and the evaluation agree"
    assert list(results.columns[:3]) == ["line", "Timestamp", "Email"]
    assert list(results["duplicate_of"]) == ["", "", "", "", "2"], "same name, type and state as line 2"
    assert results.loc[results["line"] == 2, "state"].item() == "NM"
    labels = {b.label for b in at.download_button}
    assert {"Download summary (Excel workbook)", "Download summary (CSV)"} <= labels
    assert any(m.label == "Marked as duplicates" and m.value == "1" for m in at.metric)
