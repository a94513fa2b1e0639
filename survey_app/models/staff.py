"""Staff accounts, their login bookkeeping, and the audit log.

Login failures and session keys live in the database, so every app server behind a load balancer sees the same state.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from survey_app.db import Base, enum_type, utcnow


class Role(enum.StrEnum):
    ADMIN = "admin"
    FACILITATOR = "facilitator"
    ANALYST = "analyst"


class StaffUser(Base):
    """A member of staff who logs in. Residents never have accounts."""

    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_type(Role, length=16, check="role_known"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuditEvent(Base):
    """Who did what to which target, and when. Written for every export and every change to staff data."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    actor_label: Mapped[str] = mapped_column(String(254))  # e-mail or "cli", kept if the user is deleted
    action: Mapped[str] = mapped_column(String(64))
    target_type: Mapped[str | None] = mapped_column(String(64))
    target_id: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class LoginFailure(Base):
    """One failed login, kept for the throttling window; `email` is what was typed, `client` the remote address.

    A failure from a known device of the account counts against that device only (`known_device_id`), never against
    the account or the address, so the owner's typos there cannot slow anyone else and a stranger's cannot slow them.
    """

    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_email_at", "email", "at"),
        Index("ix_login_failures_client_at", "client", "at"),
        Index("ix_login_failures_known_device_id_at", "known_device_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    email: Mapped[str] = mapped_column(String(254))
    client: Mapped[str] = mapped_column(String(64))
    known_device_id: Mapped[int | None] = mapped_column(ForeignKey("staff_known_devices.id", ondelete="CASCADE"))


class StaffKnownDevice(Base):
    """A browser a member of staff has logged in from, known by a random token in a long-lived signed cookie.

    Only a SHA-256 of the token is stored (the token is 256 random bits, so a slow hash adds nothing). A login for the
    account that carries the token skips the per-account and per-address delays that strangers' guesses cause.
    """

    __tablename__ = "staff_known_devices"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class StaffSessionKey(Base):
    """A per-user random value carried in the session cookie; replacing it invalidates every older cookie.

    Logout and password change replace it, so a copied cookie stops working everywhere at once.
    """

    __tablename__ = "staff_session_keys"

    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64))
    rotated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
