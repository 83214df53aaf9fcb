"""Survey templates: the header a survey tool should use for these rules."""

from __future__ import annotations

from engine.rules.branching import ask_when_text
from engine.rules.model import Ruleset
from engine.survey.layout import FIXED_COLUMNS, FIXED_TEXT_HEADERS


def template_header(ruleset: Ruleset, types: list[str] | None, headers: str = "id") -> list[str]:
    """A survey header for ``types``: question ids, or the texts survey tools show as column titles."""
    questions = ruleset.questions_for(types or list(ruleset.institution_types))
    if headers == "text":
        # The header is all a form-builder shows: say which values the fixed columns accept.
        hints = dict(FIXED_TEXT_HEADERS)
        titles = "; ".join(meta["title"] for meta in ruleset.institution_types.values())
        hints["institution_type"] = f"Institution type (one or more of: {titles})"
        hints["state"] = "State (name or two-letter code, for example New Mexico or NM)"
        # A follow-up says when to ask it, as form tools' branching ("go to section based on answer") would.
        return [
            *hints.values(),
            *(f"{q.text} ({ask_when_text(ruleset, q)})" if q.ask_when else q.text for q in questions),
        ]
    return [*FIXED_COLUMNS, *(q.id for q in questions)]
