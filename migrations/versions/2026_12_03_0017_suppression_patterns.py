"""suppression patterns shared by the app servers

Disclosure control (analysis/protection.py) is most of the cost of a wave's first results page. Its finished patterns
are kept by the digest of everything they depend on (analysis.measureprotection.pattern_digest), so every page and
every app server reuses them until a count changes; only the rows of a wave's current data version are kept.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 17:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "suppression_patterns",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("data_version", sa.Integer(), nullable=False),
        sa.Column("pattern", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["survey_id"], ["surveys.id"], name=op.f("fk_suppression_patterns_survey_id_surveys"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("digest", name=op.f("pk_suppression_patterns")),
    )
    op.create_index(op.f("ix_suppression_patterns_survey_id"), "suppression_patterns", ["survey_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_suppression_patterns_survey_id"), table_name="suppression_patterns")
    op.drop_table("suppression_patterns")
