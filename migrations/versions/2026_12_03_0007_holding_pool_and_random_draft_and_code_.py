"""The holding pool for sent responses, and random keys for drafts and invitation codes (issue 13, F2).

Existing drafts and codes get new random keys; nothing refers to the old ones. The downgrade numbers them again.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 13:30:13.028919+00:00
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | Sequence[str] | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "held_responses",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("channel", sa.Enum("web", "paper", "assisted", name="channel_known", native_enum=False,
                                     create_constraint=True, length=16), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["survey_id"], ["surveys.id"], name=op.f("fk_held_responses_survey_id_surveys"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_held_responses")),
    )
    with op.batch_alter_table("held_responses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_held_responses_survey_id"), ["survey_id"], unique=False)
    for table in ("invitation_codes", "survey_drafts"):
        _rekey(table, sa.Uuid(), lambda _number: uuid.uuid4())


def downgrade() -> None:
    for table in ("survey_drafts", "invitation_codes"):
        _rekey(table, sa.Integer(), lambda number: number)
    with op.batch_alter_table("held_responses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_held_responses_survey_id"))
    op.drop_table("held_responses")


def _rekey(table: str, key_type: sa.types.TypeEngine, new_key) -> None:
    """Replace the primary key `id` of `table` by a column of `key_type`, each row's value from new_key(n)."""
    bind = op.get_bind()
    op.add_column(table, sa.Column("new_id", key_type, nullable=True))
    rows = sa.table(table, sa.column("id"), sa.column("new_id", key_type))
    old_ids = list(bind.execute(sa.select(rows.c.id)).scalars())
    for number, old in enumerate(old_ids, start=1):
        bind.execute(sa.update(rows).where(rows.c.id == old).values(new_id=new_key(number)))
    if bind.dialect.name == "postgresql":
        op.drop_constraint(f"pk_{table}", table, type_="primary")
        op.drop_column(table, "id")
        op.alter_column(table, "new_id", new_column_name="id", nullable=False)
        if isinstance(key_type, sa.Integer):  # a counter again, as before the upgrade
            op.execute(f"CREATE SEQUENCE {table}_id_seq OWNED BY {table}.id")
            op.execute(f"SELECT setval('{table}_id_seq', GREATEST((SELECT max(id) FROM {table}), 1))")  # noqa: S608 (our table names)
            op.execute(f"ALTER TABLE {table} ALTER COLUMN id SET DEFAULT nextval('{table}_id_seq')")
        op.create_primary_key(f"pk_{table}", table, ["id"])
    else:
        with op.batch_alter_table(table, recreate="always") as batch_op:
            batch_op.drop_column("id")
            batch_op.alter_column("new_id", new_column_name="id", nullable=False, existing_type=key_type)
            batch_op.create_primary_key(f"pk_{table}", ["id"])
