"""A resident answers both questionnaires in a real headless Chromium on a phone, in Swedish and English.

Every page of the flow is checked with axe-core (WCAG 2.1 A and AA) and for sideways scrolling; the response must be
stored exactly once with the answers given.
"""

from __future__ import annotations

import datetime as dt

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import select

from survey_app.models import Response
from tests.browser.pages import (
    PHONE,
    assert_accessible,
    assert_no_horizontal_scroll,
    assert_reflows,
    click_and_wait,
    narrow_screen,
)

pytestmark = pytest.mark.browser

ADULT = "trygghetsenkat-v1.yaml"
YOUTH = "trygghetsenkat-unga-v1.yaml"
ADULT_V2 = "trygghetsenkat-v2.yaml"  # every text in sv, en, ar, fi, so and fa
YOUTH_V2 = "trygghetsenkat-unga-v2.yaml"
ALL_LANGUAGES = ("sv", "en", "ar", "fi", "so", "fa")
THANKS = {"sv": "Tack för dina svar", "en": "Thank you for your answers", "ar": "شكرًا على إجاباتك",
          "fi": "Kiitos vastauksistasi", "so": "Mahadsanid jawaabahaaga", "fa": "از پاسخ‌های شما سپاسگزاریم"}


def _answer_page(driver) -> dict[str, str]:
    """Choose the second option of every radio group (or the first when there is one), fill numbers; returns choices."""
    chosen: dict[str, str] = {}
    radios = driver.find_elements(By.CSS_SELECTOR, "input[type=radio]")
    groups: dict[str, list] = {}
    for radio in radios:
        groups.setdefault(radio.get_attribute("name"), []).append(radio)
    for name, options in groups.items():
        option = options[1] if len(options) > 1 else options[0]
        label = driver.find_element(By.CSS_SELECTOR, f"label[for='{option.get_attribute('id')}']")
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", label)
        label.click()  # click the label, as a thumb would: the whole label is the touch target
        chosen[name.removeprefix("q_")] = option.get_attribute("value")
    for field, value in (("q_birth_year", str(dt.date.today().year - 30)), ("q_age", "15")):
        for element in driver.find_elements(By.NAME, field):
            element.clear()
            element.send_keys(value)
            chosen[field.removeprefix("q_")] = value
    return chosen


@pytest.mark.parametrize(("file", "language"), [(ADULT, "sv"), (ADULT, "en"), (YOUTH, "sv"), (YOUTH, "en")])
def test_complete_the_survey_in_a_phone_browser(live_server, fresh_browser, make_wave, db_session, file, language):
    make_wave(file)
    driver = fresh_browser
    driver.get(f"{live_server.url}/?lang={language}")
    assert_accessible(driver, "start page")
    click_and_wait(driver, ".survey-card a.button")
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == language
    assert_accessible(driver, "landing page")
    assert_no_horizontal_scroll(driver)
    click_and_wait(driver, ".start-form button[type=submit]")

    given: dict[str, str] = {}
    pages = 0
    while "/sida/" in driver.current_url:
        pages += 1
        assert pages < 40, "the flow does not end"
        assert_accessible(driver, f"page {driver.current_url}")
        assert_no_horizontal_scroll(driver)
        given.update(_answer_page(driver))
        click_and_wait(driver, "button[value=next]")
    assert "/sammanfattning" in driver.current_url
    assert_accessible(driver, "summary")
    assert_no_horizontal_scroll(driver)
    click_and_wait(driver, ".submit-form button[type=submit]")
    assert driver.current_url.endswith("/tack")
    assert_accessible(driver, "thank-you page")
    thanks = {"sv": "Tack för dina svar", "en": "Thank you for your answers"}[language]
    assert driver.find_element(By.TAG_NAME, "h1").text == thanks

    driver.back()  # the back button: the summary is gone, the resident lands on the thanks page again
    WebDriverWait(driver, 15).until(lambda d: d.execute_script("return document.readyState") == "complete")
    assert driver.current_url.endswith("/tack")
    db_session.expire_all()
    responses = list(db_session.scalars(select(Response)))
    assert len(responses) == 1
    stored = {}
    for answer in responses[0].answers:
        stored[answer.item_code] = answer.value_code or str(int(answer.value_number or 0))
    visible_given = {code: value for code, value in given.items() if code in stored}
    assert visible_given == {code: stored[code] for code in visible_given}
    assert len(visible_given) >= 15
    assert responses[0].language == language


