"""Synthetic answers drawn from the ruleset's own questionnaire, shared by the engine benchmark and the report hash.

Both need random but valid answers to every question an institution is asked, some left blank; they differ
only in how many are blank and how large a number may be, so each passes its own and keeps its inputs.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from typing import Any


def synthetic_answers(
    questions: Iterable[Any], rng: random.Random, blank_share: float, largest_number: int
) -> dict[str, Any]:
    """Question id -> a valid answer for each question, but about ``blank_share`` of them left unanswered.

    A yes/no question is "yes" six times in ten, a choice any of its choices, a number from 0 to
    ``largest_number``. The generator is drawn from in question order, so a seed gives the same answers.
    """
    answers: dict[str, Any] = {}
    for question in questions:
        if rng.random() < blank_share:
            continue
        if question.type == "boolean":
            answers[question.id] = rng.random() < 0.6
        elif question.type == "choice":
            answers[question.id] = rng.choice(list(question.choices))
        else:
            answers[question.id] = rng.randint(0, largest_number)
    return answers
