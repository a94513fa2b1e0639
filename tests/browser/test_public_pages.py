"""The public pages of the foundation pass axe-core in a real browser, in Swedish and English, on a phone."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from tests.browser.pages import assert_accessible, assert_no_horizontal_scroll
from tests.factories import make_survey

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language", ["sv", "en"])
def test_start_page_is_accessible(live_server, fresh_browser, db_session, language: str) -> None:
    make_survey(db_session, title="Trygghetsenkät 2026")
    db_session.commit()
    fresh_browser.get(f"{live_server.url}/?lang={language}")
    assert fresh_browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == language
    assert "Trygghetsenkät 2026" in fresh_browser.page_source
    assert_accessible(fresh_browser)
    assert_no_horizontal_scroll(fresh_browser)


@pytest.mark.parametrize("language", ["sv", "en"])
def test_not_found_page_is_accessible(live_server, fresh_browser, language: str) -> None:
    fresh_browser.get(f"{live_server.url}/?lang={language}")
    fresh_browser.get(f"{live_server.url}/finns-inte")
    heading = fresh_browser.find_element(By.TAG_NAME, "h1").text
    assert heading == {"sv": "Sidan finns inte", "en": "Page not found"}[language]
    assert_accessible(fresh_browser)


def test_no_request_leaves_the_server(live_server, fresh_browser) -> None:
    fresh_browser.get(f"{live_server.url}/")
    hosts = fresh_browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => new URL(e.name).host)"
    )
    assert set(hosts) <= {live_server.url.removeprefix("http://")}


def test_the_accessibility_check_can_fail(app, fresh_browser) -> None:
    """Guards the guard: axe-core, as we run it, reports a page with an unlabelled field."""
    from tests.browser.pages import axe_violations
    from tests.live_server import LiveServer

    @app.get("/test-inaccessible")
    def inaccessible() -> str:
        return '<!doctype html><html><head><title>x</title></head><body><input type="text"></body></html>'

    with LiveServer(app) as server:
        fresh_browser.get(f"{server.url}/test-inaccessible")
        ids = {violation["id"] for violation in axe_violations(fresh_browser)}
    assert {"label", "html-has-lang"} <= ids
