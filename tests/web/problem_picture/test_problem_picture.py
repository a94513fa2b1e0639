"""The lägesbild: survey, indicator and dialogue evidence side by side per area in the law's three parts, the
sources' agreement named, the analysis saved as a dated version whose figures never change afterwards."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from survey_app.indicators.importing import store_value
from survey_app.indicators.periods import PeriodKind, make_period
from survey_app.models import Area, Indicator, ProblemPicture
from tests.factories import add_responses, make_dialogue, make_focus_areas, make_staff
from tests.web.client import log_in

YEAR = str(dt.date.today().year)


def _arrange(staff_db, make_wave):
    make_staff(staff_db, "analyst", email="an@kommun.se")
    make_staff(staff_db, "facilitator", email="fa@kommun.se")
    make_focus_areas(staff_db)
    staff_db.commit()
    wave = make_wave()
    add_responses(staff_db, wave, count=120)  # a third "fairly unsafe" in each area, women and men alike
    norr = staff_db.scalars(select(Area).where(Area.code == "norr")).one()
    facilitator = staff_db.scalars(select(Area)).first()
    del facilitator
    walker = make_staff(staff_db, "facilitator")
    make_dialogue(staff_db, walker, area=norr, held_on=dt.date.today(), observations=2, from_children=True,
                  tallies={("woman", "25-44"): 5, ("man", "45-64"): 2})
    crimes = Indicator(code="valdsbrott", name="Anmälda våldsbrott", direction="higher_worse")
    staff_db.add(crimes)
    staff_db.flush()
    for year, value in ((int(YEAR) - 2, 50), (int(YEAR) - 1, 62)):
        store_value(staff_db, crimes, norr, "", make_period(PeriodKind.YEAR, year), value, "Brå", recorded_by="t")
    staff_db.commit()
    return wave


def test_an_area_s_problem_picture_puts_survey_indicator_and_walk_evidence_side_by_side(
        client, staff_db, make_wave) -> None:
    _arrange(staff_db, make_wave)
    log_in(client, "an@kommun.se")
    response = client.get(f"/problembild/norr?period={YEAR}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for heading in ("1. Kartläggning", "2. Annan information av betydelse", "3. Analys"):
        assert heading in page
    unsafe = re.search(r"<th scope=\"row\">Andel som känner sig otrygga ute ensamma sent en kväll[^<]*</th>\s*"
                       r"<td class=\"num\">([^<]+)</td>", page)
    assert unsafe
    assert unsafe.group(1) == "33,3\xa0%"  # 20 of the area's 60 answers
    assert "n</th>" in page
    assert f"{int(YEAR) - 2}: 50; {int(YEAR) - 1}: 62" in page
    assert "upp" in page  # the series rose
    assert "2 iakttagelser, varav 2 från barn." in page
    assert "Tunneln 1 (1)" in page
    assert "Kvinnor: 33,3\xa0% känner sig otrygga" in page


def test_the_municipality_and_an_area_without_data_say_so_and_bad_urls_are_404(client, staff_db, make_wave) -> None:
    _arrange(staff_db, make_wave)
    log_in(client, "an@kommun.se")
    whole = client.get(f"/problembild/kommunen?period={YEAR}").get_data(as_text=True)
    assert "hela kommunen" in whole
    assert "33,3\xa0%" in whole  # 40 of 120
    empty = client.get(f"/problembild/soder?period={int(YEAR) - 3}").get_data(as_text=True)
    assert "Ingen enkät genomfördes" in empty
    assert client.get(f"/problembild/atlantis?period={YEAR}").status_code == 404
    assert client.get("/problembild/norr?period=1066").status_code == 404


def test_a_saved_version_keeps_the_analysis_and_the_figures_as_they_were(app, client, staff_db, make_wave) -> None:
    wave = _arrange(staff_db, make_wave)
    log_in(client, "an@kommun.se")
    page = client.get(f"/problembild/norr?period={YEAR}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.split("3. Analys", 1)[1]).group(1)
    response = client.post("/problembild/norr/spara", data={
        "csrf_token": token, "period": YEAR, "public_violence-causes": "Mörka gångtunnlar vid skolan",
        "public_violence-conclusions": "Belysning först", "general": "Fokus på Norr"})
    assert response.status_code == 302
    saved_url = response.headers["Location"]
    first = client.get(saved_url).get_data(as_text=True)
    assert "Mörka gångtunnlar vid skolan" in first
    assert "2 iakttagelser" in first
    add_responses(staff_db, wave, count=30)  # more answers and another walk after saving
    make_dialogue(staff_db, make_staff(staff_db, "facilitator"),
                  area=staff_db.scalars(select(Area).where(Area.code == "norr")).one(), held_on=dt.date.today())
    staff_db.commit()
    assert "3 iakttagelser" in client.get(f"/problembild/norr?period={YEAR}").get_data(as_text=True)
    again = client.get(saved_url).get_data(as_text=True)
    assert "2 iakttagelser" in again
    assert "Mörka gångtunnlar vid skolan" in again
    saved = staff_db.scalars(select(ProblemPicture)).one()
    assert (saved.version, saved.analysis["_general"]) == (1, {"conclusions": "Fokus på Norr"})
    staff_db.rollback()
    facilitator = app.test_client()
    log_in(facilitator, "fa@kommun.se")
    assert facilitator.get(saved_url).status_code == 200
    assert facilitator.post("/problembild/norr/spara", data={"csrf_token": token, "period": YEAR}).status_code == 403


def test_the_problem_picture_as_pdf_holds_the_page_s_figures_and_the_law_s_three_parts(
        client, staff_db, make_wave, tmp_path) -> None:
    import io
    import subprocess

    from pypdf import PdfReader

    _arrange(staff_db, make_wave)
    log_in(client, "an@kommun.se")
    page = client.get(f"/problembild/norr?period={YEAR}").get_data(as_text=True)
    assert page.count('<figure class="chart">') == 2  # unsafety and worry, the indicator series (no problem answers)
    assert "<svg" in page
    assert "ns0:" not in page
    body = page.split('id="kartlaggning"', 1)[1].split('<form method="post" action="/problembild/norr/spara"', 1)[0]
    page_text = re.sub(r"<[^>]+>", " ", body)
    response = client.get(f"/problembild/norr.pdf?period={YEAR}")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert f"Problembild för Norr, {YEAR}" in text
    for heading in ("1. Kartläggning", "2. Annan information av betydelse", "3. Analys", "Metod och källor"):
        assert heading in text
    assert "33,3 %" in text.replace("\xa0", " ")
    # the charts are drawn in the PDF as on the page (their text is text): share unsafe's bar is labelled with its
    # figure, once more than the tables (share, women, men), and the series' bars with their values
    assert text.replace("\xa0", " ").count("33,3 %") == page_text.count("33,3\xa0%") == 4
    assert "Diagram: Otrygghet och oro" in text
    assert "Anmälda våldsbrott (st)" in text or "Anmälda våldsbrott" in text
    assert "2 iakttagelser, varav 2 från barn." in text
    assert "..: för osäker" in text  # the legend of the symbols
    assert "Tunneln 1" in text
    (tmp_path / "picture.pdf").write_bytes(response.data)
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(tmp_path / "picture.pdf"),
                    str(tmp_path / "page")], check=True)
    assert list(tmp_path.glob("page-*.png"))
    assert client.get(f"/problembild/atlantis.pdf?period={YEAR}").status_code == 404


def test_the_problem_picture_as_xlsx_has_the_page_s_numbers_as_numbers(client, staff_db, make_wave) -> None:
    import io

    from openpyxl import load_workbook

    _arrange(staff_db, make_wave)
    log_in(client, "an@kommun.se")
    response = client.get(f"/problembild/norr.xlsx?period={YEAR}")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames[:3] == ["Enkät", "Indikatorer", "Iakttagelser"]
    survey = list(book["Enkät"].iter_rows(values_only=True))
    unsafe = next(row for row in survey if str(row[1]).startswith("Andel som känner sig otrygga ute ensamma"))
    assert unsafe[2] == pytest.approx(20 / 60)
    assert unsafe[5] == 60
    assert book["Enkät"].cell(row=survey.index(unsafe) + 1, column=3).number_format == "0.0%"
    indicators = list(book["Indikatorer"].iter_rows(values_only=True))[1:]
    assert [(row[2], row[3]) for row in indicators] == [(f"{int(YEAR) - 2}", 50), (f"{int(YEAR) - 1}", 62)]
    assert ("Belysning", 2) in list(book["Iakttagelser"].iter_rows(values_only=True))
    assert not any(isinstance(c, str) and c.startswith("=") for row in survey for c in row)
