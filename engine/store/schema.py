"""The store's tables (SQLAlchemy Core) and the one-letter codes a respondent row keeps its outcomes in.

A wave is one survey run; each respondent is one row of ``respondents``. A respondent's control and component
outcomes are kept as a string of one-letter codes in the order of the wave's own ``controls`` / ``components``
lists (stored with the wave, as JSON), so a row costs about 70 bytes for 64 controls instead of a row per
control: a million respondents stay a few hundred megabytes and a wave comparison reads two columns.
``sanctuary export`` spells them out again, one column per control, exactly as the results CSV of a batch.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

# Constraint names fixed here, so a migration can name what it drops on SQLite and PostgreSQL alike.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# SQLite makes only an INTEGER PRIMARY KEY an alias of its rowid (auto-numbered); PostgreSQL gets a bigint.
_ROW_ID = BigInteger().with_variant(Integer(), "sqlite")

waves = Table(
    "waves",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("stored_at", DateTime(timezone=True), nullable=False),
    Column("as_of", Date, nullable=False),  # the day the law was applied at
    Column("rules_id", String(200), nullable=False),
    Column("rules_version", String(200), nullable=False),
    Column("rules_hash", String(64), nullable=False),
    Column("source_name", Text, nullable=False),
    Column("source_hash", String(64), nullable=False),  # sha256 of the survey file's bytes
    Column("controls", Text, nullable=False),  # JSON list: the control ids, in the order of the codes
    Column("components", Text, nullable=False),  # JSON list: the component ids, in the order of the codes
    Column("id_column", String(200)),  # the survey column stored as institution_id, if any
    Column("county_column", String(200)),  # the survey column stored as county, if any
    Column("respondents", Integer, nullable=False, default=0),
    Column("evaluated", Integer, nullable=False, default=0),
    Column("errors", Integer, nullable=False, default=0),
)

respondents = Table(
    "respondents",
    metadata,
    Column("id", _ROW_ID, primary_key=True, autoincrement=True),
    Column("wave_id", Integer, ForeignKey("waves.id", ondelete="CASCADE"), nullable=False),
    Column("line", Integer, nullable=False),  # the survey file's line
    Column("respondent_id", String(200), nullable=False),
    Column("institution_key", String(600), nullable=False),  # name|types|state, folded: how waves are matched
    Column("institution_id", String(200)),  # the value of the wave's id column, when it has one
    Column("institution_name", Text, nullable=False),
    Column("institution_type", String(400), nullable=False),  # type ids joined with |
    Column("state", String(2), nullable=False),  # two-letter code, or "" when not given
    Column("county", String(200)),
    Column("public", Boolean),
    Column("level", String(20), nullable=False),  # the overall level, or "" for a row with an error
    Column("components", String(100), nullable=False),  # one code per wave component
    Column("controls", String(400), nullable=False),  # one code per wave control
    Column("provisional", Text, nullable=False),  # component ids joined with |
    Column("flags", Text, nullable=False),  # flag ids joined with |
    Column("error", Text, nullable=False),  # why the row could not be evaluated, or ""
    Column("answers", Text, nullable=False),  # JSON object: question id -> the normalised answer
)

Index("ix_respondents_wave_key", respondents.c.wave_id, respondents.c.institution_key)
Index("ix_respondents_wave_institution_id", respondents.c.wave_id, respondents.c.institution_id)
Index("ix_respondents_wave_state", respondents.c.wave_id, respondents.c.state)

# -- outcome codes --------------------------------------------------------------------------------------------

CODES = {
    "pass": "P",
    "at_least_partial": "L",  # blanks leave it open; at least a partial pass
    "partial": "p",
    "at_most_partial": "M",  # blanks leave it open; at most a partial pass
    "fail": "F",
    "not_answered": "N",
    "not_applicable": "A",
    "not_in_force": "X",
    "": "-",  # a row that could not be evaluated
}
OUTCOMES = {code: outcome for outcome, code in CODES.items()}

# How protective an outcome is, for "improved" and "regressed": a bound sits between the outcomes it allows.
# Outcomes that say nothing about protection (not answered, not applicable, not in force) have no rank.
OUTCOME_RANK = {"F": 0, "M": 1, "p": 2, "L": 3, "P": 4}
LEVEL_RANK = {"weak": 0, "developing": 1, "strong": 2}  # 'incomplete' has no rank: too little was answered


def encode(cells: list[str]) -> str:
    """Outcome cells (``outcome_cell`` words) as one code string; an unknown word is kept as '?'."""
    return "".join(CODES.get(cell, "?") for cell in cells)


def decode(codes: str) -> list[str]:
    """A code string as outcome words, in order."""
    return [OUTCOMES.get(code, "unknown") for code in codes]
