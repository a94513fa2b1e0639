"""Importing indicator values: check every row, plan the change, and store all of it or nothing.

`plan_import` reads nothing but the rows and the database and writes nothing: the dry run is the plan shown. A
plan with any problem cannot be applied, so a bad file stores nothing. `apply_plan` adds new values, keeps what a
corrected value said before as a revision, leaves equal values untouched (re-importing a file changes nothing) and
writes one audit event.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass, field, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey_app import audit
from survey_app.db import utcnow
from survey_app.indicators.periods import Period, PeriodError, parse_period
from survey_app.indicators.reading import Table
from survey_app.models import Area, Direction, Indicator, IndicatorValue, IndicatorValueRevision, StaffUser

WHOLE_MUNICIPALITY = ("", "hela kommunen", "kommunen", "kommun", "totalt", "alla", "municipality", "whole municipality",
                      "total", "all")
DIRECTIONS = {
    "higher_better": Direction.HIGHER_IS_BETTER, "högre är bättre": Direction.HIGHER_IS_BETTER,
    "higher_worse": Direction.HIGHER_IS_WORSE, "högre är sämre": Direction.HIGHER_IS_WORSE,
    "lägre är bättre": Direction.HIGHER_IS_WORSE, "neutral": Direction.NEUTRAL, "": Direction.NEUTRAL,
}
LARGEST_VALUE = 1e12
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a row cannot be stored: `reason` is a code (messages.py words it), `column` the header as written."""

    row: int
    column: str
    reason: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Change:
    row: int
    indicator: str
    area: str  # the area's name, or "" for the whole municipality
    area_code: str
    subseries: str
    period: Period
    value: float
    source: str
    old_value: float | None = None  # None for a new value
    old_source: str | None = None


@dataclass(slots=True)
class ImportPlan:
    problems: list[Problem] = field(default_factory=list)
    new_indicators: dict[str, dict[str, str]] = field(default_factory=dict)  # code -> name, unit, direction
    additions: list[Change] = field(default_factory=list)
    corrections: list[Change] = field(default_factory=list)
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def changes(self) -> int:
        return len(self.additions) + len(self.corrections) + len(self.new_indicators)


def parse_number(cell: object) -> float | None:
    """A number as Swedish Excel, English Excel or a script writes it (`1 234,5`, `1234.5`), or None."""
    if isinstance(cell, bool):
        return None
    if isinstance(cell, int | float):
        number = float(cell)
    elif isinstance(cell, str):
        text = "".join(cell.split()).replace("\u2212", "-")  # spaces (incl. no-break) as thousands separators
        if "," in text and "." in text:  # 1.234,5 or 1,234.5: the last mark is the decimal one
            decimal = "," if text.rfind(",") > text.rfind(".") else "."
            text = text.replace("." if decimal == "," else ",", "")
        if not _NUMBER.match(text):
            return None
        number = float(text.replace(",", "."))
    else:
        return None
    if not math.isfinite(number) or abs(number) > LARGEST_VALUE:
        return None
    return number


def _text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return " ".join(str(cell).split())


def _area_index(session: Session) -> dict[str, Area]:
    index: dict[str, Area] = {}
    for area in session.scalars(select(Area)):
        index[area.name.casefold()] = area
        index[area.code.casefold()] = area  # a code wins over another area's equal name
    return index


@dataclass(frozen=True, slots=True)
class _Row:
    number: int
    code: str
    area: Area | None
    subseries: str
    period: Period
    value: float
    source: str


class _RowChecker:
    """Checks one row after another against the database's indicators and areas and the rows before it."""

    def __init__(self, session: Session, table: Table, plan: ImportPlan) -> None:
        self.header = table.headers
        self.plan = plan
        self.indicators = {indicator.code: indicator for indicator in session.scalars(select(Indicator))}
        self.areas = _area_index(session)
        self.seen: dict[tuple[str, str, str, str], int] = {}

    def problem(self, number: int, key: str, reason: str, detail: str = "") -> None:
        self.plan.problems.append(Problem(row=number, column=self.header.get(key, key), reason=reason, detail=detail))

    def check(self, number: int, cells: dict[str, object]) -> _Row | None:
        before = len(self.plan.problems)
        code = self._indicator(number, cells)
        area_text = _text(cells.get("area"))
        area: Area | None = None
        if area_text.casefold() not in WHOLE_MUNICIPALITY:
            area = self.areas.get(area_text.casefold())
            if area is None:
                self.problem(number, "area", "unknown_area", area_text)
        period: Period | None = None
        raw_period = cells.get("period")
        try:
            period = parse_period(_text(raw_period) if isinstance(raw_period, str) else raw_period)
        except PeriodError:
            self.problem(number, "period", "bad_period", _text(raw_period))
        value = parse_number(cells.get("value"))
        if value is None:
            self.problem(number, "value", "bad_number", _text(cells.get("value")))
        if len(self.plan.problems) > before or period is None or value is None:
            return None
        subseries = _text(cells.get("subseries"))[:100]
        key = (code, area.code if area else "", subseries.casefold(), period.code)
        if key in self.seen:
            self.problem(number, "period", "duplicate_key", str(self.seen[key]))
            return None
        self.seen[key] = number
        return _Row(number, code, area, subseries, period, value, _text(cells.get("source"))[:200])

    def _indicator(self, number: int, cells: dict[str, object]) -> str:
        code = _text(cells.get("indicator"))
        name = _text(cells.get("name"))
        if not code:
            self.problem(number, "indicator", "missing")
        elif len(code) > 64:
            self.problem(number, "indicator", "too_long", code[:64])
        elif code not in self.indicators and code not in self.plan.new_indicators:
            direction = _text(cells.get("direction")).casefold()
            if not name:
                self.problem(number, "indicator", "unknown_indicator", code)
            elif direction not in DIRECTIONS:
                self.problem(number, "direction", "unknown_direction", direction)
            else:
                self.plan.new_indicators[code] = {
                    "name": name[:200], "unit": _text(cells.get("unit"))[:64] or "antal",
                    "direction": DIRECTIONS[direction].value,
                }
        return code


