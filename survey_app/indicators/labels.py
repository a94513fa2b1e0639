"""Periods, values and directions as a person reads them, in the page's language."""

from __future__ import annotations

from babel.dates import format_date
from flask_babel import get_locale
from flask_babel import gettext as _

from survey_app.indicators.periods import Period, PeriodKind, parse_period
from survey_app.insights import formatting
from survey_app.models import Direction


def period_label(period: Period | str) -> str:
    """`T1 2026`, `2026`, `kv. 3 2026`, `mars 2026` (English: `T1 2026`, `2026`, `Q3 2026`, `March 2026`)."""
    if isinstance(period, str):
        period = parse_period(period)
    match period.kind:
        case PeriodKind.YEAR:
            return str(period.year)
        case PeriodKind.TERTIAL:
            return _("T%(number)d %(year)d", number=period.number, year=period.year)
        case PeriodKind.QUARTER:
            return _("Q%(number)d %(year)d", number=period.number, year=period.year)
        case _:
            return format_date(period.start, "LLLL y", locale=get_locale() or "sv")


def value_text(value: float) -> str:
    """A count as a whole number, anything else with at most two decimals, in the locale's way."""
    if float(value).is_integer():
        return formatting.integer(value)
    return formatting.decimal(value, 2).rstrip("0").rstrip(",.")


def direction_label(direction: str) -> str:
    return {
        Direction.HIGHER_IS_BETTER.value: _("higher is better"),
        Direction.HIGHER_IS_WORSE.value: _("higher is worse"),
    }.get(direction, _("neither"))
