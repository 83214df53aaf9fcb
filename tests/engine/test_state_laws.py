"""State-law entries: which outcomes violate a mandate, narrowing by answers, and entry-level dates.

Each case edits the mini ruleset's California mandate on XX-PS-ENTRY (pass = refused, partial = case_by_case,
fail = admitted) and checks the flags both backends raise.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from engine import RulesetError, evaluate, load_ruleset, parse_submission
from tests.conftest import MINI_RULES

MANDATE = "          explanation: The state requires this.\n"
VIOLATION = "RISK-STATE-LAW-VIOLATION:TEST-MANDATE"
MANDATE_INFO = "INFO-STATE-MANDATE:TEST-MANDATE"


def _rules(tmp_path: Path, extra: str, law_extra: str = "") -> Path:
    root = tmp_path / "rules" / "mini"
    shutil.copytree(MINI_RULES, root)
    path = root / "states.yaml"
    text = path.read_text()
    assert MANDATE in text
    text = text.replace(MANDATE, MANDATE + extra, 1)
    if law_extra:
        text = text.replace("      citations: [src-a]\n", "      citations: [src-a]\n" + law_extra, 1)
    path.write_text(text)
    return root


def _flags(root: Path, answers: dict, as_of: dt.date = dt.date(2026, 11, 28)) -> set[str]:
    ruleset = load_ruleset(root)
    doc = {"institution": {"name": "X", "type": "k12_school", "state": "CA", "public": True}, "answers": answers}
    report = evaluate(ruleset, parse_submission(ruleset, doc, "test"), as_of=as_of)
    return {f["id"] for f in report["flags"]}


@pytest.mark.parametrize(
    ("extra", "entry", "violates"),
    [
        ("", "admitted", True),
        ("", "case_by_case", False),  # default: only a fail violates
        ("          violated_by: [fail, partial]\n", "case_by_case", True),
        ("          violated_by: [fail, partial]\n", "refused", False),
        ("          violated_by: [partial]\n", "admitted", False),
    ],
)
def test_violated_by_names_the_outcomes_that_break_the_law(tmp_path: Path, extra: str, entry: str, violates: bool):
    flags = _flags(_rules(tmp_path, extra), {"q_entry": entry})
    assert (VIOLATION in flags) is violates
    assert MANDATE_INFO in flags  # the mandate itself is shown whatever the outcome


def test_violated_when_narrows_the_violation_but_not_the_mandate(tmp_path: Path) -> None:
    extra = "          violated_by: [fail, partial]\n          violated_when: {question: q_block, equals: true}\n"
    root = _rules(tmp_path, extra)
    assert VIOLATION in _flags(root, {"q_entry": "case_by_case", "q_block": True})
    assert VIOLATION not in _flags(root, {"q_entry": "case_by_case", "q_block": False})
    # Unknown is not true: a blank narrowing answer never raises a violation.
    assert VIOLATION not in _flags(root, {"q_entry": "case_by_case"})
    assert MANDATE_INFO in _flags(root, {"q_entry": "case_by_case", "q_block": False})


def test_applies_when_limits_every_flag_of_the_entry(tmp_path: Path) -> None:
    root = _rules(tmp_path, "          applies_when: {question: q_block, equals: true}\n")
    assert {VIOLATION, MANDATE_INFO} <= _flags(root, {"q_entry": "admitted", "q_block": True})
    assert not {VIOLATION, MANDATE_INFO} & _flags(root, {"q_entry": "admitted", "q_block": False})


def test_entry_dates_apply_inside_the_law_dates(tmp_path: Path) -> None:
    root = _rules(
        tmp_path,
        "          effective: {from: 2025-10-01}\n",
        law_extra="      effective: {from: 2024-12-01, until: 2027-01-01}\n",
    )
    answers = {"q_entry": "admitted"}
    assert VIOLATION not in _flags(root, answers, dt.date(2025, 9, 30))
    assert VIOLATION in _flags(root, answers, dt.date(2025, 10, 1))
    assert VIOLATION not in _flags(root, answers, dt.date(2027, 1, 1))  # the law's own end still applies


def test_entry_dates_outside_the_law_dates_are_an_error(tmp_path: Path) -> None:
    root = _rules(
        tmp_path,
        "          effective: {until: 2020-01-01}\n",
        law_extra="      effective: {from: 2021-07-19}\n",
    )
    with pytest.raises(RulesetError, match=r"states.yaml.*TEST-MANDATE.*outside the law's own effective window"):
        load_ruleset(root)


def test_entry_citations_are_added_to_the_law_citations(tmp_path: Path) -> None:
    root = _rules(tmp_path, "          citations: [src-b]\n")
    ruleset = load_ruleset(root)
    flag = next(f for f in ruleset.flags.values() if f.id == VIOLATION)
    assert flag.citations == ("src-a", "src-b")


def test_a_report_row_carries_every_entry_of_a_law_that_fired(tmp_path: Path) -> None:
    second = (
        "        - controls: [XX-PS-ENTRY]\n          citations: [src-b]\n          explanation: A second section.\n"
    )
    root = _rules(tmp_path, second)
    ruleset = load_ruleset(root)
    doc = {
        "institution": {"name": "X", "type": "k12_school", "state": "CA", "public": True},
        "answers": {"q_entry": "admitted"},
    }
    report = evaluate(ruleset, parse_submission(ruleset, doc, "test"), as_of=dt.date(2026, 11, 28))
    rows = [f for f in report["flags"] if f["id"] == VIOLATION]
    assert len(rows) == 1
    assert "The state requires this." in rows[0]["explanation"]
    assert "A second section." in rows[0]["explanation"]
    assert {c["id"] for c in rows[0]["citations"]} == {"src-a", "src-b"}


def test_every_bundled_state_law_has_an_effective_date_and_a_source(ruleset) -> None:
    state_flags = [f for f in ruleset.flags.values() if f.id.split(":")[0].startswith(("RISK-STATE", "INFO-STATE"))]
    assert state_flags
    for flag in state_flags:
        assert flag.effective.start is not None, f"{flag.source}: no effective date"
        assert flag.citations, f"{flag.source}: cites no source"
    laws = {f.id.split(":", 1)[1] for f in state_flags}
    covered = {law for state in ruleset.states.values() for law in state.laws}
    assert covered <= laws, f"laws that raise no flag: {sorted(covered - laws)}"


PROVIDES = (
    "      provides:\n"
    "        - controls: [XX-PS-ENTRY]\n"
    "          types: [k12_school]\n"
    "          explanation: The statute itself bars the entry.\n"
)


def _entry(root: Path, answers: dict, state: str = "CA", as_of: dt.date = dt.date(2026, 11, 28)) -> dict:
    ruleset = load_ruleset(root)
    doc = {"institution": {"name": "X", "type": "k12_school", "state": state, "public": True}, "answers": answers}
    report = evaluate(ruleset, parse_submission(ruleset, doc, "test"), as_of=as_of)
    finding = next(f for f in report["findings"] if f["control"] == "XX-PS-ENTRY")
    return {**finding, "flag_ids": {f["id"] for f in report["flags"]}}


@pytest.mark.parametrize("entry", ["admitted", "case_by_case", None])
def test_a_law_that_provides_the_protection_decides_the_control_in_its_state(tmp_path: Path, entry) -> None:
    root = _rules(tmp_path, "", PROVIDES)
    answers = {"q_entry": entry} if entry else {}
    finding = _entry(root, answers)
    assert (finding["outcome"], finding["bound"]) == ("pass", None)
    assert finding["provided_by"] == {"law": "TEST-MANDATE", "title": "A test mandate"}
    assert finding["explanation"].startswith("Provided by state law: A test mandate. The statute itself")
    assert "INFO-STATE-PROVIDES:TEST-MANDATE" in finding["flag_ids"]
    assert VIOLATION not in finding["flag_ids"]  # the statute is never said to be broken by the institution
    # Elsewhere the institution's own answer decides, as before.
    other = _entry(root, {"q_entry": "admitted"}, state="TX")
    assert other["outcome"] == "fail" and "provided_by" not in other


def test_a_provided_protection_follows_the_laws_dates(tmp_path: Path) -> None:
    root = _rules(tmp_path, "", "      effective: {from: 2026-01-01}\n" + PROVIDES)
    assert _entry(root, {"q_entry": "admitted"}, as_of=dt.date(2025, 12, 31))["outcome"] == "fail"
    assert _entry(root, {"q_entry": "admitted"}, as_of=dt.date(2026, 1, 1))["outcome"] == "pass"


def test_unless_a_contrary_practice_is_shown_and_a_blank_does_not_decide(tmp_path: Path) -> None:
    root = _rules(tmp_path, "", PROVIDES + "          unless: {question: q_block, equals: false}\n")
    assert _entry(root, {"q_entry": "admitted", "q_block": True})["outcome"] == "pass"
    assert _entry(root, {"q_entry": "admitted", "q_block": False})["outcome"] == "fail"
    blank = _entry(root, {"q_entry": "case_by_case"})  # three-valued: the statute may or may not decide it
    assert (blank["outcome"], blank["bound"]) == ("partial", "at_least")


def test_a_new_york_court_is_given_the_protection_by_poca_and_never_in_violation_of_it() -> None:
    ruleset = load_ruleset()
    doc = {
        "institution": {"name": "Court", "type": "courthouse", "state": "NY", "public": True},
        "answers": {"ct_civil_arrest_rule": "no_rule"},
    }
    report = evaluate(ruleset, parse_submission(ruleset, doc, "test"), as_of=dt.date(2026, 12, 1))
    finding = next(f for f in report["findings"] if f["control"] == "CT-PS-ARREST")
    assert finding["outcome"] == "pass" and finding["provided_by"]["law"] == "NY-POCA"
    ids = {f["id"] for f in report["flags"]}
    assert "INFO-STATE-PROVIDES:NY-POCA" in ids
    assert not any(i.startswith("RISK-STATE-LAW-VIOLATION") for i in ids)
