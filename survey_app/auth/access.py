"""Who is asking: Flask-Login wiring, the session key check, and the role matrix enforced before every view."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, abort, current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user, logout_user
from werkzeug.wrappers import Response

from survey_app.auth import roles, services
from survey_app.models import StaffUser

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.session_protection = "basic"


@dataclass(frozen=True, slots=True)
class StaffPrincipal:
    """The logged-in member of staff, as Flask-Login wants it. `user` is the database row."""

    user: StaffUser
    nonce: str

    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.user.active

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def email(self) -> str:
        return self.user.email

    @property
    def role(self) -> str:
        return self.user.role

    def get_id(self) -> str:
        # The session holds the user id and the current session key: a replaced key logs every old cookie out.
        return f"{self.user.id}:{self.nonce}"


def _load_user(session_value: str) -> StaffPrincipal | None:
    from survey_app.auth.services import principal_for_session
    from survey_app.extensions import db

    return principal_for_session(db.session(), session_value)


def current_staff() -> StaffUser | None:
    """The logged-in user's database row, or None for an anonymous visitor."""
    return current_user.user if current_user.is_authenticated else None


def current_role() -> str | None:
    return current_user.role if current_user.is_authenticated else None


# When this staff session began (the password was given) and when it was last used, in seconds since the epoch. The
# session cookie is signed, so neither can be moved by the browser; a copied cookie ages like the original.
SESSION_STARTED = "staff_started"
SESSION_SEEN = "staff_seen"


def stamp_staff_session() -> None:
    """Called on login: the session's absolute lifetime and idle timeout count from now."""
    session[SESSION_STARTED] = session[SESSION_SEEN] = int(services.utcnow().timestamp())


def end_staff_session() -> None:
    """Log out and forget everything in the session but the chosen language."""
    language = session.get("lang")
    logout_user()
    session.clear()
    if language:
        session["lang"] = language


def expire_staff_session() -> None:
    """Log out a staff session idle for STAFF_IDLE_MINUTES or older than STAFF_SESSION_HOURS; else mark it used.

    The role matrix, next, sends the visitor to the login page with the path they asked for. A session without the
    stamps (from before they existed) counts as expired.
    """
    if "_user_id" not in session or request.endpoint == "static":
        return
    now = int(services.utcnow().timestamp())
    idle_minutes = current_app.config["STAFF_IDLE_MINUTES"]
    hours = current_app.config["STAFF_SESSION_HOURS"]
    started, seen = session.get(SESSION_STARTED), session.get(SESSION_SEEN)
    if not isinstance(started, int) or not isinstance(seen, int) or now - started >= hours * 3600:
        message = gettext("You have been logged out because you logged in more than %(hours)s hours ago. Log in "
                          "again.", hours=hours)
    elif now - seen >= idle_minutes * 60:
        message = gettext("You have been logged out after %(minutes)s minutes without activity. Log in again.",
                          minutes=idle_minutes)
    else:
        session[SESSION_SEEN] = now
        return
    end_staff_session()
    g.staff_session_expired = True
    if roles.access_for(request.endpoint) != roles.PUBLIC or request.endpoint == "auth.login":
        flash(message, "info")  # not on a resident's page, which shows no staff messages


def enforce_role_matrix() -> Response | None:
    access = roles.access_for(request.endpoint)
    if access == roles.PUBLIC:
        return None
    if access is None:
        if request.endpoint is None or request.blueprint is None:
            # 404/405 (no endpoint) and routes added to the bare app (tests) are left alone; every real
            # endpoint is in a blueprint, and a test fails while one of them is missing from the matrix.
            return None
        abort(403)  # an unclassified staff endpoint is closed until someone classifies it
    if not current_user.is_authenticated:
        target = request.full_path if request.method == "GET" else None
        if not g.get("staff_session_expired"):
            flash(gettext("Log in to see that page."), "info")
        return redirect(url_for("auth.login", next=target.rstrip("?") if target else None))
    if current_user.role not in access:
        abort(403)
    return None


def register_auth(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(_load_user)
    # Run before CSRF checking and before any view: a visitor learns nothing about a page they may not use.
    app.before_request(expire_staff_session)
    app.before_request(enforce_role_matrix)

    @app.after_request
    def staff_pages_are_not_stored(response: Response) -> Response:
        # A staff page may hold what residents said: no browser or proxy cache keeps it after logout.
        if roles.access_for(request.endpoint) not in (roles.PUBLIC, None):
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.context_processor
    def staff_context() -> dict[str, object]:
        return {"may": lambda endpoint: roles.may(current_role(), endpoint), "role_label": role_label}


ROLE_LABELS = {"admin": _l("admin"), "facilitator": _l("facilitator"), "analyst": _l("analyst")}


def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))
