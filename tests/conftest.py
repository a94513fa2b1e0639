"""Fixtures for the whole suite.

Every test that uses `app`, `client` or `db_session` runs once on SQLite and, when TEST_DATABASE_URL is set, once
more on PostgreSQL. The schema is built by running the real Alembic migrations, once per database and test process;
each test then starts from empty tables.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from survey_app import create_app, migrate
from survey_app.db import Base
from survey_app.extensions import db
from survey_app.models import Survey
from tests import factories

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "").strip()
BACKENDS = ["sqlite", "postgresql"] if TEST_DATABASE_URL else ["sqlite"]


def pytest_sessionstart(session: pytest.Session) -> None:
    """Compile stale catalogs, so that running pytest directly tests the same texts as `make test`."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po_path in (Path(__file__).resolve().parent.parent / "translations").glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file, locale=po_path.parts[-3])
            partial = mo_path.with_suffix(f".mo.{os.getpid()}")
            with partial.open("wb") as mo_file:
                write_mo(mo_file, catalog)
            partial.replace(mo_path)  # atomic, in case several test processes start at once


def _worker_suffix() -> str:
    """Unique per test process, so parallel workers and concurrent runs never share a database."""
    return f"{re.sub(r'[^a-z0-9]', '', os.environ.get('PYTEST_XDIST_WORKER', 'main').lower())}_{os.getpid()}"


def create_postgres_database(name: str) -> str:
    """A fresh, empty PostgreSQL database on the TEST_DATABASE_URL server; fails the run when it is unreachable."""
    server = make_url(TEST_DATABASE_URL)
    try:
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    except Exception as error:  # any connection problem must fail the run, never skip it
        pytest.fail(f"TEST_DATABASE_URL is set but PostgreSQL cannot be used: {error}", pytrace=False)
    return server.set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(name: str) -> None:
    admin = create_engine(make_url(TEST_DATABASE_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def empty_database_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str, str], str]]:
    """Makes empty databases by backend and name, and removes the PostgreSQL ones at the end."""
    created: list[str] = []

    def make(backend: str, name: str) -> str:
        if backend == "sqlite":
            path = tmp_path_factory.mktemp("db") / f"{name}.sqlite"
            return URL.create("sqlite", database=str(path)).render_as_string()
        database = f"trygg_{name}_{_worker_suffix()}"
        created.append(database)
        return create_postgres_database(database)

    yield make
    for database in created:
        drop_postgres_database(database)


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest, empty_database_factory: Callable[[str, str], str]) -> str:
    """A database of each backend with the schema built by `alembic upgrade head`."""
    url = empty_database_factory(request.param, "suite")
    migrate.upgrade(url)
    return url


def _empty_all_tables(app: Flask) -> None:
    with app.app_context():
        tables = [table.name for table in reversed(Base.metadata.sorted_tables)]
        with db.engine.begin() as connection:
            if db.engine.dialect.name == "postgresql":
                connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    connection.execute(text(f"DELETE FROM {table}"))  # noqa: S608 (names from our own metadata)


def make_test_app(database_url: str, **overrides: object) -> Flask:
    config = {
        "TRYGG_ENV": "test",
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SERVER_NAME": None,
    }
    config.update(overrides)
    return create_app(config)


def _dispose(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app_factory(database_url: str) -> Iterator[Callable[..., Flask]]:
    """Builds extra apps on the test database and disposes of them.

    `raw=True` passes only the given config to `create_app`, as in production.
    """
    apps: list[Flask] = []

    def build(config: dict[str, object] | None = None, *, raw: bool = False) -> Flask:
        config = dict(config or {})
        config.setdefault("SQLALCHEMY_DATABASE_URI", database_url)
        built = create_app(config) if raw else make_test_app(database_url, **config)
        apps.append(built)
        return built

    yield build
    for built in apps:
        _dispose(built)


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    app = make_test_app(database_url)
    _empty_all_tables(app)
    yield app
    _dispose(app)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def db_session(database_url: str, app: Flask) -> Iterator[Session]:
    """A session of its own on the test database, for arranging and checking data.

    It holds no application context open, so requests made during the test get their own, as in production, and
    nothing (`g`, the CSRF token, the locale) leaks from one request to the next. Its engine is a plain one: the
    app's SQLite engine takes the write lock at BEGIN, which a test's idle read transaction must not hold.
    """
    engine = create_engine(database_url, connect_args={"timeout": 15} if database_url.startswith("sqlite") else {})
    session = Session(engine)
    yield session
    session.close()
    engine.dispose()


@pytest.fixture
def staff_db(db_session: Session) -> Session:
    """`db_session` keeping loaded values after commit, so a test can read ids without a new transaction.

    Commit (or roll back) before each request: SQLite takes the write lock when a transaction begins.
    """
    db_session.expire_on_commit = False
    return db_session


@pytest.fixture
def make_wave(db_session: Session) -> Callable[..., Survey]:
    """Makes an answerable wave of a shipped questionnaire (see tests.factories.make_wave), committed."""

    def make(file: str = factories.ADULT, **options: Any) -> Survey:
        return factories.make_wave(db_session, file, **options)

    return make
