"""The anomaly view passes axe-core (WCAG 2.1 A/AA) in Swedish and English, on a desktop and a phone, reflows at
320 CSS pixels, and its exclusion form works without JavaScript (the preview counts, nothing is saved)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from sqlalchemy import select

from survey_app.models import ResponseExclusion
from survey_app.survey import exclusions, hourly
from survey_app.survey.questionnaires import instrument_of
from survey_app.survey.responses import SubmittedResponse, store_responses
from tests.browser.pages import PHONE, assert_accessible, assert_no_horizontal_scroll, browser_log_in, click_and_wait
from tests.factories import make_staff
from tests.web.insights.waves import NOW_SLUG, make_result_waves, survey_by_slug

pytestmark = pytest.mark.browser

DESKTOP = (1280, 900)
NARROW = (320, 640)


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_anomaly_view_is_accessible_and_works_without_javascript(live_server, fresh_browser, staff_db,
                                                                     tmp_path: Path, language: str) -> None:
    make_result_waves(staff_db, tmp_path, responses=60, earlier=False, cutpoints=False)
    survey = survey_by_slug(staff_db, NOW_SLUG)
    instrument = instrument_of(survey.questionnaire)
    day = dt.date.today() - dt.timedelta(days=1)
    answers = {"area": survey.areas[0].code, "gender": "woman", "birth_year": 1980, "unsafe_evening": "very_unsafe"}
    store_responses(staff_db, survey, instrument, [SubmittedResponse(answers, "sv", day)] * 12)
    for _ in range(25):
        hourly.count_send(staff_db, survey.id, dt.datetime.combine(day, dt.time(2), tzinfo=dt.UTC))
    hourly.count_send(staff_db, survey.id, dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC))
    analyst = make_staff(staff_db, "analyst", email="analys@kommun.se")
    exclusions.exclude(staff_db, survey, first_day=day, last_day=day, patterns=[], reason="prov", actor=analyst)
    staff_db.commit()
    browser_log_in(fresh_browser, live_server.url, "analys@kommun.se", language)
    url = f"{live_server.url}/analys/{NOW_SLUG}/avvikelser?dag={day.isoformat()}"
    fresh_browser.set_window_size(*DESKTOP)
    fresh_browser.get(url)
    assert_accessible(fresh_browser, f"{url} (desktop)")
    for size in (PHONE, NARROW):
        fresh_browser.set_window_size(*size)
        assert_accessible(fresh_browser, f"{url} at {size[0]} px")
        assert_no_horizontal_scroll(fresh_browser)
    fresh_browser.set_window_size(*DESKTOP)
    fresh_browser.find_element(By.ID, "pattern-1").click()
    fresh_browser.find_element(By.ID, "reason").send_keys("prov")
    click_and_wait(fresh_browser, "button[value=preview]")
    assert fresh_browser.find_elements(By.CSS_SELECTOR, "p.note[role=status]")  # the count, nothing saved
    assert_accessible(fresh_browser, "the preview")
    staff_db.expire_all()
    assert len(staff_db.scalars(select(ResponseExclusion)).all()) == 1  # the one made above, no other
