"""The public återkoppling pages pass axe-core in Swedish and English, on a phone and on a desktop, and reflow."""

from __future__ import annotations

import datetime as dt

import pytest
from selenium.webdriver.common.by import By
from sqlalchemy import select

from survey_app.indicators.demo import load_demo_indicators
from survey_app.indicators.periods import tertial_of
from survey_app.models import Area
from survey_app.promises.demo import load_demo_promises
from survey_app.promises.services import publish_report
from tests.browser.pages import assert_accessible, assert_no_horizontal_scroll
from tests.factories import add_responses, make_staff

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language", ["sv", "en"])
def test_public_feedback_pages_are_accessible(live_server, fresh_browser, staff_db, make_wave, language) -> None:
    today = dt.date.today()
    analyst = make_staff(staff_db, "analyst", email="an@kommun.se")
    staff_db.commit()
    wave = make_wave()
    add_responses(staff_db, wave, count=60)
    areas = list(staff_db.scalars(select(Area)))
    load_demo_indicators(staff_db, areas=areas, today=today)
    load_demo_promises(staff_db, today=today, owner=None)
    publish_report(staff_db, tertial_of(today), actor=analyst, today=today, header={}, change_note="")
    staff_db.commit()
    base = live_server.url + "/aterkoppling"
    for width in (390, 1280):
        fresh_browser.set_window_size(width, 900)
        for path in ("/", f"/omrade/{areas[0].code}", "/lattlast", "/barn"):
            fresh_browser.get(f"{base}{path}?lang={language}")
            assert fresh_browser.find_element(By.TAG_NAME, "h1").text
            assert fresh_browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == language
            assert_accessible(fresh_browser, f"{path} at {width}px")
            assert_no_horizontal_scroll(fresh_browser)
