"""Survey services: what residents can answer now, and which of it is for someone of a given age."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey_app.models import Survey


def open_surveys(session: Session, on: dt.date) -> list[Survey]:
    """Waves that are open and whose period includes the given day, newest first."""
    return list(
        session.scalars(
            select(Survey)
            .where(Survey.is_answerable_on(on))
            .order_by(Survey.period_start.desc(), Survey.title)
        )
    )


def open_surveys_for_age(session: Session, on: dt.date, age: int, *, besides: Survey) -> list[Survey]:
    """Open waves, other than `besides`, whose questionnaire's audience includes `age`: where to point a resident
    who is too young or too old for the survey they started."""
    from survey_app.survey.questionnaires import instrument_of

    found = []
    for survey in open_surveys(session, on):
        instrument = instrument_of(survey.questionnaire)
        low, high = instrument.min_age or 0, instrument.max_age or 200
        if survey.id != besides.id and low <= age <= high:
            found.append(survey)
    return found
