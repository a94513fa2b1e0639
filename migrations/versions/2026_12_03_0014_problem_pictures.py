"""problem pictures

Issue 11: the lägesbild per area and period is saved as a dated version holding the analyst's orsaksanalys and
conclusions per focus area and the evidence the page showed, so last year's remains readable as it was.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 16:52:01.999763+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "problem_pictures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("analysis", sa.JSON(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("saved_by", sa.String(length=254), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("fk_problem_pictures_area_id_areas"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_problem_pictures")),
    )
    with op.batch_alter_table("problem_pictures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_problem_pictures_area_id"), ["area_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("problem_pictures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_problem_pictures_area_id"))

    op.drop_table("problem_pictures")
