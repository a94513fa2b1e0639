"""The issue's "done when", in a real browser: a facilitator logs in, records a safety walk with five observations
and participant tallies, finds it by filter, follows up an observation and exports the list. An analyst reads but
cannot edit; a facilitator who did not record the walk closes one of its measures (issue 12)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.select import Select
from sqlalchemy import select

from survey_app.models import AuditEvent, Dialogue, Observation, StatusChange
from tests.browser.pages import assert_accessible, browser_log_in, click_and_wait, submit
from tests.factories import make_area, make_focus_areas, make_staff

pytestmark = pytest.mark.browser


def _set_date(driver, field_id: str, value: str) -> None:
    """Date inputs take typed digits in the browser's locale order; setting the value is locale-proof."""
    driver.execute_script("arguments[0].value = arguments[1]", driver.find_element(By.ID, field_id), value)


def _type(driver, field_id: str, text: str) -> None:
    element = driver.find_element(By.ID, field_id)
    element.clear()
    element.send_keys(text)


def _check(driver, value: str, name: str) -> None:
    driver.find_element(By.CSS_SELECTOR, f"input[name={name}][value='{value}']").click()


OBSERVATIONS = [
    ("Gångtunneln under järnvägen är mörk", "unsafe_place", "lighting", "Tunneln"),
    ("Buskarna skymmer sikten vid lekplatsen", "unsafe_place", "vegetation", "Lekplatsen"),
    ("Mycket skräp vid återvinningen", "problem", "litter", "Återvinningsstationen"),
    ("Bättre belysning på cykelvägen", "suggestion", "lighting", "Cykelvägen"),
    ("Torget känns tryggt på kvällen", "safe_place", "", "Torget"),
]


