"""Dialogues, safety walks and their observations (STANDARDS §4), with their histories and focus areas."""

from __future__ import annotations

import datetime as dt
import enum
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
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from analysis.bands import CHILD_BANDS
from survey_app.db import Base, enum_type, utcnow
from survey_app.models.areas import Area, FocusArea
from survey_app.models.staff import StaffUser

CHILD_TALLY_BANDS = frozenset({"under_12", *CHILD_BANDS})
MAX_PER_WALK_GROUP = 20  # Socialstyrelsen: "Maximalt 20 personer" per walk group; a warning, never a block


class DialogueFormat(enum.StrEnum):
    SAFETY_DIALOGUE = "safety_dialogue"
    CITIZEN_DIALOGUE = "citizen_dialogue"
    CHILDREN_YOUTH_DIALOGUE = "children_youth_dialogue"
    BUSINESS_DIALOGUE = "business_dialogue"
    SAFETY_WALK = "safety_walk"


class TimeOfDay(enum.StrEnum):
    DAYLIGHT = "daylight"
    DARK = "dark"


class Partner(enum.StrEnum):
    MUNICIPALITY = "municipality"
    POLICE = "police"
    HOUSING_COMPANY = "housing_company"
    ASSOCIATIONS = "associations"
    OTHER = "other"


class ObservationKind(enum.StrEnum):
    UNSAFE_PLACE = "unsafe_place"
    PROBLEM = "problem"
    SUGGESTION = "suggestion"
    SAFE_PLACE = "safe_place"


class ObservationCategory(enum.StrEnum):
    LIGHTING = "lighting"
    VEGETATION = "vegetation"
    LITTER = "litter"
    GRAFFITI = "graffiti"
    VANDALISM = "vandalism"
    TRAFFIC = "traffic"
    DISORDER = "disorder"
    OTHER = "other"


class Responsible(enum.StrEnum):
    MUNICIPALITY = "municipality"
    POLICE = "police"
    PROPERTY_OWNER = "property_owner"
    OTHER = "other"


class Decision(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    PARTLY = "partly"
    REFERRED = "referred"
    REJECTED = "rejected"


class ObservationStatus(enum.StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    NOT_DONE = "not_done"


class RaisedBy(enum.StrEnum):
    """The group that raised an observation (a group, never a person)."""

    GIRLS = "girls"
    BOYS = "boys"
    YOUNG_PEOPLE = "young_people"
    WOMEN = "women"
    MEN = "men"
    OLDER_RESIDENTS = "older_residents"
    PARENTS = "parents"
    BUSINESSES = "businesses"
    MIXED = "mixed"


class TallyGender(enum.StrEnum):
    WOMAN = "woman"
    MAN = "man"
    OTHER_UNKNOWN = "other_unknown"


dialogue_focus_areas = Table(
    "dialogue_focus_areas",
    Base.metadata,
    Column("dialogue_id", ForeignKey("dialogues.id", ondelete="CASCADE"), primary_key=True),
    Column("focus_area_id", ForeignKey("focus_areas.id", ondelete="RESTRICT"), primary_key=True),
)

observation_focus_areas = Table(
    "observation_focus_areas",
    Base.metadata,
    Column("observation_id", ForeignKey("observations.id", ondelete="CASCADE"), primary_key=True),
    Column("focus_area_id", ForeignKey("focus_areas.id", ondelete="RESTRICT"), primary_key=True),
)


class Dialogue(Base):
    """One trygghetsdialog, medborgardialog or trygghetsvandring. Participants are counted, never named."""

    __tablename__ = "dialogues"
    __table_args__ = (
        CheckConstraint("participation_level BETWEEN 1 AND 4", name="participation_level_1_to_4"),
        CheckConstraint("walk_groups >= 1", name="walk_groups_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    format: Mapped[DialogueFormat] = mapped_column(
        enum_type(DialogueFormat, length=32, check="format_known"), index=True
    )
    held_on: Mapped[dt.date] = mapped_column(Date, index=True)
    time_of_day: Mapped[TimeOfDay | None] = mapped_column(enum_type(TimeOfDay, length=16, check="time_of_day_known"))
    # A safety walk's three meetings: förmöte, the walk itself (held_on), uppföljningsmöte.
    pre_meeting_on: Mapped[dt.date | None] = mapped_column(Date)
    follow_up_on: Mapped[dt.date | None] = mapped_column(Date)
    walk_groups: Mapped[int] = mapped_column(Integer, default=1)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="RESTRICT"), index=True)
    place: Mapped[str] = mapped_column(String(200))
    partners: Mapped[list[str]] = mapped_column(JSON, default=list)
    partners_other: Mapped[str | None] = mapped_column(String(200))
    participation_level: Mapped[int] = mapped_column(Integer)
    languages: Mapped[str | None] = mapped_column(String(200))
    interpreting: Mapped[bool] = mapped_column(Boolean, default=False)
    tallies_estimated: Mapped[bool] = mapped_column(Boolean, default=False)
    residents_count: Mapped[int | None] = mapped_column(Integer)
    business_count: Mapped[int | None] = mapped_column(Integer)
    associations_count: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str | None] = mapped_column(Text)  # masked for personal data before it is stored
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    area: Mapped[Area] = relationship()
    created_by: Mapped[StaffUser | None] = relationship()
    focus_areas: Mapped[list[FocusArea]] = relationship(secondary=dialogue_focus_areas, order_by="FocusArea.position")
    tallies: Mapped[list[ParticipantTally]] = relationship(
        back_populates="dialogue", cascade="all, delete-orphan", order_by="ParticipantTally.id"
    )
    observations: Mapped[list[Observation]] = relationship(
        back_populates="dialogue", cascade="all, delete-orphan", order_by="Observation.id"
    )
    revisions: Mapped[list[DialogueRevision]] = relationship(
        back_populates="dialogue", cascade="all, delete-orphan", order_by="DialogueRevision.id"
    )

    @property
    def participant_total(self) -> int:
        return sum(t.count for t in self.tallies)

    @property
    def tally_table(self) -> dict[tuple[str, str], int]:
        return {(t.gender, t.age_band): t.count for t in self.tallies}

    @property
    def children_took_part(self) -> bool:
        return any(t.age_band in CHILD_TALLY_BANDS and t.count > 0 for t in self.tallies)

    @property
    def walk_group_too_large(self) -> bool:
        """A walk with more than 20 per group: Socialstyrelsen's maximum. Shown as a warning, never refused."""
        if self.format != DialogueFormat.SAFETY_WALK:
            return False
        return self.participant_total > MAX_PER_WALK_GROUP * max(1, self.walk_groups)


