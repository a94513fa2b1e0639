"""The public återkoppling page: only what staff published, frozen as published, never free text; per area, easy to
read and for children; the published figures as open data with a stable URL per tertial."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from sqlalchemy import select

from survey_app.indicators.demo import load_demo_indicators
from survey_app.indicators.periods import tertial_of
from survey_app.models import Area, Promise
from survey_app.promises.demo import load_demo_promises
from tests.factories import add_responses, make_dialogue, make_staff
from tests.web.client import log_in, token

TODAY = dt.date.today()
TERTIAL = tertial_of(TODAY)


@pytest.fixture
def published(app, staff_db, make_wave):
    make_staff(staff_db, "analyst", email="an@kommun.se")
    staff_db.commit()
    wave = make_wave()
    add_responses(staff_db, wave, count=90)
    areas = list(staff_db.scalars(select(Area).order_by(Area.code)))
    owner = make_staff(staff_db, "facilitator", email="fa@kommun.se")
    load_demo_indicators(staff_db, areas=areas, today=TODAY)
    load_demo_promises(staff_db, today=TODAY, owner=owner)
    make_dialogue(staff_db, owner, area=areas[0], held_on=TODAY, format="safety_walk", from_children=True)
    promise = staff_db.scalars(select(Promise).where(Promise.number == 2)).one()
    promise.areas = [areas[0]]
    staff_db.commit()
    analyst = app.test_client()
    log_in(analyst, "an@kommun.se")
    path = f"/loften/{promise.id}/uppfoljning/{TERTIAL.code}"
    assert analyst.post(path, data={"csrf_token": token(analyst, path), "status": "on_track",
                                    "feedback": "Vi har inventerat gångvägarna i Norr."}).status_code == 302
    report = f"/loften/rapport/{TERTIAL.code}"
    assert analyst.post(f"{report}/publicera", data={"csrf_token": token(analyst, report)}).status_code == 302
    return {"analyst": analyst, "areas": [a.code for a in areas], "promise": promise.id}


def test_nothing_is_shown_before_anything_is_published(client) -> None:
    page = client.get("/aterkoppling/").get_data(as_text=True)
    assert "Inget har publicerats ännu" in page


def test_the_public_page_shows_the_published_promises_and_figures_and_never_free_text(client, published) -> None:
    response = client.get("/aterkoppling/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Vi har inventerat gångvägarna i Norr." in page
    assert "Löfte 4" in page
    assert "33,3\xa0%" in page  # 30 of 90 feel unsafe, from the published survey figures
    assert "Belysning: 1" in page  # the walk's theme, counted
    for private in ("Mörk gångtunnel", "Tunneln 1", "an@kommun.se", "fa@kommun.se"):
        assert private not in page


def test_published_figures_stay_the_same_when_data_change(client, staff_db, published) -> None:
    before = client.get("/aterkoppling/").get_data(as_text=True)
    analyst = published["analyst"]
    path = f"/loften/{published['promise']}/uppfoljning/{TERTIAL.code}"
    analyst.post(path, data={"csrf_token": token(analyst, path), "status": "delayed", "feedback": "Ändrad text"})
    make_dialogue(staff_db, make_staff(staff_db, "facilitator"), held_on=TODAY, format="safety_dialogue",
                  area=staff_db.scalars(select(Area)).first())
    staff_db.commit()
    after = client.get("/aterkoppling/").get_data(as_text=True)
    assert after == before
    assert "Ändrad text" not in after


def test_an_area_shows_its_promises_and_an_unknown_area_is_404(client, published) -> None:
    norr, soder = published["areas"]
    in_norr = client.get(f"/aterkoppling/omrade/{norr}").get_data(as_text=True)
    in_soder = client.get(f"/aterkoppling/omrade/{soder}").get_data(as_text=True)
    assert "Vi har inventerat gångvägarna i Norr." in in_norr
    assert "Vi har inventerat gångvägarna i Norr." not in in_soder  # promise 2 concerns Norr only
    assert "Löfte 4" in in_soder  # a promise without areas concerns every area
    assert client.get("/aterkoppling/omrade/atlantis").status_code == 404


def test_easy_to_read_and_children_versions(client, published) -> None:
    easy = client.get("/aterkoppling/lattlast").get_data(as_text=True)
    assert "Vi har gett 4 löften." in easy
    children = client.get("/aterkoppling/barn").get_data(as_text=True)
    assert "Barn och unga berättade om 1 sak" in children


def test_open_data_per_tertial_matches_the_published_report(client, published) -> None:
    data = json.loads(client.get(f"/aterkoppling/data/{TERTIAL.code}.json").get_data(as_text=True))
    assert (data["tertial"], data["version"]) == (TERTIAL.code, 1)
    walks = [row for row in data["figures"] if row["indicator"] == "Antal genomförda inventeringar av den fysiska "
             "miljön" and row["period"] == TERTIAL.code]
    assert walks[0]["value"] == 1.0
    rows = list(csv.DictReader(io.StringIO(client.get(f"/aterkoppling/data/{TERTIAL.code}.csv")
                                           .get_data(as_text=True))))
    assert len(rows) == len(data["figures"])
    assert rows[0].keys() >= {"tertial", "promise", "indicator", "period", "value"}
    assert client.get("/aterkoppling/data/2026-T9.json").status_code == 404
    assert client.get(f"/aterkoppling/data/{TERTIAL.previous().code}.json").status_code == 404  # not published
