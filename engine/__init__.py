"""Sanctuary Policy Evaluator engine: rules as data, evaluated by forward chaining on durable-rules.

Public API (the UI and batch code use only these names)::

    ruleset = load_ruleset()                       # the bundled rules, checked
    submission = load_submission(ruleset, "answers.yaml")
    report = evaluate(ruleset, submission)         # explained verdicts, as a dict
    evaluator = Evaluator(ruleset)                 # or: compiled state with a lifetime of its own
    reports = evaluator.batch(submissions)         # (evaluator.evaluate(submission) for one)

Names are imported on first use (PEP 562), so ``sanctuary evaluate`` does not pay for the survey, Dask and
draft-policy modules it never touches.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # static checkers and IDEs see the real names
    from engine.errors import EvaluationError, InputError, RulesetError, SanctuaryError
    from engine.evaluator.evaluate import Evaluator, evaluate, parse_as_of
    from engine.i18n import (
        LANGUAGE_NAMES,
        LANGUAGES,
        N_,
        _,
        check_language,
        current_language,
        language,
        ngettext,
        set_language,
    )
    from engine.report.drafting import (
        Draft,
        build_draft,
        draft_docx,
        draft_json,
        draft_markdown,
        left_out_groups,
        warning_lines,
    )
    from engine.report.formats import FORMATS
    from engine.report.formats import render as render_report
    from engine.report.formats.common import (
        STATE_LAW_INTRO,
        STATE_LAW_TITLE,
        clause_line,
        finding_marks,
        finding_words,
        law_lines,
        open_texts,
        source_notes,
        state_law_note,
        step_outcome,
        step_risks,
    )
    from engine.report.formats.counsel import COUNSEL_INTRO, COUNSEL_TITLE, counsel_questions
    from engine.report.formats.pdf import brief_pdf, report_pdf
    from engine.report.schema import answers_schema, report_schema
    from engine.report.sources import list_sources
    from engine.report.states_table import coverage_markdown, state_table
    from engine.report.types import ActionPlan, Component, Finding, Flag, Overall, RecommendedClause, Report, Step
    from engine.resources import data_dir
    from engine.rules.branching import ask_when_text, skipped_questions
    from engine.rules.loader import DEFAULT_RULES_DIR, load_ruleset
    from engine.rules.model import Institution, Level, Outcome, Question, Ruleset, Submission
    from engine.rules.parsing import US_STATES as STATE_CODES
    from engine.rules.references import fill_institution
    from engine.run.answers import load_submission, parse_submission, submission_to_document
    from engine.run.normalise import normalise_answer
    from engine.run.spellings import SPANISH_STATE_NAMES, type_spellings
    from engine.run.spellings import states as us_states
    from engine.run.upgrade import Upgrade, UpgradedDocument, upgrade_answers, upgrade_document
    from engine.store import (
        compare_waves,
        default_store_url,
        level_counts,
        level_trends,
        list_waves,
        open_store,
        shares_by_place,
        stored_row,
        stored_submission,
    )
    from engine.survey.coalition import check_survey
    from engine.survey.pool import evaluate_survey
    from engine.survey.reading import read_survey
    from engine.survey.rows import evaluate_frame, to_safe_csv
    from engine.survey.summary_files import group_type_title, summary_csv, summary_xlsx
    from engine.survey.template import template_header
    from engine.survey.upgrade import SurveyUpgrade, upgrade_survey
    from engine.vocabulary import (
        BOUND_WORDS,
        INSTITUTION_PLACEHOLDER,
        LEVEL_MEANING,
        LEVEL_WORDS,
        NOT_EVALUATED,
        OUTCOME_SYMBOLS,
        OUTCOME_WORDS,
    )

# public name -> (module that defines it, its name there)
_EXPORTS = {
    # The language of the code's own strings (the app sets it once per script run).
    "_": ("engine.i18n", "_"),
    "N_": ("engine.i18n", "N_"),
    "ngettext": ("engine.i18n", "ngettext"),
    "language": ("engine.i18n", "language"),
    "set_language": ("engine.i18n", "set_language"),
    "current_language": ("engine.i18n", "current_language"),
    "check_language": ("engine.i18n", "check_language"),
    "LANGUAGES": ("engine.i18n", "LANGUAGES"),
    "LANGUAGE_NAMES": ("engine.i18n", "LANGUAGE_NAMES"),
    "EvaluationError": ("engine.errors", "EvaluationError"),
    "InputError": ("engine.errors", "InputError"),
    "RulesetError": ("engine.errors", "RulesetError"),
    "SanctuaryError": ("engine.errors", "SanctuaryError"),
    "Draft": ("engine.report.drafting", "Draft"),
    "build_draft": ("engine.report.drafting", "build_draft"),
    "draft_docx": ("engine.report.drafting", "draft_docx"),
    "draft_markdown": ("engine.report.drafting", "draft_markdown"),
    "FORMATS": ("engine.report.formats", "FORMATS"),
    "list_sources": ("engine.report.sources", "list_sources"),
    "state_table": ("engine.report.states_table", "state_table"),
    "coverage_markdown": ("engine.report.states_table", "coverage_markdown"),
    "source_notes": ("engine.report.formats.common", "source_notes"),
    "STATE_CODES": ("engine.rules.loader", "US_STATES"),
    "SPANISH_STATE_NAMES": ("engine.run.spellings", "SPANISH_STATE_NAMES"),
    "render_report": ("engine.report.formats", "render"),
    "LEVEL_WORDS": ("engine.vocabulary", "LEVEL_WORDS"),
    "LEVEL_MEANING": ("engine.vocabulary", "LEVEL_MEANING"),
    "OUTCOME_SYMBOLS": ("engine.vocabulary", "OUTCOME_SYMBOLS"),
    "OUTCOME_WORDS": ("engine.vocabulary", "OUTCOME_WORDS"),
    "BOUND_WORDS": ("engine.vocabulary", "BOUND_WORDS"),
    "NOT_EVALUATED": ("engine.vocabulary", "NOT_EVALUATED"),
    "INSTITUTION_PLACEHOLDER": ("engine.vocabulary", "INSTITUTION_PLACEHOLDER"),
    "ActionPlan": ("engine.report.types", "ActionPlan"),
    "Component": ("engine.report.types", "Component"),
    "Finding": ("engine.report.types", "Finding"),
    "Flag": ("engine.report.types", "Flag"),
    "Overall": ("engine.report.types", "Overall"),
    "RecommendedClause": ("engine.report.types", "RecommendedClause"),
    "Report": ("engine.report.types", "Report"),
    "Step": ("engine.report.types", "Step"),
    "report_schema": ("engine.report.schema", "report_schema"),
    "answers_schema": ("engine.report.schema", "answers_schema"),
    "COUNSEL_INTRO": ("engine.report.formats.counsel", "COUNSEL_INTRO"),
    "COUNSEL_TITLE": ("engine.report.formats.counsel", "COUNSEL_TITLE"),
    "counsel_questions": ("engine.report.formats.counsel", "counsel_questions"),
    "brief_pdf": ("engine.report.formats.pdf", "brief_pdf"),
    "report_pdf": ("engine.report.formats.pdf", "report_pdf"),
    "finding_marks": ("engine.report.formats.common", "finding_marks"),
    "finding_words": ("engine.report.formats.common", "finding_words"),
    "open_texts": ("engine.report.formats.common", "open_texts"),
    "ask_when_text": ("engine.rules.branching", "ask_when_text"),
    "skipped_questions": ("engine.rules.branching", "skipped_questions"),
    "DEFAULT_RULES_DIR": ("engine.rules.loader", "DEFAULT_RULES_DIR"),
    "load_ruleset": ("engine.rules.loader", "load_ruleset"),
    "Institution": ("engine.rules.model", "Institution"),
    "Level": ("engine.rules.model", "Level"),
    "Outcome": ("engine.rules.model", "Outcome"),
    "Question": ("engine.rules.model", "Question"),
    "Ruleset": ("engine.rules.model", "Ruleset"),
    "Submission": ("engine.rules.model", "Submission"),
    "load_submission": ("engine.run.answers", "load_submission"),
    "normalise_answer": ("engine.run.normalise", "normalise_answer"),
    "parse_submission": ("engine.run.answers", "parse_submission"),
    "submission_to_document": ("engine.run.answers", "submission_to_document"),
    "evaluate": ("engine.evaluator.evaluate", "evaluate"),
    "Evaluator": ("engine.evaluator.evaluate", "Evaluator"),
    "parse_as_of": ("engine.evaluator.evaluate", "parse_as_of"),
    "evaluate_survey": ("engine.survey.pool", "evaluate_survey"),
    "check_survey": ("engine.survey.coalition", "check_survey"),
    "summary_csv": ("engine.survey.summary_files", "summary_csv"),
    "group_type_title": ("engine.survey.summary_files", "group_type_title"),
    "summary_xlsx": ("engine.survey.summary_files", "summary_xlsx"),
    "read_survey": ("engine.survey.reading", "read_survey"),
    "evaluate_frame": ("engine.survey.rows", "evaluate_frame"),
    "to_safe_csv": ("engine.survey.rows", "to_safe_csv"),
    "template_header": ("engine.survey.template", "template_header"),
    "SurveyUpgrade": ("engine.survey.upgrade", "SurveyUpgrade"),
    "upgrade_survey": ("engine.survey.upgrade", "upgrade_survey"),
    "us_states": ("engine.run.spellings", "states"),
    "Upgrade": ("engine.run.upgrade", "Upgrade"),
    "UpgradedDocument": ("engine.run.upgrade", "UpgradedDocument"),
    "upgrade_answers": ("engine.run.upgrade", "upgrade_answers"),
    "upgrade_document": ("engine.run.upgrade", "upgrade_document"),
    "type_spellings": ("engine.run.spellings", "type_spellings"),
    "data_dir": ("engine.resources", "data_dir"),
    "draft_json": ("engine.report.drafting", "draft_json"),
    "left_out_groups": ("engine.report.drafting", "left_out_groups"),
    "warning_lines": ("engine.report.drafting", "warning_lines"),
    "fill_institution": ("engine.rules.references", "fill_institution"),
    "STATE_LAW_TITLE": ("engine.report.formats.common", "STATE_LAW_TITLE"),
    "STATE_LAW_INTRO": ("engine.report.formats.common", "STATE_LAW_INTRO"),
    "law_lines": ("engine.report.formats.common", "law_lines"),
    "step_outcome": ("engine.report.formats.common", "step_outcome"),
    "step_risks": ("engine.report.formats.common", "step_risks"),
    "clause_line": ("engine.report.formats.common", "clause_line"),
    "state_law_note": ("engine.report.formats.common", "state_law_note"),
    # The coalition store (SQLAlchemy is imported only when one of these is used).
    "open_store": ("engine.store", "open_store"),
    "default_store_url": ("engine.store", "default_store_url"),
    "list_waves": ("engine.store", "list_waves"),
    "compare_waves": ("engine.store", "compare_waves"),
    "level_counts": ("engine.store", "level_counts"),
    "shares_by_place": ("engine.store", "shares_by_place"),
    "level_trends": ("engine.store", "level_trends"),
    "stored_row": ("engine.store", "stored_row"),
    "stored_submission": ("engine.store", "stored_submission"),
}


def __getattr__(name: str) -> Any:
    where = _EXPORTS.get(name)
    if where is None:
        raise AttributeError(f"module 'engine' has no attribute {name!r}")
    value = getattr(importlib.import_module(where[0]), where[1])
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


__all__ = [
    "BOUND_WORDS",
    "COUNSEL_INTRO",
    "COUNSEL_TITLE",
    "DEFAULT_RULES_DIR",
    "FORMATS",
    "INSTITUTION_PLACEHOLDER",
    "LANGUAGES",
    "LANGUAGE_NAMES",
    "LEVEL_MEANING",
    "LEVEL_WORDS",
    "NOT_EVALUATED",
    "N_",
    "OUTCOME_SYMBOLS",
    "OUTCOME_WORDS",
    "SPANISH_STATE_NAMES",
    "STATE_CODES",
    "STATE_LAW_INTRO",
    "STATE_LAW_TITLE",
    "ActionPlan",
    "Component",
    "Draft",
    "EvaluationError",
    "Evaluator",
    "Finding",
    "Flag",
    "InputError",
    "Institution",
    "Level",
    "Outcome",
    "Overall",
    "Question",
    "RecommendedClause",
    "Report",
    "Ruleset",
    "RulesetError",
    "SanctuaryError",
    "Step",
    "Submission",
    "SurveyUpgrade",
    "Upgrade",
    "UpgradedDocument",
    "_",
    "answers_schema",
    "ask_when_text",
    "brief_pdf",
    "build_draft",
    "check_language",
    "check_survey",
    "clause_line",
    "compare_waves",
    "counsel_questions",
    "coverage_markdown",
    "current_language",
    "data_dir",
    "default_store_url",
    "draft_docx",
    "draft_json",
    "draft_markdown",
    "evaluate",
    "evaluate_frame",
    "evaluate_survey",
    "fill_institution",
    "finding_marks",
    "finding_words",
    "group_type_title",
    "language",
    "law_lines",
    "left_out_groups",
    "level_counts",
    "level_trends",
    "list_sources",
    "list_waves",
    "load_ruleset",
    "load_submission",
    "ngettext",
    "normalise_answer",
    "open_store",
    "open_texts",
    "parse_as_of",
    "parse_submission",
    "read_survey",
    "render_report",
    "report_pdf",
    "report_schema",
    "set_language",
    "shares_by_place",
    "skipped_questions",
    "source_notes",
    "state_law_note",
    "state_table",
    "step_outcome",
    "step_risks",
    "stored_row",
    "stored_submission",
    "submission_to_document",
    "summary_csv",
    "summary_xlsx",
    "template_header",
    "to_safe_csv",
    "type_spellings",
    "upgrade_answers",
    "upgrade_document",
    "upgrade_survey",
    "us_states",
    "warning_lines",
]
