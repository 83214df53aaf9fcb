"""The questionnaire's sections read well for every institution type (issue 23: K-12's "Other questions")."""

from __future__ import annotations

from engine import load_ruleset
from ui.questionnaire import sections


def test_every_type_has_named_sections_and_no_catch_all() -> None:
    ruleset = load_ruleset()
    titles = {meta["title"] for meta in ruleset.components.values()}
    for itype in ruleset.institution_types:
        found = sections(ruleset, [itype])
        assert found[0][1] == "Your institution"
        for _cid, title, questions in found[1:]:
            assert title in titles, f"{itype}: section {title!r} is not a component"
            assert questions, f"{itype}: empty section {title!r}"
        asked = [q.id for _, _, qs in found for q in qs]
        assert sorted(asked) == sorted(q.id for q in ruleset.questions_for([itype])), itype


def test_k12_legal_risk_questions_sit_beside_the_controls_they_concern() -> None:
    ruleset = load_ruleset()
    where = {q.id: title for _, title, qs in sections(ruleset, ["k12_school"]) for q in qs}
    components = {cid: meta["title"] for cid, meta in ruleset.components.items()}
    # "Does the policy forbid blocking officers?" is shown with the school-access and warrant-triage controls.
    assert where["xc_policy_forbids_blocking_officers"] == components["protected_spaces"]
    assert where["xc_reports_redact_personal_data"] == components["accountability"]
