"""Extension objects, created unbound; `create_app` binds them."""

from __future__ import annotations

from flask import Flask, Response, current_app, g, has_request_context, request
from flask_babel import Babel
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from survey_app import hung_database
from survey_app.db import SESSION_WRITES, SQLITE_BUSY_TIMEOUT_MS, Base, configure_sqlite, restart_for_writing

# `db.session` is Flask-SQLAlchemy's scoped_session, a proxy; services take a `sqlalchemy.orm.Session`, so views and
# commands pass them `db.session()`, the session that the proxy stands for in this app context (the same object the
# proxy would forward to, and the type the checker can verify).
db = SQLAlchemy(model_class=Base, disable_autonaming=True)
csrf = CSRFProtect()
babel = Babel()


def register_database(app: Flask) -> None:
    watched = str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("postgresql")
    if watched:
        register_answer_limit(app)  # before the session's own teardown, so that its last rollback is watched too
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine, writes=request_writes,
                             busy_timeout_ms=int(app.config.get("SQLITE_BUSY_TIMEOUT_MS", SQLITE_BUSY_TIMEOUT_MS)))
        elif watched:
            answer = float(app.config["DB_ANSWER_TIMEOUT"])
            hung_database.watch_connections(
                db.engine, default_limit=int(app.config["DB_STATEMENT_TIMEOUT_MS"]) / 1000 + answer)
    app.after_request(commit_or_roll_back)


# The residents' pages and the load balancer's probes: every statement there takes milliseconds, so a database that
# has not answered one within DB_ANSWER_TIMEOUT seconds has stopped answering (hung_database.py).
QUICK_BLUEPRINTS = frozenset({"survey", "health", "feedback"})


def register_answer_limit(app: Flask) -> None:
    """On the residents' pages and the probes, the database must answer each operation within DB_ANSWER_TIMEOUT."""

    def set_limit() -> None:
        if request.blueprint in QUICK_BLUEPRINTS:
            g.database_answer_limit = hung_database.set_answer_limit(float(app.config["DB_ANSWER_TIMEOUT"]))

    def reset_limit(_error: BaseException | None) -> None:
        token = g.pop("database_answer_limit", None)
        if token is not None:
            hung_database.reset_answer_limit(token)

    app.before_request_funcs.setdefault(None, []).insert(0, set_limit)  # before any hook that could query
    app.teardown_appcontext(reset_limit)


READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def request_writes() -> bool:
    """Whether this request's transactions may write: any method but GET/HEAD/OPTIONS, a read-only request after
    `begin_writing`, and everything outside a request (commands, the release after a send)."""
    if not has_request_context():
        return True
    return request.method not in READ_ONLY_METHODS or bool(db.session().info.get(SESSION_WRITES, False))


def begin_writing() -> None:
    """Declare that this read-only request (a GET) writes after all, before its first change: on SQLite its read
    transaction is restarted as a writing one (`db.restart_for_writing`); on PostgreSQL nothing changes."""
    restart_for_writing(db.session())


def commit_or_roll_back(response: Response) -> Response:
    """The one place a request commits: once, when it answers below 400; anything else rolls back.

    Views and services never commit. An exception becomes an error page (>= 400), so it rolls back too. A view whose
    refusal must still be kept (a failed login is counted, an expired wave is closed) calls `keep_changes()`.
    """
    if not db.session.registry.has():  # a static file, a probe: no session was made, so there is nothing to end
        return response
    if response.status_code < 400 or g.pop("keep_changes", False):
        db.session.commit()
        if g.pop("release_held", False):
            _release_held()
    else:
        db.session.rollback()
    return response


def _release_held() -> None:
    """Store the held responses that are due, in a transaction of its own (never the sending one: see holding.py).
    A failure here loses nothing (the responses stay held for the next release) and does not fail the request."""
    from survey_app.db import today, utcnow
    from survey_app.survey import holding, hourly

    try:
        sent_to = g.pop("sent_to_wave", None)
        if sent_to is not None:
            hourly.count_send(db.session(), sent_to, utcnow())
        holding.release_due(db.session(), today())
        db.session.commit()
    except Exception:
        db.session.rollback()
        current_app.logger.exception("Releasing held responses failed; they stay held for the next release")


def keep_changes() -> None:
    """Commit this request's changes although it answers with an error status."""
    g.keep_changes = True
