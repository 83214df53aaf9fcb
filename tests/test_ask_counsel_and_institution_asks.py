"""Questions answered "don't know - ask counsel" are listed in every report format, and an open finding that
waits on the institution's public/private status or state says so instead of "Still to answer:" with nothing.
"""

from __future__ import annotations

import itertools
import re

import pytest

from engine import COUNSEL_TITLE, counsel_questions, evaluate, parse_submission, render_report

COUNSEL_ANSWERS = {
    "xc_policy_limits_other_personal_data": True,
    "xc_policy_bars_sharing_status": "dont_know_ask_counsel",
    "xc_policy_has_1373_savings_clause": "dont_know_ask_counsel",
}


def _report(ruleset, institution: dict, answers: dict, backend: str = "durable") -> dict:
    document = {"institution": {"name": "Riverbend", **institution}, "answers": answers}
    return evaluate(ruleset, parse_submission(ruleset, document), backend=backend)


@pytest.fixture(scope="module")
def counsel_report(ruleset):
    return _report(ruleset, {"type": "local_government", "state": "WA", "public": True}, COUNSEL_ANSWERS)


def test_the_counsel_list_holds_the_question_texts(ruleset, counsel_report):
    texts = counsel_questions(counsel_report)
    assert texts == [
        ruleset.questions["xc_policy_bars_sharing_status"].text,
        ruleset.questions["xc_policy_has_1373_savings_clause"].text,
    ]


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_every_format_lists_the_questions_for_counsel_in_plain_words(ruleset, counsel_report, fmt):
    out = render_report(counsel_report, fmt)
    assert COUNSEL_TITLE.lower() in out.lower()
    section = " ".join(out[out.lower().index(COUNSEL_TITLE.lower()) :][:1500].split())
    # Plain words: the question text (escaped as the format needs), never the question id.
    assert "status with federal immigration authorities" in section
    assert "xc_policy_bars_sharing_status" not in section and "dont_know_ask_counsel" not in section
    assert "1373" in section


def test_the_text_format_shows_question_ids_only_in_detail_mode(counsel_report):
    out = render_report(counsel_report, "text", detail=True)
    section = out[out.index(COUNSEL_TITLE.upper()) :][:1500]
    assert "[xc_policy_bars_sharing_status]" in section


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_no_counsel_section_without_dont_know_answers(ruleset, fmt):
    report = _report(ruleset, {"type": "local_government", "state": "WA", "public": True}, {"xc_policy_form": "none"})
    assert not counsel_questions(report)
    assert COUNSEL_TITLE.lower() not in render_report(report, fmt).lower()


# -- open findings that wait on the institution's details ------------------------------------------------------

BOARD_ONLY = {"xc_requests_logged": True, "xc_complaint_channel": True, "xc_log_reporting": "governing_body_report"}


@pytest.mark.parametrize("backend", ["durable", "oracle"])
def test_a_board_only_report_without_public_or_private_asks_for_it(ruleset, backend):
    report = _report(ruleset, {"type": "shelter", "state": "NM"}, BOARD_ONLY, backend)
    finding = next(f for f in report["findings"] if f["control"] == "XC-AC-LOG")
    assert (finding["outcome"], finding["bound"]) == ("partial", "at_least")
    assert "whether the institution is a public body" in finding["explanation"].lower()
    private = _report(ruleset, {"type": "shelter", "state": "NM", "public": False}, BOARD_ONLY, backend)
    decided = next(f for f in private["findings"] if f["control"] == "XC-AC-LOG")
    assert decided["outcome"] == "pass" and "whether the institution is" not in decided["explanation"].lower()


def test_an_unanswered_log_control_without_public_or_private_asks_for_both(ruleset):
    answers = {"xc_complaint_channel": True, "xc_log_reporting": "governing_body_report"}
    report = _report(ruleset, {"type": "congregation"}, answers)
    finding = next(f for f in report["findings"] if f["control"] == "XC-AC-LOG")
    assert finding["outcome"] == "not_answered"
    assert "logged" in finding["explanation"]
    assert "whether the institution is a public body" in finding["explanation"].lower()


def test_face_covering_limits_wait_on_the_state_when_it_is_not_given(ruleset):
    answers = {"le_victim_witness_commitment": True, "le_visible_identification_required": True}
    report = _report(ruleset, {"type": "law_enforcement", "public": True}, answers)
    finding = next(f for f in report["findings"] if f["control"] == "LE-AX-TRUST")
    assert "which state the institution is in" in finding["explanation"].lower()
    # The same answers in California: the state is known, so only the question is asked (no stale cache).
    in_ca = _report(ruleset, {"type": "law_enforcement", "public": True, "state": "CA"}, answers)
    finding = next(f for f in in_ca["findings"] if f["control"] == "LE-AX-TRUST")
    assert "which state" not in finding["explanation"].lower()


EMPTY_LIST = re.compile(r"(Still to answer|depending on):\s*$")


def _institution_controls(ruleset):
    return [
        c for c in ruleset.controls.values() if any(leaf.subject == "institution" for leaf in c.pass_condition.leaves())
    ]


def test_the_institution_leaf_controls_are_the_ones_checked_here(ruleset):
    assert {c.id for c in _institution_controls(ruleset)} >= {"XC-AC-LOG", "LE-AX-TRUST"}


def test_no_open_finding_ends_with_an_empty_list_of_what_to_answer(ruleset):
    """Every answer set (blanks included) of each control that tests institution fields, with them unknown."""
    for control in _institution_controls(ruleset):
        domains = []
        for qid in control.questions:
            q = ruleset.questions[qid]
            values = [True, False] if q.type == "boolean" else [c for c in q.choices if c not in q.unordered]
            domains.append([None, *values])
        for values in itertools.product(*domains):
            answers = {q: v for q, v in zip(control.questions, values, strict=True) if v is not None}
            report = _report(ruleset, {"type": control.applies_to[0]}, answers, "oracle")
            finding = next(f for f in report["findings"] if f["control"] == control.id)
            if finding["outcome"] == "not_answered" or finding.get("bound"):
                assert not EMPTY_LIST.search(finding["explanation"]), (control.id, answers, finding["explanation"])
                assert finding["open_questions"] or "institution" in finding["explanation"], (control.id, answers)
