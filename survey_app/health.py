"""Health checks for a load balancer: `/healthz` (the process answers) and `/readyz` (the database answers too).

Plain text, no version, no host names, no error text: a probe learns only up or down. Neither page touches a
session or writes anything, so a probe every second costs a connection check and nothing more.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from survey_app.extensions import db

blueprint = Blueprint("health", __name__)


def _plain(body: str, status: int) -> Response:
    response = Response(body + "\n", status=status, mimetype="text/plain")
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.get("/healthz")
def healthz() -> Response:
    return _plain("ok", 200)


@blueprint.get("/readyz")
def readyz() -> Response:
    try:
        with db.engine.connect() as connection:  # its own short connection: never the request's session
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError:
        current_app.logger.warning("readiness check: the database does not answer")
        return _plain("unavailable", 503)
    return _plain("ok", 200)
