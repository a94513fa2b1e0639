"""The retention schedule (gallring) an admin sets; one row, the defaults until saved.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 14:01:36.741396+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | Sequence[str] | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('retention_policy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_years', sa.Integer(), nullable=False),
    sa.Column('free_text_months', sa.Integer(), nullable=False),
    sa.Column('draft_days', sa.Integer(), nullable=False),
    sa.Column('audit_months', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('id = 1', name=op.f('ck_retention_policy_single_row')),
    sa.CheckConstraint('response_years BETWEEN 1 AND 50 AND free_text_months BETWEEN 1 AND 600 AND draft_days BETWEEN 1 AND 3650 AND audit_months BETWEEN 1 AND 600', name=op.f('ck_retention_policy_in_range')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_retention_policy'))
    )


def downgrade() -> None:
    op.drop_table('retention_policy')
