"""Issue 11's "Done when", in a real browser on the demo: an admin imports an indicator CSV (a bad one is refused
with its row and column), an analyst reads an area's lägesbild with survey, dialogue and indicator evidence together,
writes the analysis and exports the PDF, whose text holds the page's figures; a facilitator logs a trygghetsdialog and
promise 4's indicator moves; an analyst publishes the tertialrapport, and the public page's figures stay the same
when more data arrive. One lean walk: the pages' accessibility in both languages is checked by their own tests."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from pypdf import PdfReader
from selenium.webdriver.common.by import By
from selenium.webdriver.support.select import Select
from sqlalchemy import select

from survey_app.demo import load_demo
from survey_app.models import Promise
from survey_app.promises.rhythm import current_period
from tests.browser.pages import browser_log_in, check_page, click_and_wait, fetch, submit
from tests.factories import make_dialogue, make_staff

pytestmark = pytest.mark.browser

YEAR = dt.date.today().year
HEADER = "indikator;område;period;värde;källa;delserie;namn;enhet;riktning\n"
GOOD = (HEADER + f"ranbrott;Centrum;{YEAR - 1};41;Brå;;Anmälda rån;antal;higher_worse\n"
        f"ranbrott;Centrum;{YEAR};37;Brå;;;;\n")
BAD = GOOD + f"ranbrott;Atlantis;{YEAR};tre;Brå;;;;\n"
DIALOGUES = "Antal genomförda trygghetsdialoger"


def _switch_user(driver, base: str, email: str) -> None:
    driver.delete_all_cookies()
    browser_log_in(driver, base, email)


def _upload(driver, path, action: str) -> None:
    driver.find_element(By.ID, "file").send_keys(str(path))
    click_and_wait(driver, f"button[value={action}]")


def _count(driver, label: str) -> str:
    """The first figure (this tertial) of an indicator row on a promise's page."""
    row = driver.find_element(By.XPATH, f"//tr[th[starts-with(normalize-space(), '{label}')]]")
    return row.find_elements(By.CSS_SELECTOR, "td.num")[0].text.split()[0]


def _main(driver) -> str:
    return driver.find_element(By.TAG_NAME, "main").text


def test_the_problem_picture_and_promise_loop_on_the_demo(live_server, fresh_browser, staff_db, tmp_path) -> None:
    driver, base = fresh_browser, live_server.url
    driver.set_page_load_timeout(180)  # the first analysis of the demo's wave takes a while
    for role in ("admin", "analyst", "facilitator"):
        make_staff(staff_db, role, email=f"{role}@kommun.se")
    staff_db.commit()
    load_demo(staff_db, responses=300)
    staff_db.commit()
    promise_4 = staff_db.scalars(select(Promise).where(Promise.number == 4)).one().id
    staff_db.rollback()

    # An admin imports an indicator CSV; a bad file is refused by row and column, and nothing of it is stored.
    browser_log_in(driver, base, "admin@kommun.se")
    (tmp_path / "fel.csv").write_text(BAD, encoding="utf-8")
    (tmp_path / "ran.csv").write_text(GOOD, encoding="utf-8")
    driver.get(base + "/indikatorer/import")
    _upload(driver, tmp_path / "fel.csv", "import")
    cells = [cell.text for cell in driver.find_elements(By.CSS_SELECTOR, "#problems-caption ~ tbody td")]
    assert cells[:2] == ["4", "område"]
    assert cells[3:5] == ["4", "värde"]
    driver.get(base + "/indikatorer/")
    assert "Anmälda rån" not in _main(driver)
    driver.get(base + "/indikatorer/import")
    _upload(driver, tmp_path / "ran.csv", "import")
    assert "ran.csv" in driver.find_element(By.CSS_SELECTOR, ".flash").text

    # An analyst reads Centrum's lägesbild: survey, dialogues and walks, the indicator series, side by side.
    _switch_user(driver, base, "analyst@kommun.se")
    check_page(driver, f"{base}/problembild/centrum?period={YEAR}")
    page = _main(driver)
    share = re.search(r"Andel som känner sig otrygga ute ensamma sent en kväll[^\n]*? (\d+,\d %)", page)
    assert share, "the survey's share unsafe is on the page"
    assert f"{YEAR - 1}: 41; {YEAR}: 37" in page  # the imported series
    walks = re.search(r"(\d+) iakttagelser?, varav \d+ från barn", page)
    assert walks
    assert int(walks.group(1)) > 0  # the demo's safety walk in Centrum
    assert "Otrygga platser som nämns i enkäten" in page
    assert len(driver.find_elements(By.CSS_SELECTOR, "figure.chart svg")) >= 2
    driver.find_element(By.ID, "general").send_keys("Belysningen vid gångtunneln först.")
    click_and_wait(driver, "form.stack button[type=submit]")
    assert "/version/" in driver.current_url
    pdf_link = driver.find_element(By.PARTIAL_LINK_TEXT, "PDF").get_attribute("href")
    pdf = PdfReader(io.BytesIO(fetch(driver, pdf_link)))
    text = " ".join(" ".join(p.extract_text() for p in pdf.pages).split()).replace("\xa0", " ")
    series = f"{YEAR - 1}: 41; {YEAR}: 37"
    for figure in (f"Problembild för Centrum, {YEAR}", share.group(1).replace("\xa0", " "), series,
                   f"{walks.group(1)} iakttagelse", "Belysningen vid gångtunneln först."):
        assert figure in text, figure

    # A facilitator logs a trygghetsdialog, and promise 4's indicator moves at once.
    _switch_user(driver, base, "facilitator@kommun.se")
    driver.get(f"{base}/loften/{promise_4}")
    before = int(_count(driver, DIALOGUES))
    driver.get(f"{base}/dialoger/ny?format=safety_dialogue")
    driver.execute_script("arguments[0].value = arguments[1]", driver.find_element(By.ID, "held_on"),
                          dt.date.today().isoformat())
    Select(driver.find_element(By.ID, "area_id")).select_by_visible_text("Norrby")
    driver.find_element(By.ID, "place").send_keys("Biblioteket")
    driver.find_element(By.CSS_SELECTOR, "input[name=participation_level][value='2']").click()
    submit(driver)
    assert "Dialogen har sparats" in driver.page_source
    driver.get(f"{base}/loften/{promise_4}")
    assert int(_count(driver, DIALOGUES)) == before + 1

    # An analyst publishes the tertialrapport; the public page keeps its figures when more data arrive.
    _switch_user(driver, base, "analyst@kommun.se")
    driver.get(f"{base}/loften/rapport/{current_period(dt.date.today()).code}")
    click_and_wait(driver, "form.stack button[type=submit]")
    assert "/v1" in driver.current_url
    driver.delete_all_cookies()
    driver.get(f"{base}/aterkoppling/")
    published = _main(driver)
    assert str(before + 1) in published
    make_dialogue(staff_db, make_staff(staff_db, "facilitator"), held_on=dt.date.today(), format="safety_dialogue",
                  observations=3)
    staff_db.commit()
    driver.get(f"{base}/aterkoppling/")
    assert _main(driver) == published
