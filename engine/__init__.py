"""Sanctuary Policy Evaluator engine: rules as data, evaluated by forward chaining on durable-rules.

Public API (the UI and batch code use only these names)::

    ruleset = load_ruleset()                       # the bundled rules, checked
    submission = load_submission(ruleset, "answers.yaml")
    report = evaluate(ruleset, submission)         # explained verdicts, as a dict

Names are imported on first use (PEP 562), so ``sanctuary evaluate`` does not pay for the survey, Dask and
draft-policy modules it never touches.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# public name -> module that defines it
_EXPORTS = {
    "EvaluationError": "engine.errors",
    "InputError": "engine.errors",
    "RulesetError": "engine.errors",
    "SanctuaryError": "engine.errors",
    "Draft": "engine.report.drafting",
    "build_draft": "engine.report.drafting",
    "draft_docx": "engine.report.drafting",
    "draft_markdown": "engine.report.drafting",
    "FORMATS": "engine.report.formats",
    "render_report": "engine.report.formats",
    "LEVEL_WORDS": "engine.report.formats.common",
    "OUTCOME_SYMBOLS": "engine.report.formats.common",
    "OUTCOME_WORDS": "engine.report.formats.common",
    "DEFAULT_RULES_DIR": "engine.rules.loader",
    "load_ruleset": "engine.rules.loader",
    "Institution": "engine.rules.model",
    "Level": "engine.rules.model",
    "Outcome": "engine.rules.model",
    "Question": "engine.rules.model",
    "Ruleset": "engine.rules.model",
    "Submission": "engine.rules.model",
    "load_submission": "engine.run.answers",
    "normalise_answer": "engine.run.answers",
    "parse_submission": "engine.run.answers",
    "submission_to_document": "engine.run.answers",
    "evaluate": "engine.run.evaluate",
    "parse_as_of": "engine.run.evaluate",
    "evaluate_frame": "engine.survey.batch",
    "evaluate_survey": "engine.survey.batch",
    "read_survey": "engine.survey.batch",
    "to_safe_csv": "engine.survey.batch",
}
_RENAMED = {"render_report": "render"}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'engine' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), _RENAMED.get(name, name))
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


if TYPE_CHECKING:  # static checkers and IDEs see the real names
    from engine.errors import EvaluationError, InputError, RulesetError, SanctuaryError
    from engine.report.drafting import Draft, build_draft, draft_docx, draft_markdown
    from engine.report.formats import FORMATS
    from engine.report.formats import render as render_report
    from engine.report.formats.common import LEVEL_WORDS, OUTCOME_SYMBOLS, OUTCOME_WORDS
    from engine.rules.loader import DEFAULT_RULES_DIR, load_ruleset
    from engine.rules.model import Institution, Level, Outcome, Question, Ruleset, Submission
    from engine.run.answers import load_submission, normalise_answer, parse_submission, submission_to_document
    from engine.run.evaluate import evaluate, parse_as_of
    from engine.survey.batch import evaluate_frame, evaluate_survey, read_survey, to_safe_csv
