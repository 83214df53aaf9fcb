"""`sanctuary upgrade`: old answers files and surveys read under the current questions.

The old files come from git history (tests/fixtures/released_answers, written by
scripts/released_questions.py --old-answers): every sample and scenario that a rewording touched, as it
stood just before the rewording and as that commit migrated it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from engine import evaluate, load_ruleset, parse_submission
from engine.cli.main import main
from engine.errors import InputError
from engine.run.upgrade import load_registry, upgrade_answers, upgrade_document

ROOT = Path(__file__).resolve().parent.parent
OLD = ROOT / "tests" / "fixtures" / "released_answers"
PAIRS = sorted(p.relative_to(OLD) for p in OLD.glob("*/before/*.yaml"))
AS_OF = "2026-12-01"


@pytest.fixture(scope="module")
def ruleset():
    return load_ruleset()


def _verdicts(ruleset, text: str, name: str) -> tuple[dict[str, str], str]:
    import datetime as dt

    submission = parse_submission(ruleset, yaml.safe_load(text), name)
    report = evaluate(ruleset, submission, as_of=dt.date.fromisoformat(AS_OF))
    return {f["control"]: f["outcome"] for f in report["findings"]}, report["overall"]["level"]


def _readers(ruleset, question_ids: set[str]) -> set[str]:
    return {c.id for c in ruleset.controls.values() if question_ids & set(c.questions)} | {
        # A flag that reads a question can move the level through a cap.
        "*level*"
        for f in ruleset.flags.values()
        if f.answers is not None and question_ids & set(f.answers.references())
    }


@pytest.mark.parametrize("pair", PAIRS, ids=[str(p) for p in PAIRS])
def test_an_old_file_upgrades_to_the_verdicts_of_its_migrated_copy(ruleset, pair: Path) -> None:
    """Upgrade the file as it was before a rewording and as that commit migrated it: same verdicts,
    except on controls reading a question the upgrade had to leave blank (listed, never guessed)."""
    before_path = OLD / pair
    after_path = OLD / pair.parent.parent / "after" / pair.name
    before = upgrade_document(ruleset, before_path.read_bytes(), before_path.name)
    after = upgrade_document(ruleset, after_path.read_bytes(), after_path.name)
    old_verdicts, old_level = _verdicts(ruleset, before.text, "before")
    new_verdicts, new_level = _verdicts(ruleset, after.text, "after")
    blank = {c.new for c in before.upgrade.left_blank} | {c.new for c in after.upgrade.left_blank}
    # Questions the migrating commit answered afresh (a new question, or a split half it filled in)
    # and the upgrade left blank: the file cannot know them.
    answered_after = set(yaml.safe_load(after.text)["answers"])
    answered_before = {k for k, v in yaml.safe_load(before.text)["answers"].items() if v is not None}
    differing = {q for q in answered_after if q not in answered_before} | blank
    skip = _readers(ruleset, {q for q in differing if q})
    before_answers = yaml.safe_load(before.text)["answers"]
    after_answers = yaml.safe_load(after.text)["answers"]
    # A commit that also changed an answer for another reason (rebalancing a sample) is not an upgrade.
    changed_by_hand = {q for q in set(before_answers) & set(after_answers) if before_answers[q] != after_answers[q]}
    skip |= _readers(ruleset, changed_by_hand)
    compared = {c for c in old_verdicts if c not in skip}
    assert compared, "nothing left to compare"
    for control in compared:
        assert old_verdicts[control] == new_verdicts[control], (control, old_verdicts[control], new_verdicts[control])
    if "*level*" not in skip and not (set(old_verdicts) - compared):
        assert old_level == new_level


@pytest.mark.parametrize("pair", PAIRS[::7], ids=[str(p) for p in PAIRS[::7]])
def test_upgrade_is_idempotent(ruleset, pair: Path) -> None:
    once = upgrade_document(ruleset, (OLD / pair).read_bytes(), pair.name)
    twice = upgrade_document(ruleset, once.text, pair.name)
    assert not twice.needed and twice.text == once.text
    assert yaml.safe_load(once.text)["rules_version"] == ruleset.version


def test_every_released_id_and_choice_still_loads_or_upgrades(ruleset) -> None:
    """The registry's promise: nothing a release accepted is ever an 'unknown question' again."""
    registry = load_registry(ruleset)
    assert len(registry.releases) >= 16 and len(registry.questions) >= len(ruleset.questions)
    for qid, entry in registry.questions.items():
        values: list[object] = []
        if "boolean" in entry["type"]:
            values += [True, False]
        values += list(entry.get("choices") or {})
        if "number" in entry["type"]:
            values.append(3)
        for value in values:
            upgraded = upgrade_answers(ruleset, {qid: value}, registry)
            answers = {k: v for k, v in upgraded.answers.items() if v is not None}
            doc = {"institution": {"name": "X", "type": "congregation"}, "answers": answers}
            parse_submission(ruleset, doc, f"{qid}={value!r}")  # must not raise
            if not answers:  # left blank: it must say so, naming the question to answer again
                assert upgraded.left_blank, (qid, value)


