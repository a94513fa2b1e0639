"""Indicator series from outside the surveys: reported crimes, police incident counts, LOB, municipal counts.

An `Indicator` is a named series; an `IndicatorValue` is its value for one area (or the whole municipality), one
sub-series ("" for the series itself, or e.g. "under 18") and one period (`survey_app.indicators.periods`). A value
that is corrected keeps what it said before as an `IndicatorValueRevision`, so a figure once shown to a BRÅ council
can always be traced. STANDARDS §5.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.db import Base, utcnow
from survey_app.models.areas import Area


class Direction(StrEnum):
    """Which way is better, so charts and the problem picture can say whether a change is good news."""

    HIGHER_IS_BETTER = "higher_better"
    HIGHER_IS_WORSE = "higher_worse"
    NEUTRAL = "neutral"


class Indicator(Base):
    __tablename__ = "indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(64), default="antal")
    direction: Mapped[str] = mapped_column(String(16), default=Direction.NEUTRAL.value)
    source: Mapped[str] = mapped_column(String(200), default="")
    owner: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    values: Mapped[list[IndicatorValue]] = relationship(
        back_populates="indicator", cascade="all, delete-orphan", order_by="IndicatorValue.period_start"
    )


class IndicatorValue(Base):
    """One figure of a series. The key is (indicator, area or none, sub-series, period); the area NULL is the whole
    municipality. A unique constraint cannot hold NULL as one key, so `area_key` repeats the area id with 0 for the
    municipality (a CHECK keeps the two equal) and carries the constraint; an expression index would do the same but
    SQLite cannot reflect one, and the schema must compare equal to the models on both databases."""

    __tablename__ = "indicator_values"
    __table_args__ = (
        UniqueConstraint("indicator_id", "area_key", "subseries", "period", name="uq_indicator_values_key"),
        Index("ix_indicator_values_indicator_period", "indicator_id", "period_start"),
        CheckConstraint("period_kind IN ('year', 'tertial', 'quarter', 'month')", name="period_kind_known"),
        CheckConstraint("area_key = coalesce(area_id, 0)", name="area_key_is_area"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id", ondelete="CASCADE"))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"))
    area_key: Mapped[int] = mapped_column(Integer)
    subseries: Mapped[str] = mapped_column(String(100), default="")
    period: Mapped[str] = mapped_column(String(16))  # canonical code: 2025, 2025-T1, 2025-Q3, 2025-03
    period_kind: Mapped[str] = mapped_column(String(16))
    period_start: Mapped[dt.date] = mapped_column(Date)
    value: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(200), default="")
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    recorded_by: Mapped[str] = mapped_column(String(200), default="")

    indicator: Mapped[Indicator] = relationship(back_populates="values")
    area: Mapped[Area | None] = relationship()
    revisions: Mapped[list[IndicatorValueRevision]] = relationship(
        back_populates="value_row", cascade="all, delete-orphan", order_by="IndicatorValueRevision.id"
    )


class IndicatorValueRevision(Base):
    """What a value said before it was corrected, who had recorded it and when it was replaced."""

    __tablename__ = "indicator_value_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    value_id: Mapped[int] = mapped_column(ForeignKey("indicator_values.id", ondelete="CASCADE"), index=True)
    value: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(200), default="")
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    recorded_by: Mapped[str] = mapped_column(String(200), default="")
    replaced_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    replaced_by: Mapped[str] = mapped_column(String(200), default="")

    value_row: Mapped[IndicatorValue] = relationship(back_populates="revisions")

