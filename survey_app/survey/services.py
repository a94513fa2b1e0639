"""Survey services: what residents can answer now."""

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