def test_the_registry_holds_every_current_question_and_choice(ruleset) -> None:
    registry = load_registry(ruleset)
    for question in ruleset.questions.values():
        entry = registry.questions.get(question.id)
        assert entry, f"{question.id} is not in released_questions.yaml; run python scripts/released_questions.py"
        assert set(question.choices) <= set(entry.get("choices") or {}), question.id


def test_known_breaks_of_the_issue_upgrade(ruleset) -> None:
    got = upgrade_answers(
        ruleset,
        {
            "cg_plan_forbids_interference": True,
            "cg_plan_hides_people": "yes",
            "xc_log_reporting": "none",
            "cg_physical_sanctuary": "concealed",
            "xc_policy_has_1373_savings_clause": True,
        },
    )
    assert got.answers == {
        "cg_plan_explains_declining_entry": True,
        "cg_plan_forbids_obstruction": False,
        "xc_log_reporting": "no_summaries",
        "cg_physical_sanctuary": "openness_not_required",
        "xc_policy_has_1373_savings_clause": "included",
    }
    assert not got.left_blank


def test_an_ambiguous_old_answer_is_left_blank_and_listed(ruleset) -> None:
    got = upgrade_answers(ruleset, {"xc_log_reporting": "periodic_public", "cg_physical_sanctuary": "no_sanctuary"})
    assert got.answers == {"xc_log_reporting": None, "cg_physical_sanctuary": None}
    listed = {c.new: c.message for c in got.left_blank}
    assert set(listed) == {"xc_log_reporting", "cg_physical_sanctuary"}
    assert "made public" in listed["xc_log_reporting"]


def test_an_id_no_release_had_is_an_error_not_a_guess(ruleset) -> None:
    with pytest.raises(InputError, match="no release of these rules had"):
        upgrade_answers(ruleset, {"cg_made_up_question": True})


