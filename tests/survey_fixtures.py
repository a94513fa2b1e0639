"""Shared fixtures for tests that need an open survey wave of a shipped questionnaire (web and browser tests)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
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
            areas=areas, languages=languages, open_link=link, invitation_codes=codes, status=status, actor=None,
        )
        db_session.commit()
        return survey

    return make


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)
