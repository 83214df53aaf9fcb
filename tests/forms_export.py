"""A Google-Forms-style survey export in either language, for the tests that compare a Spanish survey with its
English twin: the headers are the question texts, the answers the choice labels."""

from __future__ import annotations

from engine.rules.model import Question, Ruleset

FIXED_HEADERS = {
    "en": ["respondent_id", "institution_name", "institution_type", "state", "public"],
    "es": ["encuestado", "nombre de la institución", "tipo de institución", "estado", "público"],
}
NEW_MEXICO = {"en": "New Mexico", "es": "Nuevo México"}


def header(ruleset: Ruleset, lang: str, questions: list[Question]) -> list[str]:
    """The fixed columns' headers in ``lang``, then each question's text from ``ruleset`` (loaded in ``lang``)."""
    return FIXED_HEADERS[lang] + [ruleset.questions[q.id].text for q in questions]


def answers(ruleset: Ruleset, questions: list[Question], yes: str) -> list[str]:
    """One passable answer per question: ``yes`` for a yes/no question, the first choice's label, else 1."""
    cells = []
    for question in questions:
        if question.type == "boolean":
            cells.append(yes)
        elif question.type == "choice":
            cells.append(ruleset.questions[question.id].choices[next(iter(question.choices))])
        else:
            cells.append("1")
    return cells
