"""Staff login: Argon2id, a fresh session on login, logout and password change that kill old cookies,
throttling kept in the database, and an audit event for each."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from sqlalchemy import select

from survey_app.auth.passwords import verify_password
from survey_app.db import utcnow
from survey_app.models import AuditEvent, LoginFailure, StaffUser
from tests.factories import PASSWORD, make_staff
from tests.web.client import log_in, token


def _actions(session) -> list[str]:
    actions = list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    session.rollback()
    return actions


def test_login_page_is_swedish_and_has_labelled_fields(client) -> None:
    page = client.get("/logga-in").get_data(as_text=True)
    assert "Inloggning för personal" in page
    label = '<label class="field__label" for="email">E-postadress <span class="field__required">(obligatoriskt)</span>'
    assert label in page
    assert 'autocomplete="current-password"' in page


def test_login_succeeds_rotates_the_session_and_is_audited(client, staff_db) -> None:
    make_staff(staff_db, "facilitator", email="fa@kommun.se")
    staff_db.commit()
    client.get("/?lang=en")
    with client.session_transaction() as before:
        before["planted"] = "by an attacker before login"
    response = log_in(client, "  FA@Kommun.se ")
    assert response.status_code == 302
    assert response.headers["Location"] == "/dialoger/"
    with client.session_transaction() as after:
        assert "planted" not in after  # the session was cleared on login, not reused
        assert after["lang"] == "en"  # the chosen language survives
        assert after["_user_id"].startswith(f"{staff_db.scalar(select(StaffUser.id))}:")
    staff_db.rollback()
    assert client.get("/dialoger/").status_code == 200
    assert _actions(staff_db) == ["auth.login"]


def test_wrong_password_and_unknown_user_fail_alike_and_are_audited(client, staff_db) -> None:
    make_staff(staff_db, "analyst", email="an@kommun.se")
    staff_db.commit()
    wrong = log_in(client, "an@kommun.se", "fel-lösenord-här")
    unknown = log_in(client, "ingen@kommun.se", PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    message = "E-postadressen eller lösenordet är fel."
    assert message in wrong.get_data(as_text=True)
    assert message in unknown.get_data(as_text=True)
    assert client.get("/dialoger/").status_code == 302
    assert _actions(staff_db) == ["auth.login_failed", "auth.login_failed"]


def test_deactivated_user_cannot_log_in(client, staff_db) -> None:
    make_staff(staff_db, "analyst", email="gone@kommun.se", active=False)
    staff_db.commit()
    assert log_in(client, "gone@kommun.se").status_code == 401


def test_five_failures_throttle_the_account_even_with_the_right_password(app: Flask, staff_db) -> None:
    make_staff(staff_db, "admin", email="ad@kommun.se")
    staff_db.commit()
    client = app.test_client()
    for _ in range(5):
        assert log_in(client, "ad@kommun.se", "gissning-nummer-x").status_code == 401
    response = log_in(client, "ad@kommun.se")  # right password, but throttled
    assert response.status_code == 429
    assert "För många misslyckade inloggningar" in response.get_data(as_text=True)
    # Kept in the database, not in process memory: a second app server sees the same throttle.
    other_server = app.test_client()
    assert log_in(other_server, "ad@kommun.se").status_code == 429
    assert _actions(staff_db)[-2:] == ["auth.login_throttled", "auth.login_throttled"]


def test_the_wait_passes_and_a_success_clears_no_failures(client, staff_db) -> None:
    make_staff(staff_db, "admin", email="old@kommun.se")
    a_while_ago = utcnow() - dt.timedelta(minutes=16)  # ten failures make the next attempt wait 8 minutes
    staff_db.add_all([LoginFailure(email="old@kommun.se", client="127.0.0.1", at=a_while_ago) for _ in range(10)])
    staff_db.commit()
    assert log_in(client, "old@kommun.se").status_code == 302
    # The owner's login must not give a guesser elsewhere new free attempts; the failures age out instead.
    assert len(staff_db.scalars(select(LoginFailure)).all()) == 10
    staff_db.rollback()


def test_logout_invalidates_the_old_cookie(app: Flask, client, staff_db) -> None:
    make_staff(staff_db, "facilitator", email="fa@kommun.se")
    staff_db.commit()
    log_in(client, "fa@kommun.se")
    with client.session_transaction() as stolen:
        stolen_session = dict(stolen)
    response = client.post("/logga-ut", data={"csrf_token": token(client, "/dialoger/")})
    assert response.status_code == 302
    assert response.headers["Location"] == "/logga-in"
    assert client.get("/dialoger/").status_code == 302

    replay = app.test_client()
    with replay.session_transaction() as session:
        session.update(stolen_session)
    assert replay.get("/dialoger/").status_code == 302  # a copy of the old cookie no longer works
    assert _actions(staff_db) == ["auth.login", "auth.logout"]


def test_logout_needs_post_and_a_csrf_token(client, staff_db) -> None:
    make_staff(staff_db, "facilitator", email="fa@kommun.se")
    staff_db.commit()
    log_in(client, "fa@kommun.se")
    assert client.get("/logga-ut").status_code == 405
    assert client.post("/logga-ut").status_code == 400
    assert client.get("/dialoger/").status_code == 200


def test_password_change_checks_and_logs_out_other_sessions(app: Flask, staff_db) -> None:
    make_staff(staff_db, "analyst", email="an@kommun.se")
    staff_db.commit()
    laptop, phone = app.test_client(), app.test_client()
    log_in(laptop, "an@kommun.se")
    log_in(phone, "an@kommun.se")
    new = "Blåbärssoppa-Trappräcke-73-vinterdäck"

    csrf = token(laptop, "/konto/losenord")
    response = laptop.post("/konto/losenord", data={"csrf_token": csrf, "current": "fel", "new": new,
                                                    "repeated": new})
    assert response.status_code == 400
    assert "Det nuvarande lösenordet är fel." in response.get_data(as_text=True)
    response = laptop.post("/konto/losenord", data={"csrf_token": csrf, "current": PASSWORD, "new": "kort",
                                                    "repeated": "kort"})
    assert "minst 12 tecken" in response.get_data(as_text=True)
    assert 'aria-describedby="new-hint new-error"' in response.get_data(as_text=True)

    response = laptop.post("/konto/losenord", data={"csrf_token": csrf, "current": PASSWORD, "new": new,
                                                    "repeated": new})
    assert response.status_code == 302
    assert laptop.get("/dialoger/").status_code == 200  # this session continues, with a new key
    assert phone.get("/dialoger/").status_code == 302  # the other one is logged out
    user = staff_db.scalars(select(StaffUser)).one()
    assert user.password_hash.startswith("$argon2id$")
    assert verify_password(user.password_hash, new)
    staff_db.rollback()
    assert "staff_user.password_change" in _actions(staff_db)


def test_next_parameter_never_leaves_the_site(client, staff_db) -> None:
    make_staff(staff_db, "analyst", email="an@kommun.se")
    staff_db.commit()
    csrf = token(client, "/logga-in")
    for target, expected in [("//evil.example/x", "/dialoger/"), ("https://evil.example", "/dialoger/"),
                             ("/%09/evil.example", "/dialoger/"), ("/%0a/evil.example", "/dialoger/"),
                             ("/%5C%5Cevil.example", "/dialoger/"), ("/x//evil.example", "/dialoger/"),
                             ("/dialoger/iakttagelser", "/dialoger/iakttagelser")]:
        response = client.post(f"/logga-in?next={target}", data={"csrf_token": csrf, "email": "an@kommun.se",
                                                                  "password": PASSWORD})
        assert response.headers["Location"] == expected, target
        already_in = client.get(f"/logga-in?next={target}")  # a logged-in user follows the same link
        assert already_in.headers["Location"] == expected, target
        client.post("/logga-ut", data={"csrf_token": token(client, "/dialoger/")})
        csrf = token(client, "/logga-in")


def test_bad_login_input_is_a_4xx_never_a_500(client) -> None:
    csrf = token(client, "/logga-in")
    for data in ({"email": "x" * 5000, "password": "y"}, {"email": "", "password": ""}, {"email": ["a", "b"]}):
        response = client.post("/logga-in", data={"csrf_token": csrf, **data})
        assert 400 <= response.status_code < 500
    response = client.post("/logga-in", data={"csrf_token": csrf, "email": "", "password": ""})
    assert "Fältet måste fyllas i." in response.get_data(as_text=True)


def test_failures_older_than_the_window_are_pruned(client, staff_db) -> None:
    make_staff(staff_db, "admin", email="ad@kommun.se")
    long_ago = utcnow() - dt.timedelta(hours=2)
    staff_db.add_all([LoginFailure(email=f"x{n}@kommun.se", client="10.0.0.9", at=long_ago) for n in range(30)])
    staff_db.commit()
    assert log_in(client, "nobody@kommun.se", "fel").status_code == 401
    assert staff_db.scalars(select(LoginFailure.email)).all() == ["nobody@kommun.se"]
    staff_db.rollback()
    assert log_in(client, "ad@kommun.se").status_code == 302


def test_text_typed_into_the_login_email_field_is_not_logged_unless_it_is_an_address(client, staff_db) -> None:
    csrf = token(client, "/logga-in")
    client.post("/logga-in", data={"csrf_token": csrf, "email": "Sommar2026!hemligt", "password": "x"})
    client.post("/logga-in", data={"csrf_token": csrf, "email": "ingen@kommun.se", "password": "x"})
    labels = [e.actor_label for e in staff_db.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert "sommar2026!hemligt" not in labels
    assert "ingen@kommun.se" in labels
