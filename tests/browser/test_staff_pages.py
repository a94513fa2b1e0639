"""Every staff page passes axe-core (WCAG 2.1 A/AA) in Swedish and English, on a phone, without sideways scrolling,
including forms showing their errors."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from tests.browser.pages import assert_accessible, assert_no_horizontal_scroll, browser_log_in, submit
from tests.factories import make_area, make_dialogue, make_focus_areas, make_staff

pytestmark = pytest.mark.browser


def _check(driver, url: str) -> None:
    driver.get(url)
    assert driver.find_element(By.TAG_NAME, "h1").text
    assert_accessible(driver, url)
    assert_no_horizontal_scroll(driver)


def _submit_empty(driver) -> None:
    submit(driver)
    assert driver.find_elements(By.CSS_SELECTOR, ".field__error, .error-summary")


@pytest.mark.parametrize("language", ["sv", "en"])
def test_login_page_and_its_errors_are_accessible(live_server, fresh_browser, language: str) -> None:
    _check(fresh_browser, f"{live_server.url}/logga-in?lang={language}")
    assert fresh_browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == language
    _submit_empty(fresh_browser)
    assert_accessible(fresh_browser, "login with errors")
    fresh_browser.find_element(By.ID, "email").send_keys("ingen@kommun.se")
    fresh_browser.find_element(By.ID, "password").send_keys("fel")
    submit(fresh_browser)
    assert "field__error" not in fresh_browser.page_source
    assert fresh_browser.find_elements(By.CSS_SELECTOR, ".error-summary")
    assert_accessible(fresh_browser, "login failed")


@pytest.mark.parametrize("language", ["sv", "en"])
def test_facilitator_pages_are_accessible(live_server, fresh_browser, staff_db, language: str) -> None:
    facilitator = make_staff(staff_db, "facilitator", email="fa@kommun.se")
    make_focus_areas(staff_db)
    dialogue = make_dialogue(staff_db, facilitator, observations=2, from_children=True,
                             tallies={("woman", "under_12"): 3, ("man", "75+"): 2, ("other_unknown", "unknown"): 1})
    dialogue_id, observation_id = dialogue.id, dialogue.observations[0].id
    staff_db.commit()
    browser_log_in(fresh_browser, live_server.url, "fa@kommun.se", language)
    base = live_server.url
    for path in ("/dialoger/", "/dialoger/?children=y", "/dialoger/iakttagelser", f"/dialoger/{dialogue_id}",
                 f"/dialoger/{dialogue_id}/protokoll", f"/dialoger/{dialogue_id}/redigera", "/dialoger/deltagare/",
                 "/dialoger/deltagare/?date_from=fel",
                 f"/dialoger/iakttagelser/{observation_id}/redigera", "/konto/losenord"):
        _check(fresh_browser, base + path)
    assert fresh_browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == language
    for path in ("/dialoger/ny", f"/dialoger/{dialogue_id}/iakttagelser/ny",
                 f"/dialoger/iakttagelser/{observation_id}/status", "/konto/losenord"):
        _check(fresh_browser, base + path)
        if path.endswith("/status"):  # closing without action needs a reason: an error to show
            fresh_browser.find_element(By.CSS_SELECTOR, "input[value=not_done]").click()
        _submit_empty(fresh_browser)
        assert_accessible(fresh_browser, f"{path} with errors")
        assert_no_horizontal_scroll(fresh_browser)
    _check(fresh_browser, base + "/dialoger/iakttagelser?date_from=fel")  # a filter with an error


@pytest.mark.parametrize("language", ["sv", "en"])
def test_admin_pages_are_accessible(live_server, fresh_browser, staff_db, language: str) -> None:
    admin = make_staff(staff_db, "admin", email="boss@kommun.se")
    focus = make_focus_areas(staff_db)
    dialogue = make_dialogue(staff_db, make_staff(staff_db, "facilitator"))
    ids = (admin.id, dialogue.area_id, focus[0].id)
    staff_db.commit()
    browser_log_in(fresh_browser, live_server.url, "boss@kommun.se", language)
    base = live_server.url
    for path in ("/admin/anvandare", f"/admin/anvandare/{ids[0]}", "/admin/omraden", f"/admin/omraden/{ids[1]}",
                 "/admin/fokusomraden", f"/admin/fokusomraden/{ids[2]}", "/admin/gallring"):
        _check(fresh_browser, base + path)
    for path in ("/admin/anvandare/ny", "/admin/omraden/ny", "/admin/fokusomraden/ny",
                 f"/admin/omraden/{ids[1]}/befolkning"):
        _check(fresh_browser, base + path)
        if path.endswith("/befolkning"):
            fresh_browser.find_element(By.ID, "cell-woman-12-15").send_keys("tolv")
        _submit_empty(fresh_browser)
        assert_accessible(fresh_browser, f"{path} with errors")


@pytest.mark.parametrize("language", ["sv", "en"])
def test_area_import_pages_are_accessible_with_a_refused_file_and_a_preview(live_server, fresh_browser, staff_db,
                                                                           tmp_path, language: str) -> None:
    make_staff(staff_db, "admin", email="boss@kommun.se")
    make_area(staff_db, "Centrum", code="centrum")
    staff_db.commit()
    bad = tmp_path / "fel.csv"
    bad.write_text("region;ålder;kön;2024\ncentrum;17 år;x;5\n", encoding="utf-8")
    good = tmp_path / "scb.csv"
    good.write_text('"region";"ålder";"kön";"2024"\n"centrum";"15-19 år";"kvinnor";"50"\n', encoding="cp1252")
    shapes = tmp_path / "omraden.geojson"
    shapes.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"kod": "norr"}, '
                      '"geometry": {"type": "Polygon", "coordinates": [[[14, 59], [14.1, 59], [14.1, 59.1], '
                      '[14, 59]]]}}]}', encoding="utf-8")
    browser_log_in(fresh_browser, live_server.url, "boss@kommun.se", language)
    for path, upload in (("/admin/omraden/import/befolkning", bad), ("/admin/omraden/import/befolkning", good),
                         ("/admin/omraden/import/granser", shapes)):
        _check(fresh_browser, live_server.url + path)
        fresh_browser.find_element(By.ID, "file").send_keys(str(upload))
        submit(fresh_browser)
        assert fresh_browser.find_elements(By.CSS_SELECTOR, ".error-summary" if upload == bad else "table")
        assert_accessible(fresh_browser, f"{path} with {upload.name}")
        assert_no_horizontal_scroll(fresh_browser)


@pytest.mark.parametrize("language", ["sv", "en"])
def test_survey_wave_pages_are_accessible(live_server, fresh_browser, staff_db, make_wave, language) -> None:
    make_staff(staff_db, "admin", email="boss@kommun.se")
    staff_db.commit()
    survey = make_wave(codes=True)
    browser_log_in(fresh_browser, live_server.url, "boss@kommun.se", language)
    base = live_server.url
    for path in ("/admin/enkater", f"/admin/enkater/{survey.id}", f"/admin/enkater/{survey.id}/stang"):
        _check(fresh_browser, base + path)
    _check(fresh_browser, base + "/admin/enkater/ny")
    fresh_browser.find_element(By.ID, "title").clear()
    _submit_empty(fresh_browser)
    assert_accessible(fresh_browser, "new wave with errors")
    assert_no_horizontal_scroll(fresh_browser)
    _check(fresh_browser, f"{base}/admin/enkater/{survey.id}")
    count = fresh_browser.find_element(By.ID, "count")
    count.send_keys("12")
    submit(fresh_browser)
    assert len(fresh_browser.find_elements(By.CSS_SELECTOR, ".code-slip")) == 12
    assert_accessible(fresh_browser, "printable codes")
    assert_no_horizontal_scroll(fresh_browser)
