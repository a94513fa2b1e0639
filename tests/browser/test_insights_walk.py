"""An analyst's walk through the demo's results in a real browser (issue 10's "Done when"), and every download
read back with the csv module (Swedish dialect), openpyxl and pyreadstat to find the page's numbers.

The walk: log in, open the demo wave, read share unsafe by area × gender with CIs and the symbols' legend, the
child-rights view, the gender gap per area, the trend against the earlier wave, switch the weighting; each page is
checked with axe-core at desktop width and at 320 px (no sideways scrolling there). The files are fetched over
HTTP from the same live server with the browser's session, so what is compared is what the analyst would get.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyreadstat
import pytest
from openpyxl import load_workbook
from selenium.webdriver.common.by import By
from sqlalchemy.orm import Session

from survey_app.demo import DEMO_SURVEY_SLUG, load_demo
from survey_app.survey.questionnaires import instrument_of
from tests.browser.pages import (
    assert_accessible,
    assert_no_horizontal_scroll,
    browser_log_in,
    click_and_wait,
    fetch,
)
from tests.factories import make_staff
from tests.web.insights.waves import survey_by_slug, tables

pytestmark = pytest.mark.browser

DESKTOP = (1280, 900)
NARROW = (320, 640)
NBSP = "\u00a0"
UNSAFE = "Andel som känner sig otrygga ute ensamma sent en kväll i bostadsområdet (eller avstår av oro)"
GENDERS = {"Kvinnor": "woman", "Män": "man", "Annat kön": "other", "Kön ej angivet": "no_answer"}


def checked(driver, what: str) -> str:
    """The page's HTML after axe-core at desktop width and at 320 px, where it must not scroll sideways."""
    driver.set_window_size(*DESKTOP)
    assert_accessible(driver, f"{what} (desktop)")
    driver.set_window_size(*NARROW)
    assert_accessible(driver, f"{what} at 320 px")
    assert_no_horizontal_scroll(driver)
    driver.set_window_size(*DESKTOP)
    return driver.page_source


def percent(value: float) -> str:
    return f"{value * 100:.1f}".replace(".", ",") + NBSP + "%"


def number(text: str) -> int:
    return int(text.replace(NBSP, "").replace(" ", ""))


@pytest.fixture
def patient_browser(fresh_browser):
    """The first analysis of the demo's whole questionnaire (raking, a trend) takes longer than a page usually may."""
    fresh_browser.set_page_load_timeout(180)
    yield fresh_browser
    fresh_browser.set_page_load_timeout(30)


