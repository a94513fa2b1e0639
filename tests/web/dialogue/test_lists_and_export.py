"""Finding dialogues and observations by filter, and exporting the follow-up list as CSV and XLSX."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from survey_app.dialogue import commands, queries
from survey_app.models import AuditEvent
from tests.factories import make_area, make_dialogue, make_focus_areas, make_staff
from tests.web.client import log_in, token


@pytest.fixture
def world(staff_db):
    """Two areas, a walk in Norrby with a child's observation, a dialogue in Centrum, one observation done."""
    facilitator = make_staff(staff_db, "facilitator", email="fa@kommun.se")
    make_staff(staff_db, "analyst", email="an@kommun.se")
    focus = make_focus_areas(staff_db)
    norrby, centrum = make_area(staff_db, "Norrby"), make_area(staff_db, "Centrum")
    walk = make_dialogue(staff_db, facilitator, area=norrby, held_on=dt.date(2026, 10, 8), observations=2,
                         from_children=True)
    talk = make_dialogue(staff_db, facilitator, area=centrum, held_on=dt.date(2026, 5, 2), format="citizen_dialogue",
                         observations=1)
    walk.observations[0].focus_areas = [focus[4]]
    commands.change_status(staff_db, talk.observations[0], "done", reason=None, actor=facilitator)
    ids = {"norrby": norrby.id, "centrum": centrum.id, "walk": walk.id, "talk": talk.id, "vandalism": focus[4].id}
    staff_db.commit()
    return ids


def _found(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "walk", "talk"),
    [
        ("", True, True),
        ("area={norrby}", True, False),
        ("date_from=2026-09-01", True, False),
        ("date_from=2026-01-01&date_to=2026-06-30", False, True),
        ("format=citizen_dialogue", False, True),
        ("focus_area={vandalism}", True, False),
        ("status=done", False, True),
        ("status=in_progress", False, False),
        ("children=y", True, False),
        ("lang=en", True, True),
    ],
)
def test_dialogue_list_filters(client, world, query: str, walk: bool, talk: bool) -> None:
    log_in(client, "an@kommun.se")
    page = _found(client, "/dialoger/?" + query.format(**world))
    assert (f'href="/dialoger/{world["walk"]}"' in page) is walk
    assert (f'href="/dialoger/{world["talk"]}"' in page) is talk


def test_observation_list_filters(client, world) -> None:
    log_in(client, "an@kommun.se")
    everything = _found(client, "/dialoger/iakttagelser")
    assert everything.count('class="card" id="obs-') == 3
    assert _found(client, "/dialoger/iakttagelser?children=y").count('class="card" id="obs-') == 2
    assert _found(client, "/dialoger/iakttagelser?status=done").count('class="card" id="obs-') == 1
    page = _found(client, f"/dialoger/iakttagelser?focus_area={world['vandalism']}&area={world['norrby']}")
    assert page.count('class="card" id="obs-') == 1
    assert "Skadegörelse/klotter" in page


@pytest.mark.parametrize("query", ["area=abc", "area=999999", "date_from=igår", "format=picnic", "status=x",
                                   "focus_area=-1", "date_from=2026-05-01&date_to=2026-04-01",
                                   "date_from=" + "9" * 5000])
def test_bad_filters_are_a_400_with_the_message_by_the_field(client, world, query: str) -> None:
    log_in(client, "an@kommun.se")
    for path in ("/dialoger/", "/dialoger/iakttagelser", "/dialoger/iakttagelser/export.csv"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400, (path, query)
        assert "field__error" in response.get_data(as_text=True)


def test_csv_export_follows_the_filter_guards_formulas_and_is_audited(client, staff_db, world) -> None:
    dialogue_observation = queries.find_observations(staff_db, queries.Filters(area_id=world["norrby"]))[0]
    dialogue_observation.proposed_measure = "=HYPERLINK(\"http://evil\";\"klicka\")"
    dialogue_observation.place_name = "@SUM(A1)"
    staff_db.commit()
    log_in(client, "an@kommun.se")
    response = client.get(f"/dialoger/iakttagelser/export.csv?area={world['norrby']}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:4] == ["Iakttagelse", "Dialog", "Datum", "Mötesform"]
    assert len(rows) == 3
    cells = [cell for row in rows[1:] for cell in row]
    assert "'=HYPERLINK(\"http://evil\";\"klicka\")" in cells
    assert "'@SUM(A1)" in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
    assert "Trygghetsvandring" in cells
    assert "Norrby" in cells

    event = staff_db.scalars(select(AuditEvent).where(AuditEvent.action == "observations.export")).one()
    assert event.actor_label == "an@kommun.se"
    assert event.details == {"format": "csv", "filters": {"area_id": world["norrby"]}, "rows": 2}
    staff_db.rollback()


def test_xlsx_export_is_a_workbook_with_text_not_formulas(client, staff_db, world) -> None:
    observation = queries.find_observations(staff_db, queries.Filters(area_id=world["centrum"]))[0]
    observation.text = "=1+1"
    staff_db.commit()
    log_in(client, "fa@kommun.se")
    response = client.get("/dialoger/iakttagelser/export.xlsx?status=done")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.get_data()))
    sheet = workbook.active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Iakttagelse"
    assert len(rows) == 2
    text = next(cell for cell in sheet[2] if cell.value == "=1+1")  # as typed: no apostrophe in front
    assert text.data_type == "s"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert staff_db.scalar(select(AuditEvent.details).where(AuditEvent.action == "observations.export"))["format"] \
        == "xlsx"
    staff_db.rollback()


def test_a_control_character_in_a_text_cannot_break_the_excel_export(client, staff_db) -> None:
    owner = make_staff(staff_db, "facilitator", email="fa@kommun.se")
    dialogue = make_dialogue(staff_db, owner)
    observation_id = dialogue.observations[0].id
    staff_db.commit()
    log_in(client, "fa@kommun.se")
    path = f"/dialoger/iakttagelser/{observation_id}/redigera"
    page = client.get(path).get_data(as_text=True)
    assert "Mörk gångtunnel" in page
    response = client.post(path, data={"csrf_token": token(client, path), "text": "Lampan\x0btrasig",
                                       "kind": "unsafe_place", "decision": "pending"})
    assert response.status_code in (302, 400)
    export = client.get("/dialoger/iakttagelser/export.xlsx")
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.data)).active
    assert all("\x0b" not in str(cell.value) for row in sheet.iter_rows() for cell in row)
