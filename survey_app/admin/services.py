"""Administration services for areas and focus areas (staff users: `survey_app.auth.services`). They flush."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey_app import audit
from survey_app.errors import ServiceError
from survey_app.models import Area, FocusArea, StaffUser


def _code_taken(session: Session, model: type[Area] | type[FocusArea], code: str, own_id: int | None) -> bool:
    query = select(func.count()).select_from(model).where(model.code == code)
    if own_id is not None:
        query = query.where(model.id != own_id)
    return bool(session.scalar(query))


def save_area(session: Session, area: Area | None, *, code: str, name: str, actor: StaffUser) -> Area:
    code, name = code.strip(), name.strip()
    if _code_taken(session, Area, code, area.id if area else None):
        raise ServiceError("code_taken", "code")
    created = area is None
    if area is None:
        area = Area(code=code, name=name)
        session.add(area)
    before = {"code": area.code, "name": area.name}
    area.code, area.name = code, name
    session.flush()
    audit.record(session, actor=actor, action="area.create" if created else "area.update", target_type="area",
                 target_id=area.id, details=None if created else {"before": before})
    return area


def save_focus_area(session: Session, focus_area: FocusArea | None, *, code: str, name: str, position: int,
                    active: bool, actor: StaffUser) -> FocusArea:
    code, name = code.strip(), name.strip()
    if _code_taken(session, FocusArea, code, focus_area.id if focus_area else None):
        raise ServiceError("code_taken", "code")
    created = focus_area is None
    if focus_area is None:
        focus_area = FocusArea(code=code, name=name)
        session.add(focus_area)
    before = {"code": focus_area.code, "name": focus_area.name, "active": focus_area.active}
    focus_area.code, focus_area.name, focus_area.position, focus_area.active = code, name, position, active
    session.flush()
    audit.record(session, actor=actor, action="focus_area.create" if created else "focus_area.update",
                 target_type="focus_area", target_id=focus_area.id, details=None if created else {"before": before})
    return focus_area
