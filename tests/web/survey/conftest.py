"""Fixtures for the resident flow: an open wave of a shipped questionnaire, and a client that walks through it."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.instrument import default_directory
from survey_app.models import Area, Survey, SurveyStatus
from survey_app.survey.questionnaires import load_questionnaire
from survey_app.survey.waves import create_wave

ADULT = "trygghetsenkat-v1.yaml"
YOUTH = "trygghetsenkat-unga-v1.yaml"


@pytest.fixture
def make_wave(db_session: Session) -> Callable[..., Survey]:
    def make(
        file: str = ADULT, *, slug: str = "trygghet-2026", codes: bool = False, link: bool = True,
        languages: tuple[str, ...] = ("sv", "en"), status: SurveyStatus = SurveyStatus.OPEN,
        start: dt.date | None = None, end: dt.date | None = None,
    ) -> Survey:
        questionnaire, _ = load_questionnaire(db_session, default_directory() / file)
        areas = list(db_session.scalars(select(Area).order_by(Area.code)))
        if not areas:
            areas = [Area(code="norr", name="Norr"), Area(code="soder", name="Söder")]
            db_session.add_all(areas)
        today = dt.date.today()
        survey = create_wave(
            db_session, questionnaire=questionnaire, slug=slug, title="Trygghetsenkät 2026",
            period_start=start or today - dt.timedelta(days=1), period_end=end or today + dt.timedelta(days=30),
            areas=areas, languages=languages, open_link=link, invitation_codes=codes, status=status,
        )
        db_session.commit()
        return survey

    return make


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


@dataclass
class Resident:
    """Drives the flow through the test client like a browser without JavaScript would."""

    client: FlaskClient
    slug: str
    token: str = ""
    visited: list[str] = field(default_factory=list)

    def open_landing(self, language: str = "sv") -> str:
        response = self.client.get(f"/enkat/{self.slug}?lang={language}")
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        self.token = csrf_of(html)
        return html

    def start(self, language: str = "sv", code: str | None = None):  # noqa: ANN201
        self.open_landing(language)
        data = {"csrf_token": self.token, "language": language}
        if code is not None:
            data["code"] = code
        return self.client.post(f"/enkat/{self.slug}/borja", data=data)

    def post_page(self, path: str, answers: dict[str, object], action: str = "next"):  # noqa: ANN201
        return self.client.post(path, data={"csrf_token": self.token, "action": action, **answers})

    def fields_on(self, path: str) -> tuple[str, list[str]]:
        response = self.client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        html = response.get_data(as_text=True)
        return html, sorted(set(re.findall(r'name="(q_[a-z0-9_]+)"', html)))

    def complete(self, choose: Callable[[str, str, str], object], language: str = "sv") -> str:
        """Answer every page with `choose(field, page_html, path)` (None leaves it blank); returns the summary path."""
        response = self.start(language)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        path = response.location
        for _ in range(60):
            if "sammanfattning" in path:
                return path
            html, fields = self.fields_on(path)
            self.visited.append(path)
            answers = {}
            for name in fields:
                value = choose(name, html, path)
                if value is not None:
                    answers[name] = value
            response = self.post_page(path, answers)
            assert response.status_code == 302, (path, answers, response.get_data(as_text=True)[:2000])
            path = response.location
        raise AssertionError("the flow did not reach the summary")

    def send(self):  # noqa: ANN201
        return self.client.post(f"/enkat/{self.slug}/skicka", data={"csrf_token": self.token})


def first_option(name: str, html: str, path: str) -> object:
    """The first offered option of a choice field; a plausible value for text and number fields."""
    match = re.search(rf'name="{name}" value="([^"]+)"', html)  # radios and checkboxes put value right after name
    if match:
        return match.group(1)
    if name == "q_birth_year":
        return str(dt.date.today().year - 40)
    if name == "q_age":
        return "14"
    return None


@pytest.fixture
def resident(client: FlaskClient, app: Flask) -> Callable[[str], Resident]:
    def make(slug: str = "trygghet-2026") -> Resident:
        return Resident(client, slug)

    return make
