"""The per-ruleset report plan and the memoised explanations: faster reports with the same content, and a
caller that edits one report never changes the next one."""

from __future__ import annotations

import datetime as dt

from engine import evaluate, parse_submission

AS_OF = dt.date(2026, 11, 28)


def _weak_school(ruleset):
    answers = {q.id: False for q in ruleset.questions_for(["k12_school"]) if q.type == "boolean"}
    institution = {"name": "S", "type": "k12_school", "state": "CA", "public": True}
    return parse_submission(ruleset, {"institution": institution, "answers": answers}, "t")


def test_editing_a_report_does_not_leak_into_the_next(ruleset) -> None:
    submission = _weak_school(ruleset)
    first = evaluate(ruleset, submission, as_of=AS_OF)
    pristine = evaluate(ruleset, submission, as_of=AS_OF)
    for finding in first["findings"]:
        for citation in finding["citations"]:
            citation["title"] = "edited"
        for change in finding["to_pass"] or []:
            change["to"] = "edited"
        finding["explanation"] += " edited"
    for flag in first["flags"]:
        for citation in flag["citations"]:
            citation["title"] = "edited"
    assert evaluate(ruleset, submission, as_of=AS_OF) == pristine


def test_memoised_explanations_follow_the_answers_they_read(ruleset, monkeypatch) -> None:
    from engine.report import build
    from engine.report.plan import Memo

    weak = _weak_school(ruleset)
    strong_answers = {**weak.answers, **{q: True for q in list(weak.answers)[::2]}}
    strong = parse_submission(
        ruleset, {"institution": {"name": "S", "type": "k12_school", "state": "CA"}, "answers": strong_answers}, "t"
    )
    warm = [evaluate(ruleset, s, as_of=AS_OF) for s in (weak, strong, weak, strong)]  # one memo throughout
    for submission, report in zip((weak, strong, weak, strong), warm, strict=True):
        monkeypatch.setattr(build, "_EXPLANATIONS", Memo(10))
        monkeypatch.setattr(build, "_TO_PASS", Memo(10))
        assert evaluate(ruleset, submission, as_of=AS_OF) == report  # as if nothing had been memoised
