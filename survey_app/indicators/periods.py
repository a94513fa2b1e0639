"""Reporting periods of indicator series: a year, a tertial, a quarter or a month.

Each period has one canonical code (`2025`, `2025-T1`, `2025-Q3`, `2025-03`) that is stored and that sorts with its
year; the parser also takes what people type and what Brå, the police and Excel write: `2025 T1`, `T1 2025`,
`tertial 1 2025`, `2025K3`, `2025 kv 3`, `2025M03`, `mars 2025`, `2025-03-01` (a month). Tertials follow STANDARDS §5:
T1 January–April, T2 May–August, T3 September–December. The promises are followed up per tertial by default; the
rhythm is a setting (survey_app/promises/rhythm.py): tertial or quarter.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum


class PeriodKind(StrEnum):
    YEAR = "year"
    TERTIAL = "tertial"
    QUARTER = "quarter"
    MONTH = "month"


# months a period of each kind spans
_SPAN = {PeriodKind.YEAR: 12, PeriodKind.TERTIAL: 4, PeriodKind.QUARTER: 3, PeriodKind.MONTH: 1}
_COUNT = {kind: 12 // span for kind, span in _SPAN.items()}

MONTH_NAMES = {
    **{name: number for number, name in enumerate(
        ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
         "november", "december"), start=1)},
    **{name: number for number, name in enumerate(
        ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
         "november", "december"), start=1)},
    **{name: number for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"), start=1)},
    "may": 5, "oct": 10,
}

_YEAR = r"(?P<year>(?:19|20)\d\d)"
_PATTERNS: tuple[tuple[PeriodKind, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        (PeriodKind.YEAR, rf"^{_YEAR}$"),
        (PeriodKind.TERTIAL, rf"^{_YEAR}\s*[-/ ]?\s*(?:t|tertial)\s*(?P<number>[1-3])$"),
        (PeriodKind.TERTIAL, rf"^(?:t|tertial)\s*(?P<number>[1-3])\s*[-/ ,]?\s*{_YEAR}$"),
        (PeriodKind.QUARTER, rf"^{_YEAR}\s*[-/ ]?\s*(?:q|k|kv|kvartal)\s*(?P<number>[1-4])$"),
        (PeriodKind.QUARTER, rf"^(?:q|k|kv|kvartal)\s*(?P<number>[1-4])\s*[-/ ,]?\s*{_YEAR}$"),
        (PeriodKind.MONTH, rf"^{_YEAR}\s*(?:-|/|m)\s*(?P<number>0?[1-9]|1[0-2])(?:-01)?$"),
    )
)
_NAMED_MONTH = re.compile(rf"^(?P<name>[a-zåäö]+)\.?\s+{_YEAR}$", re.IGNORECASE)


class PeriodError(ValueError):
    """Text that names no period."""


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """One reporting period; ordering is by start, then by length (a year before its first tertial)."""

    start: dt.date
    months: int
    kind: PeriodKind
    year: int
    number: int  # 1 for a year; the tertial, quarter or month otherwise

    @property
    def code(self) -> str:
        match self.kind:
            case PeriodKind.YEAR:
                return str(self.year)
            case PeriodKind.TERTIAL:
                return f"{self.year}-T{self.number}"
            case PeriodKind.QUARTER:
                return f"{self.year}-Q{self.number}"
            case _:
                return f"{self.year}-{self.number:02d}"

    @property
    def end(self) -> dt.date:
        """The last day of the period."""
        return _add_months(self.start, self.months) - dt.timedelta(days=1)

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def previous(self, steps: int = 1) -> Period:
        """The period of the same kind `steps` before this one (the same tertial a year earlier is `previous(3)`)."""
        count = _COUNT[self.kind]
        index = self.year * count + (self.number - 1) - steps
        return make_period(self.kind, index // count, index % count + 1)

    def same_period_last_year(self) -> Period:
        return make_period(self.kind, self.year - 1, self.number)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def make_period(kind: PeriodKind, year: int, number: int = 1) -> Period:
    if not 1 <= number <= _COUNT[kind]:
        raise PeriodError(f"{kind} {number}")
    start = dt.date(year, 1 + (number - 1) * _SPAN[kind], 1)
    return Period(start=start, months=_SPAN[kind], kind=kind, year=year, number=number)


def parse_period(text: object) -> Period:
    """The period `text` names; `PeriodError` when it names none (or an Excel date that is not a month's first day)."""
    if isinstance(text, dt.datetime):
        text = text.date()
    if isinstance(text, dt.date):
        if text.day != 1:
            raise PeriodError(str(text))
        return make_period(PeriodKind.MONTH, text.year, text.month)
    if isinstance(text, int) and not isinstance(text, bool):
        text = str(text)
    if isinstance(text, float) and text.is_integer():
        text = str(int(text))
    if not isinstance(text, str):
        raise PeriodError(repr(text))
    cleaned = " ".join(text.strip().split())
    for kind, pattern in _PATTERNS:
        found = pattern.match(cleaned)
        if found:
            number = int(found.groupdict().get("number") or 1)
            return make_period(kind, int(found["year"]), number)
    named = _NAMED_MONTH.match(cleaned)
    if named and named["name"].lower() in MONTH_NAMES:
        return make_period(PeriodKind.MONTH, int(named["year"]), MONTH_NAMES[named["name"].lower()])
    raise PeriodError(cleaned)


def period_of(kind: PeriodKind, day: dt.date) -> Period:
    """The period of `kind` a date falls in (each date falls in exactly one)."""
    return make_period(kind, day.year, (day.month - 1) // _SPAN[kind] + 1)


def tertial_of(day: dt.date) -> Period:
    """The tertial a date falls in (each date falls in exactly one)."""
    return period_of(PeriodKind.TERTIAL, day)
