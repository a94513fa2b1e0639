"""Staff account services. They flush; the caller commits."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey_app import audit
from survey_app.auth.passwords import hash_password, weakness
from survey_app.models import Role, StaffUser

EMAIL_PATTERN = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,185}\.[^@\s.]{2,63}$")


class AccountError(ValueError):
    """A staff account request that cannot be carried out; `reason` is a stable code the caller translates."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_staff_user(
    session: Session, *, email: str, password: str, role: str, actor: StaffUser | None, actor_label: str
) -> StaffUser:
    email = normalise_email(email)
    if not EMAIL_PATTERN.match(email):
        raise AccountError("invalid_email")
    if role not in {r.value for r in Role}:
        raise AccountError("unknown_role")
    reason = weakness(password, email=email)
    if reason:
        raise AccountError(f"password_{reason}")
    if session.scalar(select(func.count()).select_from(StaffUser).where(StaffUser.email == email)):
        raise AccountError("email_taken")
    user = StaffUser(email=email, password_hash=hash_password(password), role=role, active=True)
    session.add(user)
    session.flush()
    audit.record(
        session, actor=actor, actor_label=actor_label, action="staff_user.create",
        target_type="staff_user", target_id=user.id, details={"role": role},
    )
    return user
