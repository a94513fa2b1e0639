"""Staff account services. They flush; the caller commits."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from survey_app import audit
from survey_app.auth.passwords import hash_password, needs_rehash, verify_password, weakness
from survey_app.db import utcnow
from survey_app.errors import ServiceError
from survey_app.models import LoginFailure, Role, StaffSessionKey, StaffUser

if TYPE_CHECKING:
    from survey_app.auth.access import StaffPrincipal

EMAIL_PATTERN = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,185}\.[^@\s.]{2,63}$")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_staff_user(
    session: Session, *, email: str, password: str, role: str, actor: StaffUser | None, actor_label: str
) -> StaffUser:
    email = normalise_email(email)
    if not EMAIL_PATTERN.match(email):
        raise ServiceError("invalid_email", "email")
    if role not in {r.value for r in Role}:
        raise ServiceError("unknown_role", "role")
    reason = weakness(password, email=email)
    if reason:
        raise ServiceError(f"password_{reason}", "password")
    if session.scalar(select(func.count()).select_from(StaffUser).where(StaffUser.email == email)):
        raise ServiceError("email_taken", "email")
    user = StaffUser(email=email, password_hash=hash_password(password), role=role, active=True)
    session.add(user)
    session.flush()
    audit.record(
        session, actor=actor, actor_label=actor_label, action="staff_user.create",
        target_type="staff_user", target_id=user.id, details={"role": role},
    )
    return user


# --- login, throttling and session keys ---------------------------------------------------------------------

THROTTLE_WINDOW = dt.timedelta(minutes=15)
# Per account and address: the guesser is slowed down, while the owner, logging in from elsewhere, is not locked out
# by a stranger who knows the e-mail address.
MAX_FAILURES_PER_ACCOUNT_AND_CLIENT = 5
# Per account from every address together: a ceiling against guessing spread over many addresses.
MAX_FAILURES_PER_ACCOUNT = 100
# Per remote address, against password spraying. Behind a proxy every login shares the proxy's address unless the
# deployment sets up ProxyFix, so this is deliberately generous: it must not lock out a whole office.
MAX_FAILURES_PER_CLIENT = 50
# Verifying against a real hash when the account does not exist keeps the answer time the same, so the
# response time does not reveal which e-mail addresses have accounts.
_DUMMY_HASH = "$argon2id$v=19$m=65536,t=3,p=4$aX+kCXHf+qgulaBK47bhtw$yYuA8iBjCQW8UsXY8jBG0FLxgXZ/08jC8RDbjVQXUOY"


def _recent_failures(session: Session, now: dt.datetime, *conditions: Any) -> int:
    cutoff = now - THROTTLE_WINDOW
    return session.scalar(
        select(func.count()).select_from(LoginFailure).where(*conditions, LoginFailure.at >= cutoff)
    ) or 0


def is_throttled(session: Session, *, email: str, client: str, now: dt.datetime | None = None) -> bool:
    now = now or utcnow()
    return (
        _recent_failures(session, now, LoginFailure.email == email, LoginFailure.client == client)
        >= MAX_FAILURES_PER_ACCOUNT_AND_CLIENT
        or _recent_failures(session, now, LoginFailure.client == client) >= MAX_FAILURES_PER_CLIENT
        or _recent_failures(session, now, LoginFailure.email == email) >= MAX_FAILURES_PER_ACCOUNT
    )


def authenticate(session: Session, *, email: str, password: str, client: str) -> StaffUser:
    """The active user with this e-mail and password, else ServiceError "invalid" or "throttled".

    Writes the audit event either way; the caller keeps the failure with `keep_changes()`.
    """
    email = normalise_email(email)[:254]
    client = client[:64]
    user = session.scalars(select(StaffUser).where(StaffUser.email == email)).one_or_none()
    # The log keeps what was typed only when it is an account or at least an e-mail address: a password typed into
    # the e-mail field by mistake must not end up in the audit log.
    label = email if user is not None or EMAIL_PATTERN.match(email) else "(inte en e-postadress)"
    if is_throttled(session, email=email, client=client):
        audit.record(session, actor=None, actor_label=label, action="auth.login_throttled",
                     details={"client": client})
        raise ServiceError("throttled")
    valid = verify_password(user.password_hash if user else _DUMMY_HASH, password)
    if user is None or not valid or not user.active:
        # Failures older than the window have done their job; dropping them keeps the table small.
        session.execute(delete(LoginFailure).where(LoginFailure.at < utcnow() - THROTTLE_WINDOW))
        session.add(LoginFailure(email=email, client=client))
        audit.record(session, actor=None, actor_label=label, action="auth.login_failed",
                     target_type="staff_user" if user else None, target_id=user.id if user else None,
                     details={"client": client})
        raise ServiceError("invalid")
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    session.execute(delete(LoginFailure).where(LoginFailure.email == email))
    audit.record(session, actor=user, action="auth.login", target_type="staff_user", target_id=user.id)
    session.flush()
    return user


def session_key(session: Session, user: StaffUser) -> StaffSessionKey:
    """The user's current session key, created on first login."""
    key = session.get(StaffSessionKey, user.id)
    if key is None:
        key = StaffSessionKey(user_id=user.id, nonce=secrets.token_urlsafe(32))
        session.add(key)
        session.flush()
    return key


