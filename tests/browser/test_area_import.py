"""Issue 12's "done when" for areas, in a real browser: an admin imports a GeoJSON and an SCB-style population CSV for
the wave's areas through the mapping table, sees a bad file rejected with row and column, and the analyst's pages
count the new figures."""

from __future__ import annotations

import json

import pytest
from selenium.webdriver.common.by import By

from tests.browser.pages import assert_accessible, assert_no_horizontal_scroll, browser_log_in, click_and_wait
from tests.factories import add_responses, make_staff

pytestmark = pytest.mark.browser

MAPPING = "kod;område;namn\n1883C1010;norr;Norr\n1883C1020;norr;Norr\n1883C1030;soder;Söder\n"


def _square(x: float) -> dict:
    return {"type": "Polygon", "coordinates": [[[x, 59.0], [x + 0.1, 59.0], [x + 0.1, 59.1], [x, 59.1], [x, 59.0]]]}


def _import(driver, url: str, files: dict[str, object]) -> None:
    driver.get(url)
    for field, path in files.items():
        driver.find_element(By.ID, field).send_keys(str(path))
    click_and_wait(driver, "button[value=import]")  # the next page, not the form still on screen


def test_an_admin_imports_scb_files_through_the_mapping(live_server, fresh_browser, staff_db, make_wave,
                                                        tmp_path) -> None:
    make_staff(staff_db, "admin", email="boss@kommun.se")
    staff_db.commit()
    survey = make_wave()  # the areas norr and soder
    add_responses(staff_db, survey)
    mapping = tmp_path / "mappning.csv"
    mapping.write_text(MAPPING, encoding="cp1252")
    shapes = tmp_path / "deso.geojson"
    shapes.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"desokod": code}, "geometry": _square(x)}
        for code, x in (("1883C1010", 14.0), ("1883C1020", 14.1), ("1883C1030", 14.3), ("0180C1010", 18.0))]}))
    population = tmp_path / "folkmangd.csv"
    population.write_text('"Folkmängden per region efter ålder och kön"\n\n"region","ålder","kön","2025"\n'
                          + "".join(f'"{code}","30 år","{gender}","{n}"\n' for code in ("1883C1010", "1883C1020",
                                                                                          "1883C1030", "0180C1010")
                                    for gender, n in (("kvinnor", 100), ("män", 90))), encoding="utf-8-sig")
    bad = tmp_path / "fel.csv"
    bad.write_text('"region","ålder","kön","2025"\n"1883C1010","30 år","kvinnor","100"\n"1883C1010","30 år",'
                   '"man","nittio"\n', encoding="utf-8")
    driver = fresh_browser
    browser_log_in(driver, live_server.url, "boss@kommun.se")
    base = live_server.url

    _import(driver, base + "/admin/omraden/import/granser", {"file": shapes, "mapping": mapping})
    assert "Områdena har importerats" in driver.page_source
    assert "1 objekt ligger utanför mappningstabellen" in driver.page_source
    assert_accessible(driver, "areas imported")

    _import(driver, base + "/admin/omraden/import/befolkning", {"file": bad})
    summary = driver.find_element(By.CSS_SELECTOR, ".error-summary").text
    assert "fel.csv, rad 3, kolumn ”2025”: nittio är inget helt antal personer." in summary
    assert_accessible(driver, "a refused population file")
    assert_no_horizontal_scroll(driver)

    _import(driver, base + "/admin/omraden/import/befolkning", {"file": population, "mapping": mapping})
    assert "Befolkningen har importerats" in driver.page_source
    assert "Läst som SCB:s tabell" in driver.page_source
    assert_accessible(driver, "population imported")

    driver.get(base + "/analys/")
    row = next(r for r in driver.find_elements(By.CSS_SELECTOR, "tbody tr") if survey.title in r.text)
    assert "570" in row.text  # norr 2 × 190, söder 190; Stockholm's DeSO left out