def test_evaluate_says_one_line_to_upgrade_an_old_file(tmp_path, capsys) -> None:
    old = tmp_path / "old.yaml"
    old.write_text(
        "institution: {name: Grace, type: congregation}\n"
        "answers: {cg_plan_hides_people: false, xc_log_reporting: periodic_public}\n"
    )
    assert main(["evaluate", str(old)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "was written for an earlier release" in err and f"sanctuary upgrade {old}" in err


def test_upgrade_cli_keeps_the_original_and_lists_blanks(tmp_path, capsys) -> None:
    old = tmp_path / "old.yaml"
    text = (
        "# our congregation, 2026\ninstitution: {name: Grace, type: congregation}\n"
        "answers:\n  cg_plan_hides_people: false   # checked with the board\n  cg_physical_sanctuary: concealed\n"
    )
    old.write_text(text)
    assert main(["upgrade", str(old)]) == 0
    out = capsys.readouterr().out
    assert old.read_text() == text  # never touched without --in-place
    new = tmp_path / "old.upgraded.yaml"
    upgraded = new.read_text()
    assert upgraded.startswith("# our congregation, 2026\nrules_version:")
    assert "cg_physical_sanctuary: openness_not_required" in upgraded
    assert "cg_plan_forbids_obstruction:" in upgraded and "left blank by sanctuary upgrade" in upgraded
    assert "left blank, answer again (1)" in out and "cg_plan_forbids_obstruction" in out
    assert main(["evaluate", str(new)]) == 0
    capsys.readouterr()
    assert main(["upgrade", "--check", str(new)]) == 0
    assert main(["upgrade", "--check", str(old)]) == 1
    assert main(["upgrade", "--in-place", str(old)]) == 0
    assert old.read_text() == upgraded
    assert not list(tmp_path.glob(".*.part"))


def test_upgrade_cli_refuses_ambiguous_options(tmp_path, capsys) -> None:
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    for p in (a, b):
        p.write_text("institution: {name: A, type: library}\nanswers: {}\n")
    assert main(["upgrade", str(a), str(b), "-o", str(tmp_path / "c.yaml")]) == 2
    assert main(["upgrade", str(a), "-o", str(a)]) == 2
    assert "use --in-place" in capsys.readouterr().err


def test_survey_upgrade_keeps_every_other_byte(tmp_path, ruleset, capsys) -> None:
    text = (
        "\ufeffTimestamp,institution_type,cg_plan_hides_people,Notes;odd,xc_log_reporting,"
        "cg_physical_sanctuary\r\n"
        '2026-01-02 10:00,congregation,yes,"a, ""quoted"" note",none,concealed\r\n'
        '2026-01-03 11:00,congregation,no,,periodic_public,"Yes or planned, openly, but without a lawyer advising"\r\n'
        "2026-01-04 12:00,library,,x,internal_only,\r\n"
    )
    survey = tmp_path / "survey.csv"
    survey.write_bytes(text.encode("utf-8"))
    assert main(["upgrade", "--survey", str(survey)]) == 0
    out = capsys.readouterr().out
    got = (tmp_path / "survey.upgraded.csv").read_bytes().decode("utf-8")
    assert got.startswith("\ufeff")
    lines = got.split("\r\n")
    assert (
        lines[0] == "\ufeffTimestamp,institution_type,cg_plan_forbids_obstruction,Notes;odd,xc_log_reporting,"
        "cg_physical_sanctuary"
    )
    assert lines[1] == '2026-01-02 10:00,congregation,no,"a, ""quoted"" note",no_summaries,openness_not_required'
    assert lines[2] == "2026-01-03 11:00,congregation,,,,open_without_counsel"
    assert lines[3] == "2026-01-04 12:00,library,,x,internal_only,"
    assert "left blank" in out
    # The upgraded survey evaluates without retired columns.
    assert main(["batch", str(tmp_path / "survey.upgraded.csv"), "-o", str(tmp_path / "r.csv"), "-q"]) == 0


def _released_values(registry) -> list[tuple[str, object]]:
    pairs: list[tuple[str, object]] = []
    for qid, entry in sorted(registry.questions.items()):
        if "boolean" in entry["type"]:
            pairs += [(qid, True), (qid, False), (qid, "Sí"), (qid, "no")]
        pairs += [(qid, cid) for cid in entry.get("choices") or {}]
        pairs += [(qid, labels[0]) for labels in (entry.get("choices") or {}).values()]
        if "number" in entry["type"]:
            pairs.append((qid, 2))
    return pairs


def test_upgrade_properties_over_any_mix_of_released_answers(ruleset) -> None:
    """Any answers drawn from any releases: the upgrade reads, is idempotent, and never invents an id."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    registry = load_registry(ruleset)
    pairs = _released_values(registry)

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.lists(st.sampled_from(pairs), max_size=12, unique_by=lambda p: p[0]))
    def check(chosen: list[tuple[str, object]]) -> None:
        answers = dict(chosen)
        once = upgrade_answers(ruleset, answers, registry)
        assert set(once.answers) <= set(ruleset.questions)
        twice = upgrade_answers(ruleset, once.answers, registry)
        assert twice.answers == once.answers and not twice.left_blank
        kept = {k: v for k, v in once.answers.items() if v is not None}
        parse_submission(ruleset, {"institution": {"name": "X", "type": "library"}, "answers": kept}, "x")
        # A current answer written as a current id or yes/no is never changed.
        for qid, value in answers.items():
            question = ruleset.questions.get(qid)
            if question is not None and (value is True or value is False) and question.type == "boolean":
                assert once.answers[qid] is value

    check()


def test_a_survey_headed_by_old_question_texts_gets_the_current_texts(tmp_path, ruleset, capsys) -> None:
    registry = load_registry(ruleset)
    old_text = registry.questions["cg_plan_hides_people"]["texts"][-1]
    sanctuary_old = registry.questions["cg_physical_sanctuary"]["texts"][0]
    header = f'Timestamp,Institution type,"{old_text}","{sanctuary_old}"'
    concealed = "Yes or planned, without public notice, keeping the person's presence quiet"
    text = f'{header}\r\n1,congregation,Yes,"{concealed}"\r\n'
    survey = tmp_path / "forms.csv"
    survey.write_text(text, encoding="utf-8")
    assert main(["upgrade", "--survey", str(survey)]) == 0
    capsys.readouterr()
    got = (tmp_path / "forms.upgraded.csv").read_bytes().decode("utf-8").split("\r\n")
    obstruction = ruleset.questions["cg_plan_forbids_obstruction"]
    sanctuary = ruleset.questions["cg_physical_sanctuary"]
    assert obstruction.text in got[0] and sanctuary.text in got[0] and got[0].startswith("Timestamp,Institution type,")
    assert got[1].startswith("1,congregation,no,") and sanctuary.choices["openness_not_required"] in got[1]


def test_a_split_column_keeps_rows_aligned(tmp_path, capsys) -> None:
    text = (
        "institution_type,xc_policy_published_in_languages,xc_training_frequency\r\n"
        "library,yes,never\r\nlibrary,no,never\r\nlibrary,maybe,never\r\n"
    )
    survey = tmp_path / "s.csv"
    survey.write_text(text, encoding="utf-8")
    assert main(["upgrade", "--survey", str(survey)]) == 0
    capsys.readouterr()
    got = (tmp_path / "s.upgraded.csv").read_bytes().decode("utf-8").split("\r\n")
    assert got[0] == "institution_type,xc_policy_published,xc_policy_in_community_languages,xc_training_frequency"
    assert got[1:4] == ["library,yes,yes,never", "library,,,never", "library,maybe,maybe,never"]


def test_a_file_from_a_later_release_says_to_update_the_tool(tmp_path, capsys) -> None:
    new = tmp_path / "new.yaml"
    new.write_text("rules_version: 2099.1.0\ninstitution: {name: A, type: library}\nanswers: {lb_future: yes}\n")
    assert main(["evaluate", str(new)]) == 2
    assert "later than this tool's" in capsys.readouterr().err


def test_template_answers_file_carries_the_rules_version_and_evaluates(tmp_path, ruleset, capsys) -> None:
    out = tmp_path / "blank.yaml"
    assert main(["template", "--type", "congregation", "--answers", "-o", str(out)]) == 0
    data = yaml.safe_load(out.read_text())
    assert data["rules_version"] == ruleset.version
    assert set(data["answers"]) == {q.id for q in ruleset.questions_for(["congregation"])}
    assert main(["evaluate", str(out)]) == 0
    assert main(["upgrade", "--check", str(out)]) == 0
    assert main(["template", "--answers"]) == 2


def test_check_passes_a_current_file_without_rules_version(capsys) -> None:
    sample = ROOT / "sample_policies" / "answers" / "jail_strong.yaml"
    assert "rules_version" not in sample.read_text()
    assert main(["upgrade", "--check", str(sample)]) == 0
    assert "current" in capsys.readouterr().out
