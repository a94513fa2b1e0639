"""Errors: what a service refuses (`ServiceError`), and the Swedish error pages; a visitor never sees a stack trace."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Flask, current_app, g, render_template, request
from flask.globals import request_ctx
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError

from survey_app.extensions import db


class ServiceError(ValueError):
    """Input a service refuses.

    `reason` is a stable code that the feature's messages table (`messages.py`) turns into words; `field` names the
    form field it concerns, if any, so that `survey_app.forms.show_service_error` can put the words next to it.
    """

    def __init__(self, reason: str, field: str | None = None) -> None:
        super().__init__(f"{field}: {reason}" if field else reason)
        self.reason = reason
        self.field = field


def register_errorhandlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        return render_template("errors/400_csrf.html"), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int, dict[str, str]] | tuple[str, int]:
        _bind_links_without_host(app)
        if isinstance(error, InternalServerError) and _database_unavailable(error.original_exception):
            return _unavailable(app, error.original_exception)  # failed at the commit, after the view
        code = error.code or 500
        template = f"errors/{code}.html" if code in (403, 404, 405, 413) else "errors/generic.html"
        return render_template(template, error=error), code

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> tuple[str, int, dict[str, str]] | tuple[str, int]:
        if _database_unavailable(error):
            return _unavailable(app, error)
        app.logger.exception("Unhandled error")
        db.session.rollback()
        _bind_links_without_host(app)
        return render_template("errors/500.html"), 500


# Connection refused or lost, a statement or lock timeout, no pooled connection free in time, SQLite's write lock
# not granted within its busy timeout: the database cannot answer now, which a retry in a while may cure.
_UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeout)
RETRY_AFTER_SECONDS = 30


def _database_unavailable(error: BaseException | None) -> bool:
    return isinstance(error, _UNAVAILABLE)


def _unavailable(app: Flask, error: BaseException | None) -> tuple[str, int, dict[str, str]]:
    """503 with a Retry-After, saying plainly that what this request sent was not saved (nothing was committed: the
    request's one commit is what failed, or never ran) and that what was saved before is still there."""
    app.logger.error("Database unavailable: %s", type(error).__name__)
    try:
        db.session.rollback()
    except Exception:  # the connection may be gone; the session is discarded at teardown anyway
        app.logger.debug("rollback after a database failure failed too")
    _bind_links_without_host(app)
    sent = request.method not in ("GET", "HEAD")
    return render_template("errors/503.html", sent=sent, answers=g.get("answers_not_sent", False),
                           in_doubt=g.get("answers_in_doubt", False)), 503, {
        "Retry-After": str(RETRY_AFTER_SECONDS)}


SEND_ATTEMPTS = 2
SEND_RETRY_PAUSE_SECONDS = 1.0


def retry_when_unavailable(view: Callable[..., ResponseReturnValue]) -> Callable[..., ResponseReturnValue]:
    """Run the view and commit its work; when the database is locked or unreachable, roll back and run it once more
    after a short pause (TRYGG_SEND_ATTEMPTS, TRYGG_SEND_RETRY_PAUSE_SECONDS); if it still fails, the 503 says that the
    answers were not sent, or, when a COMMIT itself failed (the server may have carried it out before the connection
    broke), that their arrival could not be confirmed and that sending again is safe.

    For the resident's final send: it waits behind a long write (SQLite's busy timeout) or a database that is briefly
    gone, instead of failing at the first try. Committing here (the request's boundary commits nothing after it) is
    what lets the retry include the commit. Exactly once still holds: a retry after a commit that did happen but was
    reported as failed finds the draft sent and shows the thank-you page.
    """

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        attempts = max(1, int(current_app.config.get("SEND_ATTEMPTS", SEND_ATTEMPTS)))
        pause = float(current_app.config.get("SEND_RETRY_PAUSE_SECONDS", SEND_RETRY_PAUSE_SECONDS))
        in_doubt = False  # a COMMIT that failed may have reached the server and been carried out there
        for attempt in range(1, attempts + 1):
            committing = False
            try:
                response = current_app.make_response(view(*args, **kwargs))
                if response.status_code < 400 or g.get("keep_changes", False):
                    committing = True
                    db.session.commit()
                return response
            except _UNAVAILABLE as error:
                in_doubt = in_doubt or committing
                _roll_back_quietly()
                if attempt == attempts:
                    g.answers_in_doubt = in_doubt
                    g.answers_not_sent = not in_doubt
                    raise
                current_app.logger.warning("Database unavailable (%s) at a send, attempt %d of %d; retrying",
                                           type(error).__name__, attempt, attempts)
                time.sleep(pause)
        raise AssertionError("unreachable")  # the loop returns or raises

    return wrapper


def _roll_back_quietly() -> None:
    try:
        db.session.rollback()
    except Exception:  # the connection may be gone; the session is discarded at teardown anyway
        current_app.logger.debug("rollback after a database failure failed too")


def _bind_links_without_host(app: Flask) -> None:
    """Flask builds links against the request's Host; for a refused Host it has nothing to build them with.

    The error pages link only by path (the stylesheet, the start page), which needs no host, so bind to none.
    """
    # Flask types request_ctx as the RequestContext it proxies, which hides the proxy's own _get_current_object
    context = request_ctx._get_current_object()  # type: ignore[attr-defined]
    if context.url_adapter is None:
        context.url_adapter = app.url_map.bind("", script_name=request.script_root or "/", url_scheme=request.scheme)
