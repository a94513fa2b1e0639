"""The audit log: every export and every change to staff data is written here."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from survey_app.db import restart_for_writing
from survey_app.models import AuditEvent, StaffUser


def record(
    session: Session,
    *,
    actor: StaffUser | None,
    action: str,
    target_type: str | None = None,
    target_id: object = None,
    details: dict[str, Any] | None = None,
    actor_label: str | None = None,
) -> AuditEvent:
    restart_for_writing(session)  # an export is a GET: its read-only SQLite transaction must become a writing one
    event = AuditEvent(
        actor_id=actor.id if actor else None,
        actor_label=actor_label or (actor.email if actor else "system"),
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        details=details,
    )
    session.add(event)
    return event
