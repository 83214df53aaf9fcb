"""The questionnaire's structure, shared by the Self-assessment and Review pages (no Streamlit here)."""

from __future__ import annotations

import unicodedata
from typing import Any

from engine import (
    SPANISH_STATE_NAMES,
    Institution,
    Question,
    Ruleset,
    _,
    current_language,
    skipped_questions,
    us_states,
)

# The glossary keeps "Texas" in Spanish; the reader also accepts "Tejas", but the app shows the usual name.
_SPANISH_SHOWN = {code: name for name, code in reversed(SPANISH_STATE_NAMES.items()) if name != "Tejas"}


def sections(ruleset: Ruleset, types: list[str]) -> list[tuple[str, str, list[Question]]]:
    """(component id, title, questions) for the chosen types, in component order, after 'institution'."""
    grouped: dict[str, list[Question]] = {}
    for question in ruleset.questions_for(types) if types else []:
        grouped.setdefault(ruleset.question_component(question.id) or "other", []).append(question)
    out: list[tuple[str, str, list[Question]]] = [("institution", _("Your institution"), [])]
    for cid, meta in ruleset.components.items():
        if cid in grouped:
            out.append((cid, meta["title"], grouped[cid]))
    if "other" in grouped:  # questions read only by legal-risk flags that concern no control (state-law context)
        out.append(("other", _("Legal risks and state law"), grouped["other"]))
    return out


def asked_sections(
    ruleset: Ruleset, all_sections: list[tuple[str, str, list[Question]]], inst: dict[str, Any], answers: dict[str, Any]
) -> list[tuple[str, str, list[Question]]]:
    """The sections without the questions the answers so far skip (a follow-up after "No", ``ask_when``)."""
    who = Institution(inst.get("name") or "", tuple(inst.get("types") or ()), inst.get("state"), inst.get("public"))
    skipped = skipped_questions(ruleset, answers, who)
    if not skipped:
        return all_sections
    return [(cid, title, [q for q in qs if q.id not in skipped]) for cid, title, qs in all_sections]


def fold_accents(text: str) -> str:
    """'Míchigan' -> 'michigan': the sort key for names with and without accents."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def state_options(ruleset: Ruleset) -> dict[str, str]:
    """State code -> name, sorted by name (Alabama before Alaska); codes only the rules know come last."""
    names = dict(us_states())
    if current_language() == "es":  # Nuevo México, Carolina del Norte; the rest are the same in Spanish
        names = dict(sorted({**names, **_SPANISH_SHOWN}.items(), key=lambda item: fold_accents(item[1])))
    extra = {code: code for code in sorted(ruleset.states) if code not in names}
    return {**names, **extra}


def answer_words(question: Question, value: Any) -> str:
    """An answer as the person chose it ('Yes', a choice's label, a number)."""
    if value is None:
        return _("Not answered yet")
    if question.type == "boolean":
        return _("Yes") if value is True else _("No") if value is False else str(value)
    if question.type == "choice":
        return question.choices.get(value, str(value))
    return str(value)


def progress(answered: int, total: int) -> float:
    """Share of questions answered (0.0 with no questions yet, never a full bar at '0 of 0')."""
    return answered / total if total else 0.0
