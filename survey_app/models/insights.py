"""What the analyst's workspace keeps: the municipality's cut-points for the police problem level (STANDARDS §3.3)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, DateTime, String
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
