"""Medborgarlöften, their indicators and activities, the follow-up each tertial and the published tertialrapporter
(STANDARDS §5)."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.db import Base, enum_type, utcnow
from survey_app.models.areas import Area, FocusArea
from survey_app.models.indicators import Indicator
from survey_app.models.staff import StaffUser


class PromiseStatus(enum.StrEnum):
    ON_TRACK = "on_track"  # Enligt plan
    PARTLY = "partly"  # Delvis
    DELAYED = "delayed"  # Försenat
    DONE = "done"  # Genomfört
    CANCELLED = "cancelled"  # Avbrutet


class Party(enum.StrEnum):
    POLICE = "police"
    MUNICIPALITY = "municipality"
    JOINT = "joint"
    OTHER = "other"


class PromiseIndicatorKind(enum.StrEnum):
    COMPUTED_COUNT = "computed_count"  # dialogues, walks, measures done or overdue, by a stored filter
    COMPUTED_MEASURE = "computed_measure"  # a survey measure through the insights service
    ENTERED_COUNT = "entered_count"  # an indicator series, with its sub-series
    NARRATIVE = "narrative"  # a text per tertial


promise_focus_areas = Table(
    "promise_focus_areas",
    Base.metadata,
    Column("promise_id", ForeignKey("promises.id", ondelete="CASCADE"), primary_key=True),
    Column("focus_area_id", ForeignKey("focus_areas.id", ondelete="RESTRICT"), primary_key=True),
)

promise_areas = Table(
    "promise_areas",
    Base.metadata,
    Column("promise_id", ForeignKey("promises.id", ondelete="CASCADE"), primary_key=True),
    Column("area_id", ForeignKey("areas.id", ondelete="RESTRICT"), primary_key=True),
)


class Promise(Base):
    """A medborgarlöfte: the verbatim promise, who keeps it, why (problem and causes) and how it is followed up."""

    __tablename__ = "promises"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)  # verbatim
    party: Mapped[Party] = mapped_column(enum_type(Party, length=16, check="party_known"))
    followed_up_by: Mapped[str] = mapped_column(String(200), default="")
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date | None] = mapped_column(Date)
    problem_description: Mapped[str] = mapped_column(Text, default="")
    cause_analysis: Mapped[str] = mapped_column(Text, default="")
    gender_note: Mapped[str] = mapped_column(Text, default="")  # the gender-equality perspective
    children_note: Mapped[str] = mapped_column(Text, default="")  # "hur har barn hörts?"
    target: Mapped[str] = mapped_column(Text, default="")  # optional
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"), index=True)
    predecessor_id: Mapped[int | None] = mapped_column(ForeignKey("promises.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    owner: Mapped[StaffUser | None] = relationship()
    predecessor: Mapped[Promise | None] = relationship(remote_side=[id])
    focus_areas: Mapped[list[FocusArea]] = relationship(secondary=promise_focus_areas, order_by="FocusArea.position")
    areas: Mapped[list[Area]] = relationship(secondary=promise_areas, order_by="Area.name")
    indicators: Mapped[list[PromiseIndicator]] = relationship(
        back_populates="promise", cascade="all, delete-orphan", order_by="PromiseIndicator.position")
    activities: Mapped[list[PromiseActivity]] = relationship(
        back_populates="promise", cascade="all, delete-orphan", order_by="PromiseActivity.position")
    follow_ups: Mapped[list[PromiseFollowUp]] = relationship(
        back_populates="promise", cascade="all, delete-orphan", order_by="PromiseFollowUp.tertial")


class PromiseIndicator(Base):
    """How a promise is followed up. `label` is the agreement's verbatim wording; what is counted depends on `kind`:

    - computed_count: `settings` = {"count": "dialogues" | "measures_done" | "measures_overdue",
      "formats": [dialogue formats], "areas": [area codes]} (empty lists: all);
    - computed_measure: `settings` = {"measure": "share_unsafe", "area": area code or ""};
    - entered_count: `indicator` (its sub-series are shown beside it);
    - narrative: the text is written per tertial in the follow-up.
    """

    __tablename__ = "promise_indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    promise_id: Mapped[int] = mapped_column(ForeignKey("promises.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[PromiseIndicatorKind] = mapped_column(
        enum_type(PromiseIndicatorKind, length=32, check="kind_known"))
    label: Mapped[str] = mapped_column(Text)
    indicator_id: Mapped[int | None] = mapped_column(ForeignKey("indicators.id", ondelete="RESTRICT"))
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    promise: Mapped[Promise] = relationship(back_populates="indicators")
    indicator: Mapped[Indicator | None] = relationship()


class PromiseActivity(Base):
    __tablename__ = "promise_activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    promise_id: Mapped[int] = mapped_column(ForeignKey("promises.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)
    party: Mapped[Party] = mapped_column(enum_type(Party, length=16, check="party_known"))
    tertial: Mapped[str] = mapped_column(String(16))  # the tertial it is planned for, e.g. 2026-T2

    promise: Mapped[Promise] = relationship(back_populates="activities")


class PromiseFollowUp(Base):
    """A promise's follow-up in one tertial: its status, what was done, deviations, next steps, the återkoppling."""

    __tablename__ = "promise_follow_ups"
    __table_args__ = (UniqueConstraint("promise_id", "tertial"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    promise_id: Mapped[int] = mapped_column(ForeignKey("promises.id", ondelete="CASCADE"))
    tertial: Mapped[str] = mapped_column(String(16))
    status: Mapped[PromiseStatus] = mapped_column(enum_type(PromiseStatus, length=16, check="status_known"))
    done_text: Mapped[str] = mapped_column(Text, default="")
    narrative: Mapped[str] = mapped_column(Text, default="")  # the narrative indicator's text for the tertial
    deviations: Mapped[str] = mapped_column(Text, default="")
    next_steps: Mapped[str] = mapped_column(Text, default="")
    feedback: Mapped[str] = mapped_column(Text, default="")  # återkoppling to residents, plain Swedish
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    updated_by: Mapped[str] = mapped_column(String(254), default="")

    promise: Mapped[Promise] = relationship(back_populates="follow_ups")


class TertialReport(Base):
    """A published tertialrapport: everything it shows, frozen as it was published. A correction is a new version
    that says what changed; a published version never changes."""

    __tablename__ = "tertial_reports"
    __table_args__ = (UniqueConstraint("tertial", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tertial: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    change_note: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    published_by: Mapped[str] = mapped_column(String(254))
