"""Small builders for domain objects in tests; they flush, the test decides whether to commit."""

from __future__ import annotations

import datetime as dt
import itertools

from sqlalchemy.orm import Session

from survey_app.models import Area, Questionnaire, Survey, SurveyStatus

_sequence = itertools.count(1)


def make_area(session: Session, *, code: str | None = None, name: str | None = None) -> Area:
    number = next(_sequence)
    area = Area(code=code or f"omr{number}", name=name or f"Område {number}")
    session.add(area)
    session.flush()
    return area


def make_questionnaire(session: Session, *, slug: str = "test", version: str | None = None) -> Questionnaire:
    questionnaire = Questionnaire(
        slug=slug, version=version or f"v{next(_sequence)}", content_hash="0" * 64, source="{}"
    )
    session.add(questionnaire)
    session.flush()
    return questionnaire


def make_survey(
    session: Session,
    *,
    title: str = "Trygghetsenkät",
    status: SurveyStatus = SurveyStatus.OPEN,
    start: dt.date | None = None,
    end: dt.date | None = None,
    areas: list[Area] | None = None,
    questionnaire: Questionnaire | None = None,
) -> Survey:
    today = dt.date.today()
    survey = Survey(
        slug=f"enkat-{next(_sequence)}",
        questionnaire=questionnaire or make_questionnaire(session),
        title=title,
        period_start=start or today - dt.timedelta(days=7),
        period_end=end or today + dt.timedelta(days=30),
        status=status.value,
        areas=areas or [],
    )
    session.add(survey)
    session.flush()
    return survey
