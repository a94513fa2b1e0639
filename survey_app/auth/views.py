"""Staff login, logout and password change."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import login_user
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.wrappers import Response

from survey_app.auth import services, throttling
from survey_app.auth.access import StaffPrincipal, current_staff, end_staff_session, stamp_staff_session
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
    end_staff_session()
    login_user(principal)
    stamp_staff_session()


# --- the known-device cookie: random tokens, one per account that logged in from this browser --------------------

DEVICE_COOKIE = "trygg_device"


def _device_cookie() -> URLSafeSerializer:
    # Signed, so a cookie the app did not write is ignored before any database lookup.
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="trygg.known-device")


def _device_lifetime() -> dt.timedelta:
    return dt.timedelta(days=current_app.config["KNOWN_DEVICE_DAYS"])


def _device_tokens() -> list[str]:
    try:
        tokens = _device_cookie().loads(request.cookies.get(DEVICE_COOKIE, ""))
    except BadSignature:
        return []
    if not isinstance(tokens, list):
        return []
    return [token for token in tokens if isinstance(token, str)][: throttling.MAX_DEVICE_TOKENS]


def _remember_device(response: Response, tokens: list[str], new_token: str | None) -> Response:
    """Set the cookie again on every login, so a browser stays known for KNOWN_DEVICE_DAYS after its last use."""
    tokens = ([new_token] if new_token else []) + tokens
    response.set_cookie(
        DEVICE_COOKIE, _device_cookie().dumps(tokens[: throttling.MAX_DEVICE_TOKENS]),
        max_age=int(_device_lifetime().total_seconds()), secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True, samesite="Lax",
    )
    return response


def _wait_text(seconds: int) -> str:
    if seconds <= 90:
        return ngettext("%(num)s second", "%(num)s seconds", seconds)
    return ngettext("%(num)s minute", "%(num)s minutes", -(-seconds // 60))


def _throttled_message(refusal: services.LoginThrottled) -> str:
    message = _("Too many failed logins. Wait %(wait)s and try again.", wait=_wait_text(refusal.wait_seconds))
    if refusal.known_device:
        return message
    # i18n: shown to everyone slowed down, the owner on a new computer included, while someone guesses the password
    return message + " " + _("On a computer or phone where you have logged in before, the right password lets you in "
                             "at once.")


@blueprint.route("/logga-in", methods=["GET", "POST"])
def login() -> Response | tuple[str, int, dict[str, str]]:
    if current_staff() is not None:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    status = 200
    error = None
    headers = {}
    if form.validate_on_submit():
        tokens = _device_tokens()
        try:
            login = services.authenticate(
                db.session(), email=form.email.data, password=form.password.data, client=request.remote_addr or "-",
                device_tokens=tokens, device_lifetime=_device_lifetime(),
            )
        except services.LoginThrottled as refusal:
            keep_changes()  # the audit event
            error, status = _throttled_message(refusal), 429
            headers["Retry-After"] = str(refusal.wait_seconds)
        except ServiceError:
            keep_changes()  # the failure and its audit event count towards throttling
            error, status = _("The e-mail address or the password is wrong."), 401
        else:
            key = services.session_key(db.session(), login.user)
            _start_fresh_session(StaffPrincipal(user=login.user, nonce=key.nonce))
            return _remember_device(redirect(_safe_next(request.args.get("next"))), tokens, login.new_device_token)
    elif form.is_submitted():
        status = 400
    return render_template("auth/login.html", form=form, error=error), status, headers


@blueprint.post("/logga-ut")
def logout() -> Response:
    user = current_staff()
    if user is not None:
        services.log_out(db.session(), user)
    end_staff_session()
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
            keep_changes()  # the attempt and its audit event count towards the form's throttle
            if error.reason == "password_change_logged_out":
                end_staff_session()
                flash(str(ACCOUNT_MESSAGES[error.reason]), "error")
                return redirect(url_for("auth.login"))
            show_service_error(form, error, ACCOUNT_MESSAGES)
            status = 429 if error.reason == "password_change_throttled" else 400
        else:
            _start_fresh_session(StaffPrincipal(user=user, nonce=key.nonce))
            flash(_("Your password has been changed. Other sessions have been logged out."), "success")
            return redirect(url_for("dialogue.index"))
    elif form.is_submitted():
        status = 400
    return render_template("auth/password.html", form=form), status
