"""Branching questions (``ask_when``): the loader's checks, the K-12 SRO case and a Hypothesis property.

The property is about the rules data: whatever is answered to a question the other answers skip, no finding,
component verdict, level or flag changes. It is checked on the oracle with the skipped answers fed straight to
the rules (no dropping), so a follow-up declared skippable while a control still reads it would fail here; and
through the public path (parse_submission + evaluate), which must note the ignored answer.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import RulesetError, evaluate, load_ruleset, parse_submission, skipped_questions
from engine.cli.main import main
from engine.rules.model import Institution, Submission
from engine.run.oracle import derive_oracle
from tests.conftest import MINI_RULES
from tests.engine.test_rollup_properties import STATES, ordered_values

AS_OF = dt.date(2026, 12, 1)
RULESET = load_ruleset()
BRANCHING = {q.id: q for q in RULESET.questions.values() if q.ask_when is not None}
# Types with at least one follow-up, and the questions those follow-ups hang on.
TYPES = sorted({t for qid in BRANCHING for t in RULESET.question_types(qid)} | {"health_facility"})
PARENTS = {ref for q in BRANCHING.values() for ref in q.ask_when.references()}
SRO = ("sc_school_police_enforcement_barred", "sc_school_police_info_sharing_barred")


def test_the_catalogue_declares_the_follow_ups_of_every_context_question_that_switches_a_control_off():
    assert set(SRO) <= set(BRANCHING)
    for parent, kids in {
        "un_has_campus_police": {"un_police_no_status_stops", "un_police_no_ice_holds", "un_287g_status"},
        "em_workers_unionized": {"em_cba_immigration_article"},
        "hl_runs_patient_care": {"hl_treatment_areas_nonpublic", "hl_front_desk_confirms_presence"},
        "un_sevp_certified": {"un_policy_preserves_sevis"},
    }.items():
        for kid in kids:
            assert parent in set(BRANCHING[kid].ask_when.references()), kid


# -- the loader -------------------------------------------------------------------------------------------------


def _mini(tmp_path: Path, extra: str) -> Path:
    root = tmp_path / "rules" / "mini"
    shutil.copytree(MINI_RULES, root)
    path = root / "questions" / "q.yaml"
    text = path.read_text()
    old = "q_police_barred:\n  text: Are your police barred from civil immigration enforcement?\n"
    assert old in text
    path.write_text(text.replace(old, old + extra, 1))
    return root


def test_a_well_formed_ask_when_loads(tmp_path):
    ruleset = load_ruleset(_mini(tmp_path, "  ask_when: {question: q_has_police, equals: true}\n"))
    question = ruleset.questions["q_police_barred"]
    assert question.ask_when is not None
    assert skipped_questions(ruleset, {"q_has_police": False}) == {"q_police_barred"}
    assert skipped_questions(ruleset, {"q_has_police": True}) == frozenset()
    assert skipped_questions(ruleset, {}) == frozenset(), "an open earlier answer hides nothing"


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            "  ask_when: {question: q_has_polise, equals: true}\n",
            ["questions/q.yaml", "q_police_barred.ask_when.question", "q_has_polise", "Did you mean 'q_has_police'"],
        ),
        (
            "  ask_when: {question: q_has_police, equals: maybe}\n",
            ["q.yaml", "q_police_barred.ask_when.equals", "yes/no question", "true or false"],
        ),
        (
            "  ask_when: {question: q_police_barred, equals: true}\n",
            ["q.yaml", "q_police_barred.ask_when", "its own answer"],
        ),
        (
            "  ask_whenn: {question: q_has_police, equals: true}\n",
            ["q.yaml: q_police_barred", "unknown key 'ask_whenn'", "Did you mean 'ask_when'"],
        ),
        (
            "  ask_when: {question: q_has_police, equal: true}\n",
            ["q_police_barred.ask_when", "exactly one of", "Did you mean 'equals'"],
        ),
    ],
    ids=["unknown question", "wrong literal", "self reference", "misspelt key", "misspelt operator"],
)
def test_a_malformed_ask_when_names_file_key_and_a_suggestion(tmp_path, extra, expected):
    with pytest.raises(RulesetError) as err:
        load_ruleset(_mini(tmp_path, extra))
    for part in expected:
        assert part in str(err.value), (part, str(err.value))


def test_a_loop_of_ask_when_conditions_is_refused_with_the_loop_named(tmp_path):
    root = _mini(tmp_path, "  ask_when: {question: q_has_police, equals: true}\n")
    path = root / "questions" / "q.yaml"
    text = path.read_text()
    old = "q_has_police:\n  text: Do you have your own police?\n"
    path.write_text(text.replace(old, old + "  ask_when: {question: q_police_barred, equals: true}\n", 1))
    with pytest.raises(RulesetError) as err:
        load_ruleset(root)
    message = str(err.value)
    assert "q.yaml" in message and "loop" in message
    assert "q_has_police -> q_police_barred -> q_has_police" in message or (
        "q_police_barred -> q_has_police -> q_police_barred" in message
    )


# -- the K-12 SRO case --------------------------------------------------------------------------------------------


def _k12(answers: dict[str, Any]) -> dict[str, Any]:
    document = {"institution": {"name": "Lincoln Valley Public Schools", "type": "k12_school", "state": "NM"}}
    submission = parse_submission(RULESET, {**document, "answers": answers})
    return evaluate(RULESET, submission, as_of=AS_OF)


def test_after_no_school_police_both_sro_follow_ups_are_skipped_and_not_counted():
    open_report = _k12({})
    assert set(SRO) <= set(open_report["unanswered_questions"]), "asked while the first answer is open"
    assert open_report["skipped_questions"] == []
    report = _k12({"sc_has_school_police": False})
    assert report["skipped_questions"] == list(SRO)
    assert not set(SRO) & set(report["unanswered_questions"])
    assert len(report["unanswered_questions"]) == len(open_report["unanswered_questions"]) - 3
    finding = next(f for f in report["findings"] if f["control"] == "SC-BL-SCHOOLPOLICE")
    assert finding["outcome"] == "not_applicable"
    assert "ignored_answers" not in report
    yes = _k12({"sc_has_school_police": True})
    assert yes["skipped_questions"] == [] and set(SRO) <= set(yes["unanswered_questions"])


def test_an_answer_to_a_skipped_question_is_ignored_with_a_note_not_an_error():
    plain = _k12({"sc_has_school_police": False})
    report = _k12({"sc_has_school_police": False, SRO[0]: False, SRO[1]: "yes"})
    assert [n["question"] for n in report["ignored_answers"]] == list(SRO)
    assert "only if" in report["ignored_answers"][0]["note"] and "Yes" in report["ignored_answers"][0]["note"]
    assert SRO[0] not in report["answers"]
    assert report["overall"] == plain["overall"] and report["components"] == plain["components"]


def test_sanctuary_questions_and_the_template_say_when_a_follow_up_is_asked(tmp_path, capsys):
    assert main(["questions", "--type", "k12_school"]) == 0
    out = capsys.readouterr().out
    block = out[out.index(SRO[0]) :].split("\n")[:3]
    assert block[2].strip().startswith("(asked only if") and "Does the district have its own police" in block[2]
    target = tmp_path / "survey.csv"
    assert main(["template", "--type", "k12_school", "--headers", "text", "-o", str(target)]) == 0
    header = target.read_text(encoding="utf-8").splitlines()[0]
    assert header.count("(only if") == 2


# -- the property ---------------------------------------------------------------------------------------------------


@st.composite
def branching_submissions(draw: Any) -> tuple[Submission, frozenset[str]]:
    """An institution of a type with follow-ups, answers for all its questions, each trigger often 'no'."""
    types = (draw(st.sampled_from(TYPES)),)
    institution = Institution("Random", types, state=draw(st.sampled_from(STATES)), public=draw(st.booleans()))
    answers: dict[str, Any] = {}
    for question in RULESET.questions_for(types):
        if question.id in PARENTS and draw(st.floats(0, 1)) < 0.7:
            answers[question.id] = False
        elif draw(st.floats(0, 1)) < 0.8:
            answers[question.id] = draw(st.sampled_from(ordered_values(question)))
    return Submission(institution, answers), skipped_questions(RULESET, answers, institution)


def _verdicts(derivation: Any) -> tuple[Any, ...]:
    findings = {cid: (f["outcome"], f.get("bound")) for cid, f in derivation.findings.items()}
    components = {cid: c["outcome"] for cid, c in derivation.components.items()}
    return findings, components, derivation.overall["level"], sorted(derivation.flags)


@given(branching_submissions())
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_an_answer_to_a_skipped_question_never_changes_any_verdict(case: tuple[Submission, frozenset[str]]) -> None:
    submission, skipped = case
    # The rules read the skipped answers here (no dropping): the data itself must make them irrelevant.
    with_them = derive_oracle(RULESET, submission, AS_OF)
    without = Submission(submission.institution, {q: v for q, v in submission.answers.items() if q not in skipped})
    assert _verdicts(with_them) == _verdicts(derive_oracle(RULESET, without, AS_OF)), sorted(skipped)
    # And through the public path, where the answers are dropped and noted.
    document = {
        "institution": {
            "name": "Random",
            "type": list(submission.institution.types),
            "state": submission.institution.state,
            "public": submission.institution.public,
        },
        "answers": dict(submission.answers),
    }
    parsed = parse_submission(RULESET, document)
    assert set(parsed.ignored) == {q for q in skipped if q in submission.answers}
    report = evaluate(RULESET, parsed, as_of=AS_OF, backend="oracle", detail=False)
    assert not set(report["unanswered_questions"]) & skipped
    assert len(report.get("ignored_answers", [])) == len(parsed.ignored)


def test_every_format_names_the_answers_not_used():
    from engine import render_report

    report = _k12({"sc_has_school_police": False, SRO[0]: True})
    for fmt in ("text", "markdown", "html"):
        out = render_report(report, fmt).replace("\\", "")
        assert "nswers not used" in out.replace("ANSWERS NOT USED", "Answers not used"), fmt
        assert "SRO agreement bar school police" in out and "asked only if" in out, fmt
    assert "nswers not used" not in render_report(_k12({"sc_has_school_police": False}), "markdown")
