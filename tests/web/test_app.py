"""The application factory, configuration layers, security headers, cookies and error pages."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask, abort

from survey_app import create_app
from survey_app.config import ConfigError
from survey_app.models import SurveyStatus
from tests.factories import make_survey


def test_production_without_secret_key_stops_startup(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("TRYGG_ENV", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        create_app()


def test_unknown_environment_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRYGG_ENV", "staging")
    with pytest.raises(ConfigError, match="TRYGG_ENV"):
        create_app()


def test_configuration_layers_defaults_then_environment_then_dict(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET_KEY", "from-the-environment-" + "e" * 12)
    monkeypatch.setenv("DATABASE_URL", "sqlite:////tmp/from-env.sqlite")
    monkeypatch.setenv("TRYGG_ORGANISATION_NAME", "Karlskoga kommun")
    monkeypatch.setenv("TRYGG_PUBLIC_URL", "https://trygg.karlskoga.se")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-the-environment-" + "e" * 12
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:////tmp/from-env.sqlite"
    assert app.config["ORGANISATION_NAME"] == "Karlskoga kommun"
    assert app.config["BABEL_DEFAULT_LOCALE"] == "sv"  # a default survives

    app = create_app({"ORGANISATION_NAME": "Testkommun", "SECRET_KEY": "from-the-dict-" + "d" * 19})
    assert app.config["ORGANISATION_NAME"] == "Testkommun"
    assert app.config["SECRET_KEY"] == "from-the-dict-" + "d" * 19


def test_production_session_cookie_is_secure_httponly_lax(monkeypatch: pytest.MonkeyPatch, app_factory) -> None:
    monkeypatch.setenv("SECRET_KEY", "x" * 64)
    monkeypatch.setenv("TRYGG_PUBLIC_URL", "https://trygg.kommun.se")
    monkeypatch.delenv("TRYGG_ENV", raising=False)
    app = app_factory(raw=True)
    response = app.test_client().get("/?lang=en")  # choosing a language writes the session
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_development_cookie_is_not_secure_so_the_local_demo_works(app_factory) -> None:
    app = app_factory({"TRYGG_ENV": "development"}, raw=True)
    cookie = app.test_client().get("/?lang=en").headers["Set-Cookie"]
    assert "Secure" not in cookie
    assert "HttpOnly" in cookie


def _assert_security_headers(headers: object) -> None:
    csp = headers["Content-Security-Policy"]  # type: ignore[index]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in csp
    assert directives["script-src"] == "'self'"
    assert headers["X-Content-Type-Options"] == "nosniff"  # type: ignore[index]
    assert headers["Referrer-Policy"] in {"no-referrer", "same-origin", "strict-origin-when-cross-origin"}  # type: ignore[index]


def test_start_page_lists_only_open_surveys_in_swedish(app: Flask, client, db_session) -> None:
    today = dt.date.today()
    make_survey(db_session, title="Trygghetsenkät Norr 2026")
    make_survey(db_session, title="Utkast som inte syns", status=SurveyStatus.DRAFT)
    make_survey(db_session, title="Stängd enkät", status=SurveyStatus.CLOSED)
    make_survey(
        db_session, title="Gammal period", start=today - dt.timedelta(days=90), end=today - dt.timedelta(days=60)
    )
    db_session.commit()

    response = client.get("/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="sv"' in page
    assert "Öppna enkäter" in page
    assert "Trygghetsenkät Norr 2026" in page
    for hidden in ("Utkast som inte syns", "Stängd enkät", "Gammal period"):
        assert hidden not in page
    _assert_security_headers(response.headers)


def test_start_page_without_open_surveys_says_so(client) -> None:
    page = client.get("/").get_data(as_text=True)
    assert "Det finns ingen öppen enkät just nu." in page


def test_language_choice_is_remembered(client) -> None:
    assert "Open surveys" in client.get("/?lang=en").get_data(as_text=True)
    assert "Open surveys" in client.get("/").get_data(as_text=True)
    assert "Öppna enkäter" in client.get("/?lang=sv").get_data(as_text=True)
    assert "Öppna enkäter" in client.get("/?lang=xx").get_data(as_text=True)  # unknown: stays as chosen before


def test_404_page_is_swedish_with_headers(client) -> None:
    response = client.get("/finns-inte")
    assert response.status_code == 404
    assert "Sidan finns inte" in response.get_data(as_text=True)
    _assert_security_headers(response.headers)


def test_405_is_a_page_not_a_stack_trace(client) -> None:
    response = client.delete("/")
    assert response.status_code == 405
    assert "Inte tillåtet" in response.get_data(as_text=True)


def test_403_and_500_pages_are_swedish(app_factory) -> None:
    app = app_factory({"TESTING": False, "PROPAGATE_EXCEPTIONS": False})

    @app.get("/test-forbidden")
    def forbidden() -> str:
        abort(403)

    @app.get("/test-crash")
    def crash() -> str:
        raise RuntimeError("secret internal detail")

    client = app.test_client()
    response = client.get("/test-forbidden")
    assert response.status_code == 403
    assert "Åtkomst nekad" in response.get_data(as_text=True)

    response = client.get("/test-crash")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Något gick fel" in page
    assert "secret internal detail" not in page
    assert "Traceback" not in page
    _assert_security_headers(response.headers)


def test_oversized_body_gets_413(app: Flask) -> None:
    @app.post("/test-upload")
    def upload() -> str:
        return "accepted"

    response = app.test_client().post("/test-upload", data={"x": "a" * (300 * 1024)})
    assert response.status_code == 413
    assert "För mycket data" in response.get_data(as_text=True)


def test_post_without_csrf_token_is_refused(app: Flask) -> None:
    @app.post("/test-form")
    def form() -> str:
        return "accepted"

    response = app.test_client().post("/test-form", data={"a": "b"})
    assert response.status_code == 400
    assert "Sidan har gått ut" in response.get_data(as_text=True)
