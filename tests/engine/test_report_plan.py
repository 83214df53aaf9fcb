"""The per-ruleset report plan and the memoised explanations: faster reports with the same content, and a
caller that edits one report never changes the next one (the parts reports share refuse edits instead)."""

from __future__ import annotations

import copy
import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import evaluate, parse_submission

AS_OF = dt.date(2026, 11, 28)


def _weak_school(ruleset):
    answers = {q.id: False for q in ruleset.questions_for(["k12_school"]) if q.type == "boolean"}
    institution = {"name": "S", "type": "k12_school", "state": "CA", "public": True}
    return parse_submission(ruleset, {"institution": institution, "answers": answers}, "t")


def test_editing_a_report_does_not_leak_into_the_next(ruleset) -> None:
    submission = _weak_school(ruleset)
    first = evaluate(ruleset, submission, as_of=AS_OF)
    pristine = copy.deepcopy(evaluate(ruleset, submission, as_of=AS_OF))
    shared = [c for f in first["findings"] for c in f["citations"]]
    shared += [c for f in first["findings"] for c in (f["to_pass"] or []) + f["because"]]
    shared += [c for flag in first["flags"] for c in flag["citations"]]
    assert len(shared) > 100
    for part in shared:  # shared with every other report that needs them: an edit is refused, not spread
        with pytest.raises(TypeError, match="copy it first"):
            part["title"] = "edited"
        with pytest.raises(TypeError):
            part.update(title="edited")
        edited = dict(part)  # the copy the message asks for is the caller's own
        edited["title"] = "edited"
    for finding in first["findings"]:  # the finding itself and its lists are the caller's
        finding["explanation"] += " edited"
        finding["citations"].append({"id": "edited"})
        finding["because"].clear()
    assert evaluate(ruleset, submission, as_of=AS_OF) == pristine


def test_a_flag_row_merged_from_several_entries_of_one_law_shares_read_only_citations(ruleset) -> None:
    # Texas SB 4 has two entries under one flag id for police; the row joins the sources of both. The shipped
    # entries cite the same sources, so the second is given one more here (a new content hash: a new plan).
    import dataclasses

    from engine.report.readonly import ReadOnlyDict

    flags = dict(ruleset.flags)
    second = "RISK-STATE-CONFLICT:TX-SB4#1"
    cited = {*flags[second].citations, *flags["RISK-STATE-CONFLICT:TX-SB4"].citations}
    extra = next(c for c in ruleset.citations if c not in cited)
    flags[second] = dataclasses.replace(flags[second], citations=(*flags[second].citations, extra))
    rules = dataclasses.replace(ruleset, flags=flags, content_hash=ruleset.content_hash + "-one-more-source")
    answers = {q.id: q.tiers()[0][0] for q in rules.questions_for(["law_enforcement"]) if q.tiers()}
    answers["xc_policy_bars_sharing_status"] = "forbids_sharing_status"
    institution = {"name": "P", "type": "law_enforcement", "state": "TX", "public": True}
    report = evaluate(rules, parse_submission(rules, {"institution": institution, "answers": answers}), as_of=AS_OF)
    merged = next(f for f in report["flags"] if len(f["rules"]) > 1)
    assert merged["id"] == "RISK-STATE-CONFLICT:TX-SB4"
    assert extra in [c["id"] for c in merged["citations"]]
    assert all(isinstance(c, ReadOnlyDict) for c in merged["citations"])


def test_shared_report_parts_read_serialise_and_copy_as_plain_dicts(ruleset) -> None:
    import json
    import pickle

    from engine.report.readonly import ReadOnlyDict

    report = evaluate(ruleset, _weak_school(ruleset), as_of=AS_OF)
    citation = report["findings"][0]["citations"][0]
    assert isinstance(citation, ReadOnlyDict) and isinstance(citation, dict)
    plain = json.loads(json.dumps(report))
    assert plain == report and json.dumps(plain) == json.dumps(report)  # the same JSON as plain dicts
    for copied in (dict(citation), citation.copy(), copy.copy(citation), pickle.loads(pickle.dumps(citation))):
        assert type(copied) is dict and copied == citation
        copied["title"] = "edited"  # editable, and the shared one is unchanged
    assert citation["title"] != "edited"
    thawed = copy.deepcopy(report)
    assert thawed == report and type(thawed["findings"][0]["citations"][0]) is dict
    # Nothing mutable hides inside a shared part: its values are scalars or read-only dicts.
    for finding in report["findings"]:
        for part in [*finding["citations"], *finding["because"], *(finding["to_pass"] or []), finding["effective"]]:
            assert isinstance(part, ReadOnlyDict)
            assert all(isinstance(v, str | int | float | bool | ReadOnlyDict | None) for v in part.values())


def test_memoised_explanations_follow_the_answers_they_read(ruleset) -> None:
    from engine.evaluator.evaluate import Evaluator

    weak = _weak_school(ruleset)
    strong_answers = {**weak.answers, **{q: True for q in list(weak.answers)[::2]}}
    strong = parse_submission(
        ruleset, {"institution": {"name": "S", "type": "k12_school", "state": "CA"}, "answers": strong_answers}, "t"
    )
    warm = [evaluate(ruleset, s, as_of=AS_OF) for s in (weak, strong, weak, strong)]  # one memo throughout
    for submission, report in zip((weak, strong, weak, strong), warm, strict=True):
        cold = Evaluator(ruleset)  # its own report plan, so its memo of explanations starts empty
        assert cold.evaluate(submission, as_of=AS_OF) == report  # as if nothing had been memoised


