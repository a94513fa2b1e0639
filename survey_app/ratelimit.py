"""Attempt counters shared by every app server: Redis when `TRYGG_REDIS_URL` is set, the database otherwise.

A counter counts what one key did in one fixed window of time (`hit` adds one and returns the new count, `count`
reads it). Keys are keyed hashes (`key_for`): a client address is never stored or sent to Redis as it is, and a copy
of the counters tells nobody which address guessed. Windows are fixed, so a row or Redis key says only "so many in
this window", never when; it expires one window after its own ends.

If Redis is configured but does not answer, the database counts instead (and the log says so): a broken cache must
not switch the throttle off.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from flask import Flask, current_app
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from survey_app.models import RateCounter


def key_for(app: Flask, kind: str, value: str) -> str:
    """A keyed hash of `value` (an address, a wave id) under `kind`, 64 hex characters."""
    secret = hashlib.sha256(b"trygg.ratelimit:" + str(app.config["SECRET_KEY"]).encode()).digest()
    return hmac.new(secret, f"{kind}:{value}".encode("utf-8", errors="replace"), hashlib.sha256).hexdigest()


def _window_start(now: float, window: int) -> int:
    return int(now // window) * window


def hit(session: Session, key: str, *, window: int, now: float) -> int:
    """Count one attempt of `key` in the current window of `window` seconds; the window's count after it."""
    redis = _redis()
    start = _window_start(now, window)
    if redis is not None:
        try:
            name = f"trygg:rate:{key}:{start}"
            pipe = redis.pipeline()
            pipe.incr(name)
            pipe.expire(name, 2 * window)
            return int(pipe.execute()[0])
        except Exception as error:  # redis.RedisError and socket errors: count in the database instead
            current_app.logger.warning("Redis does not answer (%s); counting attempts in the database", error)
    session.execute(delete(RateCounter).where(RateCounter.window_start < start - window),
                    execution_options={"synchronize_session": False})
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(RateCounter).values(key=key, window_start=start, count=1)
    statement = statement.on_conflict_do_update(index_elements=["key", "window_start"],
                                                set_={"count": RateCounter.count + 1})
    session.execute(statement)
    return count(session, key, window=window, now=now)


def count(session: Session, key: str, *, window: int, now: float) -> int:
    """Attempts of `key` in the current window."""
    redis = _redis()
    start = _window_start(now, window)
    if redis is not None:
        try:
            value = redis.get(f"trygg:rate:{key}:{start}")
            return int(value) if value is not None else 0
        except Exception as error:
            current_app.logger.warning("Redis does not answer (%s); reading attempts from the database", error)
    found = session.scalar(select(RateCounter.count).where(RateCounter.key == key, RateCounter.window_start == start))
    return found or 0


def _redis() -> Any:
    """The app's Redis client, made once per app; None when `TRYGG_REDIS_URL` is not set."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    client = current_app.extensions.get("trygg_redis")
    if client is None:
        import redis  # only when configured

        client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        current_app.extensions["trygg_redis"] = client
    return client
