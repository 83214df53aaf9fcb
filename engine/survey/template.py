"""Survey templates: the header a survey tool should use for these rules."""

from __future__ import annotations

from engine.rules.model import Ruleset
from engine.survey.layout import FIXED_COLUMNS, FIXED_TEXT_HEADERS


def template_header(ruleset: Ruleset, types: list[str] | None, headers: str = "id") -> list[str]:
    """A survey header for ``types``: question ids, or the texts survey tools show as column titles."""
    questions = ruleset.questions_for(types or list(ruleset.institution_types))
    if headers == "text":
        return [*FIXED_TEXT_HEADERS.values(), *(q.text for q in questions)]
    return [*FIXED_COLUMNS, *(q.id for q in questions)]
