"""Choice aliases: yes/no answers written before a question became a choice still mean one choice.

Aliases are rules data (``aliases`` on a choice question). They are accepted by ``normalise_answer``
in answers files and survey cells alike, and the loader rejects aliases that collide with a choice's
id or label or with each other.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine import InputError, RulesetError, load_ruleset, normalise_answer, parse_submission
from engine.run.normalise import FALSE_WORDS, TRUE_WORDS
from engine.survey.rows import evaluate_frame
from tests.conftest import MINI_RULES

CONVERTED = {
    # question that became a choice -> (choice for an old "yes", choice for an old "no")
    "xc_policy_has_1373_savings_clause": ("included", "not_included"),
    "xc_policy_bars_sharing_status": ("forbids_sharing_status", "no_status_ban"),
}


@pytest.mark.parametrize("qid", sorted(CONVERTED))
def test_old_yes_no_answers_map_to_one_choice(ruleset, qid: str) -> None:
    question = ruleset.questions[qid]
    yes, no = CONVERTED[qid]
    for raw in (True, "yes", "Yes", " YES ", "sí", "si", "true", "y"):
        assert normalise_answer(question, raw) == yes, raw
    for raw in (False, "no", "No", "false", "n"):
        assert normalise_answer(question, raw) == no, raw
    # Ids and labels still work, and "don't know - ask counsel" is not confused with "no".
    assert normalise_answer(question, yes) == yes
    assert normalise_answer(question, question.choices[no]) == no
    assert normalise_answer(question, "dont_know_ask_counsel") == "dont_know_ask_counsel"


def test_a_question_without_aliases_still_rejects_yes(ruleset) -> None:
    question = ruleset.questions["le_nonpublic_info_to_ice"]
    assert not question.aliases
    with pytest.raises(InputError, match="le_nonpublic_info_to_ice: 'yes' is not one of the choices"):
        normalise_answer(question, "yes")


@given(st.sampled_from(sorted(TRUE_WORDS | FALSE_WORDS)), st.sampled_from(["", " ", "  "]))
def test_every_yes_no_spelling_a_boolean_accepts_an_alias_accepts(word: str, pad: str) -> None:
    ruleset = _RULES
    boolean = next(q for q in ruleset.questions.values() if q.type == "boolean")
    question = ruleset.questions["xc_policy_has_1373_savings_clause"]
    expected = "included" if normalise_answer(boolean, pad + word) else "not_included"
    assert normalise_answer(question, pad + word.upper() + pad) == expected


_RULES = load_ruleset()


def test_an_old_answers_file_with_yes_no_is_read(ruleset) -> None:
    submission = parse_submission(
        ruleset,
        {
            "institution": {"name": "Old city", "type": "local_government", "public": True},
            "answers": {"xc_policy_has_1373_savings_clause": True, "xc_policy_bars_sharing_status": "no"},
        },
    )
    assert submission.answers["xc_policy_has_1373_savings_clause"] == "included"
    assert submission.answers["xc_policy_bars_sharing_status"] == "no_status_ban"


def test_an_old_survey_row_with_yes_no_is_not_an_error_row(ruleset) -> None:
    frame = pd.DataFrame(
        {
            "institution_name": ["Old city"],
            "institution_type": ["local_government"],
            "public": ["yes"],
            "xc_policy_limits_other_personal_data": ["yes"],
            "xc_policy_has_1373_savings_clause": ["Yes"],
            "xc_policy_bars_sharing_status": ["No"],
        }
    )
    results = evaluate_frame(ruleset, frame)
    assert results["error"].fillna("").eq("").all(), results["error"].tolist()
    assert results["control:XC-CF-1373SAVINGS"].tolist() == ["pass"]


# -- strict loader checks ------------------------------------------------------------------------------------

BASE = """q_entry:
  text: An agent with only an administrative warrant asks to enter a non-public area. What happens?
  type: choice
  choices:
    refused: Refused pending counsel
    case_by_case: A manager decides
    admitted: Admitted
  more_protective: [[refused], [case_by_case], [admitted]]