def _edit_everything(value) -> None:
    """Change every list and mapping inside a report, at every depth (the shared, read-only parts refuse)."""
    from engine.report.readonly import ReadOnlyDict

    if isinstance(value, ReadOnlyDict):
        with pytest.raises(TypeError):
            value["edited"] = True
    elif isinstance(value, dict):
        for item in list(value.values()):
            _edit_everything(item)
        value["edited"] = True
    elif isinstance(value, list):
        for item in list(value):
            _edit_everything(item)
        value.append("edited")


def test_deep_edits_of_a_report_never_reach_the_next(ruleset) -> None:
    # Not-covered findings, filled roll-up texts, citations: all memoised, handed out as copies or read-only.
    for kind, state in (("k12_school", "CA"), ("jail", "TX")):
        institution = {"name": "S", "type": kind, "state": state, "public": True}
        submission = parse_submission(ruleset, {"institution": institution, "answers": {}}, "t")
        pristine = copy.deepcopy(evaluate(ruleset, submission, as_of=AS_OF))  # a snapshot: shares nothing
        _edit_everything(evaluate(ruleset, submission, as_of=AS_OF))
        assert evaluate(ruleset, submission, as_of=AS_OF) == pristine


def _cold(ruleset, monkeypatch):
    """A new evaluator (its report memo empty) and the roll-up text memo bypassed: reports as if nothing had been
    memoised."""
    from engine.evaluator.evaluate import Evaluator
    from engine.rules import wording

    monkeypatch.setattr(wording, "_fill_memo", wording._fill_memo.__wrapped__)
    return Evaluator(ruleset)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_one_changed_answer_or_institution_field_changes_the_memoised_report(ruleset, data) -> None:
    # Warm memos must give exactly what cold ones give after any one change, so a memo key never misses an input.
    # Law enforcement and local government have controls that test the state; jails, public/private.
    kind = data.draw(st.sampled_from(["k12_school", "jail", "law_enforcement", "local_government"]))
    questions = [q for q in ruleset.questions_for([kind]) if q.type == "boolean"]
    answers = {q.id: data.draw(st.booleans()) for q in questions}
    institution = {"name": "S", "type": kind, "state": data.draw(st.sampled_from(["CA", "TX", "IL"])), "public": True}
    base = parse_submission(ruleset, {"institution": institution, "answers": answers}, "t")
    evaluate(ruleset, base, as_of=AS_OF)  # warms every memo on the base answers
    flipped = data.draw(st.sampled_from(questions)).id
    changes = [
        {"institution": institution, "answers": {**answers, flipped: not answers[flipped]}},
        {"institution": {**institution, "state": "WA"}, "answers": answers},
        {"institution": {**institution, "public": False}, "answers": answers},
    ]
    for raw in changes:
        changed = parse_submission(ruleset, raw, "t")
        warm = evaluate(ruleset, changed, as_of=AS_OF)
        with pytest.MonkeyPatch.context() as patch:
            assert _cold(ruleset, patch).evaluate(changed, as_of=AS_OF) == warm


def test_a_changed_answer_changes_memoised_texts(ruleset) -> None:
    # The weak school fails everything; one answer made true changes that control's finding and the roll-up.
    weak = _weak_school(ruleset)
    before = evaluate(ruleset, weak, as_of=AS_OF)
    changed = None
    for qid in weak.answers:
        better = parse_submission(
            ruleset,
            {"institution": weak.institution.to_dict(), "answers": {**weak.answers, qid: True}},
            "t",
        )
        after = evaluate(ruleset, better, as_of=AS_OF)
        if after["components"] != before["components"]:
            changed = after
            break
    assert changed is not None
    assert [c["explanation"] for c in changed["components"]] != [c["explanation"] for c in before["components"]]


@pytest.mark.parametrize("backend", ["durable", "oracle"])
def test_other_types_holds_exactly_the_controls_written_for_other_kinds(ruleset, backend) -> None:
    # Schema 2: findings + other_types partition the catalogue; the grouping follows the type, never the verdict.
    for kind in ruleset.institution_types:
        institution = {"name": "S", "type": kind, "state": "CA", "public": True}
        report = evaluate(
            ruleset,
            parse_submission(ruleset, {"institution": institution, "answers": {}}, "t"),
            as_of=AS_OF,
            backend=backend,
        )
        listed = [f["control"] for f in report["findings"]]
        grouped = (report["other_types"] or {}).get("controls", [])
        assert sorted(listed + grouped) == sorted(ruleset.controls), kind
        assert all(kind in ruleset.controls[c].applies_to for c in listed), kind
        assert all(kind not in ruleset.controls[c].applies_to for c in grouped), kind
        if grouped:
            assert str(len(grouped)) in report["other_types"]["explanation"]
            assert {"id": "findings:other_types", "rule": report["other_types"]["rule"], "from": ["institution"]} in (
                report["derivations"]
            )
        assert report["schema_version"] == 2


def test_memo_is_bounded_and_drops_its_oldest_entry() -> None:
    from engine.rules.memo import Memo

    memo = Memo(2)
    for key in "abc":
        memo.put(key, key.upper())
    assert memo.get("a") is None and memo.get("b") == "B" and memo.get("c") == "C"
    assert memo.get("a", "missing") == "missing"
