"""Dialogue queries: find dialogues and observations by filter, list focus areas and areas, read tallies."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from sqlalchemy import ColumnElement, Select, exists, or_, select
from sqlalchemy.orm import Session, selectinload

from analysis.bands import DEFAULT_AGE_BANDS
from survey_app.models import (
    CHILD_TALLY_BANDS,
    Area,
    Dialogue,
    DialogueFormat,
    FocusArea,
    Observation,
    ParticipantTally,
    TallyGender,
    dialogue_focus_areas,
    observation_focus_areas,
)

TALLY_GENDERS: tuple[str, ...] = tuple(g.value for g in TallyGender)
TALLY_BANDS: tuple[str, ...] = ("under_12", *(band.label for band in DEFAULT_AGE_BANDS), "unknown")

# Walk categories and the survey's problem items they correspond to (STANDARDS §4), so that the problem picture
# can put what a walk saw beside what the survey measured for the same area.
CATEGORY_SURVEY_ITEMS: dict[str, tuple[str, ...]] = {
    "lighting": ("problem_lighting",),
    "vegetation": ("problem_vegetation",),
    "litter": ("problem_litter",),
    "graffiti": ("problem_graffiti",),
    "vandalism": ("problem_vandalism",),
    "traffic": ("problem_speeding", "problem_mopeds"),
    "disorder": ("problem_youth_disorder", "problem_drunk", "problem_drug_dealing", "problem_drug_affected"),
    "other": (),
}


def jsonable(value: object) -> object:
    """A value as it is kept in JSON (filters in the audit log, changes in a dialogue's history)."""
    return value.isoformat() if isinstance(value, dt.date) else value


def focus_areas(session: Session, *, active_only: bool = False) -> list[FocusArea]:
    query = select(FocusArea).order_by(FocusArea.position, FocusArea.name)
    if active_only:
        query = query.where(FocusArea.active)
    return list(session.scalars(query))


def areas(session: Session) -> list[Area]:
    return list(session.scalars(select(Area).order_by(Area.name)))


# --- finding ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Filters:
    area_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    format: str | None = None
    focus_area_id: int | None = None
    status: str | None = None
    children: bool = False

    def as_dict(self) -> dict[str, object]:
        """The filters in use, for the export's audit event."""
        return {name: jsonable(value) for name, value in asdict(self).items() if value}


def _children_in_dialogue() -> ColumnElement[bool]:
    return or_(
        Dialogue.format == DialogueFormat.CHILDREN_YOUTH_DIALOGUE,
        exists().where(ParticipantTally.dialogue_id == Dialogue.id,
                       ParticipantTally.age_band.in_(sorted(CHILD_TALLY_BANDS))),
        exists().where(Observation.dialogue_id == Dialogue.id, Observation.from_children),
    )


def _dialogue_conditions(query: Select, filters: Filters) -> Select:
    if filters.area_id:
        query = query.where(Dialogue.area_id == filters.area_id)
    if filters.date_from:
        query = query.where(Dialogue.held_on >= filters.date_from)
    if filters.date_to:
        query = query.where(Dialogue.held_on <= filters.date_to)
    if filters.format:
        query = query.where(Dialogue.format == filters.format)
    return query


def find_dialogues(session: Session, filters: Filters) -> list[Dialogue]:
    query = _dialogue_conditions(select(Dialogue), filters)
    if filters.focus_area_id:
        in_observation = exists().where(
            Observation.dialogue_id == Dialogue.id,
            observation_focus_areas.c.observation_id == Observation.id,
            observation_focus_areas.c.focus_area_id == filters.focus_area_id,
        )
        in_dialogue = exists().where(dialogue_focus_areas.c.dialogue_id == Dialogue.id,
                                     dialogue_focus_areas.c.focus_area_id == filters.focus_area_id)
        query = query.where(or_(in_dialogue, in_observation))
    if filters.status:
        query = query.where(exists().where(Observation.dialogue_id == Dialogue.id,
                                           Observation.status == filters.status))
    if filters.children:
        query = query.where(_children_in_dialogue())
    query = query.options(selectinload(Dialogue.area), selectinload(Dialogue.observations),
                          selectinload(Dialogue.tallies))
    return list(session.scalars(query.order_by(Dialogue.held_on.desc(), Dialogue.id.desc())))


def find_observations(session: Session, filters: Filters) -> list[Observation]:
    query = _dialogue_conditions(select(Observation).join(Observation.dialogue), filters)
    if filters.focus_area_id:
        query = query.where(exists().where(observation_focus_areas.c.observation_id == Observation.id,
                                           observation_focus_areas.c.focus_area_id == filters.focus_area_id))
    if filters.status:
        query = query.where(Observation.status == filters.status)
    if filters.children:
        query = query.where(Observation.from_children)
    query = query.options(selectinload(Observation.dialogue).selectinload(Dialogue.area),
                          selectinload(Observation.focus_areas))
    return list(session.scalars(query.order_by(Dialogue.held_on.desc(), Observation.id)))

