"""The words the reports, the batch files and the app use for the engine's ids, and the one way text is folded.

One place for every word a reader sees for an outcome, a bound, a level, a flag kind or a step's priority, so
that a translation changes them once: each table is a ``Words`` mapping whose words are gettext message ids,
read in the run's language (engine.i18n). The ids themselves are the contract
(docs/SPEC.md, "Vocabulary"; engine.report.types spells them as types); this module says what they read as.

It imports nothing from the engine but engine.i18n (which imports nothing from it),
 so every layer may use it (the app reaches it through ``engine``'s public
names). tests/test_vocabulary.py fails when one of these tables is defined again elsewhere.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Mapping

from engine.i18n import N_, _


class Words(Mapping[str, str]):
    """A read-only table from ids to words, said in the current language (engine.i18n) each time it is read.

    The English words are the catalogue's message ids, so ``OUTCOME_WORDS["fail"]`` reads "Fail" in an English run
    and "No cumple" inside ``language("es")``, at every place that shows it, with no language passed around.
    """

    def __init__(self, words: Mapping[str, str]) -> None:
        self._words = dict(words)

    def __getitem__(self, key: str) -> str:
        return _(self._words[key])

    def __iter__(self) -> Iterator[str]:
        return iter(self._words)

    def __len__(self) -> int:
        return len(self._words)

    def __repr__(self) -> str:
        return f"Words({self._words!r})"


# A control's or component's outcome, as a table cell or heading says it.
OUTCOME_WORDS = Words(
    {
        "pass": N_("Pass"),
        "partial": N_("Partial"),
        "fail": N_("Fail"),
        "not_answered": N_("Not answered"),
        "not_applicable": N_("Does not apply"),
        "not_in_force": N_("Not in force"),
    }
)
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
BOUND_WORDS = Words({"at_least": N_("at least"), "at_most": N_("at most")})
# The overall level, and the batch results cells for a level the open questions could still raise
# (engine.report.cells.level_cell).
LEVEL_WORDS = Words(
    {
        "strong": N_("Strong"),
        "developing": N_("Developing"),
        "weak": N_("Weak"),
        "incomplete": N_("Incomplete"),
        "at_least_developing": N_("Developing — at least"),
        "at_least_weak": N_("Weak — at least"),
    }
)
# What each level means, in one sentence for the reader.
LEVEL_MEANING = Words(
    {
        "strong": N_("Your practices keep the institution well out of civil immigration enforcement."),
        "developing": N_("Some protections are in place, with gaps to close."),
        "weak": N_("Important protections are missing."),
        "incomplete": N_("Too many questions are unanswered to judge."),
    }
)
FLAG_KIND_WORDS = Words({"risk": N_("Legal risk"), "info": N_("Note")})
PRIORITY_WORDS = Words({"core": N_("Core protection"), "risk": N_("Legal risk"), "other": N_("Gap")})
# A batch row that could not be evaluated, where an outcome or a level would be.
NOT_EVALUATED = N_("Could not be evaluated")  # a message id: _() it where it is shown
# What stands for the institution's name in a clause when no name was given.
INSTITUTION_PLACEHOLDER = N_("[institution name]")  # a message id: _() it where it is shown

# The name an institution gets when its answers give none. It is data (answers read back, results CSVs and the
# report's ``institution.name`` keep these English words in every language); ``institution_name`` says it in
# the reader's language wherever a report shows the name.
UNNAMED_INSTITUTION = N_("Unnamed institution")


def institution_name(name: str | None) -> str:
    """An institution's name as a report shows it: the default name in the reader's language, any other as given."""
    if not name or name == UNNAMED_INSTITUTION:
        return _(UNNAMED_INSTITUTION)
    return name


def outcome_phrase(outcome: str, bound: str | None) -> str:
    """An outcome inside a sentence: 'fail', 'partial', or 'partial, at most' for a bounded one (a bound is never
    dropped)."""
    words = OUTCOME_WORDS[outcome].lower() if outcome in OUTCOME_WORDS else outcome.replace("_", " ")
    if bound is not None and bound in BOUND_WORDS:
        # Translators: an outcome with the way open questions can still move it, e.g. "partial, at most".
        return _("{outcome}, {bound}").format(outcome=words, bound=BOUND_WORDS[bound])
    return words


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
