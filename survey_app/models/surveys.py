"""Questionnaires, survey waves, the responses to them, invitation codes and answers in progress."""

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
    ColumnElement,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    and_,
    true,
)
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.db import Base, enum_type, today, utcnow
from survey_app.models.areas import Area


class SurveyStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class Channel(enum.StrEnum):
    WEB = "web"
    PAPER = "paper"
    ASSISTED = "assisted"


class Questionnaire(Base):
    """One version of an instrument, as loaded from `questionnaires/`."""

    __tablename__ = "questionnaires"
    __table_args__ = (UniqueConstraint("slug", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100))
    version: Mapped[str] = mapped_column(String(32))
    content_hash: Mapped[str] = mapped_column(String(64))
    # The YAML as loaded, so a wave can always be re-read. Deferred: the parsed instrument is cached per process by
    # content_hash (survey/questionnaires.py), so the text is read once per process, not with every wave.
    source: Mapped[str] = mapped_column(Text, deferred=True)
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
        CheckConstraint("period_end >= period_start", name="period_ordered"),
        CheckConstraint("open_link OR invitation_codes", name="has_access_mode"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaires.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(String(200))  # in Swedish, the source language
    # The title in the wave's other languages, and a description per language (Swedish included) for the landing
    # page; a language without one shows the Swedish text, marked as Swedish.
    title_translations: Mapped[dict[str, str]] = mapped_column(JSON, default=dict, server_default="{}")
    descriptions: Mapped[dict[str, str]] = mapped_column(JSON, default=dict, server_default="{}")
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    languages: Mapped[list[str]] = mapped_column(JSON, default=lambda: ["sv"])
    open_link: Mapped[bool] = mapped_column(Boolean, default=True)
    invitation_codes: Mapped[bool] = mapped_column(Boolean, default=False)
    # Against ballot stuffing on the open link (invitation codes are single-use already): a browser that has sent an
    # answer cannot start again without a code (a cookie, said plainly on the landing page), and one network address
    # may start at most this many times an hour (a school class behind one address needs room: raise it for them).
    one_per_browser: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    starts_per_hour: Mapped[int] = mapped_column(Integer, default=60, server_default="60")
    status: Mapped[SurveyStatus] = mapped_column(
        enum_type(SurveyStatus, length=16, check="status_known"), default=SurveyStatus.DRAFT
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Raised in the same transaction as every change to the wave's data (a stored response, an exclusion, opening or
    # closing): cached analyses are keyed by it, so none outlives the data it was computed from
    # (survey_app/insights/vectors.py). A count of changes, not a time: it orders nothing.
    data_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The year of the areas' population figures the wave is weighted to; None: each area's latest year.
    population_year: Mapped[int | None] = mapped_column(Integer)

    # Joined: every resident request reads its wave's questionnaire (for the instrument); one statement, not two.
    questionnaire: Mapped[Questionnaire] = relationship(lazy="joined")
    areas: Mapped[list[Area]] = relationship(secondary=survey_areas, order_by="Area.name")

    @hybrid_method
    def is_answerable_on(self, day: dt.date) -> bool:
        """Residents can answer it on `day`: open, and the day inside its period. Works in Python and in a query."""
        return self.status == SurveyStatus.OPEN and self.period_start <= day <= self.period_end

    # hybrid_method.expression already changes the hybrid in place (its `.inplace` returns the same object), and mypy
    # reads `.inplace` through the descriptor as the bound method, so the plain decorator is the one it can check.
    @is_answerable_on.expression
    @classmethod
    def _is_answerable_on_expression(cls, day: dt.date) -> ColumnElement[bool]:
        return and_(cls.status == SurveyStatus.OPEN, cls.period_start <= day, cls.period_end >= day)


class Response(Base):
    """One respondent's submitted answers. Anonymous by structure: nothing here identifies a person or a device."""

    __tablename__ = "responses"
    __table_args__ = (
        Index("ix_responses_survey_id_area_code", "survey_id", "area_code"),
        # Covers the analysis's read of a wave (survey_app/insights/service.py): one range scan in key order.
        Index("ix_responses_survey_id_id_codes", "survey_id", "id", "codes"),
    )

    # A random key, not a counter: a sequential id would give each response's place in the order of submission, which
    # a web server's or proxy's access log could match to an IP address and a time of day.
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    submitted_on: Mapped[dt.date] = mapped_column(Date, default=today)  # day precision only, by rule
    language: Mapped[str] = mapped_column(String(8))
    channel: Mapped[Channel] = mapped_column(enum_type(Channel, length=16, check="channel_known"), default=Channel.WEB)
    # Background as answered, kept on the row so breakdowns never re-derive it (STANDARDS §2).
    area_code: Mapped[str | None] = mapped_column(String(64))
    gender: Mapped[str | None] = mapped_column(String(32))
    age_band: Mapped[str | None] = mapped_column(String(16))
    # The response's analysis columns as little-endian uint16 codes into the wave's codebook (WaveCodebook), written
    # in the same INSERT as the row: what the analysis reads instead of the answers (survey_app/insights/vectors.py).
    # NULL only for responses stored before migration 0009, until `trygg survey verify-store SLUG --rebuild`.
    codes: Mapped[bytes | None] = mapped_column(LargeBinary)

    answers: Mapped[list[Answer]] = relationship(back_populates="response", cascade="all, delete-orphan")


class WaveCodebook(Base):
    """The labels behind a wave's response codes: ``columns`` in order, and per column its labels (code 0 is blank,
    code i is ``labels[column][i - 1]``). Labels are only ever appended, under the lock that raising
    ``Survey.data_version`` takes, so a code once written keeps its meaning."""

    __tablename__ = "wave_codebooks"

    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), primary_key=True)
    layout: Mapped[dict[str, Any]] = mapped_column(JSON)


