"""Dialogue commands: record and edit dialogues and observations, follow them up. They flush; the request commits."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey_app import audit
from survey_app.dialogue.queries import TALLY_BANDS, TALLY_GENDERS, jsonable
from survey_app.errors import ServiceError
from survey_app.models import (
    Area,
    Decision,
    Dialogue,
    DialogueFormat,
    DialogueRevision,
    FocusArea,
    Observation,
    ObservationStatus,
    ParticipantTally,
    StaffUser,
    StatusChange,
)
from survey_app.pii import mask_personal_data

DEADLINE_MONTHS = 6

DEFAULT_FOCUS_AREAS = (
    ("fundamental_rights", "Grundläggande fri- och rättigheter"),
    ("domestic_violence", "Våld i nära relationer"),
    ("public_violence", "Våld i offentlig miljö"),
    ("family_support", "Familjestöd"),
    ("vandalism_graffiti", "Skadegörelse/klotter"),
    ("andt", "Alkohol, narkotika, dopning och tobak (ANDT)"),
    ("organised_crime", "Organiserad brottslighet"),
)


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def default_deadline(held_on: dt.date) -> dt.date:
    """The walk date plus six months (Kungsbacka's aim, STANDARDS §4)."""
    return add_months(held_on, DEADLINE_MONTHS)


SHORT_TEXT = 200  # the length of the short text columns (place, names of partners, languages ...)


def _masked(text: str | None) -> str | None:
    text = (text or "").strip()
    return mask_personal_data(text) if text else None


def _masked_short(text: str | None, field: str) -> str | None:
    """Masked text for a short column; masking can lengthen it (a@b.se becomes [e-post]), so check after it."""
    masked = _masked(text)
    if masked is not None and len(masked) > SHORT_TEXT:
        raise ServiceError("too_long_after_masking", field)
    return masked


def seed_default_focus_areas(session: Session) -> int:
    """Add the seven default focus areas that are missing (the migration seeds them too); returns how many."""
    existing = set(session.scalars(select(FocusArea.code)))
    added = 0
    for position, (code, name) in enumerate(DEFAULT_FOCUS_AREAS, 1):
        if code not in existing:
            session.add(FocusArea(code=code, name=name, active=True, position=position))
            added += 1
    session.flush()
    return added


def _focus_areas_by_id(session: Session, ids: Iterable[int]) -> list[FocusArea]:
    ids = set(ids)
    if not ids:
        return []
    found = list(session.scalars(select(FocusArea).where(FocusArea.id.in_(ids)).order_by(FocusArea.position)))
    if len(found) != len(ids):
        raise ServiceError("unknown_focus_area", "focus_areas")
    return found


# --- dialogues ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DialogueInput:
    format: str
    held_on: dt.date
    area_id: int
    place: str
    participation_level: int
    time_of_day: str | None = None
    pre_meeting_on: dt.date | None = None
    follow_up_on: dt.date | None = None
    walk_groups: int = 1
    partners: tuple[str, ...] = ()
    partners_other: str | None = None
    focus_area_ids: tuple[int, ...] = ()
    languages: str | None = None
    interpreting: bool = False
    tallies: dict[tuple[str, str], int] = field(default_factory=dict)
    tallies_estimated: bool = False
    residents_count: int | None = None
    business_count: int | None = None
    associations_count: int | None = None
    notes: str | None = None


_DIALOGUE_FIELDS = (
    "format", "held_on", "time_of_day", "pre_meeting_on", "follow_up_on", "walk_groups", "area_id", "place",
    "partners", "partners_other", "participation_level", "languages", "interpreting", "tallies_estimated",
    "residents_count", "business_count", "associations_count", "notes",
)


def _dialogue_values(session: Session, data: DialogueInput) -> dict[str, object]:
    if session.get(Area, data.area_id) is None:
        raise ServiceError("unknown_area", "area_id")
    walk = data.format == DialogueFormat.SAFETY_WALK
    return {
        "format": data.format,
        "held_on": data.held_on,
        "time_of_day": data.time_of_day if walk else None,
        "pre_meeting_on": data.pre_meeting_on if walk else None,
        "follow_up_on": data.follow_up_on if walk else None,
        "walk_groups": max(1, data.walk_groups) if walk else 1,
        "area_id": data.area_id,
        "place": _masked_short(data.place, "place") or "",
        "partners": sorted(set(data.partners)),
        "partners_other": _masked_short(data.partners_other, "partners_other"),
        "participation_level": data.participation_level,
        "languages": _masked_short(data.languages, "languages"),
        "interpreting": data.interpreting,
        "tallies_estimated": data.tallies_estimated,
        "residents_count": data.residents_count,
        "business_count": data.business_count,
        "associations_count": data.associations_count,
        "notes": _masked(data.notes),
    }


def _tally_map(dialogue: Dialogue) -> dict[str, int]:
    return {f"{t.gender}/{t.age_band}": t.count for t in dialogue.tallies}


def _set_tallies(dialogue: Dialogue, tallies: dict[tuple[str, str], int]) -> None:
    for (gender, band), count in tallies.items():
        if gender not in TALLY_GENDERS or band not in TALLY_BANDS or count < 0:
            raise ServiceError("invalid_tally", "tallies")
    wanted = {key: count for key, count in tallies.items() if count > 0}
    current: dict[tuple[str, str], ParticipantTally] = {(t.gender, t.age_band): t for t in dialogue.tallies}
    for key, tally in current.items():
        if key not in wanted:
            dialogue.tallies.remove(tally)
    for (gender, band), count in wanted.items():
        if (gender, band) in current:
            current[(gender, band)].count = count
        else:
            dialogue.tallies.append(ParticipantTally(gender=gender, age_band=band, count=count))


def create_dialogue(session: Session, data: DialogueInput, *, actor: StaffUser) -> Dialogue:
    dialogue = Dialogue(**_dialogue_values(session, data), created_by_id=actor.id)
    dialogue.focus_areas = _focus_areas_by_id(session, data.focus_area_ids)
    _set_tallies(dialogue, data.tallies)
    session.add(dialogue)
    session.flush()
    audit.record(session, actor=actor, action="dialogue.create", target_type="dialogue", target_id=dialogue.id,
                 details={"format": dialogue.format})
    return dialogue


def _apply_changes(target: Dialogue | Observation, fields: Sequence[str], values: dict[str, object],
                   new_focus: list[FocusArea]) -> dict[str, list[object]]:
    """Set the changed fields and focus areas of a dialogue or observation; returns {field: [old, new]}."""
    changes: dict[str, list[object]] = {}
    for name in fields:
        old, new = getattr(target, name), values[name]
        if old != new:
            changes[name] = [jsonable(old), jsonable(new)]
            setattr(target, name, new)
    old_codes, new_codes = sorted(f.code for f in target.focus_areas), sorted(f.code for f in new_focus)
    if old_codes != new_codes:
        changes["focus_areas"] = [old_codes, new_codes]
        target.focus_areas = new_focus
    return changes


def update_dialogue(session: Session, dialogue: Dialogue, data: DialogueInput, *, actor: StaffUser) -> bool:
    """Apply an edit and keep it in the dialogue's history; returns whether anything changed."""
    changes = _apply_changes(dialogue, _DIALOGUE_FIELDS, _dialogue_values(session, data),
                             _focus_areas_by_id(session, data.focus_area_ids))
    old_tallies = _tally_map(dialogue)
    _set_tallies(dialogue, data.tallies)
    new_tallies = _tally_map(dialogue)
    if old_tallies != new_tallies:
        changes["tallies"] = [old_tallies, new_tallies]
    if not changes:
        return False
    session.add(DialogueRevision(dialogue=dialogue, actor_id=actor.id, actor_label=actor.email, what="dialogue",
                                 changes=changes))
    session.flush()
    return True


# --- observations -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ObservationInput:
    text: str
    kind: str
    focus_area_ids: tuple[int, ...] = ()
    place_name: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    time_of_day: str | None = None
    category: str | None = None
    proposed_measure: str | None = None
    responsible: str | None = None
    responsible_detail: str | None = None
    decision: str = Decision.PENDING
    decision_reason: str | None = None
    deadline: dt.date | None = None
    from_children: bool = False
    raised_by: str | None = None


_OBSERVATION_FIELDS = (
    "text", "kind", "place_name", "latitude", "longitude", "time_of_day", "category", "proposed_measure",
    "responsible", "responsible_detail", "decision", "decision_reason", "deadline", "from_children", "raised_by",
)


def _observation_values(dialogue: Dialogue, data: ObservationInput) -> dict[str, object]:
    if (data.latitude is None) != (data.longitude is None):
        raise ServiceError("coordinates_paired", "longitude" if data.longitude is None else "latitude")
    reason = _masked(data.decision_reason)
    if data.decision in {Decision.REJECTED, Decision.PARTLY} and not reason:
        raise ServiceError("reason_required", "decision_reason")
    text = _masked(data.text)
    if not text:
        raise ServiceError("required", "text")
    return {
        "text": text,
        "kind": data.kind,
        "place_name": _masked_short(data.place_name, "place_name"),
        "latitude": data.latitude,
        "longitude": data.longitude,
        "time_of_day": data.time_of_day or dialogue.time_of_day,
        "category": data.category or None,
        "proposed_measure": _masked(data.proposed_measure),
        "responsible": data.responsible or None,
        "responsible_detail": _masked_short(data.responsible_detail, "responsible_detail"),
        "decision": data.decision,
        "decision_reason": reason,
        "deadline": data.deadline or default_deadline(dialogue.held_on),
        "from_children": data.from_children,
        "raised_by": data.raised_by or None,
    }


def add_observation(session: Session, dialogue: Dialogue, data: ObservationInput, *, actor: StaffUser) -> Observation:
    observation = Observation(**_observation_values(dialogue, data), status=ObservationStatus.OPEN)
    observation.focus_areas = _focus_areas_by_id(session, data.focus_area_ids)
    observation.status_changes.append(
        StatusChange(actor_id=actor.id, actor_label=actor.email, from_status=None, to_status=ObservationStatus.OPEN)
    )
    dialogue.observations.append(observation)
    session.flush()
    return observation


def update_observation(session: Session, observation: Observation, data: ObservationInput, *,
                       actor: StaffUser) -> bool:
    changes = _apply_changes(observation, _OBSERVATION_FIELDS, _observation_values(observation.dialogue, data),
                             _focus_areas_by_id(session, data.focus_area_ids))
    if not changes:
        return False
    session.add(DialogueRevision(dialogue_id=observation.dialogue_id, actor_id=actor.id, actor_label=actor.email,
                                 what="observation", observation_id=observation.id, changes=changes))
    session.flush()
    return True


def change_status(session: Session, observation: Observation, status: str, *, reason: str | None,
                  actor: StaffUser) -> bool:
    """Move an observation to a new status, dated and signed; "not done" needs a reason."""
    if status not in {s.value for s in ObservationStatus}:
        raise ServiceError("unknown_status", "status")
    reason = _masked(reason)
    if status == ObservationStatus.NOT_DONE and not reason:
        raise ServiceError("reason_required", "reason")
    if status == observation.status and reason == observation.status_reason:
        return False
    observation.status_changes.append(StatusChange(
        actor_id=actor.id, actor_label=actor.email, from_status=observation.status, to_status=status, reason=reason
    ))
    observation.status = ObservationStatus(status)
    observation.status_reason = reason
    session.flush()
    return True



def follow_up(session: Session, observation: Observation, *, status: str, reason: str | None, decision: str,
              decision_reason: str | None, actor: StaffUser) -> bool:
    """The follow-up of a measure, open to any facilitator: a new status joins the dated status history, a new
    decision is a revision of the observation, and both are audited. What was said stays as its author wrote it."""
    if decision not in {d.value for d in Decision}:
        raise ServiceError("unknown_decision", "decision")
    decision_reason = _masked(decision_reason)
    if decision in {Decision.REJECTED, Decision.PARTLY} and not decision_reason:
        raise ServiceError("reason_required", "decision_reason")
    before = {"status": str(observation.status), "decision": str(observation.decision)}
    status_changed = change_status(session, observation, status, reason=reason, actor=actor)
    changes: dict[str, list[object]] = {}
    if observation.decision != decision:
        changes["decision"] = [str(observation.decision), decision]
    if (observation.decision_reason or None) != decision_reason:
        changes["decision_reason"] = [observation.decision_reason, decision_reason]
    if changes:
        observation.decision, observation.decision_reason = Decision(decision), decision_reason
        session.add(DialogueRevision(dialogue_id=observation.dialogue_id, actor_id=actor.id, actor_label=actor.email,
                                     what="observation", observation_id=observation.id, changes=changes))
    if not (status_changed or changes):
        return False
    audit.record(session, actor=actor, action="observation.follow_up", target_type="observation",
                 target_id=observation.id, details={"before": before, "after": {"status": status,
                                                                                "decision": decision}})
    session.flush()
    return True
