"""What a request is trusted for: forwarded headers from configured proxies only, the Host header never in printed
links and refused with a proper 400 when unusable; and the production settings that make those safe."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask, request

from survey_app import create_app
from survey_app.config import ConfigError
from tests.factories import make_staff
from tests.web.client import log_in

ROOT = Path(__file__).resolve().parents[2]
SPOOFED = {"X-Forwarded-For": "198.51.100.7, 203.0.113.9", "X-Forwarded-Proto": "https",
           "X-Forwarded-Host": "trygg.kommun.se"}
STRONG_KEY = "k" * 32


def _with_probe(app: Flask) -> Flask:
    app.add_url_rule("/probe", "probe", lambda: f"{request.scheme} {request.host} {request.remote_addr}")
    return app


def test_forwarded_headers_are_believed_from_exactly_the_configured_proxies(
    monkeypatch: pytest.MonkeyPatch, app_factory
) -> None:
    no_proxy = _with_probe(app_factory()).test_client()
    assert no_proxy.get("/probe", headers=SPOOFED).get_data(as_text=True) == "http localhost 127.0.0.1"

    monkeypatch.setenv("TRYGG_PROXY_HOPS", "1")
    one_proxy = _with_probe(app_factory()).test_client()
    # The proxy's own view wins; an X-Forwarded-For entry the client wrote itself (198.51.100.7) is not believed.
    assert one_proxy.get("/probe", headers=SPOOFED).get_data(as_text=True) == "https trygg.kommun.se 203.0.113.9"


@pytest.mark.parametrize("hops", ["two", -1, True])
def test_a_proxy_count_that_is_not_a_count_stops_startup(app_factory, hops: object) -> None:
    with pytest.raises(ConfigError, match="TRYGG_PROXY_HOPS"):
        app_factory({"PROXY_HOPS": hops})


def _assert_security_headers(response) -> None:
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("host", ["bad host", "exa<mple>.se", "trygg.kommun.se/evil", "trygg.kommun.se:44x3"])
@pytest.mark.parametrize("path", ["/", "/logga-in", "/admin/enkater", "/finns-inte"])
def test_an_unusable_host_header_gets_a_400_page_with_the_security_headers(client, host: str, path: str) -> None:
    response = client.get(path, environ_overrides={"HTTP_HOST": host})
    assert response.status_code == 400
    _assert_security_headers(response)
    assert "<h1>Något gick fel</h1>" in response.get_data(as_text=True)


def test_a_host_outside_trusted_hosts_gets_a_400_page_with_the_security_headers(app_factory) -> None:
    client = app_factory({"TRUSTED_HOSTS": ["trygg.kommun.se"]}).test_client()
    assert client.get("/", environ_overrides={"HTTP_HOST": "trygg.kommun.se"}).status_code == 200
    for path in ("/", "/logga-in", "/admin/enkater"):
        response = client.get(path, environ_overrides={"HTTP_HOST": "evil.example"})
        assert response.status_code == 400
        _assert_security_headers(response)
        page = response.get_data(as_text=True)
        assert "<h1>Något gick fel</h1>" in page
        assert 'href="/static/css/app.css"' in page  # the page still has its style, linked by path
        assert "evil.example" not in page


def test_printed_invitation_links_use_the_public_url_not_the_host_header(app_factory, staff_db, make_wave) -> None:
    client = app_factory({"PUBLIC_URL": "https://trygg.kommun.se/"}).test_client()
    make_staff(staff_db, "admin", email="boss@kommun.se")
    staff_db.commit()
    survey = make_wave(codes=True)
    client.environ_base["HTTP_HOST"] = "evil.example"  # every request, so the session cookie goes with them
    assert log_in(client, "boss@kommun.se").status_code == 302

    detail = client.get(f"/admin/enkater/{survey.id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', detail)
    assert token
    sheet = client.post(f"/admin/enkater/{survey.id}/koder", data={"csrf_token": token.group(1), "count": "2"})
    assert sheet.status_code == 200
    for page in (detail, sheet.get_data(as_text=True)):
        assert "https://trygg.kommun.se/enkat/trygghet-2026" in page
        assert "evil.example" not in page


def _production(monkeypatch: pytest.MonkeyPatch, **environment: str) -> None:
    monkeypatch.setenv("TRYGG_ENV", "production")
    for name in ("SECRET_KEY", "TRYGG_PUBLIC_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)


@pytest.mark.parametrize(("environment", "message"), [
    ({"SECRET_KEY": "x" * 31, "TRYGG_PUBLIC_URL": "https://trygg.kommun.se"}, "SECRET_KEY is too short"),
    ({"SECRET_KEY": STRONG_KEY}, "TRYGG_PUBLIC_URL is not set"),
    ({"SECRET_KEY": STRONG_KEY, "TRYGG_PUBLIC_URL": "http://trygg.kommun.se"}, "is not a plain https address"),
    ({"SECRET_KEY": STRONG_KEY, "TRYGG_PUBLIC_URL": "trygg.kommun.se"}, "is not a plain https address"),
    ({"SECRET_KEY": STRONG_KEY, "TRYGG_PUBLIC_URL": "https://trygg.kommun.se:x/"}, "is not a plain https address"),
])
def test_production_refuses_to_start_without_a_strong_key_and_a_public_url(
    monkeypatch: pytest.MonkeyPatch, environment: dict[str, str], message: str
) -> None:
    _production(monkeypatch, **environment)
    with pytest.raises(ConfigError, match=message):
        create_app()


def test_production_starts_with_a_32_character_key_and_an_https_public_url(monkeypatch: pytest.MonkeyPatch) -> None:
    _production(monkeypatch, SECRET_KEY=STRONG_KEY, TRYGG_PUBLIC_URL="https://trygg.kommun.se/")
    assert create_app().config["PUBLIC_URL"] == "https://trygg.kommun.se"


def test_the_command_line_says_what_is_missing_in_one_line() -> None:
    environment = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DATABASE_URL"}
                   and not k.startswith("TRYGG_")}
    for extra, message in (({"SECRET_KEY": "short"}, "SECRET_KEY is too short"),
                           ({"SECRET_KEY": STRONG_KEY}, "TRYGG_PUBLIC_URL is not set")):
        refused = subprocess.run([sys.executable, "-m", "survey_app.cli", "db", "upgrade"],
                                 env={**environment, **extra}, cwd=ROOT, capture_output=True, text=True, check=False)
        assert refused.returncode != 0
        assert message in refused.stderr
        assert len(refused.stderr.strip().splitlines()) == 1
        assert "Traceback" not in refused.stderr


def test_the_login_page_is_never_stored(client) -> None:
    assert client.get("/logga-in").headers["Cache-Control"] == "no-store"
