"""Importing indicator series: every row checked, a bad file stores nothing, re-importing changes nothing, a
corrected value keeps its history; the upload form, the single-value form and the command do the same."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from survey_app.models import AuditEvent, Indicator, IndicatorValue, IndicatorValueRevision
from tests.factories import make_area, make_staff
from tests.web.client import log_in, token

GOOD = (
    "\ufeffindikator;område;period;värde;källa;delserie;namn;enhet;riktning\r\n"
    "lob;;2026-T1;23;Polisen;;Omhändertagna enligt LOB;antal;higher_worse\r\n"
    "lob;;2026-T1;4;Polisen;under 18;;;\r\n"
    "lob;Norrby;T1 2026;7;Polisen;;;;\r\n"
    "brott;norrby;2025;1 234,5;Brå;;Anmälda brott per 100 000;per 100 000 inv.;högre är sämre\r\n"
)


@pytest.fixture
def areas(staff_db):
    make_area(staff_db, "Norrby", code="norrby")
    make_area(staff_db, "Söderby", code="soderby")
    staff_db.commit()


def _as(client, staff_db, role: str):
    email = f"{role}-ind@kommun.se"
    make_staff(staff_db, role, email=email)
    staff_db.commit()
    log_in(client, email)
    return client


def _post_file(client, data: bytes, filename: str, action: str):
    return client.post("/indikatorer/import", data={
        "csrf_token": token(client, "/indikatorer/import"), "action": action,
        "file": (io.BytesIO(data), filename)}, content_type="multipart/form-data")


def _values(session) -> list[tuple[str, str, str, str, float, str]]:
    rows = session.execute(
        select(Indicator.code, IndicatorValue.area_key, IndicatorValue.subseries, IndicatorValue.period,
               IndicatorValue.value, IndicatorValue.source).join(Indicator).order_by(
            Indicator.code, IndicatorValue.period, IndicatorValue.area_key, IndicatorValue.subseries)).all()
    session.rollback()
    return [tuple(row) for row in rows]


def test_a_swedish_excel_csv_is_checked_then_imported_and_a_second_import_changes_nothing(
        client, staff_db, areas) -> None:
    _as(client, staff_db, "analyst")
    checked = _post_file(client, GOOD.encode("utf-8"), "lob.csv", "check")
    page = checked.get_data(as_text=True)
    assert checked.status_code == 200
    assert "Nya indikatorer: 2" in page
    assert "Nya värden: 4" in page
    assert _values(staff_db) == []  # the check stored nothing

    imported = _post_file(client, GOOD.encode("utf-8"), "lob.csv", "import")
    assert imported.status_code == 302
    norrby = staff_db.scalar(select(IndicatorValue.area_key).where(IndicatorValue.period == "2025"))
    assert _values(staff_db) == [
        ("brott", norrby, "", "2025", 1234.5, "Brå"),
        ("lob", 0, "", "2026-T1", 23.0, "Polisen"),
        ("lob", 0, "under 18", "2026-T1", 4.0, "Polisen"),
        ("lob", norrby, "", "2026-T1", 7.0, "Polisen"),
    ]
    brott = staff_db.scalars(select(Indicator).where(Indicator.code == "brott")).one()
    assert (brott.name, brott.unit, brott.direction) == ("Anmälda brott per 100 000", "per 100 000 inv.",
                                                         "higher_worse")
    staff_db.rollback()
    listing = client.get("/indikatorer/").get_data(as_text=True)
    assert "Omhändertagna enligt LOB" in listing
    assert "T1 2026" in listing
    assert "högre är sämre" in listing

    again = _post_file(client, GOOD.encode("utf-8"), "lob.csv", "check")
    assert "Oförändrade värden: 4" in again.get_data(as_text=True)
    assert "en import skulle inte ändra något" in again.get_data(as_text=True)
    assert _post_file(client, GOOD.encode("utf-8"), "lob.csv", "import").status_code == 302
    assert staff_db.scalar(select(func.count()).select_from(IndicatorValueRevision)) == 0
    events = staff_db.scalars(select(AuditEvent.details).where(AuditEvent.action == "indicators.import")).all()
    assert [(e["added"], e["corrected"], e["unchanged"]) for e in events] == [(4, 0, 0), (0, 0, 4)]
    staff_db.rollback()


def test_a_corrected_value_keeps_the_earlier_one_in_its_history(client, staff_db, areas) -> None:
    _as(client, staff_db, "admin")
    _post_file(client, GOOD.encode("utf-8"), "lob.csv", "import")
    corrected = GOOD.replace("lob;;2026-T1;23;Polisen", "lob;;2026-T1;25;Polisen")
    check = _post_file(client, corrected.encode("utf-8"), "lob-rättad.csv", "check").get_data(as_text=True)
    assert "Rättade värden: 1" in check
    assert "Oförändrade värden: 3" in check
    assert _post_file(client, corrected.encode("utf-8"), "lob-rättad.csv", "import").status_code == 302
    value = staff_db.scalars(select(IndicatorValue).where(IndicatorValue.period == "2026-T1",
                                                          IndicatorValue.area_key == 0,
                                                          IndicatorValue.subseries == "")).one()
    assert value.value == 25.0
    assert [revision.value for revision in value.revisions] == [23.0]
    staff_db.rollback()
    detail = client.get("/indikatorer/lob").get_data(as_text=True)
    assert "23 till" in detail  # the history on the series' page


@pytest.mark.parametrize(
    ("line", "column", "message"),
    [
        ("lob;Atlantis;2026-T1;3;;;;;", "område", "Okänt område ”Atlantis”"),
        ("lob;;2026-T4;3;;;;;", "period", "”2026-T4” är ingen period"),
        ("lob;;2026-T2;tre;;;;;", "värde", "”tre” är inte ett tal"),
        ("lob;;2026-T2;..;;;;;", "värde", "”..” är inte ett tal"),
        ("okand;;2026-T2;3;;;;;", "indikator", "Okänd indikator ”okand”"),
        ("lob;;2026-T1;5;;under 18;;;", "period", "Samma indikator, område, delserie och period som rad 3"),
        ("ny;;2026-T2;3;;;Ny serie;;uppåt", "riktning", "Okänd riktning"),
    ],
)
def test_a_bad_row_is_named_by_row_and_column_and_nothing_of_the_file_is_stored(
        client, staff_db, areas, line: str, column: str, message: str) -> None:
    _as(client, staff_db, "analyst")
    response = _post_file(client, (GOOD + line + "\r\n").encode("utf-8"), "fel.csv", "import")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "ingenting sparades" in page
    assert f"<tr><td class=\"num\">6</td><td>{column}</td><td>{message}" in page
    assert _values(staff_db) == []
    assert staff_db.scalar(select(func.count()).select_from(Indicator)) == 0
    staff_db.rollback()


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"", "tom.csv", "Filen är tom."),
        (b"indikator;period;v\xc3\xa4rde\r\n", "rubrik.csv", "Filen har en rubrikrad men inga värden."),
        (b"indikator;period;vrde\r\nlob;2026;3\r\n", "typo.csv", "Kolumnen ”vrde” känner Trygg inte till."),
        (b"indikator;omr\xe5de\r\nlob;x\r\n", "latin1.csv", "Filen saknar kolumnen/kolumnerna: period, värde."),
        (b"PK\x03\x04 not really a workbook", "trasig.xlsx", "kunde inte läsas som en Excelfil"),
        (b"\xd0\xcf\x11\xe0", "gammal.xls", "Gamla Excelfiler (.xls)"),
    ],
)
def test_a_file_that_cannot_be_read_gets_a_swedish_message(
        client, staff_db, areas, data: bytes, filename: str, message: str) -> None:
    _as(client, staff_db, "analyst")
    response = _post_file(client, data, filename, "check")
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_an_xlsx_file_with_numbers_and_dates_as_excel_stores_them(client, staff_db, areas) -> None:
    import datetime as dt

    book = Workbook()
    sheet = book.active
    sheet.append(["Indikator", "Område", "Period", "Värde", "Namn", "Riktning"])
    sheet.append(["trafik", "Söderby", 2025, 12, "Trafikkontroller", "higher_better"])
    sheet.append(["trafik", "Söderby", dt.datetime(2026, 3, 1), 2.5, None, None])
    buffer = io.BytesIO()
    book.save(buffer)
    _as(client, staff_db, "analyst")
    assert _post_file(client, buffer.getvalue(), "trafik.xlsx", "import").status_code == 302
    assert [(row[3], row[4]) for row in _values(staff_db)] == [("2025", 12.0), ("2026-03", 2.5)]


def test_a_file_over_256_kb_is_accepted_and_one_over_5_mb_refused(client, staff_db, areas) -> None:
    _as(client, staff_db, "analyst")
    rows = "".join(f"lob;;{2000 + i // 3}-T{i % 3 + 1};{i};;;;;\r\n" for i in range(60))
    padding = "".join(f"lob;;2026-T1;1;;rad {i};;;\r\n" for i in range(12000))  # ~330 kB, all new sub-series
    response = _post_file(client, (GOOD + rows + padding).encode("utf-8"), "stor.csv", "check")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    csrf = token(client, "/indikatorer/import")
    body = (b"--b\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n" + csrf.encode() +
            b"\r\n--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"jatte.csv\"\r\n\r\n" +
            b"x" * (6 * 1024 * 1024) + b"\r\n--b--\r\n")  # built by hand: the test client would spool it to a file
    huge = client.post("/indikatorer/import", data=body, content_type="multipart/form-data; boundary=b")
    assert huge.status_code == 413


def test_only_analysts_and_admins_import_while_all_staff_read_and_enter_single_values(
        app, client, staff_db, areas) -> None:
    _as(client, staff_db, "facilitator")
    assert client.get("/indikatorer/import").status_code == 403
    assert client.get("/indikatorer/ny").status_code == 403
    assert client.get("/indikatorer/").status_code == 200
    anonymous = app.test_client()
    assert anonymous.get("/indikatorer/").status_code in (302, 401, 403)


def test_a_single_value_is_entered_corrected_and_audited(client, staff_db, areas) -> None:
    _as(client, staff_db, "analyst")
    _post_file(client, GOOD.encode("utf-8"), "lob.csv", "import")
    form = {"csrf_token": token(client, "/indikatorer/lob/varde"), "area": "", "period": "2026-T2",
            "subseries": "under 18", "value": "6", "source": "Polisen, egen räkning"}
    assert client.post("/indikatorer/lob/varde", data=form).status_code == 302
    assert client.post("/indikatorer/lob/varde", data={**form, "value": "7"}).status_code == 302
    refused = client.post("/indikatorer/lob/varde", data={**form, "period": "våren", "value": "sju"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 200
    assert "Skriv en period" in page
    assert "Skriv ett tal" in page
    value = staff_db.scalars(select(IndicatorValue).where(IndicatorValue.period == "2026-T2")).one()
    assert (value.value, value.subseries, [r.value for r in value.revisions]) == (7.0, "under 18", [6.0])
    events = staff_db.scalars(select(AuditEvent.details).where(AuditEvent.action == "indicators.value")).all()
    assert [(e["value"], e["corrected"]) for e in events] == [(6.0, False), (7.0, True)]
    staff_db.rollback()
    assert client.get("/indikatorer/finns-inte").status_code == 404
    assert client.get("/indikatorer/finns-inte/varde").status_code == 404


def test_the_command_checks_and_imports_the_same_way(app, staff_db, areas, tmp_path) -> None:
    good = tmp_path / "lob.csv"
    good.write_bytes(GOOD.lstrip("\ufeff").encode("cp1252"))  # Windows-1252, as older Excel saves it
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["indicators", "import", str(good), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "nya värden 4" in dry.output
    assert _values(staff_db) == []
    done = runner.invoke(args=["indicators", "import", str(good)])
    assert done.exit_code == 0, done.output
    assert len(_values(staff_db)) == 4
    assert ("brott", "2025", 1234.5) in [(r[0], r[3], r[4]) for r in _values(staff_db)]
    bad = tmp_path / "fel.csv"
    bad.write_text("indikator;område;period;värde\nlob;Atlantis;2026-T1;3\n", encoding="utf-8")
    refused = runner.invoke(args=["indicators", "import", str(bad)])
    assert refused.exit_code == 1
    assert "Rad 2, kolumn område: Okänt område ”Atlantis”" in refused.output
