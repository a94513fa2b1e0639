"""A database that accepts connections but never answers must not hold a request for ever (PostgreSQL).

psycopg 3 has no socket timeout: a statement, a commit or the pool's ping on a connection whose server (or a proxy
in front of it) has stopped answering waits until gunicorn kills the worker, and the resident gets an empty reply.
The server's `statement_timeout` cannot help (the server never sees the statement), and neither can TCP keepalives
or `tcp_user_timeout` when a proxy acknowledges every byte. So every operation the app asks of a connection —
`Cursor.execute`/`executemany` (statements and the pool's ping) and `Connection.commit`/`rollback` — is watched:
when it has not finished after its limit, a watchdog thread shuts the connection's socket down. libpq then reads
end-of-file, psycopg raises OperationalError ("server closed the connection unexpectedly"), SQLAlchemy drops the
connection from the pool, and the request answers with the Swedish 503 (errors.py) within the limit.

The limit is `DB_ANSWER_TIMEOUT` seconds on the residents' pages and the probes, where every statement takes
milliseconds; elsewhere (staff pages that analyse a whole wave, commands) it is the statement timeout plus that
much, since there a slow statement is work the server itself stops at its statement timeout. A connection is cut
only while one of its operations is in progress, under a lock that the operation's end takes too, so the socket shut
down always belongs to that operation's connection. Only the socket is shut down, never the file descriptor closed:
libpq still owns it.
"""

from __future__ import annotations

import contextlib
import contextvars
import itertools
import logging
import math
import os
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import psycopg
from sqlalchemy import Engine, event

log = logging.getLogger(__name__)

WATCH_INTERVAL_SECONDS = 0.1  # how late after its limit an operation may be cut

# Seconds an operation may take before its connection is cut, for the code running now (a request sets it).
_limit: contextvars.ContextVar[float | None] = contextvars.ContextVar("trygg_database_answer_limit", default=None)


class _Watchdog:
    """One thread per process that cuts the connections of operations past their deadline."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._watched: dict[int, tuple[float, psycopg.Connection[Any]]] = {}
        self._numbers = itertools.count()
        self._pid = 0

    @contextlib.contextmanager
    def watch(self, connection: psycopg.Connection[Any], limit: float) -> Iterator[None]:
        self._ensure_running()
        number = next(self._numbers)
        with self._lock:
            self._watched[number] = (time.monotonic() + limit, connection)
        try:
            yield
        finally:
            with self._lock:
                self._watched.pop(number, None)

    def after_fork_in_child(self) -> None:
        # The lock may have been held by the parent's watchdog at the fork, and its operations are not ours.
        self._lock = threading.Lock()
        self._watched = {}

    def _ensure_running(self) -> None:
        # gunicorn forks its workers after the app was built, and a thread does not survive a fork: each process
        # starts its own on its first watched operation.
        if self._pid != os.getpid():
            with self._lock:
                if self._pid != os.getpid():
                    self._watched.clear()
                    self._pid = os.getpid()
                    threading.Thread(target=self._run, name="trygg-database-watchdog", daemon=True).start()

    def _run(self) -> None:
        while True:
            time.sleep(WATCH_INTERVAL_SECONDS)
            now = time.monotonic()
            with self._lock:
                late = [number for number, (deadline, _) in self._watched.items() if deadline <= now]
                for number in late:
                    _, connection = self._watched.pop(number)
                    _cut(connection)


def _cut(connection: psycopg.Connection[Any]) -> None:
    """Shut the connection's socket down (through a duplicate of its descriptor, which is then closed)."""
    try:
        with socket.socket(fileno=os.dup(connection.fileno())) as duplicate:
            duplicate.shutdown(socket.SHUT_RDWR)
    except (OSError, psycopg.Error):  # already closed or broken: the operation fails by itself
        return
    log.warning("The database did not answer in time; its connection was cut")


_watchdog = _Watchdog()
os.register_at_fork(after_in_child=_watchdog.after_fork_in_child)


def _current_limit(connection: WatchedConnection) -> float:
    limit = _limit.get()
    return connection.default_answer_limit if limit is None else limit


class WatchedCursor(psycopg.Cursor[Any]):
    """A client-side cursor whose statements are watched (client-side cursors fetch the whole result here)."""

    def execute(self, *args: Any, **kwargs: Any) -> Any:
        connection = self.connection
        if not isinstance(connection, WatchedConnection):
            return super().execute(*args, **kwargs)
        with _watchdog.watch(connection, _current_limit(connection)):
            return super().execute(*args, **kwargs)

    def executemany(self, *args: Any, **kwargs: Any) -> None:
        connection = self.connection
        if not isinstance(connection, WatchedConnection):
            return super().executemany(*args, **kwargs)
        with _watchdog.watch(connection, _current_limit(connection)):
            return super().executemany(*args, **kwargs)


class WatchedConnection(psycopg.Connection[Any]):
    """A psycopg connection whose commits, rollbacks and statements are cut when the server does not answer."""

    default_answer_limit: float = 60.0

    def commit(self) -> None:
        with _watchdog.watch(self, _current_limit(self)):
            super().commit()

    def rollback(self) -> None:
        with _watchdog.watch(self, _current_limit(self)):
            super().rollback()


def watch_connections(engine: Engine, *, default_limit: float) -> None:
    """Make the engine's PostgreSQL connections watched ones; `default_limit` applies outside `answer_within`."""

    @event.listens_for(engine, "do_connect")
    def connect(_dialect: object, _record: object, cargs: tuple[Any, ...], cparams: dict[str, Any]
                ) -> WatchedConnection:
        limit = _limit.get()
        if limit is not None and "connect_timeout" in cparams:  # a new connection is no slower to give up on
            cparams = {**cparams, "connect_timeout": max(1, min(int(cparams["connect_timeout"]), math.ceil(limit)))}
        connection = WatchedConnection.connect(*cargs, cursor_factory=WatchedCursor, **cparams)
        connection.default_answer_limit = default_limit
        return connection


@contextlib.contextmanager
def answer_within(seconds: float) -> Iterator[None]:
    """Within this block, every database operation must finish within `seconds` or its connection is cut."""
    token = _limit.set(seconds)
    try:
        yield
    finally:
        _limit.reset(token)


def set_answer_limit(seconds: float | None) -> contextvars.Token[float | None]:
    """`answer_within` for code that cannot wrap a block (a request's before and teardown hooks)."""
    return _limit.set(seconds)


def reset_answer_limit(token: contextvars.Token[float | None]) -> None:
    _limit.reset(token)