def test_errors_are_announced_and_tied_to_fields(live_server, fresh_browser, make_wave) -> None:
    make_wave()
    driver = fresh_browser
    driver.get(f"{live_server.url}/enkat/trygghet-2026")
    click_and_wait(driver, ".start-form button[type=submit]")
    driver.get(f"{live_server.url}/enkat/trygghet-2026/sida/13")
    field = driver.find_element(By.NAME, "q_birth_year")
    field.send_keys("sjuttiofem")
    click_and_wait(driver, "button[value=next]")
    summary = driver.find_element(By.CSS_SELECTOR, ".error-summary")
    assert summary.get_attribute("role") == "alert"
    link = summary.find_element(By.TAG_NAME, "a")
    assert link.get_attribute("href").endswith("#q_birth_year")
    field = driver.find_element(By.NAME, "q_birth_year")
    assert field.get_attribute("aria-invalid") == "true"
    assert "error-birth_year" in field.get_attribute("aria-describedby")
    assert driver.title.startswith("Fel:")
    assert_accessible(driver, "page with an error")


def test_pages_reflow_at_400_percent_zoom(live_server, fresh_browser, make_wave) -> None:
    """WCAG 1.4.10: 320 CSS pixels wide (a 1280 px screen at 400 %, a phone at about 200 %) needs no sideways scroll."""
    make_wave()
    driver = fresh_browser
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": 320, "height": 640, "deviceScaleFactor": 2, "mobile": True})
    try:
        driver.get(f"{live_server.url}/enkat/trygghet-2026")
        assert_no_horizontal_scroll(driver)
        click_and_wait(driver, ".start-form button[type=submit]")
        for number in (1, 4, 13):
            driver.get(f"{live_server.url}/enkat/trygghet-2026/sida/{number}")
            assert_no_horizontal_scroll(driver)
            assert_accessible(driver, f"page {number} at 320 px")
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        driver.set_window_size(*PHONE)


def test_arabic_pages_run_right_to_left(live_server, fresh_browser, make_wave) -> None:
    make_wave(languages=("sv", "en", "ar"))
    driver = fresh_browser
    driver.get(f"{live_server.url}/enkat/trygghet-2026?lang=ar")
    html = driver.find_element(By.TAG_NAME, "html")
    assert (html.get_attribute("lang"), html.get_attribute("dir")) == ("ar", "rtl")
    assert_accessible(driver, "Arabic landing page")
    click_and_wait(driver, ".start-form button[type=submit]")
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("dir") == "rtl"
    legend = driver.find_element(By.CSS_SELECTOR, "legend").text
    assert "تشعر" in legend  # the evening item has an Arabic draft
    assert_accessible(driver, "Arabic question page")
    assert_no_horizontal_scroll(driver)


def _wave(make_wave, db_session, file: str, **options):
    survey = make_wave(file, languages=ALL_LANGUAGES, **options)
    survey.title_translations = {"en": "Safety survey 2026", "ar": "استبيان الأمان 2026",
                                 "fi": "Turvallisuuskysely 2026", "so": "Sahanka badbaadada 2026",
                                 "fa": "نظرسنجی امنیت ۲۰۲۶"}
    db_session.commit()
    return survey


