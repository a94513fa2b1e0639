"""Login throttling that slows a guesser down but cannot be used to lock the owner out.

Recent failures are counted three ways, and each count becomes a wait by an exponential backoff:

- per account (the e-mail typed), from browsers not known for that account: guessing one password is slow from any
  number of addresses;
- per client address (the real one: `request.remote_addr` after ProxyFix), from unknown browsers: against spraying
  many accounts from one place;
- per known device: a browser where the owner has logged in before skips the two counts above, so nobody's wrong
  guesses can keep the owner out, and has a limit of its own instead.

An attempt that has to wait is refused before the password is checked, so it tells the guesser nothing, and is not
counted, so the owner of a new browser gets in once the wait is over. Everything is in the database: every app server
behind a load balancer sees the same counts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from survey_app.models import LoginFailure, StaffKnownDevice, StaffUser

# Failures older than this no longer count (and are deleted). Longer than the longest wait, so that a guesser who
# waits out every delay stays at the longest one instead of earning new free attempts.
WINDOW = dt.timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Backoff:
    """`free` failures cost nothing; each further one makes the next attempt wait twice as long, up to `cap`."""

    free: int
    first: dt.timedelta
    cap: dt.timedelta

    def wait_seconds(self, failures: int, latest: dt.datetime | None, now: dt.datetime) -> int:
        if failures < self.free or latest is None:
            return 0
        delay = min(self.first * 2 ** min(failures - self.free, 30), self.cap)
        return max(0, math.ceil((as_utc(latest) + delay - now).total_seconds()))


# Five wrong guesses, then 15 s, 30 s, 1 min, … 5 min between guesses: at most about 12 an hour for one account
# however many addresses the guesser has, while the owner on a new browser waits at most 5 minutes.
PER_ACCOUNT = Backoff(free=5, first=dt.timedelta(seconds=15), cap=dt.timedelta(minutes=5))
# Generous: many colleagues share one address behind a proxy or NAT, and typos add up.
PER_CLIENT = Backoff(free=50, first=dt.timedelta(seconds=15), cap=dt.timedelta(minutes=5))
# A known device is its owner's own browser (typos), or a stolen cookie, which alone is worth a few guesses only.
PER_DEVICE = Backoff(free=10, first=dt.timedelta(seconds=15), cap=dt.timedelta(minutes=5))

# A cookie may name a few known devices (colleagues sharing a workstation); more are ignored.
MAX_DEVICE_TOKENS = 5


def as_utc(moment: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _failures(session: Session, now: dt.datetime, *conditions: Any) -> tuple[int, dt.datetime | None]:
    count, latest = session.execute(
        select(func.count(), func.max(LoginFailure.at)).where(*conditions, LoginFailure.at >= now - WINDOW)
    ).one()
    return count or 0, latest


def login_wait_seconds(
    session: Session, *, email: str, client: str, device: StaffKnownDevice | None, now: dt.datetime
) -> int:
    """How long this attempt has to wait before its password is checked; 0: check it now."""
    if device is not None:
        return PER_DEVICE.wait_seconds(*_failures(session, now, LoginFailure.known_device_id == device.id), now)
    unknown = LoginFailure.known_device_id.is_(None)
    return max(
        PER_ACCOUNT.wait_seconds(*_failures(session, now, LoginFailure.email == email, unknown), now),
        PER_CLIENT.wait_seconds(*_failures(session, now, LoginFailure.client == client, unknown), now),
    )


def record_failure(
    session: Session, *, email: str, client: str, device: StaffKnownDevice | None, now: dt.datetime
) -> None:
    # Failures older than the window have done their job; dropping them keeps the table small.
    session.execute(delete(LoginFailure).where(LoginFailure.at < now - WINDOW),
                    execution_options={"synchronize_session": False})
    session.add(LoginFailure(email=email, client=client, known_device_id=device.id if device else None, at=now))


def serialise_attempts(session: Session, email: str) -> None:
    """Attempts on one account wait for each other until the transaction ends, so parallel guesses cannot all pass
    the count before any of them is recorded. SQLite needs nothing: every transaction takes the write lock at BEGIN.
    """
    if session.get_bind().dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(b"trygg.login:" + email.encode()).digest()[:8], "big", signed=True)
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


# --- known devices ------------------------------------------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def known_device(
    session: Session, *, email: str, tokens: Sequence[str], now: dt.datetime, lifetime: dt.timedelta
) -> StaffKnownDevice | None:
    """The known device of the account with this e-mail that one of the cookie's tokens names, if any."""
    hashes = [token_hash(token) for token in tokens[:MAX_DEVICE_TOKENS] if isinstance(token, str) and token]
    if not hashes:
        return None
    return session.scalars(
        select(StaffKnownDevice)
        .join(StaffUser, StaffUser.id == StaffKnownDevice.user_id)
        .where(StaffUser.email == email, StaffKnownDevice.token_hash.in_(hashes),
               StaffKnownDevice.last_used_at >= now - lifetime)
    ).first()


def remember_device(
    session: Session, user: StaffUser, device: StaffKnownDevice | None, *, now: dt.datetime, lifetime: dt.timedelta
) -> str | None:
    """After a successful login: mark the device used, or make this browser a known device and return its token."""
    forgotten = StaffKnownDevice.last_used_at < now - lifetime
    session.execute(delete(StaffKnownDevice).where(StaffKnownDevice.user_id == user.id, forgotten),
                    execution_options={"synchronize_session": False})  # the one in use is recent: none is loaded
    if device is not None:
        device.last_used_at = now
        return None
    token = secrets.token_urlsafe(32)
    session.add(StaffKnownDevice(user_id=user.id, token_hash=token_hash(token), created_at=now, last_used_at=now))
    return token
