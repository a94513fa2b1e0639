"""The observation export over HTTP: headers, HEAD requests, file names, streaming."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from survey_app.models import AuditEvent
from tests.factories import make_dialogue, make_staff
from tests.web.client import log_in


@pytest.fixture
def analyst(client, staff_db):
    owner = make_staff(staff_db, "facilitator", email="fa@kommun.se")
    make_staff(staff_db, "analyst", email="an@kommun.se")
    make_dialogue(staff_db, owner, observations=3)
    staff_db.commit()
    log_in(client, "an@kommun.se")
    return client


def _exports(staff_db) -> int:
    staff_db.rollback()  # a fresh transaction sees what the app committed
    return staff_db.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "observations.export"))


def test_csv_content_type_names_the_charset_once(analyst) -> None:
    response = analyst.get("/dialoger/iakttagelser/export.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"


@pytest.mark.parametrize(("extension", "mimetype"), [
    ("csv", "text/csv"),
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
])
def test_head_answers_with_the_headers_and_writes_no_audit_event(analyst, staff_db, extension: str,
                                                                 mimetype: str) -> None:
    head = analyst.head(f"/dialoger/iakttagelser/export.{extension}")
    assert head.status_code == 200
    assert head.mimetype == mimetype
    assert head.get_data() == b""
    assert _exports(staff_db) == 0
    assert analyst.get(f"/dialoger/iakttagelser/export.{extension}").status_code == 200
    assert _exports(staff_db) == 1


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_download_names_keep_their_extension(analyst, extension: str, lang: str) -> None:
    response = analyst.get(f"/dialoger/iakttagelser/export.{extension}?lang={lang}")
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    name = disposition.split("filename=", 1)[1].strip('"')
    assert name.startswith("iakttagelser-")
    assert name.endswith(f".{extension}")


def test_the_export_is_streamed(analyst) -> None:
    for extension in ("csv", "xlsx"):
        response = analyst.get(f"/dialoger/iakttagelser/export.{extension}")
        assert response.is_streamed
        assert "Content-Length" not in response.headers
        assert response.headers["Cache-Control"] == "no-store"


def test_csv_is_swedish_excel_and_xlsx_text_has_no_apostrophe(analyst) -> None:
    raw = analyst.get("/dialoger/iakttagelser/export.csv").get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert len(rows) == 4
    sheet = load_workbook(io.BytesIO(analyst.get("/dialoger/iakttagelser/export.xlsx").get_data())).active
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.b
    assert sheet["A2"].data_type == "n"  # the observation number is a number