def test_an_analyst_walks_the_demo_results_and_downloads_every_format(live_server, patient_browser,
                                                                     staff_db: Session, tmp_path: Path) -> None:
    load_demo(staff_db, responses=600, earlier_wave=True)
    make_staff(staff_db, "analyst", email="analys@kommun.se")
    staff_db.commit()
    survey = survey_by_slug(staff_db, DEMO_SURVEY_SLUG)
    areas = {a.name: a.code for a in survey.areas}
    instrument = instrument_of(survey.questionnaire)
    driver = patient_browser
    browser_log_in(driver, live_server.url, "analys@kommun.se", "sv")
    driver.set_window_size(*DESKTOP)

    driver.get(f"{live_server.url}/analys/")
    checked(driver, "the list of waves")
    click_and_wait(driver, f"a[href='/analys/{DEMO_SURVEY_SLUG}']")
    html = checked(driver, "the overview")
    assert "Vilka som svarade" in html
    assert 'aria-labelledby="area-map-caption"' in html

    # share unsafe by area × gender, with CIs, chosen in the page's own form
    click_and_wait(driver, ".view-tabs a[href*='/tabell']")
    driver.find_element(By.CSS_SELECTOR, "#by option[value=area_gender]").click()
    driver.find_element(By.CSS_SELECTOR, "#measure option[value=share_unsafe]").click()
    driver.find_element(By.CSS_SELECTOR, "#weighting option[value=none]").click()
    click_and_wait(driver, ".view-options button[type=submit]")
    assert "by=area_gender" in driver.current_url
    assert "weighting=none" in driver.current_url
    html = checked(driver, "share unsafe by area × gender")
    breakdown = tables(html)["breakdown"]
    page_rows: dict[tuple[str, str], list[str]] = {}
    for row in breakdown[2:]:  # the header and the whole municipality first
        page_rows[(areas[row[0]], GENDERS[row[1]])] = row[2:5]
    assert any(r[1] == "U" for r in page_rows.values()), "the demo must show suppressed cells"
    assert "Skyddad för de svarandes skull" in html  # the legend says why
    published = {k: r for k, r in page_rows.items() if r[1] not in ("U", "..")}
    assert published
    assert all(" – " in r[2] for r in published.values())  # each published figure with its CI

    click_and_wait(driver, ".view-tabs a[href*='/barn']")
    html = checked(driver, "the child-rights view")
    assert "children-detail" in tables(html)
    click_and_wait(driver, ".view-tabs a[href*='/kon']")
    html = checked(driver, "the gender view")
    gap_rows = tables(html)["gender-gap-areas"][1:]
    assert {row[0] for row in gap_rows} <= set(areas)
    assert any("statistiskt" in row[-1] for row in gap_rows)
    click_and_wait(driver, ".view-tabs a[href*='/trend']")
    html = checked(driver, "the trend")
    assert "compare=trygghetsenkat-2025" in driver.current_url or "Trygghetsenkät 2025" in html
    assert tables(html)["trend-areas"][1:]

    # switching the weighting gives other figures, and says so
    click_and_wait(driver, ".view-tabs a[href*='/tabell']")
    driver.find_element(By.CSS_SELECTOR, "#weighting option[value=raking]").click()
    click_and_wait(driver, ".view-options button[type=submit]")
    assert "weighting=raking" in driver.current_url
    html = checked(driver, "share unsafe by area × gender with raking")
    assert "Viktning: Kalibrering (raking) till område, kön och åldersgrupp" in html
    raked = {(areas[row[0]], GENDERS[row[1]]): row[2:5] for row in tables(html)["breakdown"][2:]}
    assert any(raked[key][1] != shown[1] for key, shown in published.items())  # the same n, other estimates
    assert all(raked[key][0] == shown[0] for key, shown in published.items() if raked[key][1] != "U")

    # every export, fetched as the analyst, finds the numbers of the unweighted area × gender page
    base = f"{live_server.url}/analys/{DEMO_SURVEY_SLUG}"
    excel = fetch(driver, f"{base}/export/excel-sv/omraden-kon.csv?weighting=none")
    assert excel.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(excel.decode("utf-8-sig")), dialect="excel", delimiter=";"))
    column = {name: i for i, name in enumerate(rows[0])}
    labels = {"Kvinna": "woman", "Man": "man", "Annan könsidentitet": "other", "Vill inte svara": "no_answer"}
    seen = 0
    for row in rows[1:]:
        if row[column["Måttkod"]] != "share_unsafe":
            continue
        key = (areas[row[column["Område"]]], labels[row[column["Kön"]]])
        shown = page_rows[key]
        assert row[column["Symbol"]] == (shown[1] if shown[1] in ("U", "..") else ""), key
        if key in published:
            seen += 1
            assert number(shown[0]) == int(row[column["Antal svar"]])
            assert percent(float(row[column["Skattning"]].replace(",", "."))) == shown[1].removesuffix(" *")
            assert percent(float(row[column["95 % KI, nedre"]].replace(",", "."))) == shown[2].split(" – ")[0]
    assert seen == len(published)

    plain = list(csv.DictReader(io.StringIO(fetch(driver, f"{base}/export/plain/omraden-kon.csv?weighting=none")
                                            .decode("utf-8"))))
    estimates = {(r["area"], r["gender"]): r for r in plain if r["measure"] == "share_unsafe"}
    for key, shown in published.items():
        assert percent(float(estimates[key]["estimate"])) == shown[1].removesuffix(" *")
        assert int(estimates[key]["n"]) == number(shown[0])

    book = load_workbook(io.BytesIO(fetch(driver, f"{base}/export/tabeller.xlsx?weighting=none")), read_only=True)
    sheet = next(s for s in book.worksheets if [c.value for c in next(s.iter_rows(max_row=1))][:4]
                 == ["Mått", "Område", "Kön", "Antal svar"])
    xlsx_rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=2)]
    for key, shown in published.items():
        name = next(n for n, c in areas.items() if c == key[0])
        row = next(r for r in xlsx_rows if r[0] == UNSAFE and r[1] == name and labels[r[2]] == key[1])
        assert row[3] == number(shown[0])
        assert isinstance(row[4], float)
        assert percent(row[4]) == shown[1].removesuffix(" *")
    assert "Metod" in book.sheetnames

    document = json.loads(fetch(driver, f"{base}/export/resultat.json?weighting=none"))
    from_json = {(r["group"].get("area"), r["group"].get("gender")): r for r in document["measures"]
                 if r["measure"] == "share_unsafe" and set(r["group"]) == {"area", "gender"}}
    for key, shown in published.items():
        assert percent(from_json[key]["estimate"]) == shown[1].removesuffix(" *")
        assert from_json[key]["n"] == number(shown[0])

    # microdata: the unweighted figures are counts of the answers, in CSV, SPSS and Stata alike
    measure = next(m for m in instrument.measures if m.name == "share_unsafe")
    answers = list(csv.DictReader(io.StringIO(fetch(driver, f"{base}/mikrodata/svar.csv").decode("utf-8"))))
    for key, shown in published.items():
        mine = [r[measure.item] for r in answers if (r["area"], r["gender"]) == key]
        valid = [a for a in mine if a in measure.base]
        assert len(valid) == number(shown[0])
        assert percent(sum(a in measure.counted for a in valid) / len(valid)) == shown[1].removesuffix(" *")
    item = next(q for q in instrument.questions if q.code == measure.item)
    label_of = {o.code: o.label("sv") for o in item.options}
    for fmt, read in (("sav", pyreadstat.read_sav), ("dta", pyreadstat.read_dta)):
        path = tmp_path / f"svar.{fmt}"
        path.write_bytes(fetch(driver, f"{base}/mikrodata/svar.{fmt}"))
        frame, _meta = read(str(path), apply_value_formats=True)
        assert len(frame) == len(answers)
        base_labels = {label_of[c] for c in measure.base}
        counted_labels = {label_of[c] for c in measure.counted}
        for key, shown in published.items():
            name = next(n for n, c in areas.items() if c == key[0])
            area_values = frame["area"].astype(str)
            in_area = (area_values == name) | (area_values == key[0])
            gender_values = frame["gender"].astype(str)
            gender_words = {key[1]} | {o.label("sv") for q in instrument.questions if q.code == "gender"
                                       for o in q.options if o.code == key[1]}
            mine = frame[in_area & gender_values.isin(gender_words)][measure.item].astype(str)
            assert int(mine.isin(base_labels).sum()) == number(shown[0]), (fmt, key)
            assert percent(int(mine.isin(counted_labels).sum()) / number(shown[0])) == \
                shown[1].removesuffix(" *"), (fmt, key)
    codebook = load_workbook(io.BytesIO(fetch(driver, f"{base}/mikrodata/kodbok.xlsx")), read_only=True)
    cells = {str(c.value) for s in codebook.worksheets for r in s.iter_rows() for c in r if c.value is not None}
    assert measure.item in cells
    assert "share_unsafe" in cells
    assert label_of["very_safe"] in cells
