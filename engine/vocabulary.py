"""The words the reports, the batch files and the app use for the engine's ids, and the one way text is folded.

One place for every word a reader sees for an outcome, a bound, a level, a flag kind or a step's priority, so
that a translation (Spanish, through gettext, is next) changes them once. The ids themselves are the contract
(docs/SPEC.md, "Vocabulary"; engine.report.types spells them as types); this module says what they read as.

It imports nothing from the engine, so every layer may use it (the app reaches it through ``engine``'s public
names). tests/test_vocabulary.py fails when one of these tables is defined again elsewhere.
"""

from __future__ import annotations

import unicodedata

# A control's or component's outcome, as a table cell or heading says it.
OUTCOME_WORDS = {
    "pass": "Pass",
    "partial": "Partial",
    "fail": "Fail",
    "not_answered": "Not answered",
    "not_applicable": "Does not apply",
    "not_in_force": "Not in force",
}
# Symbols go with the words, never instead of them (colour and shape are not the only signal).
OUTCOME_SYMBOLS = {
    "pass": "✔",
    "partial": "◐",
    "fail": "✘",
    "not_answered": "?",
    "not_applicable": "–",
    "not_in_force": "…",
}
# Which way blanks leave a verdict open.
BOUND_WORDS = {"at_least": "at least", "at_most": "at most"}
# The overall level, and the batch results cells for a level the open questions could still raise
# (engine.report.build.level_cell).
LEVEL_WORDS = {
    "strong": "Strong",
    "developing": "Developing",
    "weak": "Weak",
    "incomplete": "Incomplete",
    "at_least_developing": "Developing — at least",
    "at_least_weak": "Weak — at least",
}
# What each level means, in one sentence for the reader.
LEVEL_MEANING = {
    "strong": "Your practices keep the institution well out of civil immigration enforcement.",
    "developing": "Some protections are in place, with gaps to close.",
    "weak": "Important protections are missing.",
    "incomplete": "Too many questions are unanswered to judge.",
}
FLAG_KIND_WORDS = {"risk": "Legal risk", "info": "Note"}
PRIORITY_WORDS = {"core": "Core protection", "risk": "Legal risk", "other": "Gap"}
# A batch row that could not be evaluated, where an outcome or a level would be.
NOT_EVALUATED = "Could not be evaluated"
# What stands for the institution's name in a clause when no name was given.
INSTITUTION_PLACEHOLDER = "[institution name]"


def outcome_phrase(outcome: str, bound: str | None) -> str:
    """An outcome inside a sentence: 'fail', 'partial', or 'partial, at most' for a bounded one (a bound is never
    dropped)."""
    words = OUTCOME_WORDS[outcome].lower() if outcome in OUTCOME_WORDS else outcome.replace("_", " ")
    return f"{words}, {BOUND_WORDS[bound]}" if bound in BOUND_WORDS else words


def answer_key(text: str) -> str:
    """The form typed answers are compared in: NFKC, trimmed, lower-case, runs of spaces made one ('sí' keeps its
    accent, so it stays recognisable)."""
    return " ".join(unicodedata.normalize("NFKC", text).strip().lower().split())


def strip_accents(text: str) -> str:
    """The text with its accents dropped ('público' -> 'publico')."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def spelling_key(text: object) -> str:
    """The form names are compared in (states, institution types): lower-case, accents and apostrophes dropped,
    other punctuation, '-' and '_' made one space."""
    plain = strip_accents(str(text)).replace("'", "").replace("\u2019", "").lower()
    return " ".join("".join(c if c.isalnum() else " " for c in plain).split())
