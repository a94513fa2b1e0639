"""The lägesbild pages pass axe-core in Swedish and English on a phone: the choice of year and area, an area's
picture with its analysis form, a saved version, and the page where the survey's unsafe places are coded."""

from __future__ import annotations

import datetime as dt

import pytest
from selenium.webdriver.common.by import By
from sqlalchemy import select

from survey_app.models import Area
from survey_app.survey.questionnaires import instrument_of
from survey_app.survey.responses import SubmittedResponse, store_responses
from tests.browser.pages import (
    browser_log_in,
    check_page,
    click_and_wait,
)
from tests.factories import add_responses, make_dialogue, make_focus_areas, make_staff

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language", ["sv", "en"])
def test_problem_picture_pages_are_accessible(live_server, fresh_browser, staff_db, make_wave, language) -> None:
    make_staff(staff_db, "analyst", email="an@kommun.se")
    make_focus_areas(staff_db)
    staff_db.commit()
    wave = make_wave()
    add_responses(staff_db, wave, count=80)
    store_responses(staff_db, wave, instrument_of(wave.questionnaire), [SubmittedResponse(answers={
        "area": "norr", "unsafe_place_area_1": "norr", "unsafe_place_text_1": "Mörk gångtunnel utan lampor",
        "unsafe_place_area_2": "soder", "unsafe_place_text_2": "Parkeringshuset"}, language="sv",
        submitted_on=dt.date.today())])
    norr = staff_db.scalars(select(Area).where(Area.code == "norr")).one()
    make_dialogue(staff_db, make_staff(staff_db, "facilitator"), area=norr, held_on=dt.date.today(),
                  observations=2, from_children=True)
    staff_db.commit()
    browser_log_in(fresh_browser, live_server.url, "an@kommun.se", language)
    base = live_server.url + "/problembild"
    year = dt.date.today().year
    check_page(fresh_browser, base + "/")
    check_page(fresh_browser, f"{base}/kommunen?period={year}")
    check_page(fresh_browser, f"{base}/otrygga-platser/?period={year}")
    click_and_wait(fresh_browser, "form.places-form button[type=submit]")  # confirms the suggestion: lighting
    check_page(fresh_browser, what="places after coding")
    check_page(fresh_browser, f"{base}/norr?period={year}")
    assert "places-caption" in fresh_browser.page_source  # the coded place is counted in Norr's picture
    fresh_browser.find_element(By.ID, "general").send_keys("Fokus på belysning")
    click_and_wait(fresh_browser, "form.stack button[type=submit]")
    check_page(fresh_browser, what="saved version")
    assert "Fokus på belysning" in fresh_browser.page_source
