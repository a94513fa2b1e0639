"""Saving and reading the lägesbild's versions: the analysis per focus area with the evidence frozen beside it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey_app import audit
from survey_app.indicators.periods import Period
from survey_app.models import Area, FocusArea, ProblemPicture, StaffUser
from survey_app.problem_picture.evidence import build_evidence

ANALYSIS_FIELDS = ("causes", "conclusions")


def focus_areas(session: Session) -> list[FocusArea]:
    return list(session.scalars(select(FocusArea).where(FocusArea.active.is_(True)).order_by(FocusArea.position,
                                                                                           FocusArea.name)))


def versions(session: Session, period: Period | None = None, area: Area | None = None, *,
             scoped: bool = False) -> list[ProblemPicture]:
    query = select(ProblemPicture).order_by(ProblemPicture.period.desc(), ProblemPicture.saved_at.desc(),
                                            ProblemPicture.id.desc())
    if period is not None:
        query = query.where(ProblemPicture.period == period.code)
    if scoped:
        query = query.where(ProblemPicture.area_id.is_(None) if area is None else ProblemPicture.area_id == area.id)
    return list(session.scalars(query))


def latest_analysis(session: Session, period: Period, area: Area | None) -> dict[str, Any]:
    saved = versions(session, period, area, scoped=True)
    return saved[0].analysis if saved else {}


def save_version(session: Session, period: Period, area: Area | None, analysis: dict[str, dict[str, str]], *,
                 actor: StaffUser, today: dt.date) -> ProblemPicture:
    latest = session.scalar(select(func.max(ProblemPicture.version)).where(
        ProblemPicture.period == period.code,
        ProblemPicture.area_id.is_(None) if area is None else ProblemPicture.area_id == area.id))
    picture = ProblemPicture(period=period.code, area=area, version=(latest or 0) + 1, analysis=analysis,
                             evidence=build_evidence(session, period, area, today=today), saved_by=actor.email)
    session.add(picture)
    session.flush()
    audit.record(session, actor=actor, action="problem_picture.save", target_type="problem_picture",
                 target_id=picture.id, details={"period": period.code, "area": area.code if area else "",
                                                "version": picture.version})
    return picture
