"""The promise pages pass axe-core in Swedish and English on a phone: the list, a promise over the tertials, its
follow-up form with errors, the tertialrapport live and published."""

from __future__ import annotations

import datetime as dt

import pytest
from selenium.webdriver.common.by import By
from sqlalchemy import select

from survey_app.indicators.demo import load_demo_indicators
from survey_app.indicators.periods import tertial_of
from survey_app.models import Promise
from survey_app.promises.demo import load_demo_promises
from tests.browser.pages import (
    browser_log_in,
    check_page,
    click_and_wait,
)
from tests.factories import make_area, make_staff

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language", ["sv", "en"])
def test_promise_pages_are_accessible(live_server, fresh_browser, staff_db, language: str) -> None:
    today = dt.date.today()
    make_staff(staff_db, "analyst", email="an@kommun.se")
    areas = [make_area(staff_db, "Norrby", code="norrby")]
    load_demo_indicators(staff_db, areas=areas, today=today)
    load_demo_promises(staff_db, today=today, owner=None)
    staff_db.commit()
    ids = {p.number: p.id for p in staff_db.scalars(select(Promise))}
    staff_db.rollback()
    tertial = tertial_of(today)
    browser_log_in(fresh_browser, live_server.url, "an@kommun.se", language)
    base = live_server.url + "/loften"
    for path in ("/", f"/{ids[3]}", f"/{ids[1]}?tertial={tertial.previous().code}", f"/{ids[2]}/andra", "/ny",
                 f"/{ids[2]}/indikatorer/ny", f"/{ids[4]}/aktiviteter/ny"):
        check_page(fresh_browser, base + path)
    check_page(fresh_browser, f"{base}/{ids[4]}/uppfoljning/{tertial.code}")
    fresh_browser.find_element(By.ID, "status").find_element(By.CSS_SELECTOR, "option[value='']").click()
    click_and_wait(fresh_browser, "form.stack button[type=submit]")
    assert fresh_browser.find_elements(By.CSS_SELECTOR, ".field__error")
    check_page(fresh_browser, what="follow-up with errors")
    check_page(fresh_browser, f"{base}/rapport/{tertial.previous().code}")
    click_and_wait(fresh_browser, "form.stack button[type=submit]")
    check_page(fresh_browser, what="published report")
    assert "/v1" in fresh_browser.current_url
