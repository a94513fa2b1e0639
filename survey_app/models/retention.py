"""How long what is kept is kept (gallring): one row, set by an admin, applied by `trygg retention run`."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, DateTime, Integer
from sqlalchemy.orm import Mapped, mapped_column

from survey_app.db import Base, utcnow


class RetentionPolicy(Base):
    """The retention schedule. Survey data counts from the last day of its wave; audit events from when they happened.

    `response_years` is what the landing page promises residents ("Svaren sparas i N år").
    """

    __tablename__ = "retention_policy"
    __table_args__ = (
        CheckConstraint("id = 1", name="single_row"),
        CheckConstraint("response_years BETWEEN 1 AND 50 AND free_text_months BETWEEN 1 AND 600 "
                        "AND draft_days BETWEEN 1 AND 3650 AND audit_months BETWEEN 1 AND 600", name="in_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, default=1)
    response_years: Mapped[int] = mapped_column(Integer, default=5)
    free_text_months: Mapped[int] = mapped_column(Integer, default=12)
    draft_days: Mapped[int] = mapped_column(Integer, default=30)
    audit_months: Mapped[int] = mapped_column(Integer, default=24)
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), default=utcnow)
