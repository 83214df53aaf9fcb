"""The exception tree of the evaluator.

    SanctuaryError                 base of everything the engine raises on purpose
    ├── RulesetError               a rules file is malformed or refers to something unknown
    ├── InputError                 an answers file, survey or argument is invalid (CLI exit 2)
    └── EvaluationError            the rules engine misbehaved while evaluating (CLI exit 1)

Messages follow one pattern: ``<file>: <key path>: <problem>. <what to do>``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from engine.i18n import _


class SanctuaryError(Exception):
    """Base class for errors raised on purpose by the evaluator."""


class RulesetError(SanctuaryError):
    """A rules file is malformed, or refers to a question, citation or clause that does not exist."""


class InputError(SanctuaryError):
    """User input (an answers file, a survey row, a command-line argument) is invalid."""


class EvaluationError(SanctuaryError):
    """The rules engine failed while evaluating; carries the rule that failed where known."""


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """Return ' Did you mean X?' for the closest candidate, or an empty string.

    Nothing for a word of more than 100 characters: no id or spelling is that long, and difflib's cost grows with
    the word's length times the candidates'.
    """
    if len(str(word)) > 100:
        return ""
    close = difflib.get_close_matches(str(word), [str(c) for c in candidates], n=1, cutoff=0.6)
    return " " + _("Did you mean {candidate}?").format(candidate=repr(close[0])) if close else ""
