"""What a browser without JavaScript does with the test client: read CSRF tokens, log in, fill in forms."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.factories import PASSWORD


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def token(client: FlaskClient, path: str) -> str:
    """The CSRF token of the form on the page at `path`."""
    return csrf_of(client.get(path).get_data(as_text=True))


def log_in(client: FlaskClient, email: str, password: str = PASSWORD, *, follow: bool = False) -> TestResponse:
    return client.post("/logga-in", data={"csrf_token": token(client, "/logga-in"), "email": email,
                                          "password": password}, follow_redirects=follow)


def walk_form(csrf: str, area: int, **overrides: object) -> dict[str, object]:
    """A complete safety-walk form as a facilitator sends it; `overrides` change or add fields."""
    data: dict[str, object] = {
        "csrf_token": csrf, "format": "safety_walk", "held_on": "2026-10-08", "area_id": str(area),
        "place": "Samling vid biblioteket", "time_of_day": "dark", "pre_meeting_on": "2026-09-24",
        "follow_up_on": "2026-10-29", "walk_groups": "1", "partners": ["police", "housing_company"],
        "participation_level": "2", "languages": "svenska", "tally_woman_25_44": "6", "tally_man_45_64": "4",
        "tally_woman_12_15": "2", "tally_other_unknown_unknown": "1",
        "notes": "Ring Kalle på 070-123 45 67 om belysningen.",
    }
    data.update(overrides)
    return data


def behind_proxy(app: Flask, address: str) -> FlaskClient:
    """A browser whose requests reach the app through the one trusted proxy, which names `address` as the client."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "127.0.0.1"
    client.environ_base["HTTP_X_FORWARDED_FOR"] = address
    return client


def becomes_known(client: FlaskClient, email: str) -> None:
    """Log in and out again: the browser keeps the known-device cookie, as it would after a day's work."""
    assert log_in(client, email).status_code == 302
    assert client.post("/logga-ut", data={"csrf_token": token(client, "/dialoger/")}).status_code == 302
