"""models package: typed enum columns, no stored questionnaire definition

The questionnaire's parsed definition was written on load and never read: the YAML in `source` is parsed by the one
parser, so a second stored parse could only drift from it. Status changes now check their statuses like observations.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 09:40:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OBSERVATION_STATUSES = "'open', 'in_progress', 'done', 'not_done'"


def upgrade() -> None:
    with op.batch_alter_table("questionnaires", schema=None) as batch_op:
        batch_op.drop_column("definition")
    with op.batch_alter_table("observation_status_changes", schema=None) as batch_op:
        batch_op.create_check_constraint(op.f("ck_observation_status_changes_from_status_known"), f"from_status IN ({OBSERVATION_STATUSES})")
        batch_op.create_check_constraint(op.f("ck_observation_status_changes_to_status_known"), f"to_status IN ({OBSERVATION_STATUSES})")


def downgrade() -> None:
    with op.batch_alter_table("observation_status_changes", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_observation_status_changes_to_status_known"), type_="check")
        batch_op.drop_constraint(op.f("ck_observation_status_changes_from_status_known"), type_="check")
    with op.batch_alter_table("questionnaires", schema=None) as batch_op:
        batch_op.add_column(sa.Column("definition", sa.JSON(), nullable=False, server_default=sa.text("'{}'")))
