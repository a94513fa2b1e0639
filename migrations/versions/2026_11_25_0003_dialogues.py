"""dialogues and safety walks, their observations, focus areas (seeded), and staff login bookkeeping

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 05:19:44.573955+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The seven default fokusområden of the Karlskoga agreement (STANDARDS §1), as they stood when this ran;
# admin edits them in the app. A snapshot on purpose: a migration never imports the code it migrates.
DEFAULT_FOCUS_AREAS = (
    ("fundamental_rights", "Grundläggande fri- och rättigheter"),
    ("domestic_violence", "Våld i nära relationer"),
    ("public_violence", "Våld i offentlig miljö"),
    ("family_support", "Familjestöd"),
    ("vandalism_graffiti", "Skadegörelse/klotter"),
    ("andt", "Alkohol, narkotika, dopning och tobak (ANDT)"),
    ("organised_crime", "Organiserad brottslighet"),
)


def upgrade() -> None:
    op.create_table(
        "focus_areas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_focus_areas")),
        sa.UniqueConstraint("code", name=op.f("uq_focus_areas_code")),
    )
    focus_areas = sa.table(
        "focus_areas",
        sa.column("code", sa.String),
        sa.column("name", sa.String),
        sa.column("active", sa.Boolean),
        sa.column("position", sa.Integer),
    )
    op.bulk_insert(
        focus_areas,
        [
            {"code": code, "name": name, "active": True, "position": position}
            for position, (code, name) in enumerate(DEFAULT_FOCUS_AREAS, 1)
        ],
    )
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.create_index("ix_login_failures_client_at", ["client", "at"], unique=False)
        batch_op.create_index("ix_login_failures_email_at", ["email", "at"], unique=False)

    op.create_table(
        "dialogues",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(length=32), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("time_of_day", sa.String(length=16), nullable=True),
        sa.Column("pre_meeting_on", sa.Date(), nullable=True),
        sa.Column("follow_up_on", sa.Date(), nullable=True),
        sa.Column("walk_groups", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("partners", sa.JSON(), nullable=False),
        sa.Column("partners_other", sa.String(length=200), nullable=True),
        sa.Column("participation_level", sa.Integer(), nullable=False),
        sa.Column("languages", sa.String(length=200), nullable=True),
        sa.Column("interpreting", sa.Boolean(), nullable=False),
        sa.Column("tallies_estimated", sa.Boolean(), nullable=False),
        sa.Column("residents_count", sa.Integer(), nullable=True),
        sa.Column("business_count", sa.Integer(), nullable=True),
        sa.Column("associations_count", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "format IN ('safety_dialogue', 'citizen_dialogue', 'children_youth_dialogue', 'business_dialogue', 'safety_walk')",
            name=op.f("ck_dialogues_format_known"),
        ),
        sa.CheckConstraint(
            "time_of_day IS NULL OR time_of_day IN ('daylight', 'dark')", name=op.f("ck_dialogues_time_of_day_known")
        ),
        sa.CheckConstraint("participation_level BETWEEN 1 AND 4", name=op.f("ck_dialogues_participation_level_1_to_4")),
        sa.CheckConstraint("walk_groups >= 1", name=op.f("ck_dialogues_walk_groups_positive")),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("fk_dialogues_area_id_areas"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["staff_users.id"],
            name=op.f("fk_dialogues_created_by_id_staff_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dialogues")),
    )
    with op.batch_alter_table("dialogues", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dialogues_area_id"), ["area_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_dialogues_created_by_id"), ["created_by_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_dialogues_format"), ["format"], unique=False)
        batch_op.create_index(batch_op.f("ix_dialogues_held_on"), ["held_on"], unique=False)

    op.create_table(
        "staff_session_keys",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("rotated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["staff_users.id"], name=op.f("fk_staff_session_keys_user_id_staff_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_staff_session_keys")),
    )
    op.create_table(
        "dialogue_focus_areas",
        sa.Column("dialogue_id", sa.Integer(), nullable=False),
        sa.Column("focus_area_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dialogue_id"],
            ["dialogues.id"],
            name=op.f("fk_dialogue_focus_areas_dialogue_id_dialogues"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["focus_area_id"],
            ["focus_areas.id"],
            name=op.f("fk_dialogue_focus_areas_focus_area_id_focus_areas"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("dialogue_id", "focus_area_id", name=op.f("pk_dialogue_focus_areas")),
    )
    op.create_table(
        "dialogue_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dialogue_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_label", sa.String(length=254), nullable=False),
        sa.Column("what", sa.String(length=32), nullable=False),
        sa.Column("observation_id", sa.Integer(), nullable=True),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["staff_users.id"],
            name=op.f("fk_dialogue_revisions_actor_id_staff_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["dialogue_id"],
            ["dialogues.id"],
            name=op.f("fk_dialogue_revisions_dialogue_id_dialogues"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dialogue_revisions")),
    )
    with op.batch_alter_table("dialogue_revisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dialogue_revisions_dialogue_id"), ["dialogue_id"], unique=False)

    op.create_table(
        "observations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dialogue_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("place_name", sa.String(length=200), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("time_of_day", sa.String(length=16), nullable=True),
        sa.Column("category", sa.String(length=16), nullable=True),
        sa.Column("proposed_measure", sa.Text(), nullable=True),
        sa.Column("responsible", sa.String(length=16), nullable=True),
        sa.Column("responsible_detail", sa.String(length=200), nullable=True),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("from_children", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "category IS NULL OR category IN ('lighting', 'vegetation', 'litter', 'graffiti', 'vandalism', 'traffic', 'disorder', 'other')",
            name=op.f("ck_observations_category_known"),
        ),
        sa.CheckConstraint(
            "decision IN ('pending', 'accepted', 'partly', 'referred', 'rejected')",
            name=op.f("ck_observations_decision_known"),
        ),
        sa.CheckConstraint(
            "kind IN ('unsafe_place', 'problem', 'suggestion', 'safe_place')", name=op.f("ck_observations_kind_known")
        ),
        sa.CheckConstraint(
            "responsible IS NULL OR responsible IN ('municipality', 'police', 'property_owner', 'other')",
            name=op.f("ck_observations_responsible_known"),
        ),
        sa.CheckConstraint(
            "status IN ('open', 'in_progress', 'done', 'not_done')", name=op.f("ck_observations_status_known")
        ),
        sa.CheckConstraint(
            "time_of_day IS NULL OR time_of_day IN ('daylight', 'dark')", name=op.f("ck_observations_time_of_day_known")
        ),
        sa.CheckConstraint("(latitude IS NULL) = (longitude IS NULL)", name=op.f("ck_observations_coordinates_paired")),
        sa.ForeignKeyConstraint(
            ["dialogue_id"], ["dialogues.id"], name=op.f("fk_observations_dialogue_id_dialogues"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_observations")),
    )
    with op.batch_alter_table("observations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_observations_dialogue_id"), ["dialogue_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_observations_status"), ["status"], unique=False)

    op.create_table(
        "participant_tallies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dialogue_id", sa.Integer(), nullable=False),
        sa.Column("gender", sa.String(length=16), nullable=False),
        sa.Column("age_band", sa.String(length=16), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "gender IN ('woman', 'man', 'other_unknown')", name=op.f("ck_participant_tallies_gender_known")
        ),
        sa.CheckConstraint("count > 0", name=op.f("ck_participant_tallies_count_positive")),
        sa.ForeignKeyConstraint(
            ["dialogue_id"],
            ["dialogues.id"],
            name=op.f("fk_participant_tallies_dialogue_id_dialogues"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_participant_tallies")),
        sa.UniqueConstraint(
            "dialogue_id", "gender", "age_band", name=op.f("uq_participant_tallies_dialogue_id_gender_age_band")
        ),
    )
    op.create_table(
        "observation_focus_areas",
        sa.Column("observation_id", sa.Integer(), nullable=False),
        sa.Column("focus_area_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["focus_area_id"],
            ["focus_areas.id"],
            name=op.f("fk_observation_focus_areas_focus_area_id_focus_areas"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["observation_id"],
            ["observations.id"],
            name=op.f("fk_observation_focus_areas_observation_id_observations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("observation_id", "focus_area_id", name=op.f("pk_observation_focus_areas")),
    )
    op.create_table(
        "observation_status_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("observation_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_label", sa.String(length=254), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["staff_users.id"],
            name=op.f("fk_observation_status_changes_actor_id_staff_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["observation_id"],
            ["observations.id"],
            name=op.f("fk_observation_status_changes_observation_id_observations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_observation_status_changes")),
    )
    with op.batch_alter_table("observation_status_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_observation_status_changes_observation_id"), ["observation_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("observation_status_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_observation_status_changes_observation_id"))

    op.drop_table("observation_status_changes")
    op.drop_table("observation_focus_areas")
    op.drop_table("participant_tallies")
    with op.batch_alter_table("observations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_observations_status"))
        batch_op.drop_index(batch_op.f("ix_observations_dialogue_id"))

    op.drop_table("observations")
    with op.batch_alter_table("dialogue_revisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dialogue_revisions_dialogue_id"))

    op.drop_table("dialogue_revisions")
    op.drop_table("dialogue_focus_areas")
    op.drop_table("staff_session_keys")
    with op.batch_alter_table("dialogues", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dialogues_held_on"))
        batch_op.drop_index(batch_op.f("ix_dialogues_format"))
        batch_op.drop_index(batch_op.f("ix_dialogues_created_by_id"))
        batch_op.drop_index(batch_op.f("ix_dialogues_area_id"))

    op.drop_table("dialogues")
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.drop_index("ix_login_failures_email_at")
        batch_op.drop_index("ix_login_failures_client_at")

    op.drop_table("login_failures")
    op.drop_table("focus_areas")
