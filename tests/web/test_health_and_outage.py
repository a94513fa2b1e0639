"""Health probes, database timeouts, and a database that is down: 503 in Swedish that says what was saved."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from survey_app import create_app
from survey_app.config import ConfigError
from survey_app.extensions import db


def _app_on(url: str, **config: object) -> Flask:
    return create_app({"TRYGG_ENV": "test", "TESTING": True, "SQLALCHEMY_DATABASE_URI": url, **config})


@pytest.fixture
def hung_database() -> Iterator[str]:
    """A TCP port that accepts connections and never answers: a PostgreSQL server that hangs."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"postgresql+psycopg://postgres@127.0.0.1:{server.getsockname()[1]}/test"
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    server.close()


def _refused_postgres() -> str:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there now: connections are refused
    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/test"


def test_healthz_answers_without_a_database() -> None:
    app = _app_on(_refused_postgres())
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok\n"
    assert response.headers["Cache-Control"] == "no-store"
    with app.test_client().get("/static/css/app.css") as static:  # static files need no database either
        assert static.status_code == 200


def test_readyz_tells_whether_the_database_answers(app: Flask) -> None:
    response = app.test_client().get("/readyz")
    assert (response.status_code, response.get_data(as_text=True)) == (200, "ok\n")
    down = _app_on(_refused_postgres()).test_client().get("/readyz")
    assert (down.status_code, down.get_data(as_text=True)) == (503, "unavailable\n")


def test_probes_reveal_no_version_or_software(app: Flask) -> None:
    for path in ("/healthz", "/readyz"):
        response = app.test_client().get(path)
        text = response.get_data(as_text=True).lower() + " ".join(response.headers.values()).lower()
        for word in ("flask", "werkzeug", "python", "gunicorn", "sqlite", "postgres", "version"):
            assert word not in text, (path, word)


@pytest.mark.parametrize("url", [
    pytest.param("refused", id="postgres-refused"),
    pytest.param("sqlite:////nonexistent-directory/trygg.sqlite", id="sqlite-unopenable"),
])
def test_a_database_outage_is_a_swedish_503_not_a_500(url: str) -> None:
    app = _app_on(_refused_postgres() if url == "refused" else url)
    response = app.test_client().get("/")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    page = response.get_data(as_text=True)
    assert "Tjänsten är inte tillgänglig just nu" in page
    assert "Inget som sparats tidigare har gått förlorat" in page
    assert "Traceback" not in page


def test_a_send_that_meets_an_outage_says_it_was_not_saved() -> None:
    down = _app_on(_refused_postgres(), WTF_CSRF_ENABLED=False)
    response = down.test_client().post("/logga-in", data={"email": "a@b.se", "password": "x" * 12})
    assert response.status_code == 503
    assert "Det du skickade nyss har inte sparats" in response.get_data(as_text=True)


def test_a_statement_past_its_timeout_is_cancelled(app_factory, database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("the statement timeout is PostgreSQL's; SQLite has its busy timeout")
    app = app_factory({"DB_STATEMENT_TIMEOUT_MS": 200})
    with app.app_context():
        started = time.monotonic()
        with pytest.raises(OperationalError), db.engine.connect() as connection:
            connection.execute(text("SELECT pg_sleep(3)"))
        assert time.monotonic() - started < 2


def test_a_hung_postgres_answers_within_the_connect_timeout(hung_database: str) -> None:
    app = _app_on(hung_database, DB_CONNECT_TIMEOUT=1)
    started = time.monotonic()
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert time.monotonic() - started < 5


def test_postgres_gets_statement_and_connect_timeouts() -> None:
    app = _app_on("postgresql+psycopg://postgres@127.0.0.1:5432/test", DB_STATEMENT_TIMEOUT_MS=1234)
    options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options["connect_args"]["connect_timeout"] == 5
    assert "statement_timeout=1234" in options["connect_args"]["options"]
    assert options["pool_timeout"] == 10
    with pytest.raises(ConfigError):
        _app_on("postgresql+psycopg://postgres@127.0.0.1:5432/test", DB_STATEMENT_TIMEOUT_MS="soon")


def test_postgres_connections_are_watched_with_the_answer_limit(app_factory, database_url: str) -> None:
    """Residents' pages wait DB_ANSWER_TIMEOUT for each answer; elsewhere the statement limit plus that much."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite is a file: nothing can hang on a socket")
    from survey_app import hung_database

    app = app_factory({"DB_ANSWER_TIMEOUT": 2, "DB_STATEMENT_TIMEOUT_MS": 4000})
    with app.app_context(), db.engine.connect() as connection:
        raw = connection.connection.dbapi_connection
        assert isinstance(raw, hung_database.WatchedConnection)
        assert raw.default_answer_limit == 6
    with app.test_request_context("/enkat/x"):
        app.preprocess_request()
        assert hung_database._limit.get() == 2
    assert hung_database._limit.get() is None  # reset when the request ends
    with pytest.raises(ConfigError):
        _app_on("postgresql+psycopg://postgres@127.0.0.1:5432/test", DB_ANSWER_TIMEOUT=0)
