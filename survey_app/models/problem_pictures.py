"""The gemensam problembild (lägesbild) as saved: a dated version per area (or the municipality) and period, with
the evidence it showed frozen beside the analyst's analysis per focus area, so last year's stays readable."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.db import Base, utcnow
from survey_app.models.areas import Area


class ProblemPicture(Base):
    __tablename__ = "problem_pictures"

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(16))  # a year, e.g. 2026
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id", ondelete="RESTRICT"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    # {focus area code: {"causes": text, "conclusions": text}}: the orsaksanalys and conclusions, per focus area
    analysis: Mapped[dict[str, Any]] = mapped_column(JSON)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)  # what the page showed when it was saved
    saved_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    saved_by: Mapped[str] = mapped_column(String(254))

    area: Mapped[Area | None] = relationship()
