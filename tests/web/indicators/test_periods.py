"""Periods of indicator series: what people type and what Brå and Excel write, and tertials per STANDARDS §5."""

from __future__ import annotations

import datetime as dt

import pytest

from survey_app.indicators.periods import PeriodError, PeriodKind, make_period, parse_period, tertial_of


@pytest.mark.parametrize(
    ("text", "code", "start", "end"),
    [
        ("2025", "2025", dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
        (2025, "2025", dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
        (2025.0, "2025", dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
        ("2026-T1", "2026-T1", dt.date(2026, 1, 1), dt.date(2026, 4, 30)),
        ("2026 t2", "2026-T2", dt.date(2026, 5, 1), dt.date(2026, 8, 31)),
        ("T3 2026", "2026-T3", dt.date(2026, 9, 1), dt.date(2026, 12, 31)),
        ("Tertial 3 2026", "2026-T3", dt.date(2026, 9, 1), dt.date(2026, 12, 31)),
        ("2025-Q3", "2025-Q3", dt.date(2025, 7, 1), dt.date(2025, 9, 30)),
        ("2025K4", "2025-Q4", dt.date(2025, 10, 1), dt.date(2025, 12, 31)),
        ("kv 1 2025", "2025-Q1", dt.date(2025, 1, 1), dt.date(2025, 3, 31)),
        ("2024-02", "2024-02", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        ("2024M12", "2024-12", dt.date(2024, 12, 1), dt.date(2024, 12, 31)),
        ("mars 2025", "2025-03", dt.date(2025, 3, 1), dt.date(2025, 3, 31)),
        ("Maj 2025", "2025-05", dt.date(2025, 5, 1), dt.date(2025, 5, 31)),
        (dt.datetime(2025, 6, 1), "2025-06", dt.date(2025, 6, 1), dt.date(2025, 6, 30)),
    ],
)
def test_periods_are_read_as_people_write_them(text: object, code: str, start: dt.date, end: dt.date) -> None:
    period = parse_period(text)
    assert (period.code, period.start, period.end) == (code, start, end)
    assert parse_period(period.code) == period  # the stored code reads back as itself


@pytest.mark.parametrize("text", ["", "2025-T4", "2025-Q5", "2025-13", "T1", "tretton", "20251", None, True,
                                  dt.date(2025, 6, 15), "smaj 2025", "1899"])
def test_what_names_no_period_is_refused(text: object) -> None:
    with pytest.raises(PeriodError):
        parse_period(text)


def test_every_day_falls_in_exactly_one_tertial_of_four_months() -> None:
    day = dt.date(2025, 1, 1)
    tertials = [make_period(PeriodKind.TERTIAL, 2025, number) for number in (1, 2, 3)]
    while day.year == 2025:
        assert [tertial.contains(day) for tertial in tertials].count(True) == 1
        assert tertial_of(day).contains(day)
        day += dt.timedelta(days=1)
    assert [(t.start.month, t.end.month) for t in tertials] == [(1, 4), (5, 8), (9, 12)]


def test_the_tertials_before_and_the_same_tertial_a_year_earlier() -> None:
    t1 = parse_period("2026-T1")
    assert [t1.previous(1).code, t1.previous(2).code, t1.previous(3).code] == ["2025-T3", "2025-T2", "2025-T1"]
    assert t1.same_period_last_year().code == "2025-T1"
    assert parse_period("2026-01").previous().code == "2025-12"
    assert parse_period("2026-Q1").previous(5).code == "2024-Q4"
    assert sorted([parse_period("2025-T2"), parse_period("2025"), parse_period("2024-12")])[0].code == "2024-12"
