"""Attempt counters (code guesses, open-link starts), the waves' settings against ballot stuffing, count indexes.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 13:10:23.003800+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | Sequence[str] | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('rate_counters',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('window_start', sa.BigInteger(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key', 'window_start', name=op.f('pk_rate_counters'))
    )
    with op.batch_alter_table('rate_counters', schema=None) as batch_op:
        batch_op.create_index('ix_rate_counters_window_start', ['window_start'], unique=False)

    with op.batch_alter_table('invitation_codes', schema=None) as batch_op:
        batch_op.create_index('ix_invitation_codes_survey_id_used', ['survey_id', 'used'], unique=False)

    with op.batch_alter_table('survey_drafts', schema=None) as batch_op:
        batch_op.create_index('ix_survey_drafts_survey_id_submitted', ['survey_id', 'submitted'], unique=False)

    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('one_per_browser', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('starts_per_hour', sa.Integer(), server_default='60', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.drop_column('starts_per_hour')
        batch_op.drop_column('one_per_browser')

    with op.batch_alter_table('survey_drafts', schema=None) as batch_op:
        batch_op.drop_index('ix_survey_drafts_survey_id_submitted')

    with op.batch_alter_table('invitation_codes', schema=None) as batch_op:
        batch_op.drop_index('ix_invitation_codes_survey_id_used')

    with op.batch_alter_table('rate_counters', schema=None) as batch_op:
        batch_op.drop_index('ix_rate_counters_window_start')

    op.drop_table('rate_counters')
