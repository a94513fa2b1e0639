"""survey drafts

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 05:14:48.507816+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "survey_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("resume_code_hash", sa.String(length=64), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("submitted", sa.Boolean(), nullable=False),
        sa.Column("updated_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["survey_id"], ["surveys.id"], name=op.f("fk_survey_drafts_survey_id_surveys"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_drafts")),
        sa.UniqueConstraint("resume_code_hash", name=op.f("uq_survey_drafts_resume_code_hash")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_survey_drafts_token_hash")),
    )
    with op.batch_alter_table("survey_drafts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_survey_drafts_survey_id"), ["survey_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("survey_drafts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_drafts_survey_id"))

    op.drop_table("survey_drafts")
