"""Promises as staff follow them up: the list, a promise's figures over the tertials a report compares, the
follow-up of a tertial, and the tertialrapport, built live and frozen when published."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from survey_app import audit
from survey_app.errors import ServiceError
from survey_app.indicators.periods import Period
from survey_app.models import (
    Area,
    Decision,
    Dialogue,
    Observation,
    ObservationStatus,
    Promise,
    PromiseFollowUp,
    PromiseIndicator,
    PromiseIndicatorKind,
    PromiseStatus,
    Role,
    StaffUser,
    TertialReport,
)
from survey_app.promises.figures import Figure, figure
from survey_app.promises.rhythm import compared_periods, follow_up_period

FOLLOW_UP_FIELDS = ("status", "done_text", "narrative", "deviations", "next_steps", "feedback")


def promises(session: Session) -> list[Promise]:
    return list(session.scalars(select(Promise).options(
        selectinload(Promise.indicators), selectinload(Promise.follow_ups), selectinload(Promise.areas),
        selectinload(Promise.focus_areas)).order_by(Promise.number, Promise.id)))


def follow_up(promise: Promise, tertial: Period) -> PromiseFollowUp | None:
    return next((f for f in promise.follow_ups if f.tertial == tertial.code), None)


@dataclass(frozen=True, slots=True)
class IndicatorRow:
    indicator: PromiseIndicator
    figures: list[Figure]


def indicator_rows(session: Session, promise: Promise, periods: list[Period], *, today: dt.date) -> list[IndicatorRow]:
    return [IndicatorRow(indicator, [figure(session, indicator, period, today=today) for period in periods])
            for indicator in promise.indicators]


def may_follow_up(user: StaffUser, promise: Promise) -> bool:
    """Analysts and admins follow up every promise; a facilitator the promises they own."""
    return user.role in (Role.ANALYST, Role.ADMIN) or (user.role == Role.FACILITATOR and promise.owner_id == user.id)


def save_follow_up(session: Session, promise: Promise, tertial: Period, *, actor: StaffUser,
                   **fields: str) -> PromiseFollowUp:
    if not may_follow_up(actor, promise):
        raise ServiceError("not_owner")
    if fields.get("status") not in {status.value for status in PromiseStatus}:
        raise ServiceError("unknown_status", "status")
    record = follow_up(promise, tertial)
    if record is None:
        record = PromiseFollowUp(promise=promise, tertial=tertial.code, status=PromiseStatus(fields["status"]))
        session.add(record)
    changed = sorted(name for name in FOLLOW_UP_FIELDS if getattr(record, name, None) != fields.get(name, ""))
    for name in FOLLOW_UP_FIELDS:
        setattr(record, name, fields.get(name, ""))
    record.updated_by = actor.email
    session.flush()
    audit.record(session, actor=actor, action="promise.follow_up", target_type="promise", target_id=promise.id,
                 details={"tertial": tertial.code, "fields": changed})
    return record


# --- the tertialrapport -------------------------------------------------------------------------------------


def _dialogues_in(session: Session, period: Period) -> dict[str, Any]:
    dialogues = session.scalars(select(Dialogue).options(selectinload(Dialogue.tallies)).where(
        Dialogue.held_on >= period.start, Dialogue.held_on <= period.end)).all()
    by_format = Counter(str(d.format) for d in dialogues)
    participants: Counter[tuple[str, str]] = Counter()
    for dialogue in dialogues:
        for tally in dialogue.tallies:
            participants[(str(tally.gender), tally.age_band)] += tally.count
    return {"by_format": dict(sorted(by_format.items())),
            "participants": sorted([[g, band, count] for (g, band), count in participants.items()])}


def _walk_measures(session: Session, period: Period, today: dt.date) -> dict[str, Any]:
    """Measures from safety walks held up to the period's end: decided, done, overdue and rejected with reasons."""
    observations = session.scalars(select(Observation).join(Dialogue).where(Dialogue.held_on <= period.end)).all()
    cutoff = min(period.end, today)
    return {
        "decided": sum(o.decision != Decision.PENDING for o in observations),
        "done": sum(o.status == ObservationStatus.DONE for o in observations),
        "overdue": sum(o.deadline is not None and o.deadline < cutoff
                       and o.status in (ObservationStatus.OPEN, ObservationStatus.IN_PROGRESS) for o in observations),
        "rejected": [o.decision_reason or "" for o in observations if o.decision == Decision.REJECTED],
    }


