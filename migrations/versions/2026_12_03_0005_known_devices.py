"""known devices of staff, login failures per device

A stranger's wrong guesses used to lock the owner out (every client behind one proxy or NAT shares an address). Now a
browser where the owner has logged in before carries a random token whose hash is stored here, and a login from it
skips the per-account and per-address delays; its own failures are counted per device in `login_failures`.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 10:03:52+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "staff_known_devices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["staff_users.id"], name=op.f("fk_staff_known_devices_user_id_staff_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_known_devices")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_staff_known_devices_token_hash")),
    )
    with op.batch_alter_table("staff_known_devices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_known_devices_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("known_device_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_login_failures_known_device_id_at", ["known_device_id", "at"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_login_failures_known_device_id_staff_known_devices"), "staff_known_devices", ["known_device_id"], ["id"], ondelete="CASCADE")


def downgrade() -> None:
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_login_failures_known_device_id_staff_known_devices"), type_="foreignkey")
        batch_op.drop_index("ix_login_failures_known_device_id_at")
        batch_op.drop_column("known_device_id")

    with op.batch_alter_table("staff_known_devices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_known_devices_user_id"))
    op.drop_table("staff_known_devices")
