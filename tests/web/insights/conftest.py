"""The two result waves of tests.web.insights.waves, built once per backend for the tests that only read them.

Building them (1,400 responses, then the first analysis of each) takes seconds; most results-page tests only read
the pages, so they share one database (`shared_waves_app`) instead of building their own. A module that reads only
takes it over with `reading_fixtures()`; tests that change data keep the function-scoped `app` of the suite.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from survey_app import migrate
from survey_app.extensions import db
from tests.conftest import make_test_app
from tests.factories import make_staff
from tests.web.client import log_in
from tests.web.insights.waves import make_result_waves

SHARED_STAFF = {"analyst": "analys@kommun.se", "admin": "chef@kommun.se", "facilitator": "fa@kommun.se"}


@pytest.fixture(scope="package")
def shared_waves_app(database_url: str, empty_database_factory, tmp_path_factory: pytest.TempPathFactory
                     ) -> Iterator[Flask]:
    backend = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    url = empty_database_factory(backend, "result_waves")
    migrate.upgrade(url)
    engine = create_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        make_result_waves(session, tmp_path_factory.mktemp("questionnaire"))
        for role, email in SHARED_STAFF.items():
            make_staff(session, role, email=email)
        session.commit()
    engine.dispose()
    app = make_test_app(url)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def shared_waves_db(shared_waves_app: Flask) -> Iterator[Session]:
    """A session of its own on the shared waves' database, for reading what the pages must show."""
    engine = create_engine(shared_waves_app.config["SQLALCHEMY_DATABASE_URI"])
    session = Session(engine, expire_on_commit=False)
    yield session
    session.close()
    engine.dispose()


@pytest.fixture
def shared_analyst(shared_waves_app: Flask) -> FlaskClient:
    """The analyst on the shared waves, in a client of its own (a test's language choice stays in its session)."""
    client = shared_waves_app.test_client()
    assert log_in(client, SHARED_STAFF["analyst"]).status_code == 302
    return client
