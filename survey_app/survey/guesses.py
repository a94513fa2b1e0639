"""Throttling guesses of invitation and resume codes, per client and per wave.

Only wrong codes count. A client (address, after the trusted proxy) that has written `PER_CLIENT` wrong codes in a
window is refused until the window ends, before its code is even looked up, so it learns nothing more. A wave that
has had `PER_WAVE` wrong codes in a window (many addresses guessing together) refuses every client that has itself
written a wrong code in that window: a resident who types their own code right goes in at once, whatever others do.

With 10 characters from 25 (about 46 bits) and, say, 10,000 codes out, one guess succeeds with probability 1.4e-10;
at `PER_CLIENT` guesses a quarter of an hour an address would need millions of years for an even chance.
"""

from __future__ import annotations

import time

from flask import current_app
from sqlalchemy.orm import Session

from survey_app import ratelimit
from survey_app.models import Survey

WINDOW_SECONDS = 15 * 60
PER_CLIENT = 10
PER_WAVE = 200


def _keys(survey: Survey, client: str) -> tuple[str, str]:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    return ratelimit.key_for(app, "code-client", client), ratelimit.key_for(app, "code-wave", str(survey.id))


def must_wait(session: Session, survey: Survey, client: str, *, now: float | None = None) -> bool:
    """True when this client may not try a code on this wave now."""
    moment = time.time() if now is None else now
    client_key, wave_key = _keys(survey, client)
    mine = ratelimit.count(session, client_key, window=WINDOW_SECONDS, now=moment)
    if mine >= PER_CLIENT:
        return True
    return mine > 0 and ratelimit.count(session, wave_key, window=WINDOW_SECONDS, now=moment) >= PER_WAVE


def record_wrong_code(session: Session, survey: Survey, client: str, *, now: float | None = None) -> None:
    moment = time.time() if now is None else now
    for key in _keys(survey, client):
        ratelimit.hit(session, key, window=WINDOW_SECONDS, now=moment)


def seconds_left(*, now: float | None = None) -> int:
    """Until the current window ends: when a refused client may try again."""
    moment = time.time() if now is None else now
    return int(WINDOW_SECONDS - moment % WINDOW_SECONDS) + 1
