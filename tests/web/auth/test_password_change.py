"""Review finding F6: the password form (/konto/losenord) was an unthrottled, unaudited oracle for the current
password, to anyone who found a session open. Wrong current passwords are now limited per account, every attempt is
audited, and too many end every session of the account."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from survey_app.auth.passwords import verify_password
from survey_app.models import AuditEvent, StaffUser
from tests.factories import PASSWORD, make_staff
from tests.web.client import log_in, token

NEW = "Blåbärssoppa-Trappräcke-73-vinterdäck"
WRONG_CURRENT = "Det nuvarande lösenordet är fel."
SLOWED = "Det nuvarande lösenordet har angetts fel för många gånger. Vänta 15 minuter och försök igen."


def _change(client, current: str, new: str = NEW, repeated: str | None = None):
    return client.post("/konto/losenord", data={"csrf_token": token(client, "/konto/losenord"), "current": current,
                                                "new": new, "repeated": new if repeated is None else repeated})


def _password_actions(session) -> list[str]:
    actions = list(session.scalars(select(AuditEvent.action).where(
        AuditEvent.action.like("staff_user.password%") | (AuditEvent.action == "auth.logout_forced")
    ).order_by(AuditEvent.id)))
    session.rollback()
    return actions


def _password_is(session, password: str, email: str = "an@kommun.se") -> bool:
    result = verify_password(session.scalars(select(StaffUser.password_hash).where(StaffUser.email == email)).one(),
                             password)
    session.rollback()
    return result


def test_wrong_current_passwords_are_slowed_audited_and_finally_end_every_session(
    app: Flask, staff_db, clock
) -> None:
    make_staff(staff_db, "analyst", email="an@kommun.se")
    staff_db.commit()
    someone, phone = app.test_client(), app.test_client()
    log_in(someone, "an@kommun.se")
    log_in(phone, "an@kommun.se")
    for guess in range(5):
        response = _change(someone, f"gissning-{guess}")
        assert response.status_code == 400
        assert WRONG_CURRENT in response.get_data(as_text=True)
    response = _change(someone, PASSWORD)  # the right one, but no longer checked
    assert response.status_code == 429
    assert SLOWED in response.get_data(as_text=True)
    assert _password_is(staff_db, PASSWORD)
    for _ in range(3):
        assert _change(someone, PASSWORD).status_code == 429

    response = _change(someone, PASSWORD)  # the tenth attempt in 15 minutes
    assert response.status_code == 302
    assert response.headers["Location"] == "/logga-in"
    page = someone.get("/logga-in").get_data(as_text=True)
    assert "Du har loggats ut eftersom det nuvarande lösenordet angavs fel för många gånger." in page
    assert someone.get("/dialoger/").status_code == 302
    assert phone.get("/dialoger/").status_code == 302  # a copied cookie ends too
    assert _password_actions(staff_db) == (["staff_user.password_change_wrong_current"] * 5
                                           + ["staff_user.password_change_throttled"] * 4 + ["auth.logout_forced"])

    clock.advance(seconds=1)
    log_in(phone, "an@kommun.se")  # the owner, who knows the password, starts afresh
    assert _change(phone, PASSWORD).status_code == 302
    assert _password_is(staff_db, NEW)


def test_the_limit_is_per_account_and_passes_after_15_minutes(app: Flask, staff_db, clock) -> None:
    make_staff(staff_db, "analyst", email="an@kommun.se")
    make_staff(staff_db, "analyst", email="other@kommun.se")
    staff_db.commit()
    client, other = app.test_client(), app.test_client()
    log_in(client, "an@kommun.se")
    log_in(other, "other@kommun.se")
    for guess in range(5):
        _change(client, f"gissning-{guess}")
    assert _change(client, PASSWORD).status_code == 429
    assert _change(other, PASSWORD).status_code == 302  # another account is not affected

    clock.advance(minutes=15, seconds=1)
    for _ in range(3):
        clock.advance(minutes=10)
        client.get("/dialoger/")  # stay active, or the idle timeout logs the session out first
    assert _password_is(staff_db, PASSWORD)
    assert _change(client, PASSWORD).status_code == 302
    assert _password_is(staff_db, NEW)


def test_every_refused_and_successful_change_is_audited(client, staff_db) -> None:
    make_staff(staff_db, "facilitator", email="fa@kommun.se")
    staff_db.commit()
    log_in(client, "fa@kommun.se")
    assert _change(client, PASSWORD, repeated="något annat").status_code == 400
    assert _change(client, PASSWORD, new="kort").status_code == 400
    assert _change(client, PASSWORD).status_code == 302
    assert _password_actions(staff_db) == ["staff_user.password_change_refused"] * 2 + ["staff_user.password_change"]
    reasons = staff_db.scalars(select(AuditEvent.details).where(
        AuditEvent.action == "staff_user.password_change_refused").order_by(AuditEvent.id)).all()
    assert [details["reason"] for details in reasons] == ["password_mismatch", "password_too_short"]
    staff_db.rollback()
