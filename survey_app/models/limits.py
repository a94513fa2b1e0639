"""Attempt counters shared by every app server (when no Redis is configured): see `survey_app/ratelimit.py`."""

from __future__ import annotations

from sqlalchemy import BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from survey_app.db import Base


class RateCounter(Base):
    """How many attempts one key made in one fixed time window.

    `key` is a keyed hash of what is counted (a client address, a wave), never the address itself; a row outlives its
    window by one window at most, then it is deleted. Counts only: no row says when within its window anything happened.
    """

    __tablename__ = "rate_counters"
    __table_args__ = (Index("ix_rate_counters_window_start", "window_start"),)

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[int] = mapped_column(BigInteger, primary_key=True)  # seconds since the epoch
    count: Mapped[int] = mapped_column(Integer, default=0)
