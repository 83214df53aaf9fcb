"""One answer in its question's declared type: yes/no spellings, choices by id or label, numbers, blanks.

durable-rules compares mixed types as strings (``"4" > 10`` is true), so every answer is turned into its
declared type here, before it reaches any engine: booleans from yes/no spellings in English and Spanish,
choices by id or by label, numbers from numeric text. Blank means unanswered. Anything else is an
``InputError`` that names the question and what is allowed.

Separate from reading an answers file (``engine.run.answers``) because the survey rows, the answers upgrade
and the store read single answers the same way without any file.
"""

from __future__ import annotations

import math
from typing import Any

from engine.errors import InputError, did_you_mean
from engine.i18n import _
from engine.rules.aliases import answer_key
from engine.rules.model import Question
from engine.safe_text import shown
from engine.vocabulary import strip_accents

TRUE_WORDS = {"yes", "y", "true", "t", "1", "si", "sí", "s", "verdadero", "x", "checked", "on"}
FALSE_WORDS = {"no", "n", "false", "f", "0", "falso", "unchecked", "off"}
BLANK_WORDS = {
    "",
    "n/a",
    "na",
    "none",
    "null",
    "-",
    "unanswered",
    "no answer",
    "sin respuesta",
    "no sé",
    "no se",
    "don't know",
    "dont know",
    "unknown",
    "not sure",
}


def is_blank(raw: Any) -> bool:
    """True for values that mean 'not answered' (None, NaN, blank text, 'N/A', "don't know")."""
    if raw is None:
        return True
    if isinstance(raw, float) and math.isnan(raw):
        return True
    return isinstance(raw, str) and answer_key(raw) in BLANK_WORDS


def _alias(question: Question, raw: Any) -> str | None:
    """The choice an older answer stands for (rulesets/README.md, "Aliases"), or None."""
    if isinstance(raw, bool):
        keys = ["yes" if raw else "no"]
    elif isinstance(raw, str):
        word = answer_key(raw)
        keys = [word]
        # "yes"/"no" aliases accept every yes/no spelling a yes/no question accepts.
        if word in TRUE_WORDS or strip_accents(word) in TRUE_WORDS:
            keys.append("yes")
        elif word in FALSE_WORDS:
            keys.append("no")
    else:
        return None
    return next((question.aliases[k] for k in keys if k in question.aliases), None)


def normalise_answer(question: Question, raw: Any) -> Any:
    """Return the answer in the question's declared type, or None when unanswered.

    Raises:
        InputError: the value does not fit the question (message names what is allowed).
    """
    # A choice id such as "none" is an answer, not a blank: match ids before blank words.
    if question.type == "choice" and isinstance(raw, str) and raw.strip() in question.choices:
        return raw.strip()
    # An alias may look blank ("none" was a choice id of the first release): aliases come before blank words.
    if question.aliases and isinstance(raw, str) and answer_key(raw) in question.aliases:
        return question.aliases[answer_key(raw)]
    if is_blank(raw):
        return None
    if hasattr(raw, "item") and not isinstance(raw, str | bytes):  # numpy scalars
        raw = raw.item()
    if question.aliases:
        alias = _alias(question, raw)
        if alias is not None:
            return alias
    if question.type == "boolean":
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, int | float) and raw in (0, 1):
            return bool(raw)
        word = answer_key(str(raw))
        if word in TRUE_WORDS or strip_accents(word) in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise InputError(
            _("{question}: {answer} is not a yes/no answer; use yes or no (sí/no, true/false).").format(
                question=question.id, answer=shown(raw)
            )
        )
    if question.type == "choice":
        if isinstance(raw, bool):
            raise InputError(
                _("{question}: {answer} is not one of the choices: {choices}.").format(
                    question=question.id, answer=repr(raw), choices=", ".join(question.choices)
                )
            )
        text = str(raw).strip()
        if text in question.choices:
            return text
        folded = answer_key(text)
        for cid, label in question.choices.items():
            if folded in (cid, answer_key(label), cid.replace("_", " ")):
                return cid
        translated = question.translated_labels.get(answer_key(text))  # the label in the rules' other language
        if translated is not None:
            return translated
        raise InputError(
            _("{question}: {answer} is not one of the choices: {choices}.").format(
                question=question.id, answer=shown(raw), choices=", ".join(question.choices)
            )
            + did_you_mean(text, question.choices)
        )
    # number
    if isinstance(raw, bool):
        raise InputError(
            _("{question}: expected a number, got {answer}.").format(question=question.id, answer=repr(raw))
        )
    if isinstance(raw, int | float):
        value: float | int = raw
    else:
        text = str(raw).strip().replace(",", "")
        try:
            value = float(text)
        except ValueError:
            raise InputError(
                _("{question}: {answer} is not a number.").format(question=question.id, answer=shown(raw))
            ) from None
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        raise InputError(
            _("{question}: {answer} is not a finite number.").format(question=question.id, answer=repr(raw))
        )
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if question.minimum is not None and value < question.minimum:
        raise InputError(
            _("{question}: {value} is below the minimum {minimum}.").format(
                question=question.id, value=value, minimum=question.minimum
            )
        )
    if question.maximum is not None and value > question.maximum:
        raise InputError(
            _("{question}: {value} is above the maximum {maximum}.").format(
                question=question.id, value=value, maximum=question.maximum
            )
        )
    return value
