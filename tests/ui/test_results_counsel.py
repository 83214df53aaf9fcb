"""Results page: questions answered "don't know - ask counsel" are listed in plain words to take to a lawyer."""

from __future__ import annotations

from engine import COUNSEL_TITLE


def _load(at, answers: bytes) -> None:
    at.switch_page("app_pages/assessment.py").run()
    at.file_uploader(key="answers_file").set_value(("city.yaml", answers, "application/x-yaml"))
    at.run()
    at.switch_page("app_pages/results.py").run()


def test_results_list_the_questions_to_take_to_counsel(new_app):
    at = new_app()
    _load(
        at,
        b"institution: {name: Riverbend, type: local_government, state: WA, public: true}\n"
        b"answers: {xc_policy_limits_other_personal_data: true,\n"
        b"  xc_policy_has_1373_savings_clause: dont_know_ask_counsel}\n",
    )
    assert not at.exception
    box = at.get_by_key("ask_counsel")
    shown = "\n".join(m.value for m in box.markdown)
    assert COUNSEL_TITLE in shown
    assert "nothing in it restricts communication protected by 8 U" in shown
    assert "xc_policy_has_1373_savings_clause" not in shown


def test_no_counsel_list_when_nothing_was_left_to_counsel(new_app):
    at = new_app()
    _load(at, b"institution: {name: Riverbend, type: local_government, state: WA, public: true}\nanswers: {}\n")
    assert not at.exception
    assert COUNSEL_TITLE not in "\n".join(m.value for m in at.markdown)