def test_facilitator_records_finds_follows_up_and_exports_a_safety_walk(
    live_server, fresh_browser, staff_db, tmp_path: Path,
) -> None:
    driver = fresh_browser
    make_staff(staff_db, "facilitator", email="fa@kommun.se")
    make_staff(staff_db, "analyst", email="an@kommun.se")
    make_staff(staff_db, "facilitator", email="park@kommun.se")
    focus = make_focus_areas(staff_db)
    norrby = make_area(staff_db, "Norrby")
    make_area(staff_db, "Centrum")
    norrby_id, focus_id = norrby.id, focus[4].id
    staff_db.commit()

    driver.get(f"{live_server.url}/dialoger/")
    assert "/logga-in" in driver.current_url  # anonymous: sent to the login page
    browser_log_in(driver, live_server.url, "fa@kommun.se")

    # Record the walk with its participant tallies.
    driver.find_element(By.LINK_TEXT, "Registrera en trygghetsvandring").click()
    assert driver.find_element(By.CSS_SELECTOR, "input[name=format][value=safety_walk]").is_selected()
    _set_date(driver, "held_on", "2026-10-08")
    Select(driver.find_element(By.ID, "area_id")).select_by_visible_text("Norrby")
    _type(driver, "place", "Samling vid biblioteket")
    _check(driver, "dark", "time_of_day")
    _check(driver, "police", "partners")
    _check(driver, "housing_company", "partners")
    _check(driver, "2", "participation_level")
    _check(driver, str(focus_id), "focus_areas")
    for field, count in (("tally_woman_25_44", "6"), ("tally_man_45_64", "4"), ("tally_woman_12_15", "2"),
                         ("tally_man_under_12", "1"), ("tally_other_unknown_unknown", "1")):
        _type(driver, field, count)
    _type(driver, "notes", "Vi gick i två timmar. Kontakt: 070-123 45 67.")
    submit(driver)
    assert "Dialogen har sparats" in driver.page_source

    # Five observations, with "save and add another".
    for number, (text, kind, category, place) in enumerate(OBSERVATIONS, 1):
        _type(driver, "text", text)
        _check(driver, kind, "kind")
        if category:
            Select(driver.find_element(By.ID, "category")).select_by_value(category)
        _type(driver, "place_name", place)
        if number == 2:
            driver.find_element(By.ID, "from_children").click()
        last = number == len(OBSERVATIONS)
        click_and_wait(driver, f"button[value={'detail' if last else 'another'}]")
        assert "Iakttagelsen har sparats" in driver.page_source
    assert "/dialoger/" in driver.current_url
    assert driver.page_source.count('class="card" id="obs-') == 5
    assert "[telefonnummer]" in driver.page_source
    assert_accessible(driver, "the walk's page")

    # Find it by filter.
    driver.find_element(By.LINK_TEXT, "Iakttagelser").click()
    driver.find_element(By.CSS_SELECTOR, "details.filters summary").click()
    Select(driver.find_element(By.ID, "area")).select_by_visible_text("Norrby")
    Select(driver.find_element(By.ID, "format")).select_by_value("safety_walk")
    driver.find_element(By.ID, "children").click()
    click_and_wait(driver, "form.filters__form button[type=submit]")
    time.sleep(0.2)
    assert f"area={norrby_id}" in driver.current_url
    assert driver.page_source.count('class="card" id="obs-') == 1
    assert "Buskarna skymmer sikten" in driver.page_source

    # Change that observation's status.
    driver.find_element(By.PARTIAL_LINK_TEXT, "Trygghetsvandring, Norrby").click()
    driver.find_elements(By.PARTIAL_LINK_TEXT, "Följ upp")[1].click()
    _check(driver, "in_progress", "status")
    _type(driver, "reason", "Beställt hos parkförvaltningen")
    submit(driver)
    assert "Uppföljningen har sparats" in driver.page_source
    assert "Pågående" in driver.page_source

    # Export the list; the browser downloads it.
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    driver.get(f"{live_server.url}/dialoger/iakttagelser?area={norrby_id}")
    driver.find_element(By.PARTIAL_LINK_TEXT, "Exportera som CSV").click()
    for _ in range(100):
        files = list(tmp_path.glob("*.csv"))
        if files:
            break
        time.sleep(0.1)
    assert files, "the CSV was not downloaded"
    exported = files[0].read_text(encoding="utf-8-sig")
    assert exported.count("\n") == 6  # header + five observations
    assert "Pågående" in exported

    dialogue = staff_db.scalars(select(Dialogue)).one()
    assert sum(t.count for t in dialogue.tallies) == 14
    assert len(dialogue.observations) == 5
    changes = staff_db.scalars(select(StatusChange).where(StatusChange.to_status == "in_progress")).all()
    assert [c.actor_label for c in changes] == ["fa@kommun.se"]
    assert staff_db.scalar(select(Observation.from_children).where(Observation.status == "in_progress")) is True
    assert staff_db.scalar(select(AuditEvent.actor_label).where(AuditEvent.action == "observations.export")) == \
        "fa@kommun.se"
    dialogue_id = dialogue.id
    staff_db.rollback()

    # An analyst reads the walk but has nothing to edit with, and is refused if they try.
    driver.delete_all_cookies()
    browser_log_in(driver, live_server.url, "an@kommun.se")
    driver.get(f"{live_server.url}/dialoger/{dialogue_id}")
    assert "Buskarna skymmer sikten" in driver.page_source
    assert not driver.find_elements(By.PARTIAL_LINK_TEXT, "Ändra")
    driver.get(f"{live_server.url}/dialoger/{dialogue_id}/redigera")
    assert driver.find_element(By.TAG_NAME, "h1").text == "Åtkomst nekad"

    # Issue 12: a facilitator who did not record the walk (the park administration's) closes one of its measures,
    # and decides on it; editing what was said stays with the author.
    driver.delete_all_cookies()
    browser_log_in(driver, live_server.url, "park@kommun.se")
    driver.get(f"{live_server.url}/dialoger/{dialogue_id}")
    assert not driver.find_elements(By.PARTIAL_LINK_TEXT, "Ändra dialogen")
    driver.find_elements(By.PARTIAL_LINK_TEXT, "Följ upp")[1].click()
    assert_accessible(driver, "follow-up by another facilitator")
    _check(driver, "done", "status")
    _check(driver, "accepted", "decision")
    _type(driver, "reason", "Buskarna är nedklippta")
    submit(driver)
    assert "Uppföljningen har sparats" in driver.page_source
    done = staff_db.scalars(select(StatusChange).where(StatusChange.to_status == "done")).one()
    assert done.actor_label == "park@kommun.se"
    staff_db.rollback()
