"""The indicator pages pass axe-core in Swedish and English on a phone: the list, the import with its check and its
errors by row and column, a series with its history, the forms with their errors."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from tests.browser.pages import (
    browser_log_in,
    check_page,
    click_and_wait,
    submit,
)
from tests.factories import make_area, make_staff

pytestmark = pytest.mark.browser

GOOD = ("indikator;område;period;värde;källa;delserie;namn;enhet;riktning\n"
        "lob;;2026-T1;23;Polisen;;Omhändertagna enligt LOB;antal;higher_worse\n"
        "lob;Norrby;2026-T1;7;Polisen;;;;\n")


def _upload(driver, path, action: str) -> None:
    driver.find_element(By.ID, "file").send_keys(str(path))
    click_and_wait(driver, f"button[value={action}]")


@pytest.mark.parametrize("language", ["sv", "en"])
def test_an_analyst_checks_imports_and_reads_a_series(live_server, fresh_browser, staff_db, tmp_path,
                                                       language: str) -> None:
    make_staff(staff_db, "analyst", email="an@kommun.se")
    make_area(staff_db, "Norrby", code="norrby")
    staff_db.commit()
    browser_log_in(fresh_browser, live_server.url, "an@kommun.se", language)
    base = live_server.url
    check_page(fresh_browser, base + "/indikatorer/")
    bad = tmp_path / "fel.csv"
    bad.write_text(GOOD + "lob;Atlantis;2026-T2;tre;;;;;\n", encoding="utf-8")
    good = tmp_path / "lob.csv"
    good.write_text(GOOD, encoding="utf-8")
    check_page(fresh_browser, base + "/indikatorer/import")
    _upload(fresh_browser, bad, "check")
    cells = [cell.text for cell in fresh_browser.find_elements(By.CSS_SELECTOR, "#problems-caption ~ tbody td")]
    assert cells[:2] == ["4", "område"]
    assert cells[3:5] == ["4", "värde"]
    check_page(fresh_browser, what="import with errors")
    _upload(fresh_browser, good, "check")
    check_page(fresh_browser, what="import checked")
    _upload(fresh_browser, good, "import")
    assert "lob.csv" in fresh_browser.find_element(By.CSS_SELECTOR, ".flash").text
    check_page(fresh_browser, what="list after import")
    fresh_browser.get(base + "/indikatorer/lob/varde")
    check_page(fresh_browser)
    submit(fresh_browser)
    assert fresh_browser.find_elements(By.CSS_SELECTOR, ".field__error")
    check_page(fresh_browser, what="value form with errors")
    fresh_browser.find_element(By.ID, "period").send_keys("2026-T1")
    fresh_browser.find_element(By.ID, "value").send_keys("25")
    submit(fresh_browser)
    check_page(fresh_browser, what="series with history")
    assert fresh_browser.find_elements(By.CSS_SELECTOR, ".plain-list li")  # 23 kept in the history
    fresh_browser.get(base + "/indikatorer/ny")
    check_page(fresh_browser)
    submit(fresh_browser)
    check_page(fresh_browser, what="new indicator with errors")
