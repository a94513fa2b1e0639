"""The survey's unsafe places coded into the walk categories: a suggestion from the words, pre-selected and confirmed
by an analyst, stored and audited; staff read the masked descriptions on the coding page only, while the lägesbild,
its saved versions, PDF and workbook count places by area and category, and the sources' agreement uses them."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from sqlalchemy import func, select

from survey_app.models import Area, AuditEvent, ProblemPicture, UnsafePlaceCoding
from survey_app.problem_picture.places import suggest
from survey_app.survey.questionnaires import instrument_of
from survey_app.survey.responses import SubmittedResponse, store_responses
from tests.factories import make_dialogue, make_focus_areas, make_staff
from tests.web.client import log_in

YEAR = str(dt.date.today().year)
PHONE_TEXT = "Tunneln vid stationen är mörk, ring mig på 070-123 45 67"
# (area of place 1, its description; area of place 2, its description): stored as a respondent's answers
ANSWERS = [
    ("norr", PHONE_TEXT, "norr", "Buskarna skymmer sikten vid lekplatsen"),
    ("norr", "Gatubelysningen är trasig längs ån", None, None),
    ("norr", "Inga lampor på cykelvägen", "soder", "Mycket klotter i tunneln"),
    ("norr", "Parkeringshuset", None, None),
    ("soder", None, None, None),  # an area without a description: counted, not coded
]


@pytest.mark.parametrize(("text", "category"), [
    ("Belysningen är trasig och det är mörkt", "lighting"),
    ("Gatubelysning saknas helt", "lighting"),  # inside a compound word
    ("Buskarna är igenvuxna, man ser ingenting", "vegetation"),
    ("Stökigt på kvällarna, berusade personer", "disorder"),
    ("Bilar kör för fort förbi skolan", "traffic"),
    ("Nedskräpat och sopor överallt", "litter"),
    ("Klotter på väggarna", "graffiti"),
    ("Krossade rutor i busskuren", "vandalism"),
    ("Parkeringshuset vid stationen", None),
    ("Hotellet vid torget", None),  # "hot" (threat) is no keyword by itself
])
def test_the_suggestion_follows_the_words(text: str, category: str | None) -> None:
    assert suggest(text) == category


def _arrange(staff_db, make_wave):
    make_staff(staff_db, "analyst", email="an@kommun.se")
    make_staff(staff_db, "facilitator", email="fa@kommun.se")
    make_focus_areas(staff_db)
    staff_db.commit()
    wave = make_wave()
    submitted = []
    for number, (area_1, text_1, area_2, text_2) in enumerate(ANSWERS):
        answers = {"area": "norr", "gender": ("woman", "man")[number % 2], "birth_year": int(YEAR) - 30,
                   "unsafe_evening": "fairly_unsafe", "unsafe_place_area_1": area_1}
        for code, value in (("unsafe_place_text_1", text_1), ("unsafe_place_area_2", area_2),
                            ("unsafe_place_text_2", text_2)):
            if value:
                answers[code] = value
        submitted.append(SubmittedResponse(answers=answers, language="sv", submitted_on=dt.date.today()))
    store_responses(staff_db, wave, instrument_of(wave.questionnaire), submitted)  # unmasked, as older answers
    norr = staff_db.scalars(select(Area).where(Area.code == "norr")).one()
    make_dialogue(staff_db, make_staff(staff_db, "facilitator"), area=norr, held_on=dt.date.today(), observations=2)
    staff_db.commit()
    return wave


def _token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _selected(page: str) -> dict[str, str]:
    """The category pre-selected beside each description on the coding page."""
    found = {}
    for row in re.findall(r"<tr>\s*<td id=\"text-[^\"]+\">(.*?)</td>(.*?)</tr>", page, re.S):
        chosen = re.search(r'<option value="(\w*)" selected>', row[1])
        found[row[0]] = chosen.group(1) if chosen else ""
    return found


def test_an_analyst_confirms_the_suggestions_and_the_problem_picture_counts_the_places(
        app, client, staff_db, make_wave) -> None:
    _arrange(staff_db, make_wave)
    log_in(client, "an@kommun.se")
    page = client.get(f"/problembild/otrygga-platser/?period={YEAR}").get_data(as_text=True)
    assert "070-123 45 67" not in page  # masked as it is read, though stored unmasked
    assert "Tunneln vid stationen är mörk, ring mig på [telefonnummer]" in page
    assert _selected(page) == {
        "Tunneln vid stationen är mörk, ring mig på [telefonnummer]": "lighting",
        "Buskarna skymmer sikten vid lekplatsen": "vegetation", "Gatubelysningen är trasig längs ån": "lighting",
        "Inga lampor på cykelvägen": "lighting", "Mycket klotter i tunneln": "graffiti", "Parkeringshuset": ""}
    assert "6 beskrivna platser" in page
    assert "6 inte kodade ännu" in page

    # The analyst saves the page: the suggestions become codings, the place without one stays uncoded.
    form = {"csrf_token": _token(page), "period": YEAR, "show": "uncoded", "page": "1", "area": ""}
    keys = re.findall(r'name="place" value="([^"]+)"', page)
    form["place"] = keys
    for key in keys:
        chosen = re.search(rf'name="category-{re.escape(key)}".*?</select>', page, re.S).group(0)
        selected = re.search(r'<option value="(\w*)" selected>', chosen)
        form[f"category-{key}"] = selected.group(1) if selected else ""
    response = client.post("/problembild/otrygga-platser/spara", data=form)
    assert response.status_code == 302
    assert staff_db.scalar(select(func.count()).select_from(UnsafePlaceCoding)) == 5
    assert staff_db.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "unsafe_place.code")) == 5
    left = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 plats har ingen kategori ännu" in left
    assert list(_selected(left)) == ["Parkeringshuset"]

    # Changing a coding is a new audit event with the category before and after.
    coded = client.get(f"/problembild/otrygga-platser/?period={YEAR}&show=coded").get_data(as_text=True)
    key = re.search(r'id="text-([^"]+)">Mycket klotter', coded).group(1)
    client.post("/problembild/otrygga-platser/spara", data={
        "csrf_token": _token(coded), "period": YEAR, "show": "coded", "place": key, f"category-{key}": "vandalism"})
    staff_db.expire_all()
    change = staff_db.scalars(select(AuditEvent).where(AuditEvent.action == "unsafe_place.code")
                              .order_by(AuditEvent.id.desc())).first()
    assert (change.details["before"], change.details["after"]) == ("graffiti", "vandalism")

    # The area's lägesbild counts places by category and says that walks and residents agree on lighting.
    area_page = client.get(f"/problembild/norr?period={YEAR}").get_data(as_text=True)
    table = area_page.split('id="places-caption"', 1)[1].split("</table>", 1)[0]
    assert re.findall(r'<th scope="row">([^<]+)</th><td class="num">(\d+)</td>', table) == [
        ("Belysning", "3"), ("Vegetation, skymd sikt", "1")]
    assert "Invånarna nämnde 5 platser där de känner sig otrygga." in area_page
    assert "Trygghetsvandringar noterade 2 problem med belysning." in area_page
    assert "Invånarna nämnde 3 otrygga platser i enkäten kodade som belysning." in area_page
    for text in ("Tunneln vid stationen", "Buskarna skymmer", "Parkeringshuset", "[telefonnummer]"):
        assert text not in area_page  # counts only, never a description

    # The municipality's page counts per area; Söder's place without a description is counted, not coded.
    whole = client.get(f"/problembild/kommunen?period={YEAR}").get_data(as_text=True)
    rows = whole.split('id="places-area-caption"', 1)[1].split("</table>", 1)[0]
    norr_row = re.search(r'<th scope="row">Norr</th>(.*?)</tr>', rows).group(1)
    soder_row = re.search(r'<th scope="row">Söder</th>(.*?)</tr>', rows).group(1)
    assert re.findall(r">([^<]+)</td>", norr_row) == ["3", "1", "–", "–", "–", "–", "–", "–", "1", "5"]
    assert re.findall(r">([^<]+)</td>", soder_row) == ["–", "–", "–", "–", "1", "–", "–", "–", "1", "2"]


def test_exports_and_saved_versions_hold_counts_never_descriptions(app, client, staff_db, make_wave) -> None:
    from openpyxl import load_workbook
    from pypdf import PdfReader

    _arrange(staff_db, make_wave)
    log_in(client, "an@kommun.se")
    page = client.get(f"/problembild/otrygga-platser/?period={YEAR}").get_data(as_text=True)
    keys = re.findall(r'name="place" value="([^"]+)"', page)
    client.post("/problembild/otrygga-platser/spara", data={
        "csrf_token": _token(page), "period": YEAR, "place": keys, **{f"category-{key}": "lighting" for key in keys}})
    workbook = load_workbook(io.BytesIO(client.get(f"/problembild/kommunen.xlsx?period={YEAR}").data))
    cells = [cell for sheet in workbook for row in sheet.iter_rows(values_only=True) for cell in row if cell]
    assert ("Norr", "Belysning", 5) in [tuple(row) for row in workbook["Platser i enkäten"].iter_rows(values_only=True)]
    pdf = client.get(f"/problembild/norr.pdf?period={YEAR}").data
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "Otrygga platser som nämns i enkäten" in text
    page = client.get(f"/problembild/norr?period={YEAR}").get_data(as_text=True)
    client.post("/problembild/norr/spara", data={"csrf_token": _token(page.split("3. Analys", 1)[1]),
                                                 "period": YEAR, "general": "Belysning"})
    saved = staff_db.scalars(select(ProblemPicture)).one()
    for description in ("Tunneln vid stationen", "Buskarna", "Parkeringshuset", "cykelvägen", "telefonnummer"):
        assert description not in str(saved.evidence)
        assert description not in text
        assert not any(description in str(cell) for cell in cells)
    assert saved.evidence["places"]["by_category"] == [["lighting", 5]]
    for public in ("/aterkoppling/", "/aterkoppling/omrade/norr"):
        assert "Tunneln vid stationen" not in client.get(public).get_data(as_text=True)


def test_facilitators_read_the_places_but_do_not_code_them(app, client, staff_db, make_wave) -> None:
    _arrange(staff_db, make_wave)
    log_in(client, "fa@kommun.se")
    page = client.get(f"/problembild/otrygga-platser/?period={YEAR}").get_data(as_text=True)
    assert "Inga lampor på cykelvägen" in page
    assert "<select name=\"category-" not in page
    assert client.post("/problembild/otrygga-platser/spara", data={"period": YEAR}).status_code == 403
    anonymous = app.test_client()
    assert anonymous.get(f"/problembild/otrygga-platser/?period={YEAR}").status_code == 302


def test_a_coding_outlives_its_description_and_goes_with_its_response(app, client, staff_db, make_wave) -> None:
    from survey_app import retention

    _arrange(staff_db, make_wave)
    log_in(client, "an@kommun.se")
    page = client.get(f"/problembild/otrygga-platser/?period={YEAR}").get_data(as_text=True)
    keys = re.findall(r'name="place" value="([^"]+)"', page)
    parking = re.search(r'id="text-([^"]+)">Parkeringshuset', page).group(1)
    client.post("/problembild/otrygga-platser/spara", data={
        "csrf_token": _token(page), "period": YEAR, "place": keys,
        **{f"category-{key}": "" if key == parking else "lighting" for key in keys}})
    area_page = client.get(f"/problembild/norr?period={YEAR}").get_data(as_text=True)
    assert "1 beskrivna platser är inte kodade ännu, 0 saknar beskrivning." in area_page
    # Retention removes the free text a year after the wave (the responses stay): the codings still count, and the
    # uncoded place now has no description (the counts kept by data version are not stale).
    retention.run(staff_db, today=dt.date.today() + dt.timedelta(days=365 * 2), now=dt.datetime.now(dt.UTC))
    staff_db.commit()
    area_page = client.get(f"/problembild/norr?period={YEAR}").get_data(as_text=True)
    assert "0 beskrivna platser är inte kodade ännu, 1 saknar beskrivning." in area_page
    whole = client.get(f"/problembild/kommunen?period={YEAR}").get_data(as_text=True)
    rows = whole.split('id="places-area-caption"', 1)[1].split("</table>", 1)[0]
    norr_row = re.search(r'<th scope="row">Norr</th>(.*?)</tr>', rows).group(1)
    assert re.findall(r">([^<]+)</td>", norr_row) == ["4", "–", "–", "–", "–", "–", "–", "–", "1", "5"]
    assert "0 beskrivna platser" in client.get(f"/problembild/otrygga-platser/?period={YEAR}").get_data(as_text=True)
    retention.run(staff_db, today=dt.date.today() + dt.timedelta(days=365 * 30), now=dt.datetime.now(dt.UTC))
    staff_db.commit()
    assert staff_db.scalar(select(func.count()).select_from(UnsafePlaceCoding)) == 0
