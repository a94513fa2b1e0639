"""Sends counted per wave and clock hour, for the analysts' anomaly view (`survey_app/insights/anomalies.py`).

A response keeps only the day it was sent, and reaches the responses table among others in random order (the
holding pool, `holding.py`): nothing stored with it can say when within the day it came. A burst of ballot stuffing
happens within hours, though, so sends are also counted per hour, and only counted: `wave_hourly_sends` holds a
number per (wave, hour), no response, draft, code or device. The count is made after the sending transaction has
committed, in the transaction that releases the holding pool (`extensions._release_held`), so it shares no
transaction id with the draft it came from. If that transaction fails, a send goes uncounted: the response itself
is safe, and the figures are for spotting bursts, not for the analysis.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from survey_app.models import Survey, WaveHourlySends


def hour_of(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)


def count_send(session: Session, survey_id: int, now: dt.datetime) -> None:
    """Add one send to the wave's count for this hour (one upsert)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(WaveHourlySends).values(survey_id=survey_id, hour=hour_of(now), sends=1)
    session.execute(statement.on_conflict_do_update(
        index_elements=["survey_id", "hour"], set_={"sends": WaveHourlySends.sends + 1}))


def hourly_sends(session: Session, survey: Survey) -> list[tuple[dt.datetime, int]]:
    """(hour start in UTC, sends) for every hour with a send, in time order."""
    rows = session.execute(select(WaveHourlySends.hour, WaveHourlySends.sends)
                           .where(WaveHourlySends.survey_id == survey.id).order_by(WaveHourlySends.hour)).all()
    return [(hour if hour.tzinfo else hour.replace(tzinfo=dt.UTC), sends) for hour, sends in rows]
