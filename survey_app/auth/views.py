"""Staff login, logout and password change."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user
from werkzeug.wrappers import Response

from survey_app.auth import services
from survey_app.auth.access import StaffPrincipal, current_staff
from survey_app.auth.forms import LoginForm, PasswordChangeForm
from survey_app.auth.messages import ACCOUNT_MESSAGES
from survey_app.errors import ServiceError
from survey_app.extensions import db, keep_changes
from survey_app.forms import show_service_error

blueprint = Blueprint("auth", __name__, template_folder="templates")


SAFE_PATH = re.compile(r"^/(?![/\\])[A-Za-z0-9\-._~/?=&%+]{0,1999}$")


def _safe_next(target: str | None) -> str:
    """Only a path on this site, never another host (an open redirect).

    Plain characters only: browsers and Werkzeug drop tabs and newlines from URLs, so "/<TAB>/evil.example" would
    otherwise become "//evil.example", and a newline would be refused in the Location header (a 500).
    """
    if target and SAFE_PATH.match(target) and not urlsplit(target).netloc and "//" not in target.split("?")[0]:
        return target
    return url_for("dialogue.index")


def _start_fresh_session(principal: StaffPrincipal) -> None:
    """A new session for a new login: nothing from before survives but the chosen language."""
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language
    login_user(principal)


@blueprint.route("/logga-in", methods=["GET", "POST"])
def login() -> Response | tuple[str, int] | str:
    if current_staff() is not None:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    status = 200
    error = None
    if form.validate_on_submit():
        try:
            user = services.authenticate(
                db.session(), email=form.email.data, password=form.password.data, client=request.remote_addr or "-"
            )
        except ServiceError as failure:
            keep_changes()  # the failure and its audit event count towards throttling
            if failure.reason == "throttled":
                error, status = _("Too many failed logins. Wait 15 minutes and try again."), 429
            else:
                error, status = _("The e-mail address or the password is wrong."), 401
        else:
            key = services.session_key(db.session(), user)
            _start_fresh_session(StaffPrincipal(user=user, nonce=key.nonce))
            return redirect(_safe_next(request.args.get("next")))
    elif form.is_submitted():
        status = 400
    return render_template("auth/login.html", form=form, error=error), status


@blueprint.post("/logga-ut")
def logout() -> Response:
    user = current_staff()
    if user is not None:
        services.log_out(db.session(), user)
    language = session.get("lang")
    logout_user()
    session.clear()
    if language:
        session["lang"] = language
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


@blueprint.route("/konto/losenord", methods=["GET", "POST"])
def password() -> Response | tuple[str, int] | str:
    user = current_staff()
    assert user is not None  # noqa: S101 (the role matrix lets only staff in)
    form = PasswordChangeForm()
    status = 200
    if form.validate_on_submit():
        try:
            key = services.change_password(
                db.session(), user, current=form.current.data, new=form.new.data, repeated=form.repeated.data
            )
        except ServiceError as error:
            show_service_error(form, error, ACCOUNT_MESSAGES)
            status = 400
        else:
            _start_fresh_session(StaffPrincipal(user=user, nonce=key.nonce))
            flash(_("Your password has been changed. Other sessions have been logged out."), "success")
            return redirect(url_for("dialogue.index"))
    elif form.is_submitted():
        status = 400
    return render_template("auth/password.html", form=form), status
