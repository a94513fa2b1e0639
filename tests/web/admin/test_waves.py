"""Survey waves in the admin pages: create, open and close, and print invitation codes."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from analysis.instrument import default_directory
from survey_app.models import Area, AuditEvent, InvitationCode, Survey
from survey_app.survey.questionnaires import load_questionnaire
from survey_app.survey.waves import hash_code
from tests.factories import make_staff
from tests.web.client import log_in, token


@pytest.fixture
def admin_client(client, staff_db):
    make_staff(staff_db, "admin", email="boss@kommun.se")
    load_questionnaire(staff_db, default_directory() / "trygghetsenkat-v1.yaml")
    staff_db.add_all([Area(code="norr", name="Norr"), Area(code="soder", name="Söder")])
    staff_db.commit()
    log_in(client, "boss@kommun.se")
    return client


def _form(client, **changes: object) -> dict[str, object]:
    html = client.get("/admin/enkater/ny").get_data(as_text=True)
    questionnaire = re.search(r'name="questionnaire" type="radio" value="(\d+)"|name="questionnaire"[^>]*value="(\d+)"',
                              html)
    areas = re.findall(r'name="areas" type="checkbox" value="(\d+)"|name="areas"[^>]*value="(\d+)"', html)
    today = dt.date.today()
    form: dict[str, object] = {
        "csrf_token": token(client, "/admin/enkater/ny"),
        "questionnaire": next(g for g in questionnaire.groups() if g),
        "title": "Trygghetsenkät 2027", "slug": "trygghet-2027",
        "period_start": today.isoformat(), "period_end": (today + dt.timedelta(days=30)).isoformat(),
        "areas": [next(g for g in pair if g) for pair in areas], "languages": ["sv", "en"], "access": "both",
        "open_now": "y", "one_per_browser": "y", "starts_per_hour": "60",
    }
    form.update(changes)
    return {key: value for key, value in form.items() if value is not None}


def test_admin_creates_opens_and_closes_a_wave(admin_client, staff_db) -> None:
    response = admin_client.post("/admin/enkater/ny", data=_form(admin_client))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    survey = staff_db.scalars(select(Survey)).one()
    assert (survey.slug, survey.status) == ("trygghet-2027", "open")
    assert (survey.open_link, survey.invitation_codes) == (True, True)
    assert {a.code for a in survey.areas} == {"norr", "soder"}
    assert survey.languages == ["sv", "en"]
    staff_db.rollback()
    assert "Trygghetsenkät 2027" in admin_client.get("/").get_data(as_text=True)  # residents see it

    detail = admin_client.get(response.location).get_data(as_text=True)
    assert "http://localhost/enkat/trygghet-2027" in detail
    closed = admin_client.post(f"/admin/enkater/{survey.id}/status",
                               data={"csrf_token": token(admin_client, response.location), "action": "close"})
    assert closed.status_code == 302
    staff_db.expire_all()
    assert staff_db.get(Survey, survey.id).status == "closed"
    actions = [e.action for e in staff_db.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions[-2:] == ["survey.create", "survey.close"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"slug": "Med Mellanslag"}, "Adressen får innehålla små bokstäver"),
        ({"period_end": "2020-01-01"}, "Sista dagen kan inte vara före första dagen"),
        ({"areas": None}, "Välj minst ett område"),
        ({"languages": ["sv", "xx"]}, "Välj ett av alternativen"),
        ({"period_start": "igår"}, "Ange ett datum"),
        ({"questionnaire": "999999"}, "Välj ett av alternativen"),
        ({"title": "x" * 500}, "Texten är för lång"),
    ],
)
def test_bad_wave_input_is_refused_in_swedish(admin_client, staff_db, changes, message) -> None:
    response = admin_client.post("/admin/enkater/ny", data=_form(admin_client, **changes))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert staff_db.scalar(select(func.count()).select_from(Survey)) == 0


def test_invitation_codes_are_shown_once_and_stored_as_hashes(admin_client, staff_db) -> None:
    location = admin_client.post("/admin/enkater/ny", data=_form(admin_client, access="codes")).location
    survey_id = int(location.rsplit("/", 1)[1])
    sheet = admin_client.post(f"/admin/enkater/{survey_id}/koder",
                              data={"csrf_token": token(admin_client, location), "count": "25"})
    assert sheet.status_code == 200
    codes = re.findall(r'class="code-slip__code">([A-Z0-9-]+)<', sheet.get_data(as_text=True))
    assert len(codes) == len(set(codes)) == 25
    stored = set(staff_db.scalars(select(InvitationCode.code_hash)))
    with admin_client.application.app_context():
        assert stored == {hash_code(code) for code in codes}
    assert not any(code.replace("-", "") in hashed for code in codes for hashed in stored)
    audit = staff_db.scalars(select(AuditEvent).where(AuditEvent.action == "survey.codes")).one()
    assert audit.details == {"count": 25}

    too_many = admin_client.post(f"/admin/enkater/{survey_id}/koder",
                                 data={"csrf_token": token(admin_client, location), "count": "9999999"})
    assert too_many.status_code == 400


def test_only_admin_reaches_the_wave_pages(client, staff_db) -> None:
    make_staff(staff_db, "analyst", email="ana@kommun.se")
    staff_db.commit()
    assert client.get("/admin/enkater").status_code == 302  # anonymous: to the login page
    log_in(client, "ana@kommun.se")
    assert client.get("/admin/enkater").status_code == 403
    assert client.get("/admin/enkater/ny").status_code == 403


def test_admin_gives_the_wave_a_title_and_description_per_language(admin_client, staff_db) -> None:
    page = admin_client.get("/admin/enkater/ny").get_data(as_text=True)
    assert "Titel på engelska" in page
    assert "Beskrivning på arabiska" in page
    form = _form(admin_client, languages=["sv", "en", "ar"], title_en="Safety survey 2027", title_ar=" ",
                 title_fi="Turvallisuuskysely 2027", description_sv="För alla som bor i Norr och Söder.",
                 description_en="For everyone living in Norr and Söder.")
    response = admin_client.post("/admin/enkater/ny", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    survey = staff_db.scalars(select(Survey)).one()
    # Finnish is not among the wave's languages, and a blank Arabic title shows the Swedish one: neither is kept.
    assert survey.title_translations == {"en": "Safety survey 2027"}
    assert survey.descriptions == {"sv": "För alla som bor i Norr och Söder.",
                                   "en": "For everyone living in Norr and Söder."}
    english = admin_client.get("/enkat/trygghet-2027?lang=en").get_data(as_text=True)
    assert "<h1>Safety survey 2027</h1>" in english
    assert "For everyone living in Norr and Söder." in english


def test_a_too_long_translated_title_is_refused_with_a_message(admin_client, staff_db) -> None:
    response = admin_client.post("/admin/enkater/ny", data=_form(admin_client, title_en="x" * 201))
    assert response.status_code == 400
    assert staff_db.scalar(select(func.count()).select_from(Survey)) == 0
