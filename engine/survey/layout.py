"""The columns of survey frames and results files, shared by the reading, evaluating and writing modules."""

from __future__ import annotations

from typing import Any

from engine.i18n import N_
from engine.rules.model import Ruleset

FIXED_COLUMNS = ("respondent_id", "institution_name", "institution_type", "state", "public")
ROW_ERROR_COLUMN = "_row_error"
"""Frames from the reader carry this column: a structural problem of the row (too many cells...)."""

# Headers for the fixed columns in a template meant for Google Forms, Microsoft Forms or SurveyMonkey.
# Marked for the catalogue: the survey template shows them in the run's language, and every translation must
# still name its column for the batch reader (tests/test_spanish_rest.py reads a Spanish template back).
FIXED_TEXT_HEADERS = {
    "respondent_id": N_("Respondent ID"),
    "institution_name": N_("Institution name"),
    "institution_type": N_("Institution type"),
    "state": N_("State (two-letter code)"),
    "public": N_("Public body? (yes/no)"),
}

DEFAULT_CHUNK_ROWS = 250
LIST_SEPARATOR = "|"  # as in 'sanctuary questions --format csv'
ERROR_SEPARATOR = " | "


def pandas_module() -> Any:
    # Imported on first use: pool workers and the other sanctuary commands never need pandas (half a
    # second to import and about 50 MB per process).
    import pandas

    return pandas


# -- results layout -------------------------------------------------------------------------------------------


def results_columns(ruleset: Ruleset) -> list[str]:
    """Columns of the results CSV: SPEC's, with ``line`` first and ``state`` after the type."""
    return [
        "line",
        "respondent_id",
        "institution_name",
        "institution_type",
        "state",
        "overall_level",
        *ruleset.components,
        "provisional",  # the components whose verdict rests on too little (ids joined with LIST_SEPARATOR)
        "flags",
        "error",
        "duplicate_of",  # the line of an earlier row with the same institution or answers (engine/survey/coalition.py)
        *(f"control:{cid}" for cid in ruleset.controls),  # outcome_cell: a bound reads at_least_/at_most_partial
    ]


LONG_COLUMNS = [
    "line",
    "respondent_id",
    "institution_name",
    "institution_type",
    "state",
    "control",
    "title",
    "component",
    "outcome",
    "explanation",
    "flags",
    "recommended_clause",
    "citations",
    "error",
    "duplicate_of",
]


def with_kept(columns: list[str], kept: list[str]) -> list[str]:
    """A results layout with the carried columns (--keep-columns) right after ``line``."""
    return [columns[0], *kept, *columns[1:]] if kept else list(columns)
