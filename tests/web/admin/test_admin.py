"""Administration: only admin manages users, areas and focus areas; every change to staff is audited."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from survey_app.models import Area, AuditEvent, FocusArea, StaffUser
from tests.factories import PASSWORD, make_area, make_focus_areas, make_staff
from tests.web.client import log_in, token


@pytest.fixture
def admin_client(client, staff_db):
    make_staff(staff_db, "admin", email="boss@kommun.se")
    staff_db.commit()
    log_in(client, "boss@kommun.se")
    return client


def _audit(session) -> list[tuple[str, str | None, object]]:
    rows = [(e.action, e.target_id, e.details) for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    session.rollback()
    return [row for row in rows if not row[0].startswith("auth.")]


def test_admin_creates_a_user_who_can_then_log_in(app, admin_client, staff_db) -> None:
    csrf = token(admin_client, "/admin/anvandare/ny")
    response = admin_client.post("/admin/anvandare/ny", data={
        "csrf_token": csrf, "email": "Ny@Kommun.se", "role": "facilitator", "password": PASSWORD,
        "repeated": PASSWORD})
    assert response.status_code == 302
    user = staff_db.scalars(select(StaffUser).where(StaffUser.email == "ny@kommun.se")).one()
    assert user.role == "facilitator"
    assert user.password_hash.startswith("$argon2id$")
    staff_db.rollback()
    assert _audit(staff_db) == [("staff_user.create", str(user.id), {"role": "facilitator"})]
    newcomer = app.test_client()
    assert log_in(newcomer, "ny@kommun.se").status_code == 302
    assert "ny@kommun.se" in admin_client.get("/admin/anvandare").get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "inte-en-adress"}, "giltig e-postadress"),
        ({"email": "boss@kommun.se"}, "Det finns redan"),
        ({"password": "kort", "repeated": "kort"}, "minst 12 tecken"),
        ({"repeated": "något annat helt och hållet"}, "inte likadana"),
        ({"role": "superuser"}, "Välj ett av alternativen."),
        ({"email": "a" * 300 + "@kommun.se"}, "för lång"),
    ],
)
def test_bad_user_input_is_refused_in_swedish(admin_client, staff_db, data: dict[str, str], message: str) -> None:
    form = {"csrf_token": token(admin_client, "/admin/anvandare/ny"), "email": "ny@kommun.se", "role": "analyst",
            "password": PASSWORD, "repeated": PASSWORD, **data}
    response = admin_client.post("/admin/anvandare/ny", data=form)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert staff_db.scalar(select(StaffUser.id).where(StaffUser.email == "ny@kommun.se")) is None
    staff_db.rollback()


def test_role_change_and_deactivation_are_audited_and_log_the_user_out(app, admin_client, staff_db) -> None:
    analyst = make_staff(staff_db, "analyst", email="an@kommun.se")
    analyst_id = analyst.id
    staff_db.commit()
    analyst_client = app.test_client()
    log_in(analyst_client, "an@kommun.se")
    assert analyst_client.get("/dialoger/ny").status_code == 403

    path = f"/admin/anvandare/{analyst_id}"
    csrf = token(admin_client, path)
    assert admin_client.post(path, data={"csrf_token": csrf, "role": "facilitator", "active": "y"}).status_code == 302
    assert analyst_client.get("/dialoger/ny").status_code == 200  # the new role applies at the next request
    assert admin_client.post(path, data={"csrf_token": csrf, "role": "facilitator"}).status_code == 302
    assert analyst_client.get("/dialoger/").status_code == 302  # deactivated: logged out at once
    assert log_in(app.test_client(), "an@kommun.se").status_code == 401
    assert _audit(staff_db) == [
        ("staff_user.role_change", str(analyst_id), {"from": "analyst", "to": "facilitator"}),
        ("staff_user.deactivate", str(analyst_id), None),
    ]


def test_the_last_admin_cannot_be_demoted_or_deactivate_themself(admin_client, staff_db) -> None:
    boss_id = staff_db.scalar(select(StaffUser.id))
    staff_db.rollback()
    path = f"/admin/anvandare/{boss_id}"
    csrf = token(admin_client, path)
    response = admin_client.post(path, data={"csrf_token": csrf, "role": "analyst", "active": "y"})
    assert response.status_code == 400
    assert "minst en aktiv administratör" in response.get_data(as_text=True)
    make_staff(staff_db, "admin", email="boss2@kommun.se")
    staff_db.commit()
    response = admin_client.post(path, data={"csrf_token": csrf, "role": "admin"})
    assert response.status_code == 400
    assert "Du kan inte avaktivera ditt eget konto." in response.get_data(as_text=True)
    assert staff_db.scalar(select(StaffUser.role).where(StaffUser.id == boss_id)) == "admin"
    staff_db.rollback()


def test_areas_and_focus_areas_are_created_edited_and_codes_stay_unique(admin_client, staff_db) -> None:
    make_area(staff_db, "Norrby")
    focus = make_focus_areas(staff_db)
    andt_id = next(f.id for f in focus if f.code == "andt")
    staff_db.commit()
    csrf = token(admin_client, "/admin/omraden/ny")
    response = admin_client.post("/admin/omraden/ny", data={"csrf_token": csrf, "code": "strand", "name": "Stranden"})
    assert response.status_code == 302
    response = admin_client.post("/admin/omraden/ny", data={"csrf_token": csrf, "code": "strand", "name": "Igen"})
    assert response.status_code == 400
    assert "Koden används redan." in response.get_data(as_text=True)
    response = admin_client.post("/admin/omraden/ny", data={"csrf_token": csrf, "code": "Stor Bokstav", "name": "X"})
    assert response.status_code == 400
    assert "Använd bara små bokstäver" in response.get_data(as_text=True)

    page = admin_client.get("/admin/fokusomraden").get_data(as_text=True)
    assert len(re.findall(r'href="/admin/fokusomraden/\d+"', page)) == 7
    path = f"/admin/fokusomraden/{andt_id}"
    response = admin_client.post(path, data={"csrf_token": csrf, "code": "andt", "name": "ANDT", "position": "3"})
    assert response.status_code == 302
    andt = staff_db.get(FocusArea, andt_id, populate_existing=True)
    assert (andt.name, andt.active, andt.position) == ("ANDT", False, 3)
    assert staff_db.scalars(select(Area.name).order_by(Area.name)).all() == ["Norrby", "Stranden"]
    staff_db.rollback()
    actions = [action for action, _, _ in _audit(staff_db)]
    assert actions == ["area.create", "focus_area.update"]


def test_unknown_and_absurd_ids_are_404(admin_client) -> None:
    for path in ("/admin/anvandare/999", "/admin/omraden/99999999999999999999", "/admin/fokusomraden/0"):
        assert admin_client.get(path).status_code == 404


def test_admin_resets_a_forgotten_password(app, admin_client, staff_db) -> None:
    analyst = make_staff(staff_db, "analyst", email="an@kommun.se")
    analyst_id = analyst.id
    staff_db.commit()
    analyst_client = app.test_client()
    log_in(analyst_client, "an@kommun.se")
    path = f"/admin/anvandare/{analyst_id}"
    csrf = token(admin_client, path)
    new = "Hallonbåt-Vägskylt-58-tekanna"
    base = {"csrf_token": csrf, "role": "analyst", "active": "y"}
    response = admin_client.post(path, data={**base, "password": new, "repeated": new + "x"})
    assert response.status_code == 400
    assert "inte likadana" in response.get_data(as_text=True)
    response = admin_client.post(path, data={**base, "password": "kort", "repeated": "kort"})
    assert "minst 12 tecken" in response.get_data(as_text=True)
    assert admin_client.post(path, data={**base, "password": new, "repeated": new}).status_code == 302
    assert analyst_client.get("/dialoger/").status_code == 302  # logged out everywhere
    assert log_in(app.test_client(), "an@kommun.se", new).status_code == 302
    assert _audit(staff_db) == [("staff_user.password_reset", str(analyst_id), None)]
