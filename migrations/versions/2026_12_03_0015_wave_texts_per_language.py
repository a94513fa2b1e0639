"""wave texts per language

A wave's title was Swedish only, so a resident who chose English or Arabic read the Swedish title. The wave now keeps
its title in its other languages and a description per language for the landing page; empty for existing waves, which
keep showing the Swedish title.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 16:30:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("surveys") as batch:
        batch.add_column(sa.Column("title_translations", sa.JSON(), server_default="{}", nullable=False))
        batch.add_column(sa.Column("descriptions", sa.JSON(), server_default="{}", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("surveys") as batch:
        batch.drop_column("descriptions")
        batch.drop_column("title_translations")
