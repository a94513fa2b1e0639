"""F4: the open link takes one answer per browser (a cookie, said on the landing page) and a bounded number of starts
an hour from one network address, counted across app servers; invitation codes are not affected."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from survey_app.models import Response, Survey
from survey_app.survey.waves import generate_invitation_codes
from tests.web.survey.resident import Resident, first_option

SLUG = "trygghet-2026"


def _answer_everything(resident: Resident) -> None:
    summary = resident.complete(first_option)
    assert "sammanfattning" in summary
    assert resident.send().status_code == 302


def test_a_browser_that_has_answered_cannot_start_again_on_the_open_link(app: Flask, make_wave, db_session) -> None:
    make_wave()
    resident = Resident(app.test_client(), SLUG)
    landing = resident.open_landing()
    assert "Enkäten kan besvaras en gång från varje webbläsare" in landing
    _answer_everything(resident)
    cookie = resident.client.get_cookie("trygg_besvarad")
    assert cookie is not None
    assert cookie.http_only
    again = resident.client.get(f"/enkat/{SLUG}").get_data(as_text=True)
    assert "Ett svar på enkäten har redan skickats från den här webbläsaren" in again
    assert 'action="/enkat/trygghet-2026/borja"' not in again  # no start button to press
    refused = resident.client.post(f"/enkat/{SLUG}/borja", data={"csrf_token": resident.token, "language": "sv"})
    assert refused.status_code == 409
    assert db_session.scalar(select(func.count()).select_from(Response)) == 1
    # another browser is a new resident
    assert Resident(app.test_client(), SLUG).start().status_code == 302


def test_an_invitation_code_still_works_from_a_browser_that_has_answered(app: Flask, make_wave, db_session) -> None:
    survey = make_wave(codes=True, link=True)
    with app.app_context():
        codes = generate_invitation_codes(db_session, survey, 1, actor=None)
    db_session.commit()
    resident = Resident(app.test_client(), SLUG)
    _answer_everything(resident)
    assert "kan du ändå svara med koden" in resident.open_landing()
    assert resident.start(code=codes[0]).status_code == 302


def test_the_setting_can_be_switched_off(app: Flask, make_wave, db_session) -> None:
    survey = make_wave()
    db_session.get(Survey, survey.id).one_per_browser = False
    db_session.commit()
    resident = Resident(app.test_client(), SLUG)
    assert "en gång från varje webbläsare" not in resident.open_landing()
    _answer_everything(resident)
    assert resident.start().status_code == 302


def test_starts_from_one_address_are_limited_per_hour(app: Flask, make_wave, db_session) -> None:
    survey = make_wave()
    db_session.get(Survey, survey.id).starts_per_hour = 3
    db_session.commit()
    statuses = []
    for _ in range(4):
        client = app.test_client()  # a script that drops its cookies every time
        client.environ_base["REMOTE_ADDR"] = "198.51.100.7"
        statuses.append(Resident(client, SLUG).start().status_code)
    assert statuses == [302, 302, 302, 429]
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "198.51.100.8"
    assert Resident(other, SLUG).start().status_code == 302
