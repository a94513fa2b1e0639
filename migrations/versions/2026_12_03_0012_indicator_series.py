"""indicator series: crime statistics and other counts from outside the surveys

Issue 11: the lägesbild and the medborgarlöften need the series a municipality gets from Brå, the police and its own
administrations. An indicator is a named series; a value is keyed by (indicator, area or the whole municipality,
sub-series, period), unique through `area_key` (the area id, 0 for the municipality, kept equal by a CHECK);
a corrected value keeps what it said before as a revision.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 17:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "indicators",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=64), nullable=False),
        sa.Column("direction", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicators")),
        sa.UniqueConstraint("code", name=op.f("uq_indicators_code")),
    )
    op.create_table(
        "indicator_values",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("area_key", sa.Integer(), nullable=False),
        sa.Column("subseries", sa.String(length=100), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("period_kind", sa.String(length=16), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.CheckConstraint(
            "period_kind IN ('year', 'tertial', 'quarter', 'month')",
            name=op.f("ck_indicator_values_period_kind_known"),
        ),
        sa.CheckConstraint("area_key = coalesce(area_id, 0)", name=op.f("ck_indicator_values_area_key_is_area")),
        sa.ForeignKeyConstraint(["area_id"], ["areas.id"], name=op.f("fk_indicator_values_area_id_areas"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["indicator_id"], ["indicators.id"],
                                name=op.f("fk_indicator_values_indicator_id_indicators"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_values")),
        sa.UniqueConstraint("indicator_id", "area_key", "subseries", "period", name="uq_indicator_values_key"),
    )
    op.create_index("ix_indicator_values_indicator_period", "indicator_values", ["indicator_id", "period_start"])
    op.create_table(
        "indicator_value_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("value_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("replaced_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("replaced_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["value_id"], ["indicator_values.id"],
                                name=op.f("fk_indicator_value_revisions_value_id_indicator_values"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_value_revisions")),
    )
    op.create_index(op.f("ix_indicator_value_revisions_value_id"), "indicator_value_revisions", ["value_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_indicator_value_revisions_value_id"), table_name="indicator_value_revisions")
    op.drop_table("indicator_value_revisions")
    op.drop_index("ix_indicator_values_indicator_period", table_name="indicator_values")
    op.drop_table("indicator_values")
    op.drop_table("indicators")
