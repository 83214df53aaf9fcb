"""The first schema: waves and their respondents.

Revision ID: 0001
Revises:
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "waves",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("as_of", sa.Date, nullable=False),
        sa.Column("rules_id", sa.String(200), nullable=False),
        sa.Column("rules_version", sa.String(200), nullable=False),
        sa.Column("rules_hash", sa.String(64), nullable=False),
        sa.Column("source_name", sa.Text, nullable=False),
        sa.Column("source_hash", sa.String(64), nullable=False),
        sa.Column("controls", sa.Text, nullable=False),
        sa.Column("components", sa.Text, nullable=False),
        sa.Column("id_column", sa.String(200)),
        sa.Column("county_column", sa.String(200)),
        sa.Column("respondents", sa.Integer, nullable=False),
        sa.Column("evaluated", sa.Integer, nullable=False),
        sa.Column("errors", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_waves"),
        sa.UniqueConstraint("name", name="uq_waves_name"),
    )
    op.create_table(
        "respondents",
        sa.Column("id", _ROW_ID, primary_key=True, autoincrement=True),
        sa.Column("wave_id", sa.Integer, nullable=False),
        sa.Column("line", sa.Integer, nullable=False),
        sa.Column("respondent_id", sa.String(200), nullable=False),
        sa.Column("institution_key", sa.String(600), nullable=False),
        sa.Column("institution_id", sa.String(200)),
        sa.Column("institution_name", sa.Text, nullable=False),
        sa.Column("institution_type", sa.String(400), nullable=False),
        sa.Column("state", sa.String(2), nullable=False),
        sa.Column("county", sa.String(200)),
        sa.Column("public", sa.Boolean),
        sa.Column("level", sa.String(20), nullable=False),
        sa.Column("components", sa.String(100), nullable=False),
        sa.Column("controls", sa.String(400), nullable=False),
        sa.Column("provisional", sa.Text, nullable=False),
        sa.Column("flags", sa.Text, nullable=False),
        sa.Column("error", sa.Text, nullable=False),
        sa.Column("answers", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_respondents"),
        sa.ForeignKeyConstraint(["wave_id"], ["waves.id"], name="fk_respondents_wave_id_waves", ondelete="CASCADE"),
    )
    op.create_index("ix_respondents_wave_key", "respondents", ["wave_id", "institution_key"])
    op.create_index("ix_respondents_wave_institution_id", "respondents", ["wave_id", "institution_id"])
    op.create_index("ix_respondents_wave_state", "respondents", ["wave_id", "state"])


def downgrade() -> None:
    op.drop_index("ix_respondents_wave_state", table_name="respondents")
    op.drop_index("ix_respondents_wave_institution_id", table_name="respondents")
    op.drop_index("ix_respondents_wave_key", table_name="respondents")
    op.drop_table("respondents")
    op.drop_table("waves")
