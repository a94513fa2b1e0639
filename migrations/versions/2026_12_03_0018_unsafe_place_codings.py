"""unsafe place codings

Issue 11: the places residents name as unsafe in the survey are coded by an analyst into the walk observation
categories, so the lägesbild counts them beside the walks' observations. One row per coded place (response, place
number 1-3) with its category and the suggestion the words gave; never the text.

Revision ID: 0018_coding
Revises: 0017
Create Date: 2026-12-03 19:30:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018_coding"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CATEGORIES = "('lighting', 'vegetation', 'litter', 'graffiti', 'vandalism', 'traffic', 'disorder', 'other')"


def upgrade() -> None:
    op.create_table(
        "unsafe_place_codings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Uuid(), nullable=False),
        sa.Column("place", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("suggested", sa.String(length=16), nullable=True),
        sa.Column("coded_by", sa.String(length=254), nullable=False),
        sa.Column("coded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(f"category IN {CATEGORIES}", name=op.f("ck_unsafe_place_codings_place_category_known")),
        sa.CheckConstraint(f"suggested IS NULL OR suggested IN {CATEGORIES}",
                           name=op.f("ck_unsafe_place_codings_place_suggested_known")),
        sa.ForeignKeyConstraint(["response_id"], ["responses.id"],
                                name=op.f("fk_unsafe_place_codings_response_id_responses"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unsafe_place_codings")),
        sa.UniqueConstraint("response_id", "place", name=op.f("uq_unsafe_place_codings_response_id_place")),
    )


def downgrade() -> None:
    op.drop_table("unsafe_place_codings")
