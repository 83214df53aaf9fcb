"""Meta-tests over the whole catalogue."""

from __future__ import annotations

import re
from collections import defaultdict

from engine.checks.cases import load_cases

STATUS_WORDS = re.compile(
    r"\b(are you|is (he|she|the person|the student|the patient)|your) (a )?(citizen|undocumented|immigration status)",
    re.I,
)


def test_every_control_has_pass_and_fail_and_partial_cases(ruleset) -> None:
    expected = defaultdict(set)
    for case in load_cases(ruleset):
        expected[case.control].add(case.expect)
    for control in ruleset.controls.values():
        got = expected[control.id]
        assert {"pass", "fail"} <= got, f"{control.id} needs pass and fail cases, has {sorted(got)}"
        if control.partial_condition is not None:
            assert "partial" in got, f"{control.id} defines partial but has no partial case"
        if len(control.applies_to) < len(ruleset.institution_types):
            assert "not_applicable" in got, f"{control.id} needs a not_applicable case"


def test_every_control_has_citations_and_gaps_have_a_clause(ruleset) -> None:
    for control in ruleset.controls.values():
        assert control.citations, control.id
        assert control.recommended_clause in ruleset.clauses, f"{control.id} has no recommended clause"


def test_every_citation_has_url_and_check_date(ruleset) -> None:
    for citation in ruleset.citations.values():
        assert citation.url.startswith(("http://", "https://")), citation.id
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", citation.checked_on), citation.id
        assert citation.quality in ("primary", "secondary", "mirror", "unverified")


def test_every_question_is_used(ruleset) -> None:
    used = {q for c in ruleset.controls.values() for q in c.questions}
    used |= {q for f in ruleset.flags.values() if f.answers for q in f.answers.references()}
    assert set(ruleset.questions) == used


def test_no_question_asks_for_a_persons_immigration_status(ruleset) -> None:
    for question in ruleset.questions.values():
        assert not STATUS_WORDS.search(question.text), f"{question.id} seems to ask about a person's status"


def test_every_type_has_controls_in_bright_line_confidentiality_or_protected_spaces(ruleset) -> None:
    for itype in ruleset.institution_types:
        components = {c.component for c in ruleset.controls_for([itype])}
        assert components & {"bright_line", "confidentiality", "protected_spaces"}, itype
        assert "accountability" in components, itype


def test_control_ids_follow_the_knowledge_base_pattern(ruleset) -> None:
    prefixes = {"XC", "LE", "JL", "GV", "SC", "UN", "CG", "EM", "HL", "LB", "SH", "CT", "CC"}
    for cid in ruleset.controls:
        assert cid.split("-")[0] in prefixes, cid


def test_every_question_has_help_and_says_who_would_know(ruleset) -> None:
    for question in ruleset.questions.values():
        assert question.help, f"{question.id} has no help text"
        assert question.who_knows, f"{question.id} does not say who would know"


def test_written_policy_and_practice_are_asked_separately(ruleset) -> None:
    aspects = {q.aspect for q in ruleset.questions.values()}
    assert {"policy", "practice"} <= aspects


def test_school_district_questions_are_asked_of_k12_only(ruleset) -> None:
    """sc_* questions belong to K-12 schools (corrections §2), including those read only by flags."""
    from engine import Ruleset

    assert isinstance(ruleset, Ruleset)
    for itype in ruleset.institution_types:
        listed = [q.id for q in ruleset.questions_for([itype]) if q.id.startswith("sc_")]
        if itype == "k12_school":
            assert listed, "K-12 schools must see the school-district questions"
        else:
            assert not listed, f"{itype} is asked school-district questions: {listed}"


def test_questions_do_not_ask_for_admissions_of_harboring_or_obstruction(ruleset) -> None:
    """Ask whether the plan forbids hiding people, never whether it hides them (corrections §2)."""
    conduct = re.compile(r"\b(hid(e|es|ing)|block\w*|conceal\w*|destroy\w*|false information|refus\w* .*process)", re.I)
    forbids = re.compile(r"\b(forbid\w*|never)\b", re.I)
    for question in ruleset.questions.values():
        if conduct.search(question.text):
            assert forbids.search(question.text), f"{question.id} may record an admission: {question.text}"
        for cid, label in question.choices.items():
            assert not conduct.search(label), f"{question.id}.{cid} may record an admission: {label}"


def test_no_question_asks_whether_anyone_is_sheltered_or_who(ruleset) -> None:
    """Survey privacy (corrections §6): ask what a policy requires or staff do, never whether the institution
    houses or hides someone (an admission a prosecutor could subpoena) and never who a person is."""
    housing = re.compile(r"\b(house[sd]?|housing|shelter(s|ed|ing)?|lives? on)\b", re.I)
    person = re.compile(r"\b(anyone|someone|a person|people|name of|names of)\b", re.I)
    for question in ruleset.questions.values():
        for where, text in [
            ("text", question.text),
            *((f"choice {c}", label) for c, label in question.choices.items()),
        ]:
            assert not (housing.search(text) and person.search(text)), f"{question.id} {where} may record an admission"
    sanctuary = ruleset.questions["cg_physical_sanctuary"]
    assert sanctuary.aspect == "policy" and "policy" in sanctuary.text
