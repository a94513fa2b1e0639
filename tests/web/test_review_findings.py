"""Regression tests for what the security and data-protection review of 2026-11-25 found."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import func, select

from survey_app.models import AuditEvent, Dialogue
from tests.web.auth.helpers import log_in, make_area, make_dialogue, make_staff, token
from tests.web.dialogue.test_dialogues import _walk_form


def test_every_free_text_of_a_dialogue_is_masked(client, staff_db) -> None:
    make_staff(staff_db, "facilitator", email="fa@kommun.se")
    area = make_area(staff_db)
    staff_db.commit()
    log_in(client, "fa@kommun.se")
    form = _walk_form(token(client, "/dialoger/ny"), area.id, languages="tolk Amira 070-123 45 67, amira@example.com")
    assert client.post("/dialoger/ny", data=form).status_code == 302
    assert staff_db.scalars(select(Dialogue.languages)).one() == "tolk Amira [telefonnummer], [e-post]"


def test_text_that_masking_makes_too_long_is_a_form_error_not_a_500(client, staff_db) -> None:
    make_staff(staff_db, "facilitator", email="fa@kommun.se")
    area = make_area(staff_db)
    staff_db.commit()
    log_in(client, "fa@kommun.se")
    place = " ".join(["a@b.se"] * 28)  # 195 characters typed, 251 once every address is [e-post]
    response = client.post("/dialoger/ny", data=_walk_form(token(client, "/dialoger/ny"), area.id, place=place))
    assert response.status_code == 400
    assert "Texten blir för lång när personuppgifterna tas bort" in response.get_data(as_text=True)
    assert staff_db.scalar(select(func.count()).select_from(Dialogue)) == 0


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


def test_a_draft_wave_is_not_public_even_on_its_thank_you_page(client, make_wave) -> None:
    from survey_app.models import SurveyStatus

    make_wave(slug="hemlig-utkast", status=SurveyStatus.DRAFT)
    assert client.get("/enkat/hemlig-utkast").status_code == 404
    assert client.get("/enkat/hemlig-utkast/tack").status_code == 404


def test_text_typed_into_the_login_email_field_is_not_logged_unless_it_is_an_address(client, staff_db) -> None:
    csrf = token(client, "/logga-in")
    client.post("/logga-in", data={"csrf_token": csrf, "email": "Sommar2026!hemligt", "password": "x"})
    client.post("/logga-in", data={"csrf_token": csrf, "email": "ingen@kommun.se", "password": "x"})
    labels = [e.actor_label for e in staff_db.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert "sommar2026!hemligt" not in labels
    assert "ingen@kommun.se" in labels
