"""Advice that is lawful where the institution stands (issue 19).

The property re-evaluates every step's target through the real engine: the step's change applied to the answers,
the state-law conflict flags (compiled from states.yaml, the same ones that flag current practice) must not fire
on that control. It does not call the code that sorted the steps, so a sorting bug cannot hide itself.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import (
    Institution,
    Submission,
    build_draft,
    draft_json,
    draft_markdown,
    evaluate,
    load_ruleset,
    parse_submission,
    render_report,
    warning_lines,
)
from engine.errors import RulesetError
from engine.rules.parsing import read_yaml
from engine.rules.references import possessive

RULESET = load_ruleset()
ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "sample_policies" / "answers"
TYPES = sorted(RULESET.institution_types)
TABLE_STATES = sorted(RULESET.states)
DAYS = [dt.date(2024, 6, 1), dt.date(2025, 12, 31), dt.date(2026, 12, 1)]


def _values(question: Any) -> list[Any]:
    if question.type == "boolean":
        return [True, False]
    if question.type == "choice":
        return list(question.choices)
    return [question.minimum or 0, 1, 5, 30]


@st.composite
def institutions(draw: Any) -> tuple[Submission, dt.date]:
    # One or two types (a sheriff who runs the jail and patrols), public, private or not said.
    types = tuple(draw(st.lists(st.sampled_from(TYPES), min_size=1, max_size=2, unique=True)))
    public = draw(st.sampled_from([True, True, False, None]))
    inst = Institution("Random", types, state=draw(st.sampled_from(TABLE_STATES)), public=public)
    answers = {}
    for question in RULESET.questions_for(types):
        if draw(st.floats(0, 1)) < 0.8:
            answers[question.id] = draw(st.sampled_from(_values(question)))
    return Submission(inst, answers), draw(st.sampled_from(DAYS))


def _conflicts_on(submission: Submission, changes: list[dict[str, Any]], as_of: dt.date, control: str) -> list[str]:
    """The state-law conflict flags that fire on ``control`` once ``changes`` are made (the target practice)."""
    target = Submission(submission.institution, {**submission.answers, **{c["question"]: c["value"] for c in changes}})
    report = evaluate(RULESET, target, as_of=as_of, detail=False)
    return [f["id"] for f in report["flags"] if f["id"].startswith("RISK-STATE-CONFLICT:") and control in f["controls"]]


@given(institutions())
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_no_lawful_step_and_no_drafted_clause_aims_at_what_a_law_in_force_forbids(case: Any) -> None:
    submission, as_of = case
    report = evaluate(RULESET, submission, as_of=as_of)
    findings = {f["control"]: f for f in report["findings"]}
    plan = report["action_plan"]
    for step in plan["steps"]:
        assert step["conflicts_with"] == []
        changes = findings[step["control"]]["to_pass"]
        if changes is not None:
            fired = _conflicts_on(submission, changes, as_of, step["control"])
            assert not fired, f"lawful step {step['control']} would raise {fired}"
    for step in plan["state_law_steps"]:
        assert step["conflicts_with"] and all(law["exposure"] and law["still_lawful"] for law in step["laws"])
    draft = build_draft(RULESET, report)
    for section in draft.sections:
        for control in section.controls:
            changes = findings[control.id]["to_pass"]
            if changes is not None:
                fired = _conflicts_on(submission, changes, as_of, control.id)
                assert not fired, f"drafted clause {section.clause_id} ({control.id}) would raise {fired}"
    for item in draft.left_out:
        assert item.laws and item.clause_id not in {s.clause_id for s in draft.sections}
    cited = [c for f in report["findings"] for c in f["citations"]] + [c for s in draft.sections for c in s.citations]
    assert all(c["role"] == "supports" for c in cited)


def _report(sample: str, as_of: dt.date = dt.date(2026, 12, 1), **changes: Any) -> dict[str, Any]:
    doc = read_yaml(SAMPLES / f"{sample}.yaml")
    doc["institution"].update(changes.pop("institution", {}))
    doc["answers"].update(changes)
    return evaluate(RULESET, parse_submission(RULESET, doc, sample), as_of=as_of)


def test_a_control_or_clause_citing_contrary_law_is_refused_by_the_loader(tmp_path: Path) -> None:
    import shutil

    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rulesets" / "sanctuary", rules)
    shutil.copytree(ROOT / "sample_policies" / "clauses", tmp_path / "clauses")
    manifest = rules / "ruleset.yaml"
    manifest.write_text(manifest.read_text() + "clauses_dir: ../clauses\n")
    control = rules / "controls" / "LE-BL-287G_no-287g-delegation.yaml"
    control.write_text(control.read_text().replace("citations: [", "citations: [tx-sb8-2025-enrolled, "))
    with pytest.raises(RulesetError, match="tx-sb8-2025-enrolled is contrary law"):
        load_ruleset(rules)


def _rules_copy(tmp_path: Path) -> Path:
    import shutil

    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rulesets" / "sanctuary", rules)
    shutil.copytree(ROOT / "sample_policies" / "clauses", tmp_path / "clauses")
    manifest = rules / "ruleset.yaml"
    manifest.write_text(manifest.read_text() + "clauses_dir: ../clauses\n")
    return rules


@pytest.mark.parametrize(
    ("replacement", "message"),
    [
        ("warn_types: [local_government, law_enforcement, jail]", None),
        ("warn_types: [city_hall]", "'city_hall' is not an institution type"),
        ("warn_types: []", "list the institution types to warn"),
        ("warn_types: [jail]\n      kind: protective", "only a restrictive law"),
    ],
)
def test_the_loader_checks_warn_types(tmp_path: Path, replacement: str, message: str | None) -> None:
    rules = _rules_copy(tmp_path)
    table = rules / "states.yaml"
    text = table.read_text()
    old = "warn_types: [local_government, law_enforcement, jail]"
    assert old in text
    text = text.replace(old, replacement)
    if "kind: protective" in replacement:  # the law's own kind line would repeat the key
        text = text.replace("      kind: restrictive\n      # Every vote", "      # Every vote")
    table.write_text(text)
    if message is None:
        assert load_ruleset(rules).state_laws["TN-SB6002"].warn_types == ("local_government", "law_enforcement", "jail")
    else:
        with pytest.raises(RulesetError, match=message):
            load_ruleset(rules)


def test_a_state_without_any_row_is_named_unchecked_in_every_format(tmp_path: Path) -> None:
    """The table now has a row for every state, so the no-row path is tested on a copy with New Mexico removed."""
    rules = _rules_copy(tmp_path)
    table = rules / "states.yaml"
    data = read_yaml(table)
    del data["NM"]
    import yaml

    table.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    ruleset = load_ruleset(rules)
    doc = read_yaml(SAMPLES / "k12_school_nm_developing.yaml")
    report = evaluate(ruleset, parse_submission(ruleset, doc, "nm"), as_of=dt.date(2026, 12, 1))
    note = "State law for New Mexico has not been checked by this tool (rules of "
    assert report["state_law"]["researched"] is False and report["state_law"]["note"].startswith(note)
    for fmt in ("text", "markdown", "html"):
        flat = render_report(report, fmt).replace("\\", "").replace(" ", "").replace("\n", "")
        assert note.replace(" ", "") in flat
    draft = draft_markdown(build_draft(ruleset, report))
    assert note.replace(" ", "") in draft.replace("\\", "").replace(" ", "").replace("\n", "")


def test_a_step_a_reported_but_unread_law_names_says_so_in_every_format_and_holds_nothing_back() -> None:
    ga = _report("jail_weak", institution={"state": "GA"})
    step = next(s for s in ga["action_plan"]["steps"] if s["control"] == "JL-BL-NOTIFY")
    assert step["conflicts_with"] == [] and step["reported_laws"]
    line = "A reported law may stand in the way: Georgia HB 1105's detainer and release-notice duties"
    for fmt in ("text", "markdown", "html"):
        flat = " ".join(render_report(ga, fmt).replace("\\", "").split())
        assert line.replace("'", "") in flat.replace("&#x27;", "").replace("'", "")
    # Another state's jail, and a Georgia body without that step, read no such line.
    fl = _report("jail_weak", institution={"state": "FL"})
    assert not any(s.get("reported_laws") for s in fl["action_plan"]["steps"])
    assert "A reported law may stand in the way" not in render_report(fl, "text")


def test_the_loader_refuses_a_not_verified_claim_naming_an_unknown_control(tmp_path: Path) -> None:
    rules = _rules_copy(tmp_path)
    table = rules / "states.yaml"
    table.write_text(table.read_text().replace("controls: [JL-BL-DETAINER, JL-BL-NOTIFY]", "controls: [JL-BL-NOTIFYY]"))
    with pytest.raises(RulesetError, match="JL-BL-NOTIFYY is not a list of control ids"):
        load_ruleset(rules)


def test_a_conflict_flag_does_not_fire_on_an_at_most_partial_bound_but_does_on_the_practice() -> None:
    # A Texas police agency that may join operations (the known answer is the unprotective one), the written
    # bar left blank: at most partial. Its known answers protect no one, so no conflict rests on them.
    blank = _report("law_enforcement_developing", institution={"state": "TX"}, le_joint_ops_support_barred=None)
    finding = next(f for f in blank["findings"] if f["control"] == "LE-BL-JOINTOPS")
    assert (finding["outcome"], finding["bound"]) == ("partial", "at_most")
    assert "RISK-STATE-CONFLICT:TX-SB4" not in finding["flags"]
    decided = _report("law_enforcement_developing", institution={"state": "TX"}, le_joint_ops_support_barred=True)
    finding = next(f for f in decided["findings"] if f["control"] == "LE-BL-JOINTOPS")
    assert finding["outcome"] in ("pass", "partial") and not finding["bound"]
    assert "RISK-STATE-CONFLICT:TX-SB4" in finding["flags"]
    practice = _report("jail_weak", institution={"state": "TX"})
    titles = {f["title"] for f in practice["flags"]}
    assert any(t.startswith("This practice conflicts with Texas SB 4") for t in titles)


def test_mandate_notes_say_the_law_requires_it_never_that_the_practice_is_required() -> None:
    report = _report("jail_weak", institution={"state": "CA"})
    mandates = [f for f in report["flags"] if f["id"].startswith("INFO-STATE-MANDATE:")]
    assert mandates
    for flag in mandates:
        assert "requires" in flag["title"] and "is required by" not in flag["title"]


def test_a_texas_police_agency_that_may_be_a_county_sheriff_gets_a_may_apply_flag_and_step() -> None:
    report = _report(
        "law_enforcement_strong",
        institution={"state": "TX"},
        le_is_county_sheriff=None,
        le_287g_status="prohibited_none",
    )
    may = [f for f in report["flags"] if f.get("status") == "may_apply"]
    assert [f["id"] for f in may] == ["RISK-STATE-CONFLICT-MAY-APPLY:TX-SB8"]
    assert "may apply" in may[0]["title"].lower() and "county sheriff" in may[0]["title"]
    weak = _report("law_enforcement_weak", institution={"state": "TX"}, le_is_county_sheriff=None)
    held = {s["control"]: s for s in weak["action_plan"]["state_law_steps"]}
    assert held["LE-BL-287G"]["laws"][0]["may_apply"] is True
    assert any("may apply, answer" in r for r in held["LE-BL-287G"]["risks"])


def test_every_format_names_the_unresearched_state_and_shows_the_state_law_section() -> None:
    # New Mexico's row holds only a reported law nobody read in a primary text (HB 9): not checked, and named.
    nm = _report("k12_school_nm_developing")
    note = "State law for New Mexico has not been checked by this tool against the text of these reported laws"
    assert nm["state_law"] == {**nm["state_law"], "state": "NM", "name": "New Mexico", "researched": False}
    assert "New Mexico HB 9, the Immigrant Safety Act (2026); have counsel check them." in nm["state_law"]["note"]
    for fmt in ("text", "markdown", "html"):
        assert note.replace(" ", "") in render_report(nm, fmt).replace("\\", "").replace(" ", "").replace("\n", "")
    assert note in draft_markdown(build_draft(RULESET, nm))
    tx = _report("jail_weak", institution={"state": "TX"})
    for fmt, heading in (("text", "STATE LAW STANDS IN THE WAY"), ("markdown", "## State law stands in the way")):
        out = render_report(tx, fmt)
        assert heading in out and "Changing this would conflict with Texas SB 8" in out.replace("\n       ", " ")
    assert "id='state-law-steps'" in render_report(tx, "html")


def test_titles_and_drafts_use_words_and_correct_possessives() -> None:
    nm = _report("k12_school_nm_developing")
    assert "k12_school" not in render_report(nm, "text").splitlines()[0]
    assert "(K-12 school or district; New Mexico; public body)" in render_report(nm, "text").splitlines()[0]
    assert possessive("Lincoln Valley Public Schools") == "Lincoln Valley Public Schools'"
    assert possessive("Saint Mark") == "Saint Mark's"
    text = draft_markdown(build_draft(RULESET, _report("local_government_weak", institution={"name": "Rio Schools"})))
    assert "s's" not in text


def test_steps_are_instructions_with_their_reason_and_keep_their_bound() -> None:
    report = _report("k12_school_nm_developing")
    step = next(s for s in report["action_plan"]["steps"] if s["control"] == "XC-CF-1373SAVINGS")
    assert step["change_text"].startswith("So that the confidentiality policy protects personal data")
    assert "→" not in step["change_text"]
    bounded = [s for s in report["action_plan"]["steps"] if s["bound"]]
    for s in bounded:
        assert s["outcome_words"] == f"partial, {s['bound'].replace('_', ' ')}"


def test_a_new_mexico_school_reads_california_law_labelled_as_another_states_example() -> None:
    nm = _report("k12_school_nm_developing", sc_requests_reported_to_board=False)
    texts = " ".join(f["explanation"] for f in nm["findings"])
    assert "Education Code 234.7" not in texts.replace("(Example from another state (CA): California's Education", "")


def test_the_draft_command_prints_json_with_clauses_and_left_out(tmp_path: Path) -> None:
    sample = SAMPLES / "jail_weak.yaml"
    out = subprocess.run(
        [sys.executable, "-m", "engine.cli", "draft", str(sample), "--format", "json", "--as-of", "2026-12-01"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    data = json.loads(out)
    assert {"clauses", "left_out"} <= set(data)
    assert all({"id", "control"} <= set(c) for c in data["clauses"])
    assert {"CL-NO-287G-IGSA", "CL-NO-NOTICE"} <= {c["id"] for c in data["left_out"]}
    assert all({"id", "control", "laws", "why"} <= set(c) for c in data["left_out"])
    target = tmp_path / "draft.json"
    subprocess.run([sys.executable, "-m", "engine.cli", "draft", str(sample), "-o", str(target)], check=True)
    assert json.loads(target.read_text())["clauses"]
    md = subprocess.run(
        [sys.executable, "-m", "engine.cli", "draft", str(sample), "--as-of", "2026-12-01"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "## Left out because Texas SB 8 (2025), Government Code chapter 753 forbids it" in md.replace("\\", "")


def test_the_docx_draft_ends_with_the_left_out_section_and_a_tennessee_council_is_warned_first() -> None:
    import io

    from docx import Document

    from engine import draft_docx

    tn = _report("local_government_weak", institution={"state": "TN"})
    draft = build_draft(RULESET, tn)
    doc = Document(io.BytesIO(draft_docx(draft)))
    texts = [p.text for p in doc.paragraphs]
    first_warning = next(i for i, t in enumerate(texts) if t.startswith("Warning — state law."))
    assert "Class E felony" in texts[first_warning]
    assert first_warning < next(i for i, t in enumerate(texts) if t.startswith("1. "))
    assert any(t.startswith("Left out because Tennessee Code 7-68-103") and "Tennessee SB 6002" in t for t in texts)
    assert draft_json(draft)["left_out"][0]["laws"] == ["TN-7-68-103", "TN-SB6002"]


def test_a_tennessee_council_is_warned_of_the_felony_whatever_its_answers() -> None:
    """warn_types: the warning does not hang on the answers that raise a conflict (a council with no gaps at all,
    or one whose policy does not forbid sharing status, still votes on its draft)."""
    for sample, answers in (
        ("local_government_weak", {"xc_policy_bars_sharing_status": "no_status_ban"}),
        ("local_government_strong", {}),
        ("jail_strong", {}),
    ):
        tn = _report(sample, institution={"state": "TN"}, **answers)
        assert "TN-SB6002" in [law["id"] for law in tn["state_law"]["laws"]]
        assert any("Class E felony" in line for line in warning_lines(build_draft(RULESET, tn)))
    # A private body and a kind of institution the law does not name get no such warning.
    private_council = ("local_government_weak", {"state": "TN", "public": False})
    for sample, inst in (private_council, ("library_weak", {"state": "TN"})):
        other = _report(sample, institution=inst)
        assert "TN-SB6002" not in [law["id"] for law in other["state_law"]["laws"]]
    # Before the act took effect, nothing warns.
    early = _report("local_government_weak", institution={"state": "TN"}, as_of=dt.date(2025, 6, 30))
    assert "TN-SB6002" not in [law["id"] for law in early["state_law"]["laws"]]


# Words that belong to other kinds of institution: a private body's help, explanations and draft must not use them.
OTHER_TYPES_WORDS = ("superintendent", "teacher", "ordinance", "school board", "student", "inmate", "sheriff")


@pytest.mark.parametrize("kind", ["congregation", "employer", "shelter"])
def test_a_private_body_reads_no_other_kinds_words_in_its_help_explanations_or_draft(kind: str) -> None:
    texts = [q.text + " " + q.help for q in RULESET.questions_for([kind])]
    texts += [t for c in RULESET.controls_for([kind]) for t in c.explanation.values()]
    report = _report(f"{kind}_weak")
    draft = build_draft(RULESET, report)
    texts += [s.template for s in draft.sections]
    for text in texts:
        for word in OTHER_TYPES_WORDS:
            assert word not in text.lower(), f"{kind} reads {word!r} in: {text[:120]}"
    assert "shall be made public" not in draft_markdown(draft)


def test_a_texas_school_district_exempt_from_chapter_752_gets_no_state_law_warning_or_held_step() -> None:
    report = _report("k12_school_weak", institution={"state": "TX"})
    assert report["action_plan"]["state_law_steps"] == []
    assert report["state_law"]["researched"] is True and report["state_law"]["laws"] == []
    assert build_draft(RULESET, report).warnings == ()


def test_a_state_marked_sentence_needs_a_real_state_code(tmp_path: Path) -> None:
    import shutil

    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rulesets" / "sanctuary", rules)
    shutil.copytree(ROOT / "sample_policies" / "clauses", tmp_path / "clauses")
    manifest = rules / "ruleset.yaml"
    manifest.write_text(manifest.read_text() + "clauses_dir: ../clauses\n")
    control = rules / "controls" / "SC-AC-BOARDREPORT_board-reporting.yaml"
    control.write_text(control.read_text().replace("<<CA:", "<<Calif:"))
    with pytest.raises(RulesetError, match="two-letter state code"):
        load_ruleset(rules)