def rotate_session_key(session: Session, user: StaffUser) -> StaffSessionKey:
    """Replace the user's session key: every cookie issued before stops working."""
    key = session_key(session, user)
    key.nonce = secrets.token_urlsafe(32)
    key.rotated_at = utcnow()
    session.flush()
    return key


def principal_for_session(session: Session, session_value: str) -> StaffPrincipal | None:
    """The logged-in user for the value Flask-Login keeps in the session, or None when it is stale."""
    from survey_app.auth.access import StaffPrincipal

    user_id, _, nonce = session_value.partition(":")
    if not user_id.isdigit() or not nonce or len(user_id) > 18:
        return None
    user = session.get(StaffUser, int(user_id))
    key = session.get(StaffSessionKey, int(user_id))
    if user is None or key is None or not user.active or not secrets.compare_digest(key.nonce, nonce):
        return None
    return StaffPrincipal(user=user, nonce=key.nonce)


def log_out(session: Session, user: StaffUser) -> None:
    rotate_session_key(session, user)
    audit.record(session, actor=user, action="auth.logout", target_type="staff_user", target_id=user.id)


def change_password(session: Session, user: StaffUser, *, current: str, new: str, repeated: str) -> StaffSessionKey:
    """Check the current password and the new one, store it, and log out every other session."""
    if not verify_password(user.password_hash, current):
        raise ServiceError("wrong_current_password", "current")
    if new != repeated:
        raise ServiceError("password_mismatch", "repeated")
    reason = weakness(new, email=user.email)
    if reason:
        raise ServiceError(f"password_{reason}", "new")
    user.password_hash = hash_password(new)
    audit.record(session, actor=user, action="staff_user.password_change", target_type="staff_user",
                 target_id=user.id)
    return rotate_session_key(session, user)


# --- user administration ------------------------------------------------------------------------------------


def active_admin_count(session: Session) -> int:
    return session.scalar(
        select(func.count()).select_from(StaffUser).where(StaffUser.role == Role.ADMIN, StaffUser.active)
    ) or 0


def update_staff_user(session: Session, user: StaffUser, *, role: str, active: bool, actor: StaffUser) -> None:
    """Change a user's role and whether they may log in; the last active admin cannot be removed."""
    if role not in {r.value for r in Role}:
        raise ServiceError("unknown_role", "role")
    losing_admin = user.role == Role.ADMIN and user.active and (role != Role.ADMIN or not active)
    if losing_admin and active_admin_count(session) <= 1:
        raise ServiceError("last_admin", "role")
    if user.id == actor.id and not active:
        raise ServiceError("cannot_deactivate_self", "active")
    if role != user.role:
        audit.record(session, actor=actor, action="staff_user.role_change", target_type="staff_user",
                     target_id=user.id, details={"from": user.role, "to": role})
        user.role = Role(role)
    if active != user.active:
        audit.record(session, actor=actor, action="staff_user.activate" if active else "staff_user.deactivate",
                     target_type="staff_user", target_id=user.id)
        user.active = active
        if not active:
            rotate_session_key(session, user)
    session.flush()


def reset_password(session: Session, user: StaffUser, *, password: str, actor: StaffUser) -> None:
    """Admin sets a new password (the user forgot theirs); every session of the user ends."""
    reason = weakness(password, email=user.email)
    if reason:
        raise ServiceError(f"password_{reason}", "password")
    user.password_hash = hash_password(password)
    rotate_session_key(session, user)
    audit.record(session, actor=actor, action="staff_user.password_reset", target_type="staff_user",
                 target_id=user.id)


def staff_users(session: Session) -> list[StaffUser]:
    return list(session.scalars(select(StaffUser).order_by(StaffUser.email)))