@pytest.mark.parametrize(("file", "language"), [(ADULT_V2, "fi"), (ADULT_V2, "so"), (YOUTH_V2, "fa"), (YOUTH_V2, "ar")])
def test_complete_the_survey_at_320_px_in_a_new_language(live_server, fresh_browser, make_wave, db_session, file,
                                                         language):
    """Finnish, Somali, Persian and Arabic, on a 640 px phone zoomed to 200 %: nothing scrolls sideways, the header
    stays small, right-to-left stays right-to-left, and axe-core finds nothing on any page."""
    _wave(make_wave, db_session, file)
    driver = fresh_browser
    direction = "rtl" if language in ("ar", "fa") else "ltr"
    with narrow_screen(driver):
        driver.get(f"{live_server.url}/enkat/trygghet-2026?lang={language}")
        pages = 0
        while True:
            html = driver.find_element(By.TAG_NAME, "html")
            assert (html.get_attribute("lang"), html.get_attribute("dir")) == (language, direction)
            assert_accessible(driver, f"{language} {driver.current_url}")
            assert_reflows(driver, f"{language} {driver.current_url}")
            assert not driver.find_elements(By.CSS_SELECTOR, "main [lang=sv]")  # nothing fell back to Swedish
            if "/sida/" in driver.current_url:
                pages += 1
                assert pages < 40, "the flow does not end"
                _answer_page(driver)
                click_and_wait(driver, "button[value=next]")
            elif "/sammanfattning" in driver.current_url:
                click_and_wait(driver, ".submit-form button[type=submit]")
            elif driver.current_url.endswith("/tack"):
                break
            else:
                click_and_wait(driver, ".start-form button[type=submit]")
        assert driver.find_element(By.TAG_NAME, "h1").text == THANKS[language]
        assert_reflows(driver, "thank-you page")
    db_session.expire_all()
    stored = db_session.scalars(select(Response)).one()
    assert stored.language == language
    assert len(stored.answers) >= 12
    assert pages >= 12


@pytest.mark.parametrize("language", ["sv", "en", "ar"])
def test_every_resident_page_reflows_at_320_px(live_server, fresh_browser, make_wave, db_session, language) -> None:
    """Every page a resident can meet, at 320 CSS px: the start page, a landing page, every question page, the
    summary (empty, and refusing an empty submission), saving, resuming, the wrong age, the thanks page, the
    accessibility statement. axe-core does not catch sideways scrolling, so it is measured."""
    _wave(make_wave, db_session, YOUTH_V2, slug="unga-2026")
    _wave(make_wave, db_session, ADULT_V2)
    driver = fresh_browser
    seen = []

    def check(what: str) -> None:
        assert_reflows(driver, f"{language}: {what}")
        assert_accessible(driver, f"{language}: {what}")
        seen.append(what)

    with narrow_screen(driver):
        driver.get(f"{live_server.url}/?lang={language}")
        check("start page")
        driver.get(f"{live_server.url}/tillganglighet")
        check("accessibility statement")
        driver.get(f"{live_server.url}/enkat/trygghet-2026?lang={language}")
        check("landing page")
        click_and_wait(driver, ".start-form button[type=submit]")
        while "/sida/" in driver.current_url:
            check(driver.current_url)
            click_and_wait(driver, "button[value=next]")
        check("empty summary")
        driver.get(f"{live_server.url}/enkat/trygghet-2026/sida/1")
        click_and_wait(driver, "button[value=save]")
        check("saved, with the resume code")
        driver.get(f"{live_server.url}/enkat/trygghet-2026/fortsatt")
        check("resume")
        driver.get(f"{live_server.url}/enkat/unga-2026?lang={language}")
        click_and_wait(driver, ".start-form button[type=submit]")
        driver.find_element(By.NAME, "q_age").send_keys("22")
        click_and_wait(driver, "button[value=next]")
        assert driver.find_elements(By.CSS_SELECTOR, "a[href*='/enkat/trygghet-2026']")  # pointed to the adult one
        check("too old for the youth survey")
        driver.get(f"{live_server.url}/enkat/trygghet-2026/tack")
        check("thank-you page")
    assert len(seen) >= 18
