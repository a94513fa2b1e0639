"""The results pages pass axe-core (WCAG 2.1 A/AA) in Swedish and English, on a desktop and a phone, and reflow at
320 CSS pixels without the page scrolling sideways (wide tables scroll inside their own box)."""

from __future__ import annotations

from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from tests.browser.pages import (
    PHONE,
    assert_accessible,
    assert_no_horizontal_scroll,
    browser_log_in,
    click_and_wait,
    submit,
)
from tests.factories import make_staff
from tests.web.insights.waves import EARLIER_SLUG, NOW_SLUG, make_result_waves

pytestmark = pytest.mark.browser

DESKTOP = (1280, 900)
NARROW = (320, 640)


def _check_everywhere(driver, url: str) -> None:
    """Load once at desktop width, then check the same page at phone width and at 320 px."""
    driver.set_window_size(*DESKTOP)
    driver.get(url)
    assert driver.find_element(By.TAG_NAME, "h1").text
    assert_accessible(driver, f"{url} (desktop)")
    for size in (PHONE, NARROW):
        driver.set_window_size(*size)
        assert_accessible(driver, f"{url} at {size[0]} px")
        assert_no_horizontal_scroll(driver)


@pytest.mark.parametrize("language", ["sv", "en"])
def test_results_pages_are_accessible(live_server, fresh_browser, staff_db, tmp_path: Path, language: str) -> None:
    make_result_waves(staff_db, tmp_path, responses=400)
    make_staff(staff_db, "analyst", email="analys@kommun.se")
    staff_db.commit()
    browser_log_in(fresh_browser, live_server.url, "analys@kommun.se", language)
    base = f"{live_server.url}/analys"
    for path in ("/", f"/{NOW_SLUG}", f"/{NOW_SLUG}/tabell?by=area_age_band&weighting=none",
                 f"/{NOW_SLUG}/kon?weighting=none", f"/{NOW_SLUG}/barn?weighting=none",
                 f"/{NOW_SLUG}/trend?weighting=none&compare={EARLIER_SLUG}",
                 f"/{NOW_SLUG}?weighting=poststrat",  # a message in place of the figures
                 f"/{NOW_SLUG}/tabell?by=kommun"):  # a refused value in the URL
        _check_everywhere(fresh_browser, base + path)
    assert fresh_browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == language
    # the page state lives in the URL: the GET form changes the view without JavaScript
    fresh_browser.set_window_size(*DESKTOP)
    fresh_browser.get(f"{base}/{NOW_SLUG}/tabell?weighting=none")
    fresh_browser.find_element(By.CSS_SELECTOR, "#by option[value=gender]").click()
    fresh_browser.find_element(By.CSS_SELECTOR, "#measure option[value=share_trust_police]").click()

    click_and_wait(fresh_browser, ".view-options button[type=submit]")
    assert "by=gender" in fresh_browser.current_url
    assert "measure=share_trust_police" in fresh_browser.current_url


@pytest.mark.parametrize("language", ["sv", "en"])
def test_cut_point_pages_are_accessible(live_server, fresh_browser, staff_db, make_wave, language: str) -> None:
    make_wave()
    make_staff(staff_db, "admin", email="chef@kommun.se")
    staff_db.commit()
    browser_log_in(fresh_browser, live_server.url, "chef@kommun.se", language)
    base = f"{live_server.url}/analys/problemniva"
    _check_everywhere(fresh_browser, base)
    _check_everywhere(fresh_browser, base + "/share_unsafe")
    fresh_browser.find_element(By.ID, "cut1").send_keys("50")
    submit(fresh_browser)
    assert fresh_browser.find_elements(By.CSS_SELECTOR, ".field__error, .error-summary")
    assert_accessible(fresh_browser, "cut-points with errors")
    assert_no_horizontal_scroll(fresh_browser)
