"""The one declarative base, with a naming convention so that Alembic names constraints the same on every database."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Connection, CursorResult, Delete, Engine, Enum, MetaData, Update, event
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session

T = TypeVar("T")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def enum_type(values: type[enum.StrEnum], *, length: int, check: str) -> Enum:
    """A column type holding an enum's values as text, with a CHECK constraint named `check`.

    Stored as VARCHAR rather than a native PostgreSQL enum, so adding a value needs no ALTER TYPE and SQLite and
    PostgreSQL hold the same schema; rows read back as enum members, which compare equal to their string values.
    """
    return Enum(
        values,
        native_enum=False,
        create_constraint=True,
        length=length,
        name=check,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


def get_or_404(session: Session, model: type[T], object_id: int) -> T:
    """The row with this primary key, or a 404 page. Routes take ids with the `id` converter, so they fit the column."""
    from flask import abort

    found = session.get(model, object_id)
    if found is None:
        abort(404)
    return found


def rows_changed(session: Session, statement: Update | Delete) -> int:
    """Run an UPDATE or DELETE and return how many rows it changed.

    For these statements `Session.execute` returns a `CursorResult`, the result that has `rowcount`; SQLAlchemy 2.0
    types its return as the plainer `Result`, so the class is checked here rather than cast at every call.
    """
    result = session.execute(statement)
    if not isinstance(result, CursorResult):
        raise TypeError(f"{type(statement).__name__} gave a {type(result).__name__}, not a CursorResult")
    return result.rowcount


def utcnow() -> dt.datetime:
    """Timezone-aware now, used as a callable default (never a value computed at import)."""
    return dt.datetime.now(dt.UTC)


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


SQLITE_BUSY_TIMEOUT_MS = 15_000


def configure_sqlite(engine: Engine, *, writes: Callable[[], bool], busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS
                     ) -> None:
    """Make the embedded SQLite database safe under concurrent requests, without making readers queue.

    A transaction that may write starts with BEGIN IMMEDIATE, so two requests that both mean to write (two
    submissions of one draft, two uses of one invitation code) queue for the write lock instead of one of them failing
    with "database is locked" when it upgrades a stale read snapshot. A read-only one (`writes()` is false: a GET or
    HEAD, see `extensions.request_writes`) starts with a plain BEGIN and takes no lock at all: under WAL it reads its
    snapshot while a write goes on, so a page never waits for somebody else's submission. A read-only request that
    must write after all calls `begin_writing` first. Foreign keys are on so that deleting a response deletes its
    answers. This is SQLAlchemy's documented pysqlite recipe, with the BEGIN chosen per transaction.
    """

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: object) -> None:
        dbapi_connection.isolation_level = None  # pysqlite must not issue its own BEGIN; ours follows
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get(WRITES_OPTION, True) and writes()
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
        connection.info[WRITING_KEY] = immediate


WRITES_OPTION = "trygg_writes"  # execution option: False marks a connection that only reads (a streamed export)
WRITING_KEY = "trygg_writing"  # connection.info: the current SQLite transaction holds the write lock from its BEGIN
SESSION_WRITES = "trygg_writes"  # session.info: this read-only request writes after all (`restart_for_writing`)


def transaction_may_write(session: Session) -> bool:
    """Whether the session's current transaction began able to write (always, except SQLite's read-only BEGIN)."""
    if isinstance(session, scoped_session):  # a caller may pass Flask-SQLAlchemy's proxy itself
        session = session()
    if session.get_bind().dialect.name != "sqlite" or not session.in_transaction():
        return True
    return bool(session.connection().info.get(WRITING_KEY, True))


def restart_for_writing(session: Session) -> bool:
    """End a read-only SQLite transaction that has changed nothing, so that the next one begins IMMEDIATE.

    Upgrading a deferred read to a write fails at once with "database is locked" while another connection writes
    (SQLite invokes no busy handler for an upgrade, and a snapshot older than the last commit can never write), so a
    read-only request that decides to write starts afresh. Loaded objects are expired and reload on next use.
    Returns False when the transaction already changed something (it is then no read-only one to restart).
    """
    if isinstance(session, scoped_session):
        session = session()
    session.info[SESSION_WRITES] = True
    if transaction_may_write(session):
        return True
    if session.new or session.dirty or session.deleted:
        return False
    session.rollback()
    return True