def build_report(session: Session, tertial: Period, *, today: dt.date, header: dict[str, Any]) -> dict[str, Any]:
    """Everything the tertialrapport shows, as JSON-able data: what is published is exactly this, frozen."""
    periods = compared_periods(tertial)
    content: dict[str, Any] = {"tertial": tertial.code, "periods": [p.code for p in periods], "header": header,
                               "promises": []}
    for promise in promises(session):
        record = follow_up(promise, tertial)
        content["promises"].append({
            "id": promise.id, "number": promise.number, "title": promise.title, "party": str(promise.party),
            "followed_up_by": promise.followed_up_by, "areas": [a.name for a in promise.areas],
            "area_codes": [a.code for a in promise.areas],
            "status": str(record.status) if record else "", "done_text": record.done_text if record else "",
            "deviations": record.deviations if record else "", "next_steps": record.next_steps if record else "",
            "feedback": record.feedback if record else "",
            "activities": [{"text": a.text, "party": str(a.party), "tertial": a.tertial} for a in promise.activities
                           if a.tertial == tertial.code],
            "indicators": [{
                "label": row.indicator.label, "kind": str(row.indicator.kind),
                "unit": row.indicator.indicator.unit if row.indicator.indicator else "",
                "measure": (row.indicator.settings or {}).get("measure", ""),
                "figures": [f.as_json() for f in row.figures],
            } for row in indicator_rows(session, promise, periods, today=today)],
        })
    content["dialogues"] = _dialogues_in(session, tertial)
    content["walk_measures"] = _walk_measures(session, tertial, today)
    content["public"] = _public_part(session, tertial, today)
    return content


def _public_part(session: Session, tertial: Period, today: dt.date) -> dict[str, Any]:
    """What the public återkoppling page shows beside the promises, frozen with the report: the survey's headline
    figures (as the analysis publishes them, suppression included), what dialogues raised by theme, coming dialogues.
    Never a resident's or a facilitator's free text."""
    from survey_app.problem_picture.evidence import dialogue_evidence, survey_evidence

    survey = []
    for wave in survey_evidence(session, tertial, None):
        if wave["problem"]:
            continue
        survey.append({"wave": wave["wave"], "labels": wave["labels"], "unsafe": wave["unsafe"],
                       "worry": wave["worry"][:3], "problems": wave["problems"][:5]})
        break  # the latest wave of the tertial
    areas = {}
    for area in session.scalars(select(Area).order_by(Area.name)):
        waves = survey_evidence(session, tertial, area)[:1]
        row = waves[0]["unsafe"][0] if waves and not waves[0]["problem"] and waves[0]["unsafe"] else None
        areas[area.code] = {"name": area.name, "unsafe": row}
    raised = dialogue_evidence(session, tertial, None, today=today)
    upcoming = session.scalars(select(Dialogue).where(Dialogue.held_on > today).order_by(Dialogue.held_on)
                               .limit(10)).all()
    return {
        "survey": survey, "areas": areas,
        "themes": raised["by_category"], "from_children": raised["from_children"],
        "dialogues": raised["dialogues"], "statuses": raised["statuses"],
        "upcoming": [{"date": d.held_on.isoformat(), "format": str(d.format), "area": d.area.name} for d in upcoming],
    }


def published_reports(session: Session, tertial: Period | None = None) -> list[TertialReport]:
    query = select(TertialReport).order_by(TertialReport.tertial.desc(), TertialReport.version.desc())
    if tertial is not None:
        query = query.where(TertialReport.tertial == tertial.code)
    return list(session.scalars(query))


def publish_report(session: Session, tertial: Period, *, actor: StaffUser, today: dt.date, header: dict[str, Any],
                   change_note: str) -> TertialReport:
    """Freeze the report as it is now; a tertial already published gets a new version, which must say what changed."""
    latest = session.scalar(select(func.max(TertialReport.version)).where(TertialReport.tertial == tertial.code))
    if latest and not change_note.strip():
        raise ServiceError("change_note_required", "change_note")
    report = TertialReport(tertial=tertial.code, version=(latest or 0) + 1, change_note=change_note.strip(),
                           content=build_report(session, tertial, today=today, header=header),
                           published_by=actor.email)
    session.add(report)
    session.flush()
    audit.record(session, actor=actor, action="tertial_report.publish", target_type="tertial_report",
                 target_id=report.id, details={"tertial": tertial.code, "version": report.version})
    return report


def period_or_none(code: str) -> Period | None:
    """The follow-up period (a tertial, or a quarter where that is the rhythm) a code names, else None."""
    return follow_up_period(code)


def indicator_kinds() -> tuple[str, ...]:
    return tuple(kind.value for kind in PromiseIndicatorKind)
