"""problem level cut-points per measure

STANDARDS §3.3: no cut-points ship (the police's intervals are not public), so the problem level 0–6 never showed.
An admin now sets six cut-points per measure for the municipality; `example` marks the documented example values
that the demo sets, so the results pages can say they are an example.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 13:03:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "problem_level_cutpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure", sa.String(length=100), nullable=False),
        sa.Column("cutpoints", sa.JSON(), nullable=False),
        sa.Column("example", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_problem_level_cutpoints")),
        sa.UniqueConstraint("measure", name=op.f("uq_problem_level_cutpoints_measure")),
    )


def downgrade() -> None:
    op.drop_table("problem_level_cutpoints")
