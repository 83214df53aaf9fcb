"""Sanctuary Policy Evaluator engine: rules as data, evaluated by forward chaining on durable-rules.

Public API (the UI and batch code use only these names)::

    ruleset = load_ruleset()                       # the bundled rules, checked
    submission = load_submission(ruleset, "answers.yaml")
    report = evaluate(ruleset, submission)         # explained verdicts, as a dict
"""

from engine.errors import EvaluationError, InputError, RulesetError, SanctuaryError
from engine.report.drafting import Draft, build_draft, draft_docx, draft_markdown
from engine.report.formats import FORMATS
from engine.report.formats import render as render_report
from engine.report.formats.common import (
    BOUND_WORDS,
    LEVEL_WORDS,
    OUTCOME_SYMBOLS,
    OUTCOME_WORDS,
    finding_marks,
    finding_words,
    open_texts,
)
from engine.rules.loader import DEFAULT_RULES_DIR, load_ruleset
from engine.rules.model import Institution, Level, Outcome, Question, Ruleset, Submission
from engine.run.answers import load_submission, normalise_answer, parse_submission, submission_to_document
from engine.run.evaluate import evaluate, parse_as_of
from engine.survey.batch import evaluate_frame, evaluate_survey, read_survey, to_safe_csv

__all__ = [
    "BOUND_WORDS",
    "DEFAULT_RULES_DIR",
    "FORMATS",
    "LEVEL_WORDS",
    "OUTCOME_SYMBOLS",
    "OUTCOME_WORDS",
    "Draft",
    "EvaluationError",
    "InputError",
    "Institution",
    "Level",
    "Outcome",
    "Question",
    "Ruleset",
    "RulesetError",
    "SanctuaryError",
    "Submission",
    "build_draft",
    "draft_docx",
    "draft_markdown",
    "evaluate",
    "evaluate_frame",
    "evaluate_survey",
    "finding_marks",
    "finding_words",
    "load_ruleset",
    "load_submission",
    "normalise_answer",
    "open_texts",
    "parse_as_of",
    "parse_submission",
    "read_survey",
    "render_report",
    "submission_to_document",
    "to_safe_csv",
]
