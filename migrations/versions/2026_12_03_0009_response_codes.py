"""response codes for the analysis, wave codebooks and data versions

A wave of 100,000 responses is 3.7 million answer rows; the analysis now reads one short row per response instead:
`responses.codes`, the response's analysis columns as uint16 codes into its wave's codebook (`wave_codebooks`),
written in the same INSERT as the response (survey_app/survey/codes.py), read through a covering index. `surveys.data_version` rises in the same
transaction as every change to a wave's data, and keys the cached analyses. The index of answers by item code served
no query and held a third of the table's bytes.

Responses stored before this revision keep `codes` NULL: the analysis reads their wave from the answers, as before,
until `trygg survey verify-store SLUG --rebuild` writes them.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 13:00:29+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "wave_codebooks",
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("layout", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["survey_id"], ["surveys.id"], name=op.f("fk_wave_codebooks_survey_id_surveys"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("survey_id", name=op.f("pk_wave_codebooks")),
    )
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("codes", sa.LargeBinary(), nullable=True))
        batch_op.create_index("ix_responses_survey_id_id_codes", ["survey_id", "id", "codes"], unique=False)

    with op.batch_alter_table("surveys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("data_version", sa.Integer(), server_default="0", nullable=False))

    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.drop_index("ix_answers_item_code_response_id")


def downgrade() -> None:
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.create_index("ix_answers_item_code_response_id", ["item_code", "response_id"], unique=False)

    with op.batch_alter_table("surveys", schema=None) as batch_op:
        batch_op.drop_column("data_version")

    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.drop_index("ix_responses_survey_id_id_codes")
        batch_op.drop_column("codes")

    op.drop_table("wave_codebooks")