class ParticipantTally(Base):
    """How many took part, by gender and age band: a count, never a person."""

    __tablename__ = "participant_tallies"
    __table_args__ = (
        UniqueConstraint("dialogue_id", "gender", "age_band"),
        CheckConstraint("count > 0", name="count_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dialogue_id: Mapped[int] = mapped_column(ForeignKey("dialogues.id", ondelete="CASCADE"))
    gender: Mapped[TallyGender] = mapped_column(enum_type(TallyGender, length=16, check="gender_known"))
    age_band: Mapped[str] = mapped_column(String(16))
    count: Mapped[int] = mapped_column(Integer)

    dialogue: Mapped[Dialogue] = relationship(back_populates="tallies")


class DialogueRevision(Base):
    """One edit of a dialogue: who, when, and each changed field's old and new value."""

    __tablename__ = "dialogue_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    dialogue_id: Mapped[int] = mapped_column(ForeignKey("dialogues.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    actor_label: Mapped[str] = mapped_column(String(254))
    what: Mapped[str] = mapped_column(String(32))  # "dialogue" or "observation"
    observation_id: Mapped[int | None] = mapped_column(Integer)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)

    dialogue: Mapped[Dialogue] = relationship(back_populates="revisions")


class Observation(Base):
    """A synpunkt or iakttagelse: what was raised, where, what should be done, by whom and by when."""

    __tablename__ = "observations"
    __table_args__ = (
        CheckConstraint("(latitude IS NULL) = (longitude IS NULL)", name="coordinates_paired"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dialogue_id: Mapped[int] = mapped_column(ForeignKey("dialogues.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)  # masked
    kind: Mapped[ObservationKind] = mapped_column(enum_type(ObservationKind, length=16, check="kind_known"))
    place_name: Mapped[str | None] = mapped_column(String(200))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    time_of_day: Mapped[TimeOfDay | None] = mapped_column(enum_type(TimeOfDay, length=16, check="time_of_day_known"))
    category: Mapped[ObservationCategory | None] = mapped_column(
        enum_type(ObservationCategory, length=16, check="category_known")
    )
    proposed_measure: Mapped[str | None] = mapped_column(Text)  # masked
    responsible: Mapped[Responsible | None] = mapped_column(
        enum_type(Responsible, length=16, check="responsible_known")
    )
    responsible_detail: Mapped[str | None] = mapped_column(String(200))
    decision: Mapped[Decision] = mapped_column(
        enum_type(Decision, length=16, check="decision_known"), default=Decision.PENDING
    )
    decision_reason: Mapped[str | None] = mapped_column(Text)
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[ObservationStatus] = mapped_column(
        enum_type(ObservationStatus, length=16, check="status_known"), default=ObservationStatus.OPEN, index=True
    )
    status_reason: Mapped[str | None] = mapped_column(Text)
    from_children: Mapped[bool] = mapped_column(Boolean, default=False)
    raised_by: Mapped[RaisedBy | None] = mapped_column(enum_type(RaisedBy, length=32, check="raised_by_known"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    dialogue: Mapped[Dialogue] = relationship(back_populates="observations")
    focus_areas: Mapped[list[FocusArea]] = relationship(
        secondary=observation_focus_areas, order_by="FocusArea.position"
    )
    status_changes: Mapped[list[StatusChange]] = relationship(
        back_populates="observation", cascade="all, delete-orphan", order_by="StatusChange.id"
    )

    def is_overdue(self, today: dt.date) -> bool:
        open_states = {ObservationStatus.OPEN, ObservationStatus.IN_PROGRESS}
        return self.deadline is not None and self.deadline < today and self.status in open_states


class StatusChange(Base):
    """Every status an observation has had: dated, with who changed it and why."""

    __tablename__ = "observation_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    observation_id: Mapped[int] = mapped_column(ForeignKey("observations.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    actor_label: Mapped[str] = mapped_column(String(254))
    from_status: Mapped[ObservationStatus | None] = mapped_column(
        enum_type(ObservationStatus, length=16, check="from_status_known")
    )
    to_status: Mapped[ObservationStatus] = mapped_column(
        enum_type(ObservationStatus, length=16, check="to_status_known")
    )
    reason: Mapped[str | None] = mapped_column(Text)

    observation: Mapped[Observation] = relationship(back_populates="status_changes")
