"""Staff account services. They flush; the caller commits."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey_app import audit
from survey_app.auth import throttling
from survey_app.auth.passwords import hash_password, needs_rehash, verify_password, weakness
from survey_app.db import utcnow
from survey_app.errors import ServiceError
from survey_app.models import AuditEvent, Role, StaffSessionKey, StaffUser

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

# Verifying against a real hash when the account does not exist keeps the answer time the same, so the
# response time does not reveal which e-mail addresses have accounts.
_DUMMY_HASH = "$argon2id$v=19$m=65536,t=3,p=4$aX+kCXHf+qgulaBK47bhtw$yYuA8iBjCQW8UsXY8jBG0FLxgXZ/08jC8RDbjVQXUOY"
KNOWN_DEVICE_LIFETIME = dt.timedelta(days=180)


class LoginThrottled(ServiceError):
    """Reason "throttled": the attempt must wait `wait_seconds` before its password is checked."""

    def __init__(self, wait_seconds: int, *, known_device: bool) -> None:
        super().__init__("throttled")
        self.wait_seconds = wait_seconds
        self.known_device = known_device


@dataclass(frozen=True, slots=True)
class Login:
    """A successful login; `new_device_token` is set when the browser was not yet a known device of the user."""

    user: StaffUser
    new_device_token: str | None


def _audit(session: Session, now: dt.datetime, **event: Any) -> None:
    # Stamped with the same clock as the throttling that counts these events.
    audit.record(session, **event).at = now


def authenticate(
    session: Session, *, email: str, password: str, client: str, device_tokens: Sequence[str] = (),
    device_lifetime: dt.timedelta = KNOWN_DEVICE_LIFETIME,
) -> Login:
    """The active user with this e-mail and password, else ServiceError "invalid" or `LoginThrottled`.

    `client` is the real client address; `device_tokens` come from the known-device cookie. Writes the audit event
    either way; the caller keeps a refusal with `keep_changes()`.
    """
    now = utcnow()
    email = normalise_email(email)[:254]
    client = client[:64]
    throttling.serialise_attempts(session, email)
    user = session.scalars(select(StaffUser).where(StaffUser.email == email)).one_or_none()
    # The log keeps what was typed only when it is an account or at least an e-mail address: a password typed into
    # the e-mail field by mistake must not end up in the audit log.
    label = email if user is not None or EMAIL_PATTERN.match(email) else "(inte en e-postadress)"
    device = throttling.known_device(session, email=email, tokens=device_tokens, now=now, lifetime=device_lifetime)
    details = {"client": client, "known_device": device is not None}
    wait = throttling.login_wait_seconds(session, email=email, client=client, device=device, now=now)
    if wait:
        _audit(session, now, actor=None, actor_label=label, action="auth.login_throttled",
               details={**details, "wait_seconds": wait})
        raise LoginThrottled(wait, known_device=device is not None)
    valid = verify_password(user.password_hash if user else _DUMMY_HASH, password)
    if user is None or not valid or not user.active:
        throttling.record_failure(session, email=email, client=client, device=device, now=now)
        _audit(session, now, actor=None, actor_label=label, action="auth.login_failed",
               target_type="staff_user" if user else None, target_id=user.id if user else None, details=details)
        raise ServiceError("invalid")
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    # A success clears no failures: the owner logging in must not hand a guesser elsewhere new free attempts.
    new_token = throttling.remember_device(session, user, device, now=now, lifetime=device_lifetime)
    _audit(session, now, actor=user, action="auth.login", target_type="staff_user", target_id=user.id,
           details=details)
    session.flush()
    return Login(user=user, new_device_token=new_token)


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


# Wrong current passwords on the password form, per account: the form must not be a faster oracle than the login.
PASSWORD_CHANGE_WINDOW = dt.timedelta(minutes=15)
PASSWORD_CHANGE_FREE = 5  # wrong current passwords in the window; then the form answers "wait" without checking
PASSWORD_CHANGE_LOGOUT = 10  # wrong or refused attempts in the window; then every session of the user ends
_WRONG_CURRENT = "staff_user.password_change_wrong_current"
_THROTTLED = "staff_user.password_change_throttled"
_FORCED_LOGOUT = "auth.logout_forced"


def _password_change_strikes(session: Session, user: StaffUser, now: dt.datetime) -> tuple[int, int]:
    """Wrong current passwords and refused attempts in the window, since the last forced logout if there was one.

    The audit events are the record: every attempt is audited anyway, so a second table could only disagree. The
    owner who logs in again after a forced logout starts from nothing.
    """
    wrong = refused = 0
    for action in session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.target_type == "staff_user", AuditEvent.target_id == str(user.id),
               AuditEvent.action.in_((_WRONG_CURRENT, _THROTTLED, _FORCED_LOGOUT)),
               AuditEvent.at >= now - PASSWORD_CHANGE_WINDOW)
        .order_by(AuditEvent.at, AuditEvent.id)
    ):
        if action == _FORCED_LOGOUT:
            wrong = refused = 0
        elif action == _WRONG_CURRENT:
            wrong += 1
        else:
            refused += 1
    return wrong, refused


def change_password(session: Session, user: StaffUser, *, current: str, new: str, repeated: str) -> StaffSessionKey:
    """Check the current password and the new one, store it, and log out every other session.

    Every attempt is audited; the caller keeps a refusal with `keep_changes()`. After PASSWORD_CHANGE_FREE wrong
    current passwords the form refuses ("password_change_throttled"); at PASSWORD_CHANGE_LOGOUT attempts every session
    of the user ends ("password_change_logged_out").
    """
    now = utcnow()
    throttling.serialise_attempts(session, user.email)
    target = {"target_type": "staff_user", "target_id": user.id}
    wrong, refused = _password_change_strikes(session, user, now)
    if wrong >= PASSWORD_CHANGE_FREE:
        if wrong + refused + 1 >= PASSWORD_CHANGE_LOGOUT:
            rotate_session_key(session, user)
            _audit(session, now, actor=user, action=_FORCED_LOGOUT, **target,
                   details={"reason": "password_change_attempts"})
            raise ServiceError("password_change_logged_out")
        _audit(session, now, actor=user, action=_THROTTLED, **target)
        raise ServiceError("password_change_throttled", "current")
    if not verify_password(user.password_hash, current):
        _audit(session, now, actor=user, action=_WRONG_CURRENT, **target)
        raise ServiceError("wrong_current_password", "current")
    reason = "password_mismatch" if new != repeated else None
    if reason is None and (weak := weakness(new, email=user.email)):
        reason = f"password_{weak}"
    if reason:
        _audit(session, now, actor=user, action="staff_user.password_change_refused", **target,
               details={"reason": reason})
        raise ServiceError(reason, "repeated" if reason == "password_mismatch" else "new")
    user.password_hash = hash_password(new)
    _audit(session, now, actor=user, action="staff_user.password_change", **target)
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
