"""The follow-up rhythm is a setting (TRYGG_FOLLOW_UP_PERIOD): tertials by default, quarters where a municipality
reports per quarter; the promise pages, the follow-up and the report then speak of that period and no other."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from survey_app import create_app
from survey_app.config import ConfigError
from survey_app.indicators.periods import PeriodKind, make_period, parse_period
from survey_app.promises.rhythm import compared_periods
from tests.factories import make_area, make_dialogue, make_staff
from tests.web.promises.test_promises import _row_cells

TODAY = dt.date.today()
QUARTER = make_period(PeriodKind.QUARTER, TODAY.year, (TODAY.month - 1) // 3 + 1)


def test_the_rhythm_must_be_tertial_or_quarter() -> None:
    with pytest.raises(ConfigError, match="TRYGG_FOLLOW_UP_PERIOD"):
        create_app({"TRYGG_ENV": "test", "SECRET_KEY": "x" * 40, "FOLLOW_UP_PERIOD": "month"})


def test_a_report_compares_the_period_the_two_before_and_the_same_one_a_year_earlier() -> None:
    assert [p.code for p in compared_periods(parse_period("2026-Q1"))] == ["2026-Q1", "2025-Q4", "2025-Q3", "2025-Q1"]
    assert [p.code for p in compared_periods(parse_period("2026-T1"))] == ["2026-T1", "2025-T3", "2025-T2", "2025-T1"]


def test_with_quarters_the_promises_are_followed_up_per_quarter(app, client, staff_db, demo) -> None:
    from tests.web.client import log_in

    app.config["FOLLOW_UP_PERIOD"] = "quarter"
    log_in(client, "agare@kommun.se")
    page = client.get(f"/loften/{demo[4]}").get_data(as_text=True)
    heads = re.findall(r'<th scope="col" class="num">([^<(]+)', page)
    assert [head.strip() for head in heads[:4]] == [f"kv. {p.number} {p.year}" for p in compared_periods(QUARTER)]
    assert client.get(f"/loften/{demo[4]}?tertial={QUARTER.code}").status_code == 200
    assert client.get(f"/loften/{demo[4]}?tertial={TODAY.year}-T1").status_code == 404
    assert client.get(f"/loften/rapport/{TODAY.year}-T1").status_code == 404
    make_dialogue(staff_db, make_staff(staff_db, "facilitator"), area=make_area(staff_db), held_on=TODAY,
                  format="safety_dialogue", observations=0)
    staff_db.commit()
    assert _row_cells(client.get(f"/loften/{demo[4]}").get_data(as_text=True),
                      "Antal genomförda trygghetsdialoger")[0] == "1"  # this quarter's count
    assert client.get(f"/loften/rapport/{QUARTER.code}").status_code == 200


@pytest.fixture
def demo(staff_db):
    from tests.web.promises.test_promises import demo as promises_demo

    return promises_demo.__wrapped__(staff_db)
