"""Issue 12's "done when" for the postal survey, in a real browser: an admin downloads a postal wave's printable
questionnaire and its codes CSV, then types three returned paper questionnaires with the keyboard, one of them with a
code already used (refused), all on pages axe-core finds nothing wrong with, in Swedish and English.

The rest of the issue's walk runs in the browser tests that were there first, and is not walked twice (the suite is
near its time limit): the area and population import through the mapping table, with a bad file refused by row and
column and the weighting's new figures (test_area_import.py); a resident completing the survey in Finnish and in
Somali at 320 px without sideways scrolling (test_resident_flow.py, test_complete_the_survey_at_320_px_in_a_new_
language); a facilitator who did not record a walk closing one of its measures (test_staff_walk.py)."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from sqlalchemy import func, select

from survey_app.models import Answer, AuditEvent, Channel, Response
from tests.browser.pages import browser_log_in, check_page, click_and_wait
from tests.factories import make_staff

pytestmark = pytest.mark.browser

FETCH = """const [url, form, done] = [arguments[0], arguments[1], arguments[arguments.length - 1]];
const options = form ? {method: 'POST', body: new FormData(document.querySelector(form))} : {};
if (form) { options.body.set('count', '10'); options.body.append('format', 'csv'); }
fetch(url, options).then(async r => done([r.status, r.headers.get('content-type'),
    form ? await r.text() : new TextDecoder().decode((await r.arrayBuffer()).slice(0, 5))]));"""


def _enter(driver, code: str, *, gender: str) -> None:
    """Type one questionnaire as a staff member does: the code has the focus, Tab to a question, arrows to choose."""
    typing = driver.switch_to.active_element
    assert typing.get_attribute("name") == "code"
    typing.send_keys(code, Keys.TAB)  # to the first question's "no answer"
    driver.switch_to.active_element.send_keys(Keys.ARROW_DOWN, Keys.ARROW_DOWN)  # its second answer
    driver.switch_to.active_element.send_keys(Keys.TAB, Keys.ARROW_DOWN)  # the next question's first answer
    driver.find_element(By.CSS_SELECTOR, "input[name=q_area][value=norr]").click()
    driver.find_element(By.CSS_SELECTOR, f"input[name=q_gender][value={gender}]").click()
    click_and_wait(driver, "form.entry-form button[type=submit]")


def test_a_postal_wave_from_print_to_entered_answers(live_server, fresh_browser, staff_db, make_wave) -> None:
    make_staff(staff_db, "admin", email="boss@kommun.se")
    staff_db.commit()
    survey = make_wave(codes=True, link=False)
    driver, base = fresh_browser, live_server.url
    browser_log_in(driver, base, "boss@kommun.se")

    driver.get(f"{base}/admin/enkater/{survey.id}")  # checked with axe-core in test_staff_pages.py
    pdf = driver.find_element(By.CSS_SELECTOR, "a[href$='pappersenkat.pdf']").get_attribute("href")
    assert driver.execute_async_script(FETCH, pdf, None) == [200, "application/pdf", "%PDF-"]
    status, kind, body = driver.execute_async_script(FETCH, f"{base}/admin/enkater/{survey.id}/koder",
                                                     "form[action$='/koder']")
    assert (status, kind.split(";")[0]) == (200, "text/csv")
    lines = body.split()
    assert lines[0] == "kod"
    codes = lines[1:]
    assert len(codes) == 10

    click_and_wait(driver, f"a[href$='/registrering/{survey.id}']")
    check_page(driver, None, "the entry form")
    _enter(driver, codes[0], gender="woman")
    assert "Enkäten har sparats. Skriv in nästa." in driver.page_source
    assert driver.find_element(By.ID, "code").get_attribute("value") == ""
    _enter(driver, codes[1], gender="man")
    _enter(driver, codes[0], gender="man")  # the first letter's code again
    summary = driver.find_element(By.CSS_SELECTOR, ".error-summary").text
    assert "Koden har redan använts, på webben eller på papper." in summary
    check_page(driver, None, "a refused code")
    code = driver.find_element(By.ID, "code")
    code.clear()
    code.send_keys(codes[2])
    assert driver.find_element(By.CSS_SELECTOR, "input[name=q_gender][value=man]").is_selected()  # kept as typed
    click_and_wait(driver, "form.entry-form button[type=submit]")
    assert "Enkäten har sparats." in driver.page_source

    staff_db.rollback()
    stored = staff_db.execute(select(Response.channel, Response.gender, Response.area_code)).all()
    assert sorted(stored) == [(Channel.PAPER, "man", "norr"), (Channel.PAPER, "man", "norr"),
                              (Channel.PAPER, "woman", "norr")]
    chosen = staff_db.execute(select(Answer.item_code, Answer.value_code)
                              .where(Answer.item_code.in_(("unsafe_evening", "avoid_going_out")))).all()
    assert sorted(chosen) == [("avoid_going_out", "no")] * 3 + [("unsafe_evening", "fairly_safe")] * 3  # by keys
    assert staff_db.scalar(select(func.count()).select_from(AuditEvent)
                           .where(AuditEvent.action == "survey.entry")) == 3

    check_page(driver, f"{base}/registrering/?lang=en", "the entry start page in English")
    assert "Enter paper questionnaires and interviews" in driver.page_source
    check_page(driver, f"{base}/registrering/{survey.id}?kanal=assisted", "the interview form in English")
    assert driver.find_element(By.ID, "kanal-assisted").is_selected()
    check_page(driver, f"{base}/registrering/?lang=sv", "the entry start page in Swedish")