"""


def _load_with(tmp_path: Path, aliases: str):
    root = tmp_path / "rules" / "mini"
    shutil.copytree(MINI_RULES, root)
    path = root / "questions" / "q.yaml"
    text = path.read_text()
    assert BASE in text
    path.write_text(text.replace(BASE, BASE + aliases, 1))
    return load_ruleset(root)


def test_the_loader_accepts_aliases_as_data(tmp_path: Path) -> None:
    rules = _load_with(tmp_path, '  aliases:\n    refused: ["yes", "Always refused"]\n')
    question = rules.questions["q_entry"]
    assert question.aliases == {"yes": "refused", "always refused": "refused"}
    assert normalise_answer(question, "ALWAYS REFUSED") == "refused"


@pytest.mark.parametrize(
    ("aliases", "expected"),
    [
        ('  aliases:\n    refused: ["admitted"]\n', "already the id or label of choice 'admitted'"),
        ('  aliases:\n    refused: ["A manager decides"]\n', "already the id or label of choice 'case_by_case'"),
        ('  aliases:\n    refused: ["case by case"]\n', "already the id or label of choice 'case_by_case'"),
        ('  aliases:\n    refused: ["yes"]\n    admitted: ["Yes"]\n', "already an alias of 'refused'"),
        ("  aliases:\n    refused: [yes]\n", "was read as bool; quote it"),
        ('  aliases:\n    refusd: ["yes"]\n', "'refusd' is not a choice. Did you mean 'refused'"),
        ("  aliases:\n    refused: []\n", "expected a non-empty list"),
        ('  aliases:\n    refused: ["  "]\n', "cannot be blank"),
    ],
)
def test_the_loader_rejects_colliding_or_malformed_aliases(tmp_path: Path, aliases: str, expected: str) -> None:
    with pytest.raises(RulesetError) as err:
        _load_with(tmp_path, aliases)
    message = str(err.value)
    assert "q.yaml" in message and "q_entry.aliases" in message and expected in message


def test_only_choice_questions_have_aliases(tmp_path: Path) -> None:
    root = tmp_path / "rules" / "mini"
    shutil.copytree(MINI_RULES, root)
    path = root / "questions" / "q.yaml"
    old = "q_published:\n  text: Is it published?\n  type: boolean\n"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, old + '  aliases:\n    x: ["yes"]\n', 1))
    with pytest.raises(RulesetError, match=r"q_published\.aliases: only choice questions have aliases"):
        load_ruleset(root)


# -- retired question ids ------------------------------------------------------------------------------------


def test_an_answers_file_with_a_renamed_question_says_what_replaced_it(ruleset) -> None:
    document = {
        "institution": {"name": "Old PD", "type": "law_enforcement"},
        "answers": {"le_nonpublic_info_barred": True},
    }
    with pytest.raises(InputError) as err:
        parse_submission(ruleset, document, "old.yaml")
    assert str(err.value) == (
        "old.yaml: was written for an earlier release of the questions (le_nonpublic_info_barred was replaced by "
        "le_nonpublic_info_to_ice); run `sanctuary upgrade old.yaml` to bring it up to date."
    )


def test_a_split_question_names_both_halves(ruleset) -> None:
    document = {
        "institution": {"name": "Old U", "type": "university"},
        "answers": {"un_legal_resources_each_term": "yes"},
    }
    with pytest.raises(InputError, match="replaced by un_legal_services_list_each_term and un_rights_guide_each_term"):
        parse_submission(ruleset, document)


def test_a_survey_column_with_a_retired_id_is_explained(ruleset) -> None:
    from engine.survey.headers import map_columns

    mapping = map_columns(ruleset, ["institution_type", "xc_policy_published_in_languages"])
    assert any("replaced by xc_policy_published and xc_policy_in_community_languages" in p for p in mapping.problems)


def test_a_retired_id_cannot_still_be_a_question(tmp_path: Path) -> None:
    with pytest.raises(RulesetError, match=r"q_entry\.replaces: 'q_published' is still a question"):
        _load_with(tmp_path, "  replaces: [q_published]\n")
