"""The postal survey: the printable questionnaire holds every question of the wave with its skip logic in words and a
box for the code; the codes CSV for the print house holds the codes and nothing else; both are audited."""

from __future__ import annotations

import csv
import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from survey_app.models import AuditEvent, InvitationCode
from survey_app.survey.questionnaires import instrument_of
from tests.factories import make_staff
from tests.web.client import log_in, token


@pytest.fixture
def admin(client, staff_db):
    make_staff(staff_db, "admin", email="boss@kommun.se")
    staff_db.commit()
    log_in(client, "boss@kommun.se")
    return client


def test_the_printable_questionnaire_has_every_question_and_its_skip_logic(admin, staff_db, make_wave) -> None:
    survey = make_wave(codes=True)
    response = admin.get(f"/admin/enkater/{survey.id}/pappersenkat.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages).split())
    assert "Kod (trycks här)" in text
    instrument = instrument_of(survey.questionnaire)
    questions = [item for page in instrument.pages for item in page.items if item.type != "info"]
    for number, item in enumerate(questions, start=1):
        words = " ".join(item.texts["sv"].question.split())[:40]
        assert f"{number}." in text
        assert words in text, (number, words)
    conditional = [item for item in questions if item.show_if is not None]
    rows = [row for item in questions for row in item.rows if row.show_if is not None]
    assert conditional
    assert rows
    assert text.count("Svara bara om") >= len(conditional)
    assert text.count("Bara om") >= len(rows)
    assert re.search(r"Bara om du svarade ”Ja” på fråga \d+[a-z]", text)  # a statement of a grid, by its letter
    assert "Svara bara om du besvarade fråga" in text
    assert "Norr" in text  # the wave's areas as boxes to tick
    staff_db.rollback()
    assert staff_db.scalar(select(AuditEvent.action).where(AuditEvent.action == "survey.paper_pdf"))


def test_codes_for_the_print_house_come_as_csv_with_nothing_but_the_codes(admin, staff_db, make_wave) -> None:
    survey = make_wave(codes=True)
    path = f"/admin/enkater/{survey.id}"
    response = admin.post(f"{path}/koder", data={"csrf_token": token(admin, path), "count": "25", "format": "csv"})
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["kod"]
    codes = [row[0] for row in rows[1:]]
    assert len(codes) == len(set(codes)) == 25
    assert all(len(row) == 1 for row in rows)
    stored = staff_db.scalars(select(InvitationCode).where(InvitationCode.survey_id == survey.id)).all()
    assert len(stored) == 25
    assert not any(code in str(vars(c)) for c in stored for code in codes)  # only fingerprints are stored
    events = staff_db.scalars(select(AuditEvent.details).where(AuditEvent.action == "survey.codes_csv")).all()
    assert events == [{"count": 25}]
    staff_db.rollback()
    assert admin.get("/admin/enkater/999999/pappersenkat.pdf").status_code == 404
