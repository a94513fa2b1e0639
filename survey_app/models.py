"""The shared schema: areas, questionnaires, survey waves, responses, staff and the audit log.

Later features add their own tables in their own modules and migrations.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.db import Base, one_of, today, utcnow


class Role(enum.StrEnum):
    ADMIN = "admin"
    FACILITATOR = "facilitator"
    ANALYST = "analyst"


class SurveyStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class Channel(enum.StrEnum):
    WEB = "web"
    PAPER = "paper"
    ASSISTED = "assisted"


class Area(Base):
    """An område: the unit of breakdown and of design weighting."""

    __tablename__ = "areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    geometry: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # GeoJSON geometry object

    population: Mapped[list[AreaPopulation]] = relationship(
        back_populates="area", cascade="all, delete-orphan", order_by="AreaPopulation.id"
    )


class AreaPopulation(Base):
    """Population of an area by gender and age band: the margins that weighting calibrates to."""

    __tablename__ = "area_populations"
    __table_args__ = (
        UniqueConstraint("area_id", "gender", "age_band"),
        CheckConstraint("population >= 0", name="population_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"))
    gender: Mapped[str] = mapped_column(String(32))
    age_band: Mapped[str] = mapped_column(String(16))
    population: Mapped[int] = mapped_column(Integer)

    area: Mapped[Area] = relationship(back_populates="population")


class Questionnaire(Base):
    """One version of an instrument, as loaded from `questionnaires/`."""

    __tablename__ = "questionnaires"
    __table_args__ = (UniqueConstraint("slug", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100))
    version: Mapped[str] = mapped_column(String(32))
    content_hash: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(Text)  # the YAML as loaded, so a wave can always be re-read
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    loaded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


survey_areas = Table(
    "survey_areas",
    Base.metadata,
    Column("survey_id", ForeignKey("surveys.id", ondelete="CASCADE"), primary_key=True),
    Column("area_id", ForeignKey("areas.id", ondelete="RESTRICT"), primary_key=True),
)


class Survey(Base):
    """A survey wave: one questionnaire version asked in some areas during a period."""

    __tablename__ = "surveys"
    __table_args__ = (
        CheckConstraint(one_of("status", SurveyStatus), name="status_known"),
        CheckConstraint("period_end >= period_start", name="period_ordered"),
        CheckConstraint("open_link OR invitation_codes", name="has_access_mode"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaires.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(String(200))
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    languages: Mapped[list[str]] = mapped_column(JSON, default=lambda: ["sv"])
    open_link: Mapped[bool] = mapped_column(Boolean, default=True)
    invitation_codes: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default=SurveyStatus.DRAFT.value)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    questionnaire: Mapped[Questionnaire] = relationship()
    areas: Mapped[list[Area]] = relationship(secondary=survey_areas, order_by="Area.name")


class Response(Base):
    """One respondent's submitted answers. Anonymous by structure: nothing here identifies a person or a device."""

    __tablename__ = "responses"
    __table_args__ = (
        CheckConstraint(one_of("channel", Channel), name="channel_known"),
        Index("ix_responses_survey_id_area_code", "survey_id", "area_code"),
    )

    # A random key, not a counter: a sequential id would give each response's place in the order of submission, which
    # a web server's or proxy's access log could match to an IP address and a time of day.
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    submitted_on: Mapped[dt.date] = mapped_column(Date, default=today)  # day precision only, by rule
    language: Mapped[str] = mapped_column(String(8))
    channel: Mapped[str] = mapped_column(String(16), default=Channel.WEB.value)
    # Background as answered, kept on the row so breakdowns never re-derive it (STANDARDS §2).
    area_code: Mapped[str | None] = mapped_column(String(64))
    gender: Mapped[str | None] = mapped_column(String(32))
    age_band: Mapped[str | None] = mapped_column(String(16))

    answers: Mapped[list[Answer]] = relationship(back_populates="response", cascade="all, delete-orphan")


class Answer(Base):
    """One answer to one item. Coded answers keep the option code; numbers and free text their own column.

    A narrow table indexed by (item_code, response_id) lets the analysis read one item of a wave as two
    aligned columns with a single index range scan. The key is (response, position): no counter across responses,
    which would again give away the order in which they were sent.
    """

    __tablename__ = "answers"
    __table_args__ = (
        Index("ix_answers_item_code_response_id", "item_code", "response_id"),
        CheckConstraint(
            "(value_code IS NOT NULL) OR (value_number IS NOT NULL) OR (value_text IS NOT NULL)",
            name="has_value",
        ),
    )

    response_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)  # 0, 1, 2 ... within the response
    item_code: Mapped[str] = mapped_column(String(64))
    value_code: Mapped[str | None] = mapped_column(String(64))
    value_number: Mapped[float | None] = mapped_column(Float)
    value_text: Mapped[str | None] = mapped_column(Text)

    response: Mapped[Response] = relationship(back_populates="answers")


class InvitationCode(Base):
    """A single-use code. Only its hash is kept, and it is never linked to the response it allowed."""

    __tablename__ = "invitation_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(128), unique=True)
    used: Mapped[bool] = mapped_column(Boolean, default=False)


class StaffUser(Base):
    """A member of staff who logs in. Residents never have accounts."""

    __tablename__ = "staff_users"
    __table_args__ = (CheckConstraint(one_of("role", Role), name="role_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
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


class SurveyDraft(Base):
    """A resident's answers in progress, found by a random token in a cookie or by a resume code.

    On submission its answers are emptied and it is marked submitted, in one conditional UPDATE that only one request
    can win: that is what makes submission exactly-once, and the empty row lets a late double click still be shown
    the thank-you page. It holds nothing that links it to the stored response, and is deleted when the wave closes.
    """

    __tablename__ = "survey_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    resume_code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    language: Mapped[str] = mapped_column(String(8))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    page: Mapped[int] = mapped_column(Integer, default=0)
    submitted: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_on: Mapped[dt.date] = mapped_column(Date, default=today, onupdate=today)