class Answer(Base):
    """One answer to one item. Coded answers keep the option code; numbers and free text their own column.

    The analysis reads a response's compact copy (``Response.codes``), not these rows, so the table has no index
    but its key: (response, position), no counter across responses, which would again give away the order in which
    they were sent. (An index by item code cost a third of the table's bytes and served no query.)
    """

    __tablename__ = "answers"
    __table_args__ = (
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
    __table_args__ = (Index("ix_invitation_codes_survey_id_used", "survey_id", "used"),)

    # Random, like every key near a resident: a counter would give the order codes were made (the order of the
    # mailing list) and, beside the draft made in the same transaction, the order residents started.
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(128), unique=True)
    used: Mapped[bool] = mapped_column(Boolean, default=False)


class SurveyDraft(Base):
    """A resident's answers in progress, found by a random token in a cookie or by a resume code.

    On submission its answers are emptied and it is marked submitted, in one conditional UPDATE that only one request
    can win: that is what makes submission exactly-once, and the empty row lets a late double click still be shown
    the thank-you page. It holds nothing that links it to the stored response, and is deleted when the wave closes.
    """

    __tablename__ = "survey_drafts"
    # The admin pages count a wave's unsent drafts; with the flag in the index that count reads no table rows.
    __table_args__ = (Index("ix_survey_drafts_survey_id_submitted", "survey_id", "submitted"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)  # random: see InvitationCode
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    resume_code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    language: Mapped[str] = mapped_column(String(8))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    page: Mapped[int] = mapped_column(Integer, default=0)
    submitted: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_on: Mapped[dt.date] = mapped_column(Date, default=today, onupdate=today)


class HeldResponse(Base):
    """A sent response waiting in the holding pool (`survey_app/survey/holding.py`) to be stored among others.

    Sending marks the draft submitted and adds a row here in one transaction; the response itself is stored later, in
    a transaction of its own together with the rest of its day's responses, in random order. So nothing that knew the
    resident (code, draft, resume code) shares a transaction with the stored response, and the order of the responses
    table says nothing about the order they were sent in. The row is deleted as it is stored.
    """

    __tablename__ = "held_responses"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    received_on: Mapped[dt.date] = mapped_column(Date, default=today)  # day precision, as the response's own date
    language: Mapped[str] = mapped_column(String(8))
    channel: Mapped[Channel] = mapped_column(enum_type(Channel, length=16, check="channel_known"), default=Channel.WEB)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)


class WaveHourlySends(Base):
    """How many responses were sent to a wave in one clock hour (UTC): counts only, for the anomaly view.

    A response keeps only its day (and is stored among others, `HeldResponse`), so a burst within a day shows here
    and nowhere else. Counted after the sending transaction has committed, in a transaction of its own, so no row here
    shares a transaction id with a draft; it names no response, draft, code or device.
    """

    __tablename__ = "wave_hourly_sends"

    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), primary_key=True)
    hour: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), primary_key=True)  # the hour's start, UTC
    sends: Mapped[int] = mapped_column(Integer, default=0)


class ResponseExclusion(Base):
    """An analyst's decision to leave some of a wave's responses out of its analysis and exports, with the reason.

    A rule, not a mark on rows: the responses sent on the days from `first_day` to `last_day` (either open) whose
    analysis values equal one of `patterns` (each a mapping column -> value; none means any). Rules are read where a
    wave's responses are (`survey_app/survey/exclusions.py`), so responses released from the holding pool later are
    covered too. Reversing keeps the row (who, when) and lets the responses back in.
    """

    __tablename__ = "response_exclusions"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    first_day: Mapped[dt.date | None] = mapped_column(Date)
    last_day: Mapped[dt.date | None] = mapped_column(Date)
    patterns: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    reason: Mapped[str] = mapped_column(Text)
    excluded_when_made: Mapped[int] = mapped_column(Integer, default=0)
    made_by: Mapped[str] = mapped_column(String(254))
    made_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    reversed_by: Mapped[str | None] = mapped_column(String(254))
    reversed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