def plan_import(session: Session, table: Table) -> ImportPlan:
    plan = ImportPlan()
    checker = _RowChecker(session, table, plan)
    planned = [row for row in (checker.check(number, cells) for number, cells in table.rows) if row is not None]
    if plan.problems:
        return plan
    _compare_with_stored(session, plan, planned, checker.indicators)
    return plan


def _compare_with_stored(
    session: Session,
    plan: ImportPlan,
    planned: list[_Row],
    indicators: dict[str, Indicator],
) -> None:
    stored: dict[tuple[int, int, str, str], IndicatorValue] = {}
    ids = [indicators[code].id for code in {row.code for row in planned} if code in indicators]
    if ids:
        for value_row in session.scalars(select(IndicatorValue).where(IndicatorValue.indicator_id.in_(ids))):
            key = (value_row.indicator_id, value_row.area_key, value_row.subseries.casefold(), value_row.period)
            stored[key] = value_row
    for row in planned:
        indicator = indicators.get(row.code)
        existing = None
        if indicator is not None:
            existing = stored.get((indicator.id, row.area.id if row.area else 0, row.subseries.casefold(),
                                   row.period.code))
        change = Change(row=row.number, indicator=row.code, area=row.area.name if row.area else "",
                        area_code=row.area.code if row.area else "", subseries=row.subseries, period=row.period,
                        value=row.value, source=row.source)
        if existing is None:
            plan.additions.append(change)
        elif existing.value != row.value or (row.source and existing.source != row.source):
            plan.corrections.append(replace(change, old_value=existing.value, old_source=existing.source))
        else:
            plan.unchanged += 1


def apply_plan(
    session: Session, plan: ImportPlan, *, actor: StaffUser | None, actor_label: str, filename: str, data: bytes,
) -> None:
    """Store a plan without problems, in the caller's transaction (the boundary commits once)."""
    if not plan.ok:
        raise ValueError("a plan with problems is never applied")
    indicators = {indicator.code: indicator for indicator in session.scalars(select(Indicator))}
    for code, fields in plan.new_indicators.items():
        indicators[code] = Indicator(code=code, name=fields["name"], unit=fields["unit"],
                                     direction=fields["direction"])
        session.add(indicators[code])
    session.flush()
    areas = {area.code: area for area in session.scalars(select(Area))}
    for change in [*plan.additions, *plan.corrections]:
        store_value(session, indicators[change.indicator], areas.get(change.area_code), change.subseries,
                    change.period, change.value, change.source, recorded_by=actor_label)
    audit.record(session, actor=actor, actor_label=actor_label, action="indicators.import", details={
        "file": filename[:200], "sha256": hashlib.sha256(data).hexdigest(), "new_indicators": len(plan.new_indicators),
        "added": len(plan.additions), "corrected": len(plan.corrections), "unchanged": plan.unchanged,
    })


def store_value(
    session: Session, indicator: Indicator, area: Area | None, subseries: str, period: Period, value: float,
    source: str, *, recorded_by: str,
) -> IndicatorValue | None:
    """Add or correct one value (None when it already says this); a correction keeps the old one as a revision."""
    query = select(IndicatorValue).where(
        IndicatorValue.indicator_id == indicator.id,
        IndicatorValue.area_key == (area.id if area else 0),
        IndicatorValue.period == period.code,
    )
    existing = next((row for row in session.scalars(query) if row.subseries.casefold() == subseries.casefold()),
                    None)
    if existing is None:
        row = IndicatorValue(indicator=indicator, area=area, area_key=area.id if area else 0, subseries=subseries,
                             period=period.code, period_kind=period.kind.value, period_start=period.start,
                             value=value, source=source or indicator.source, recorded_by=recorded_by)
        session.add(row)
        return row
    if existing.value == value and (not source or existing.source == source):
        return None
    now = utcnow()
    existing.revisions.append(IndicatorValueRevision(
        value=existing.value, source=existing.source, recorded_at=existing.recorded_at,
        recorded_by=existing.recorded_by, replaced_at=now, replaced_by=recorded_by))
    existing.value = value
    existing.source = source or existing.source
    existing.recorded_at = now
    existing.recorded_by = recorded_by
    return existing
