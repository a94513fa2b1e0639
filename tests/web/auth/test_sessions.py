"""Review finding F9: staff sessions lasted 31 days with no idle timeout. Now a staff session ends after
TRYGG_STAFF_IDLE_MINUTES without a request (default 30) and TRYGG_STAFF_SESSION_HOURS after the login (default 10),
and the login page says why and leads back to the page asked for. The clock is moved, nobody sleeps."""

from __future__ import annotations

import pytest
from flask import Flask

from survey_app.config import ConfigError
from tests.factories import PASSWORD, make_staff
from tests.web.client import log_in, token

IDLE = "Du har loggats ut efter 30 minuter utan aktivitet. Logga in igen."
TOO_OLD = "Du har loggats ut eftersom du loggade in för mer än 10 timmar sedan. Logga in igen."


def test_an_idle_session_ends_and_the_login_leads_back_to_the_page(client, staff_db, clock) -> None:
    make_staff(staff_db, "facilitator", email="fa@kommun.se")
    staff_db.commit()
    log_in(client, "fa@kommun.se")
    for _ in range(3):
        clock.advance(minutes=29)
        assert client.get("/dialoger/").status_code == 200  # each request starts the idle time again

    clock.advance(minutes=30)
    response = client.get("/dialoger/iakttagelser?omrade=1")
    assert response.status_code == 302
    assert response.headers["Location"] == "/logga-in?next=/dialoger/iakttagelser?omrade%3D1"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert IDLE in page
    assert "Logga in för att se sidan." not in page  # one message, the one that says why
    assert client.get("/dialoger/").status_code == 302

    again = client.post(response.headers["Location"], data={
        "csrf_token": token(client, "/logga-in"), "email": "fa@kommun.se", "password": PASSWORD})
    assert again.headers["Location"] == "/dialoger/iakttagelser?omrade=1"
    assert client.get("/dialoger/").status_code == 200


def test_a_busy_session_still_ends_after_its_lifetime(client, staff_db, clock) -> None:
    make_staff(staff_db, "analyst", email="an@kommun.se")
    staff_db.commit()
    log_in(client, "an@kommun.se")
    for _ in range(39):  # a request every quarter of an hour, 9 h 45 min
        clock.advance(minutes=15)
        assert client.get("/dialoger/").status_code == 200
    clock.advance(minutes=15)
    response = client.get("/dialoger/")
    assert response.headers["Location"] == "/logga-in?next=/dialoger/"
    assert TOO_OLD in client.get("/logga-in").get_data(as_text=True)


def test_a_form_posted_after_the_timeout_is_not_accepted(client, staff_db, clock) -> None:
    make_staff(staff_db, "facilitator", email="fa@kommun.se")
    staff_db.commit()
    log_in(client, "fa@kommun.se")
    csrf = token(client, "/dialoger/")
    clock.advance(minutes=31)
    response = client.post("/logga-ut", data={"csrf_token": csrf})
    assert response.status_code == 302
    assert IDLE in client.get("/logga-in").get_data(as_text=True)


def test_a_session_from_before_the_timeouts_existed_ends(client, staff_db) -> None:
    make_staff(staff_db, "facilitator", email="fa@kommun.se")
    staff_db.commit()
    log_in(client, "fa@kommun.se")
    with client.session_transaction() as session:
        session.pop("staff_started")
    assert client.get("/dialoger/").status_code == 302


def test_the_timeouts_are_settings(monkeypatch: pytest.MonkeyPatch, app: Flask, app_factory, staff_db, clock) -> None:
    make_staff(staff_db, "facilitator", email="fa@kommun.se")
    staff_db.commit()
    monkeypatch.setenv("TRYGG_STAFF_IDLE_MINUTES", "5")
    monkeypatch.setenv("TRYGG_STAFF_SESSION_HOURS", "1")
    client = app_factory().test_client()
    log_in(client, "fa@kommun.se")
    clock.advance(minutes=4)
    assert client.get("/dialoger/").status_code == 200
    clock.advance(minutes=5)
    assert client.get("/dialoger/").status_code == 302
    assert "efter 5 minuter utan aktivitet" in client.get("/logga-in").get_data(as_text=True)

    for setting in ("STAFF_IDLE_MINUTES", "STAFF_SESSION_HOURS", "KNOWN_DEVICE_DAYS"):
        for value in (0, "soon", True):
            with pytest.raises(ConfigError, match=f"TRYGG_{setting}"):
                app_factory({setting: value})
