"""Indicators as staff read and change them: the list, one series with its history, a new indicator, one value."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from survey_app import audit
from survey_app.errors import ServiceError
from survey_app.indicators.importing import store_value
from survey_app.indicators.periods import Period
from survey_app.models import Area, Indicator, IndicatorValue, StaffUser


@dataclass(frozen=True, slots=True)
class Summary:
    indicator: Indicator
    values: int
    latest: str | None  # the latest period with a value


def indicator_summaries(session: Session) -> list[Summary]:
    counts: dict[int, int] = dict(session.execute(
        select(IndicatorValue.indicator_id, func.count()).group_by(IndicatorValue.indicator_id)).tuples().all())
    latest: dict[int, dt.date] = dict(session.execute(
        select(IndicatorValue.indicator_id, func.max(IndicatorValue.period_start)).group_by(
            IndicatorValue.indicator_id)).tuples().all())
    latest_codes: dict[int, str] = {}
    for indicator_id, start in latest.items():
        code = session.scalar(select(IndicatorValue.period).where(
            IndicatorValue.indicator_id == indicator_id, IndicatorValue.period_start == start
        ).order_by(IndicatorValue.period.desc()).limit(1))
        if code:
            latest_codes[indicator_id] = code
    return [
        Summary(indicator=indicator, values=counts.get(indicator.id, 0), latest=latest_codes.get(indicator.id))
        for indicator in session.scalars(select(Indicator).order_by(Indicator.name))
    ]


def indicator_by_code(session: Session, code: str) -> Indicator | None:
    return session.scalar(select(Indicator).where(Indicator.code == code))


def series_values(session: Session, indicator: Indicator) -> list[IndicatorValue]:
    """Every value of the series, newest period first, the municipality before the areas, with their history."""
    rows = session.scalars(
        select(IndicatorValue).where(IndicatorValue.indicator_id == indicator.id)
        .options(selectinload(IndicatorValue.revisions), selectinload(IndicatorValue.area))
    ).all()
    return sorted(rows, key=lambda row: (-row.period_start.toordinal(), row.period, row.area_key != 0,
                                         row.area.name if row.area else "", row.subseries))


def create_indicator(session: Session, *, actor: StaffUser, **fields: str) -> Indicator:
    if indicator_by_code(session, fields["code"]) is not None:
        raise ServiceError("code_taken", "code")
    indicator = Indicator(**fields)
    session.add(indicator)
    session.flush()
    audit.record(session, actor=actor, action="indicators.create", target_type="indicator", target_id=indicator.id,
                 details={"code": indicator.code})
    return indicator


def update_indicator(session: Session, indicator: Indicator, *, actor: StaffUser, **fields: str) -> None:
    changed = {name: value for name, value in fields.items() if getattr(indicator, name) != value}
    for name, value in changed.items():
        setattr(indicator, name, value)
    if changed:
        audit.record(session, actor=actor, action="indicators.update", target_type="indicator",
                     target_id=indicator.id, details={"fields": sorted(changed)})


def record_value(
    session: Session, indicator: Indicator, *, area: Area | None, period: Period, subseries: str, value: float,
    source: str, actor: StaffUser,
) -> bool:
    """Enter or correct one value; False when the series already says exactly this (nothing is written)."""
    stored = store_value(session, indicator, area, subseries, period, value, source, recorded_by=actor.email)
    if stored is None:
        return False
    session.flush()
    audit.record(session, actor=actor, action="indicators.value", target_type="indicator", target_id=indicator.id,
                 details={"area": area.code if area else "", "period": period.code, "subseries": subseries,
                          "value": value, "corrected": bool(stored.revisions)})
    return True
