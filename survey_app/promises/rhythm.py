"""The follow-up rhythm of the promises: tertials by default (STANDARDS §5: T1 January–April, T2 May–August,
T3 September–December), or quarters, set by the deployment with TRYGG_FOLLOW_UP_PERIOD.

It is a configuration setting rather than a page an admin changes at will: follow-ups, activities and published
reports are stored under their period's code (2026-T2, 2026-Q3), so switching the rhythm in the middle of a year would
leave what was recorded under the other rhythm out of every new report. A municipality chooses it once, at set-up.
(Half-years would need a new period kind, which the indicator series' stored periods do not allow yet.)
"""

from __future__ import annotations

import datetime as dt

from flask import current_app, has_app_context

from survey_app.indicators.periods import Period, PeriodKind, parse_period, period_of

RHYTHMS = (PeriodKind.TERTIAL.value, PeriodKind.QUARTER.value)
DEFAULT = PeriodKind.TERTIAL.value


def follow_up_kind() -> PeriodKind:
    """The rhythm configured for this app (tertial outside an app, as in a script without one)."""
    if not has_app_context():
        return PeriodKind(DEFAULT)
    return PeriodKind(current_app.config.get("FOLLOW_UP_PERIOD") or DEFAULT)


def current_period(day: dt.date) -> Period:
    """The follow-up period a date falls in."""
    return period_of(follow_up_kind(), day)


def follow_up_period(code: str) -> Period | None:
    """The follow-up period a code names in the configured rhythm; None for anything else (another kind, nonsense)."""
    try:
        period = parse_period(code)
    except ValueError:
        return None
    return period if period.kind == follow_up_kind() else None


def compared_periods(period: Period) -> list[Period]:
    """A report's columns: the period, the two before it and the same period a year earlier (STANDARDS §5)."""
    found: list[Period] = []
    for each in (period, period.previous(1), period.previous(2), period.same_period_last_year()):
        if each not in found:
            found.append(each)
    return found
