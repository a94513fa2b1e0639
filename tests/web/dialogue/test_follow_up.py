"""Issue 12, facilitators: any facilitator follows up a measure (status and decision, with history, audited) while
what was said stays with its author and admins; the group that raised an observation; the protocol's decision
column; participants summed over dialogues and exported; closing a wave asks first and counts the drafts."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid

import openpyxl
import pytest
from sqlalchemy import select

from survey_app.models import AuditEvent, DialogueRevision, Observation, StatusChange, SurveyDraft, SurveyStatus
from tests.factories import make_area, make_dialogue, make_staff
from tests.web.client import log_in, token


@pytest.fixture
def recorder(staff_db):
    user = make_staff(staff_db, "facilitator", email="fa@kommun.se")
    make_staff(staff_db, "facilitator", email="forvaltning@kommun.se")
    make_staff(staff_db, "admin", email="boss@kommun.se")
    staff_db.commit()
    return user


def _client(app, email: str):
    client = app.test_client()
    log_in(client, email)
    return client


def test_a_facilitator_who_did_not_record_the_walk_closes_its_measure(app, staff_db, recorder) -> None:
    dialogue = make_dialogue(staff_db, recorder)
    observation_id, dialogue_id = dialogue.observations[0].id, dialogue.id
    staff_db.commit()
    other = _client(app, "forvaltning@kommun.se")
    path = f"/dialoger/iakttagelser/{observation_id}/status"
    refused = other.post(path, data={"csrf_token": token(other, path), "status": "done", "decision": "rejected"})
    assert refused.status_code == 400
    assert "Ange ett skäl." in refused.get_data(as_text=True)
    response = other.post(path, data={"csrf_token": token(other, path), "status": "done",
                                      "decision": "accepted", "reason": "Ny belysning uppsatt"})
    assert response.status_code == 302
    staff_db.expire_all()
    observation = staff_db.get(Observation, observation_id)
    assert (observation.status, observation.decision) == ("done", "accepted")
    assert observation.text == "Mörk gångtunnel 1"  # what was said is untouched
    history = staff_db.scalars(select(StatusChange).where(StatusChange.observation_id == observation_id)
                               .order_by(StatusChange.id)).all()
    assert [(c.to_status, c.actor_label) for c in history] == [("open", "fa@kommun.se"),
                                                               ("done", "forvaltning@kommun.se")]
    revision = staff_db.scalars(select(DialogueRevision).where(DialogueRevision.dialogue_id == dialogue_id)).one()
    assert revision.changes == {"decision": ["pending", "accepted"]}
    event = staff_db.scalars(select(AuditEvent).where(AuditEvent.action == "observation.follow_up")).one()
    assert event.actor_label == "forvaltning@kommun.se"
    assert event.details == {"before": {"status": "open", "decision": "pending"},
                             "after": {"status": "done", "decision": "accepted"}}
    edit = f"/dialoger/iakttagelser/{observation_id}/redigera"
    assert other.post(edit, data={"csrf_token": token(other, path), "text": "Annat", "kind": "problem"}
                      ).status_code == 403


def test_an_admin_edits_what_a_facilitator_recorded(app, staff_db, recorder) -> None:
    dialogue = make_dialogue(staff_db, recorder)
    observation_id = dialogue.observations[0].id
    staff_db.commit()
    admin = _client(app, "boss@kommun.se")
    path = f"/dialoger/iakttagelser/{observation_id}/redigera"
    assert admin.get(path).status_code == 200
    response = admin.post(path, data={"csrf_token": token(admin, path), "text": "Mörk tunnel under järnvägen",
                                      "kind": "unsafe_place", "decision": "pending", "raised_by": "older_residents"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    staff_db.expire_all()
    observation = staff_db.get(Observation, observation_id)
    assert (observation.text, observation.raised_by) == ("Mörk tunnel under järnvägen", "older_residents")


def test_the_protocol_has_the_decision_column_and_the_group_that_raised_it(app, staff_db, recorder) -> None:
    dialogue = make_dialogue(staff_db, recorder)
    observation = dialogue.observations[0]
    observation.decision, observation.decision_reason, observation.raised_by = "partly", "Budget", "girls"
    staff_db.commit()
    page = _client(app, "fa@kommun.se").get(f"/dialoger/{dialogue.id}/protokoll").get_data(as_text=True)
    assert '<th scope="col">Beslut</th>' in page
    assert "Delvis beviljad" in page or "Delvis" in page
    assert "Budget" in page
    assert "togs upp av: Flickor" in page


def test_bad_raised_by_is_refused(app, staff_db, recorder) -> None:
    dialogue = make_dialogue(staff_db, recorder)
    staff_db.commit()
    client = _client(app, "fa@kommun.se")
    path = f"/dialoger/{dialogue.id}/iakttagelser/ny"
    response = client.post(path, data={"csrf_token": token(client, path), "text": "Klotter", "kind": "problem",
                                       "decision": "pending", "raised_by": "'; DROP TABLE"})
    assert response.status_code == 400
    assert staff_db.scalar(select(Observation.raised_by).where(Observation.text == "Klotter")) is None


def test_participants_are_summed_over_the_dialogues_of_a_period_and_area_and_exported(app, staff_db,
                                                                                      recorder) -> None:
    norr, soder = make_area(staff_db, "Norr", code="norr"), make_area(staff_db, "Söder", code="soder")
    make_dialogue(staff_db, recorder, area=norr, held_on=dt.date(2026, 3, 1),
                  tallies={("woman", "12-15"): 6, ("man", "25-44"): 2})
    make_dialogue(staff_db, recorder, area=norr, held_on=dt.date(2026, 4, 30),
                  tallies={("woman", "12-15"): 3, ("other_unknown", "unknown"): 1})
    make_dialogue(staff_db, recorder, area=norr, held_on=dt.date(2026, 5, 1), tallies={("woman", "12-15"): 50})
    make_dialogue(staff_db, recorder, area=soder, held_on=dt.date(2026, 3, 1), tallies={("man", "25-44"): 70})
    staff_db.commit()
    client = _client(app, "boss@kommun.se")
    query = f"?area={norr.id}&date_from=2026-01-01&date_to=2026-04-30"
    page = client.get("/dialoger/deltagare/" + query)
    assert page.status_code == 200
    assert "2 dialoger" in page.get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(client.get("/dialoger/deltagare/export.csv" + query)
                                       .get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["Ålder", "Kvinnor", "Män", "Annat eller okänt kön", "Totalt"]
    by_band = {row[0]: row[1:] for row in rows[1:]}
    assert by_band["12–15 år"] == ["9", "0", "0", "9"]
    assert by_band["25–44 år"] == ["0", "2", "0", "2"]
    assert by_band["Totalt"] == ["9", "2", "1", "12"]
    workbook = openpyxl.load_workbook(io.BytesIO(client.get("/dialoger/deltagare/export.xlsx" + query).data))
    sheet = workbook.active
    assert [c.value for c in sheet[sheet.max_row]] == ["Totalt", 9, 2, 1, 12]
    exports = staff_db.scalars(select(AuditEvent).where(AuditEvent.action == "participants.export")).all()
    assert [e.details["format"] for e in exports] == ["csv", "xlsx"]
    assert client.get("/dialoger/deltagare/?date_from=inte-ett-datum").status_code == 400


def test_closing_a_wave_asks_first_and_says_how_many_drafts_go(app, staff_db, recorder, make_wave) -> None:
    wave = make_wave()
    wave.status = SurveyStatus.OPEN
    for submitted in (False, False, False, True):
        staff_db.add(SurveyDraft(survey_id=wave.id, token_hash=uuid.uuid4().hex, language="sv", submitted=submitted))
    staff_db.commit()
    admin = _client(app, "boss@kommun.se")
    detail = admin.get(f"/admin/enkater/{wave.id}").get_data(as_text=True)
    assert f'href="/admin/enkater/{wave.id}/stang"' in detail
    assert 'value="close"' not in detail
    page = admin.get(f"/admin/enkater/{wave.id}/stang").get_data(as_text=True)
    assert "3 påbörjade svar som inte skickats raderas." in page
    assert staff_db.get(type(wave), wave.id).status == "open"  # asking closes nothing
    staff_db.rollback()
    closed = admin.post(f"/admin/enkater/{wave.id}/status",
                        data={"csrf_token": token(admin, f"/admin/enkater/{wave.id}/stang"), "action": "close"},
                        follow_redirects=True)
    assert "Enkäten är stängd. 3 svar som inte skickats raderades." in closed.get_data(as_text=True)
