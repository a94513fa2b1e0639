"""medborgarlöften and tertial reports

Issue 11, STANDARDS §5: promises with their indicators (four kinds) and activities, the follow-up per promise and
tertial, and published tertialrapporter whose content is frozen as published (a correction is a new version).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 16:37:51.728421+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tertial_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tertial", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("change_note", sa.Text(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.String(length=254), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tertial_reports")),
        sa.UniqueConstraint("tertial", "version", name=op.f("uq_tertial_reports_tertial_version")),
    )
    op.create_table(
        "promises",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column(
            "party",
            sa.Enum(
                "police",
                "municipality",
                "joint",
                "other",
                name="party_known",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("followed_up_by", sa.String(length=200), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("problem_description", sa.Text(), nullable=False),
        sa.Column("cause_analysis", sa.Text(), nullable=False),
        sa.Column("gender_note", sa.Text(), nullable=False),
        sa.Column("children_note", sa.Text(), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("predecessor_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["staff_users.id"], name=op.f("fk_promises_owner_id_staff_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["predecessor_id"], ["promises.id"], name=op.f("fk_promises_predecessor_id_promises"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_promises")),
    )
    with op.batch_alter_table("promises", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_promises_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "promise_activities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("promise_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column(
            "party",
            sa.Enum(
                "police",
                "municipality",
                "joint",
                "other",
                name="party_known",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("tertial", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["promise_id"], ["promises.id"], name=op.f("fk_promise_activities_promise_id_promises"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_promise_activities")),
    )
    with op.batch_alter_table("promise_activities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_promise_activities_promise_id"), ["promise_id"], unique=False)

    op.create_table(
        "promise_areas",
        sa.Column("promise_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("fk_promise_areas_area_id_areas"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["promise_id"], ["promises.id"], name=op.f("fk_promise_areas_promise_id_promises"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("promise_id", "area_id", name=op.f("pk_promise_areas")),
    )
    op.create_table(
        "promise_focus_areas",
        sa.Column("promise_id", sa.Integer(), nullable=False),
        sa.Column("focus_area_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["focus_area_id"],
            ["focus_areas.id"],
            name=op.f("fk_promise_focus_areas_focus_area_id_focus_areas"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["promise_id"], ["promises.id"], name=op.f("fk_promise_focus_areas_promise_id_promises"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("promise_id", "focus_area_id", name=op.f("pk_promise_focus_areas")),
    )
    op.create_table(
        "promise_follow_ups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("promise_id", sa.Integer(), nullable=False),
        sa.Column("tertial", sa.String(length=16), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "on_track",
                "partly",
                "delayed",
                "done",
                "cancelled",
                name="status_known",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("done_text", sa.Text(), nullable=False),
        sa.Column("narrative", sa.Text(), nullable=False),
        sa.Column("deviations", sa.Text(), nullable=False),
        sa.Column("next_steps", sa.Text(), nullable=False),
        sa.Column("feedback", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=254), nullable=False),
        sa.ForeignKeyConstraint(
            ["promise_id"], ["promises.id"], name=op.f("fk_promise_follow_ups_promise_id_promises"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_promise_follow_ups")),
        sa.UniqueConstraint("promise_id", "tertial", name=op.f("uq_promise_follow_ups_promise_id_tertial")),
    )
    op.create_table(
        "promise_indicators",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("promise_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "computed_count",
                "computed_measure",
                "entered_count",
                "narrative",
                name="kind_known",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=True),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["indicators.id"],
            name=op.f("fk_promise_indicators_indicator_id_indicators"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["promise_id"], ["promises.id"], name=op.f("fk_promise_indicators_promise_id_promises"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_promise_indicators")),
    )
    with op.batch_alter_table("promise_indicators", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_promise_indicators_promise_id"), ["promise_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("promise_indicators", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_promise_indicators_promise_id"))

    op.drop_table("promise_indicators")
    op.drop_table("promise_follow_ups")
    op.drop_table("promise_focus_areas")
    op.drop_table("promise_areas")
    with op.batch_alter_table("promise_activities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_promise_activities_promise_id"))

    op.drop_table("promise_activities")
    with op.batch_alter_table("promises", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_promises_owner_id"))

    op.drop_table("promises")
    op.drop_table("tertial_reports")
