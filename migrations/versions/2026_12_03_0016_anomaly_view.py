"""The anomaly view: sends counted per wave and clock hour, and analysts' exclusions of responses from the analysis.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 16:40:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0016'
down_revision: str | Sequence[str] | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('wave_hourly_sends',
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('hour', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sends', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_wave_hourly_sends_survey_id_surveys'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('survey_id', 'hour', name=op.f('pk_wave_hourly_sends'))
    )
    op.create_table('response_exclusions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('first_day', sa.Date(), nullable=True),
    sa.Column('last_day', sa.Date(), nullable=True),
    sa.Column('patterns', sa.JSON(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('excluded_when_made', sa.Integer(), nullable=False),
    sa.Column('made_by', sa.String(length=254), nullable=False),
    sa.Column('made_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reversed_by', sa.String(length=254), nullable=True),
    sa.Column('reversed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_response_exclusions_survey_id_surveys'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_response_exclusions'))
    )
    with op.batch_alter_table('response_exclusions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_response_exclusions_survey_id'), ['survey_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('response_exclusions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_response_exclusions_survey_id'))
    op.drop_table('response_exclusions')
    op.drop_table('wave_hourly_sends')
