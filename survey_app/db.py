"""The one declarative base, with a naming convention so that Alembic names constraints the same on every database."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any, TypeVar

from sqlalchemy import Connection, CursorResult, Delete, Engine, Enum, MetaData, Update, event
from sqlalchemy.orm import DeclarativeBase, Session

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


def configure_sqlite(engine: Engine) -> None:
    """Make the embedded SQLite database safe under concurrent requests.

    Every transaction starts with BEGIN IMMEDIATE, so two requests that both mean to write (two submissions of one
    draft, two uses of one invitation code) queue for the write lock instead of one of them failing with "database is
    locked" when it upgrades a stale read snapshot. WAL lets readers go on while a write commits; foreign keys are on
    so that deleting a response deletes its answers. This is SQLAlchemy's documented pysqlite recipe.
    """

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: object) -> None:
        dbapi_connection.isolation_level = None  # pysqlite must not issue its own BEGIN; ours follows
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
