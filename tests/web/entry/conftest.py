"""Fixtures for staff data entry: an open wave with invitation codes and a logged-in staff member."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from survey_app.survey.waves import generate_invitation_codes
from tests.factories import make_staff
from tests.web.client import csrf_of, log_in

# A short adult questionnaire as a respondent ticks it on paper: area, gender, birth year and the first questions.
PAPER = {"q_area": "norr", "q_gender": "woman", "q_birth_year": "1970", "q_unsafe_evening": "fairly_unsafe",
         "q_avoid_going_out": "yes_sometimes"}


@dataclass
class Entry:
    """A staff member at the entry form, like a browser without JavaScript."""

    client: FlaskClient
    survey_id: int

    def path(self, channel: str = "paper") -> str:
        return f"/registrering/{self.survey_id}?kanal={channel}"

    def open(self, channel: str = "paper") -> str:
        response = self.client.get(self.path(channel))
        assert response.status_code == 200, response.status_code
        return response.get_data(as_text=True)

    def fields(self, channel: str = "paper") -> dict[str, str]:
        """The hidden fields of a freshly opened form (CSRF token and the entry's token)."""
        html = self.open(channel)
        found = re.search(r'name="entry" value="([^"]+)"', html)
        assert found
        return {"csrf_token": csrf_of(html), "entry": found.group(1)}

    def send(self, answers: dict[str, object], *, code: str | None = None, channel: str = "paper",
             hidden: dict[str, str] | None = None) -> TestResponse:
        data: dict[str, object] = {**(hidden or self.fields(channel)), "kanal": channel, "sprak": "sv", **answers}
        if code is not None:
            data["code"] = code
        return self.client.post(f"/registrering/{self.survey_id}", data=data)


@pytest.fixture
def coded_wave(app: Flask, make_wave, staff_db: Session) -> tuple[int, list[str]]:
    survey = make_wave(codes=True, link=False)
    with app.app_context():
        codes = generate_invitation_codes(staff_db, survey, 4, actor=None)
    staff_db.commit()
    return survey.id, codes


@pytest.fixture
def entry(client: FlaskClient, staff_db: Session, coded_wave) -> Entry:
    make_staff(staff_db, "facilitator", email="falt@kommun.se")
    staff_db.commit()
    assert log_in(client, "falt@kommun.se").status_code == 302
    return Entry(client, coded_wave[0])
