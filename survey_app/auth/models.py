"""Login bookkeeping kept in the database, so that every app server behind a load balancer sees the same state."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from survey_app.db import Base, utcnow


class LoginFailure(Base):
    """One failed login, kept for the throttling window; `email` is what was typed, `client` the remote address."""

    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_email_at", "email", "at"),
        Index("ix_login_failures_client_at", "client", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    email: Mapped[str] = mapped_column(String(254))
    client: Mapped[str] = mapped_column(String(64))


class StaffSessionKey(Base):
    """A per-user random value carried in the session cookie; replacing it invalidates every older cookie.

    Logout and password change replace it, so a copied cookie stops working everywhere at once.
    """

    __tablename__ = "staff_session_keys"

    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64))
    rotated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
