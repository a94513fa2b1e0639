"""A long write holds the lock (SQLite's write lock; on PostgreSQL a table lock): pages that only read do not wait for
it; the final send waits, retries once, and then says plainly that the answers were not sent (503), never stores them
twice. And every send is counted in its hour."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from flask import Flask
from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from survey_app.models import HeldResponse, Response, WaveHourlySends
from survey_app.survey.hourly import hour_of
from tests.web.survey.resident import Resident, first_option

BUSY_MS = 400
PAUSE = 0.3


@pytest.fixture
def locking_app(app: Flask, app_factory, database_url: str) -> Flask:
    """The app with short waits: SQLite's busy timeout, PostgreSQL's lock timeout (its statement limit)."""
    return app_factory({"SQLITE_BUSY_TIMEOUT_MS": BUSY_MS, "DB_STATEMENT_TIMEOUT_MS": BUSY_MS,
                        "SEND_RETRY_PAUSE_SECONDS": PAUSE})


class _Holder:
    def __init__(self, release: Callable[[], None]) -> None:
        self.release = release


@contextmanager
def write_lock_held(database_url: str) -> Iterator[_Holder]:
    """Another process's long write, held until the block ends (or `release()`): SQLite's write lock; on PostgreSQL
    an EXCLUSIVE lock on the drafts table, which lets reads through and stops every change to a draft."""
    if database_url.startswith("sqlite"):
        connection = sqlite3.connect(make_url(database_url).database, isolation_level=None, check_same_thread=False)
        connection.execute("BEGIN IMMEDIATE")
        release, close = connection.rollback, connection.close
    else:
        engine = create_engine(database_url)
        holder = engine.connect()
        holder.exec_driver_sql("LOCK TABLE survey_drafts IN EXCLUSIVE MODE")
        release = holder.rollback

        def close() -> None:
            holder.close()
            engine.dispose()
    try:
        yield _Holder(release)
    finally:
        release()
        close()


def _stored(db_session: Session) -> int:
    db_session.expire_all()
    held = db_session.scalar(select(func.count()).select_from(HeldResponse)) or 0
    result = (db_session.scalar(select(func.count()).select_from(Response)) or 0) + held
    db_session.rollback()  # no read transaction left open
    return result


def _at_summary(app: Flask) -> Resident:
    walker = Resident(app.test_client(), "trygghet-2026")
    walker.complete(first_option)
    return walker


def test_pages_that_only_read_do_not_wait_for_the_write_lock(locking_app: Flask, make_wave, database_url) -> None:
    make_wave()
    walker = _at_summary(locking_app)
    with write_lock_held(database_url):
        for path in ("/", "/enkat/trygghet-2026", "/enkat/trygghet-2026/sammanfattning", "/enkat/trygghet-2026/sida/1",
                     "/readyz"):
            started = time.monotonic()
            response = walker.client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            assert time.monotonic() - started < BUSY_MS / 1000, path  # it never waited for the lock


def test_a_send_that_meets_a_held_lock_is_retried_then_refused_and_stored_once_later(
        locking_app: Flask, make_wave, database_url, db_session: Session) -> None:
    make_wave()
    walker = _at_summary(locking_app)
    with write_lock_held(database_url):
        started = time.monotonic()
        refused = walker.send()
        waited = time.monotonic() - started
    assert refused.status_code == 503
    assert waited >= 2 * BUSY_MS / 1000 + PAUSE  # two attempts, each waiting for the lock, a pause between
    page = refused.get_data(as_text=True)
    assert "Dina svar har INTE skickats" in page
    assert "Traceback" not in page
    assert refused.headers["Retry-After"]
    assert _stored(db_session) == 0
    sent = walker.send()  # the lock is gone: the same answers go through, once
    assert sent.status_code == 302
    assert sent.location.endswith("/tack")
    assert walker.send().status_code == 302  # a second click finds them sent
    assert _stored(db_session) == 1


def test_a_send_whose_lock_ends_before_the_retry_is_stored_once(
        locking_app: Flask, make_wave, database_url, db_session: Session) -> None:
    make_wave()
    walker = _at_summary(locking_app)
    with write_lock_held(database_url) as holder:
        threading.Timer(BUSY_MS / 1000 + PAUSE / 2, holder.release).start()  # released during the pause
        response = walker.send()
    assert response.status_code == 302
    assert response.location.endswith("/tack")
    assert _stored(db_session) == 1


def test_every_send_is_counted_in_its_hour(app: Flask, make_wave, db_session: Session) -> None:
    make_wave()
    before = dt.datetime.now(dt.UTC)
    for _ in range(2):
        walker = Resident(app.test_client(), "trygghet-2026")
        walker.complete(first_option)
        assert walker.send().status_code == 302
        assert walker.send().status_code == 302  # a double click is one send
    hours = db_session.execute(select(WaveHourlySends.hour, WaveHourlySends.sends)).all()
    assert [sends for _, sends in hours] == [2]
    hour = hours[0][0] if hours[0][0].tzinfo else hours[0][0].replace(tzinfo=dt.UTC)
    assert hour in (hour_of(before), hour_of(dt.datetime.now(dt.UTC)))  # the hour of the send, nothing finer


def test_a_send_whose_commit_is_cut_says_it_could_not_be_confirmed_never_that_nothing_was_sent(
        locking_app: Flask, make_wave, db_session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    """The connection breaks after the server carried out the COMMIT but before its answer came back (a hung or cut
    database): the answers are stored, so the page must not say they were not; sending again shows the thanks."""
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.orm import scoped_session

    make_wave()
    walker = _at_summary(locking_app)
    real_commit = scoped_session.commit

    def commit_then_lose_the_answer(self: scoped_session) -> None:
        real_commit(self)
        raise OperationalError("COMMIT", {}, Exception("server closed the connection unexpectedly"))

    with monkeypatch.context() as patched:
        patched.setattr(scoped_session, "commit", commit_then_lose_the_answer)
        cut = walker.send()
    assert cut.status_code == 503
    page = cut.get_data(as_text=True)
    assert "Vi kunde inte bekräfta att dina svar sparades" in page
    assert "INTE skickats" not in page  # they were: saying otherwise would be false
    assert _stored(db_session) == 1
    again = walker.send()
    assert again.status_code == 302
    assert again.location.endswith("/tack")
    assert _stored(db_session) == 1
