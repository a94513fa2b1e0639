"""What the analyst's workspace keeps: cut-points for the police problem level (STANDARDS §3.3), and finished
suppression patterns shared by the app servers."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from survey_app.db import Base, utcnow


class ProblemLevelCutpoints(Base):
    """Six increasing shares (fractions) for one measure: its problem level is the number of them the share exceeds.

    None ship: the police's intervals are not public, so a level only appears once an admin sets them. `example`
    marks cut-points that are the documented example (5/10/30/40/50/60 %), set by the demo, so the pages can say so.
    The measure is named, not linked: one setting holds for every wave and questionnaire that has the measure.
    """

    __tablename__ = "problem_level_cutpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    measure: Mapped[str] = mapped_column(String(100), unique=True)
    cutpoints: Mapped[list[float]] = mapped_column(JSON)
    example: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class SuppressionPattern(Base):
    """A finished disclosure-control pattern of one cluster of a wave's measures, shared by every page and app server.

    `digest` is :func:`analysis.measureprotection.pattern_digest`: the SHA-256 of every count, option and line of
    code the pattern depends on, so a row is used exactly when it protects the very figures asked for, and a new
    response (other counts) looks up another digest. `pattern` holds group indices (``{"primary": [...],
    "secondary": [...]}``), no count. Only the rows of the wave's current data version are kept, so the table holds no
    history from which the order of responses could be read; nothing here is a time.
    """

    __tablename__ = "suppression_patterns"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    data_version: Mapped[int] = mapped_column(Integer)
    pattern: Mapped[dict[str, list[int]]] = mapped_column(JSON)
