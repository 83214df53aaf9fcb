"""Survey templates: the header a survey tool should use for these rules."""

from __future__ import annotations

from engine.i18n import _
from engine.rules.branching import ask_when_text
from engine.rules.model import Ruleset
from engine.survey.layout import FIXED_COLUMNS, FIXED_TEXT_HEADERS


def template_header(ruleset: Ruleset, types: list[str] | None, headers: str = "id") -> list[str]:
    """A survey header for ``types``: question ids, or the texts survey tools show as column titles."""
    questions = ruleset.questions_for(types or list(ruleset.institution_types))
    if headers == "text":
        # The header is all a form-builder shows: say which values the fixed columns accept.
        hints = {column: _(text) for column, text in FIXED_TEXT_HEADERS.items()}
        titles = "; ".join(meta["title"] for meta in ruleset.institution_types.values())
        hints["institution_type"] = _("Institution type (one or more of: {titles})").format(titles=titles)
        hints["state"] = _("State (name or two-letter code, for example New Mexico or NM)")
        # A follow-up says when to ask it, as form tools' branching ("go to section based on answer") would.
        return [
            *hints.values(),
            *(f"{q.text} ({ask_when_text(ruleset, q)})" if q.ask_when else q.text for q in questions),
        ]
    return [*FIXED_COLUMNS, *(q.id for q in questions)]


def answers_template(ruleset: Ruleset, types: list[str]) -> str:
    """A blank answers file (YAML) for ``types``: every question as a key, its text and accepted answers as a
    comment, and ``rules_version`` so that a later release can upgrade the file (``sanctuary upgrade``)."""
    import json

    kinds = ", ".join(types)
    lines = [
        # Comments and hints follow the run's language; the keys and values a reader fills in never do.
        "# "
        + _(
            "Answers file for {types} (Sanctuary Policy Evaluator). Fill in what you know and leave the\n"
            "# rest blank; 'sanctuary questions --type ...' shows each question with its help."
        ).format(types=kinds),
        f"rules_version: {ruleset.version}",
        "institution:",
        '  name: ""',
        f"  type: {types[0] if len(types) == 1 else json.dumps(types)}",
        "  state:     # " + _("the state's name or two-letter code"),
        "  public:    # " + _("yes for a public body, no for a private organisation"),
        "answers:",
    ]
    for question in ruleset.questions_for(types):
        if question.type == "boolean":
            accepted = _("yes | no")
        elif question.type == "choice":
            accepted = " | ".join(question.choices)
        else:
            accepted = _("a number")
        text = " ".join(question.text.split())
        lines.append(f"  {question.id}:    # {text} [{accepted}]")
    return "\n".join(lines) + "\n"
