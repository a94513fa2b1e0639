"""Changing what a promise is followed up by: its indicators (analysts and admins) and its activities (also the
facilitator who owns it). Each change is audited."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey_app import audit
from survey_app.errors import ServiceError
from survey_app.models import (
    Area,
    DialogueFormat,
    Indicator,
    Party,
    Promise,
    PromiseActivity,
    PromiseIndicator,
    PromiseIndicatorKind,
    Questionnaire,
    StaffUser,
)
from survey_app.promises.services import may_follow_up, period_or_none

COUNTS = ("dialogues", "measures_done", "measures_overdue")


def survey_measures(session: Session) -> list[tuple[str, str]]:
    """(name, Swedish label) of every measure of every loaded questionnaire, shares and indexes alike."""
    from survey_app.survey.questionnaires import instrument_of

    found: dict[str, str] = {}
    for questionnaire in session.scalars(select(Questionnaire).order_by(Questionnaire.slug, Questionnaire.version)):
        for measure in instrument_of(questionnaire).measures:
            found.setdefault(measure.name, measure.label.get("sv") or measure.name)
    return sorted(found.items(), key=lambda item: item[1])


def add_indicator(session: Session, promise: Promise, *, actor: StaffUser, kind: str, label: str,
                  indicator_code: str = "", count: str = "", formats: list[str] | None = None,
                  areas: list[str] | None = None, measure: str = "", area: str = "") -> PromiseIndicator:
    if kind not in {k.value for k in PromiseIndicatorKind}:
        raise ServiceError("unknown_kind", "kind")
    if not label.strip():
        raise ServiceError("label_required", "label")
    known_areas = set(session.scalars(select(Area.code)))
    settings: dict[str, Any] = {}
    series = None
    if kind == PromiseIndicatorKind.COMPUTED_COUNT:
        if count not in COUNTS:
            raise ServiceError("unknown_count", "count")
        if any(f not in {d.value for d in DialogueFormat} for f in formats or []):
            raise ServiceError("unknown_format", "formats")
        settings = {"count": count, "formats": list(formats or []), "areas": [a for a in areas or []
                                                                              if a in known_areas]}
    elif kind == PromiseIndicatorKind.ENTERED_COUNT:
        series = session.scalar(select(Indicator).where(Indicator.code == indicator_code))
        if series is None:
            raise ServiceError("unknown_series", "indicator")
        settings = {"areas": [a for a in areas or [] if a in known_areas]}
    elif kind == PromiseIndicatorKind.COMPUTED_MEASURE:
        if measure not in dict(survey_measures(session)):
            raise ServiceError("unknown_measure", "measure")
        if area and area not in known_areas:
            raise ServiceError("unknown_area", "area")
        settings = {"measure": measure, "area": area}
    position = max((i.position for i in promise.indicators), default=0) + 1
    linked = PromiseIndicator(promise=promise, kind=PromiseIndicatorKind(kind), label=label.strip(), indicator=series,
                              settings=settings, position=position)
    session.add(linked)
    session.flush()
    audit.record(session, actor=actor, action="promise.indicator_add", target_type="promise", target_id=promise.id,
                 details={"kind": kind, "label": linked.label, "settings": settings,
                          "series": series.code if series else ""})
    return linked


def remove_indicator(session: Session, promise: Promise, linked: PromiseIndicator, *, actor: StaffUser) -> None:
    if linked.promise_id != promise.id:
        raise ServiceError("not_found")
    audit.record(session, actor=actor, action="promise.indicator_remove", target_type="promise",
                 target_id=promise.id, details={"kind": str(linked.kind), "label": linked.label})
    session.delete(linked)


def add_activity(session: Session, promise: Promise, *, actor: StaffUser, text: str, party: str,
                 tertial: str) -> PromiseActivity:
    if not may_follow_up(actor, promise):
        raise ServiceError("not_owner")
    if not text.strip():
        raise ServiceError("text_required", "text")
    if party not in {p.value for p in Party}:
        raise ServiceError("unknown_status", "party")
    if period_or_none(tertial) is None:
        raise ServiceError("bad_tertial", "tertial")
    position = max((a.position for a in promise.activities), default=0) + 1
    activity = PromiseActivity(promise=promise, text=text.strip(), party=Party(party), tertial=tertial,
                               position=position)
    session.add(activity)
    session.flush()
    audit.record(session, actor=actor, action="promise.activity_add", target_type="promise", target_id=promise.id,
                 details={"tertial": tertial})
    return activity


def remove_activity(session: Session, promise: Promise, activity: PromiseActivity, *, actor: StaffUser) -> None:
    if not may_follow_up(actor, promise):
        raise ServiceError("not_owner")
    if activity.promise_id != promise.id:
        raise ServiceError("not_found")
    audit.record(session, actor=actor, action="promise.activity_remove", target_type="promise",
                 target_id=promise.id, details={"tertial": activity.tertial})
    session.delete(activity)
