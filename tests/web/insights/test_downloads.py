"""The wave's downloads over HTTP: every file read back finds the numbers of `run_analysis` on `wave_input`."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pyreadstat
import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from analysis.report import AnalysisResult, run_analysis
from survey_app import migrate
from survey_app.cli import main
from survey_app.demo import DEMO_SURVEY_SLUG, load_demo
from survey_app.extensions import db
from survey_app.insights.service import wave_input
from survey_app.models import AuditEvent, Survey, SurveyStatus
from tests.conftest import make_test_app
from tests.factories import make_staff
from tests.web.client import log_in

RESPONSES = 800
ADULT = Path(__file__).parents[3] / "questionnaires" / "trygghetsenkat-v1.yaml"
WAVE = f"/analys/{DEMO_SURVEY_SLUG}"


@pytest.fixture(scope="module")
def demo(database_url: str, empty_database_factory) -> Iterator[Flask]:
    """The demo wave with its staff, loaded once for the module in a database of its own (loading takes a while).

    Tests that write (audit events, one free text) look only at what they wrote.
    """
    url = empty_database_factory("sqlite" if database_url.startswith("sqlite") else "postgresql", "downloads")
    migrate.upgrade(url)
    app = make_test_app(url)
    with app.app_context():
        load_demo(db.session, responses=RESPONSES)
        for role in ("analyst", "facilitator", "admin"):
            make_staff(db.session, role, email=f"{role}@kommun.se")
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def staff_db(demo: Flask) -> Iterator[Session]:
    engine = create_engine(demo.config["SQLALCHEMY_DATABASE_URI"])
    session = Session(engine)
    yield session
    session.close()
    engine.dispose()


def _client(app: Flask, role: str) -> FlaskClient:
    client = app.test_client()
    assert log_in(client, f"{role}@kommun.se").status_code == 302
    return client


@pytest.fixture(scope="module")
def analyst(demo: Flask) -> FlaskClient:
    return _client(demo, "analyst")


_EXPECTED: dict[tuple[str, str], AnalysisResult] = {}


def expected(app: Flask, weighting: str = "raking") -> AnalysisResult:
    """What the pages show: run_analysis on the service's wave input (never the exports' own code)."""
    key = (app.config["SQLALCHEMY_DATABASE_URI"], weighting)
    if key not in _EXPECTED:
        with app.app_context():
            survey = db.session.scalars(select(Survey).where(Survey.slug == DEMO_SURVEY_SLUG)).one()
            data = wave_input(db.session, survey)
            assert data.responses is not None
            _EXPECTED[key] = run_analysis(data.responses, list(data.measures), weighting=weighting,
                                          population=data.population)
    return _EXPECTED[key]


def _key(measure: str, group: dict[str, str]) -> tuple:
    return measure, tuple(sorted(group.items()))


def _by_key(result: AnalysisResult, dims: tuple[str, ...]) -> dict[tuple, object]:
    return {_key(r.measure, dict(r.group)): r for r in result.measures if tuple(k for k, _ in r.group) == dims}


def _audits(staff_db: Session, action: str) -> list[AuditEvent]:
    found = list(staff_db.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))
    staff_db.rollback()
    return found


def test_swedish_excel_csv_has_the_figures_of_the_analysis(demo: Flask, analyst: FlaskClient, staff_db) -> None:
    before = len(_audits(staff_db, "insights.export"))
    response = analyst.get(f"{WAVE}/export/excel-sv/omraden-kon.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].endswith('omraden-kon.csv"')
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["Mått", "Område", "Kön"]
    want = _by_key(expected(demo), ("area", "gender"))
    assert len(body) == len(want)
    names = {a.code: a.name for a in _areas(demo)}
    genders = {"Kvinna": "woman", "Man": "man", "Annan könsidentitet": "other", "Vill inte svara": "no_answer"}
    code_of = {v: k for k, v in names.items()}
    column = {name: i for i, name in enumerate(header)}
    shown = 0
    for row in body:
        r = want[_key(row[column["Måttkod"]], {"area": code_of[row[1]], "gender": genders[row[2]]})]
        assert row[column["Symbol"]] == r.symbol  # type: ignore[attr-defined]
        if r.estimate is None:  # type: ignore[attr-defined]
            assert row[column["Skattning"]] == ""
            continue
        shown += 1
        assert "." not in row[column["Skattning"]]
        assert float(row[column["Skattning"]].replace(",", ".")) == r.estimate  # type: ignore[attr-defined]
        assert float(row[column["95 % KI, nedre"]].replace(",", ".")) == r.ci_low  # type: ignore[attr-defined]
        assert int(row[column["Antal svar"]]) == r.n  # type: ignore[attr-defined]
    assert shown > 0
    events = _audits(staff_db, "insights.export")[before:]
    assert len(events) == 1
    assert events[0].actor_label == "analyst@kommun.se"
    assert events[0].details == {"wave": DEMO_SURVEY_SLUG, "table": "omraden-kon", "format": "csv-excel-sv",
                                 "weighting": "raking", "compare": None}


def _areas(app: Flask):
    with app.app_context():
        survey = db.session.scalars(select(Survey).where(Survey.slug == DEMO_SURVEY_SLUG)).one()
        return [type("A", (), {"code": a.code, "name": a.name}) for a in survey.areas]


def test_plain_csv_has_the_commands_columns_and_exact_numbers(demo: Flask, analyst: FlaskClient) -> None:
    response = analyst.get(f"{WAVE}/export/plain/omraden.csv?weighting=none")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert not text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text)))
    want = _by_key(expected(demo, "none"), ("area",))
    assert len(rows) == len(want)
    for row in rows:
        r = want[_key(row["measure"], {"area": row["area"]})]
        if row["symbol"] == "–":  # the command's SCB symbol for a true zero (no counted answers, or no one)
            assert (r.symbol, r.estimate == 0 or r.n == 0) == ("", True)  # type: ignore[attr-defined]
        else:
            assert row["symbol"] == r.symbol  # type: ignore[attr-defined]
        assert (float(row["estimate"]) if row["estimate"] else None) == r.estimate  # type: ignore[attr-defined]
        assert (float(row["ci_high"]) if row["ci_high"] else None) == r.ci_high  # type: ignore[attr-defined]


def test_workbook_has_a_sheet_per_table_numbers_as_numbers_and_a_method_sheet(demo: Flask,
                                                                             analyst: FlaskClient) -> None:
    response = analyst.get(f"{WAVE}/export/tabeller.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.get_data()))
    assert book.sheetnames[-1] == "Metod"
    assert {"Kommunen", "Per område", "Område per kön", "Könsskillnad", "Viktning"} <= set(book.sheetnames)
    sheet = book["Kommunen"]
    header = [c.value for c in sheet[1]]
    col = {name: i for i, name in enumerate(header)}
    want = _by_key(expected(demo), ())
    seen = 0
    for row in sheet.iter_rows(min_row=2):
        r = want[_key(row[col["Måttkod"]].value, {})]
        cell = row[col["Skattning"]]
        seen += 1
        if r.estimate is None:  # type: ignore[attr-defined]
            assert cell.value is None
            assert row[col["Symbol"]].value == r.symbol  # type: ignore[attr-defined]
            continue
        assert cell.data_type == "n"
        # XlsxWriter writes 16 significant digits (Excel shows 15): the last binary digit may differ
        assert cell.value == pytest.approx(r.estimate, rel=1e-15, abs=0)  # type: ignore[attr-defined]
    assert seen == len(want)
    formulas = [c.coordinate for ws in book for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []
    share = next(row for row in sheet.iter_rows(min_row=2) if row[col["Måttkod"]].value == "share_unsafe")
    assert share[col["Skattning"]].number_format == "0.0%"
    method = {row[0].value: row[1].value for row in book["Metod"].iter_rows(min_row=2)}
    assert "U" in method
    assert ".." in method


def test_json_is_the_command_lines_format(demo: Flask, analyst: FlaskClient, tmp_path: Path) -> None:
    response = analyst.get(f"{WAVE}/export/resultat.json")
    assert response.status_code == 200
    doc = json.loads(response.get_data(as_text=True))
    assert set(doc) >= {"measures", "comparisons", "weighting", "suppression", "associations", "measure_info",
                        "data_quality"}
    assert doc["weighting"]["method"] == "raking"
    want = _by_key(expected(demo), ())
    got = {_key(r["measure"], r["group"]): r for r in doc["measures"] if r["group"] == {}}
    assert {k: g["estimate"] for k, g in got.items()} == {k: w.estimate for k, w in want.items()}  # type: ignore


def test_microdata_csv_makes_trygg_analyse_reproduce_the_figures(demo: Flask, analyst: FlaskClient,
                                                                 tmp_path: Path) -> None:
    response = analyst.get(f"{WAVE}/mikrodata/svar.csv")
    assert response.status_code == 200
    assert not response.is_sequence  # streamed: a generator, not a body held in memory
    (tmp_path / "svar.csv").write_bytes(response.get_data())
    (tmp_path / "pop.csv").write_bytes(analyst.get(f"{WAVE}/mikrodata/befolkning.csv").get_data())
    with (tmp_path / "svar.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == RESPONSES
    assert list(rows[0])[:6] == ["area", "gender", "age_band", "channel", "language", "month"]
    assert "suggestions" not in rows[0]
    assert "birth_year" not in rows[0]
    outcome = CliRunner().invoke(main, ["analyse", str(tmp_path / "svar.csv"), "--questionnaire", str(ADULT),
                                        "--population", str(tmp_path / "pop.csv"), "--weighting", "raking",
                                        "--output", str(tmp_path / "out.json")])
    assert outcome.exit_code == 0, outcome.output
    doc = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    want = {_key(r.measure, dict(r.group)): r for r in expected(demo).measures}
    got = {_key(r["measure"], r["group"]): r for r in doc["measures"]}
    assert got.keys() == want.keys()
    for key, row in got.items():
        assert row["symbol"] == want[key].symbol, key
        assert row["n"] == want[key].n, key
        assert row["estimate"] == want[key].estimate, key
        assert row["ci_low"] == want[key].ci_low, key


def test_sav_and_dta_carry_the_answers_with_swedish_labels(demo: Flask, analyst: FlaskClient,
                                                           tmp_path: Path) -> None:
    plain = list(csv.DictReader(io.StringIO(analyst.get(f"{WAVE}/mikrodata/svar.csv").get_data(as_text=True))))
    for fmt, read in (("sav", pyreadstat.read_sav), ("dta", pyreadstat.read_dta)):
        response = analyst.get(f"{WAVE}/mikrodata/svar.{fmt}")
        assert response.status_code == 200
        path = tmp_path / f"svar.{fmt}"
        path.write_bytes(response.get_data())
        frame, meta = read(str(path))
        assert len(frame) == RESPONSES
        labels = meta.variable_value_labels["unsafe_evening"]
        assert "Mycket trygg" in labels.values()
        assert "kväll" in meta.column_names_to_labels["unsafe_evening"]
        code_of = {label: code for code, label in labels.items()}
        text_of = {"Mycket trygg": "very_safe"}
        # the same answers row by row (both files are in the same order of random keys)
        counts_csv = sum(r["unsafe_evening"] == "very_safe" for r in plain)
        counts_file = int((frame["unsafe_evening"] == code_of["Mycket trygg"]).sum())
        assert counts_file == counts_csv > 0, text_of
        assert int(frame["unsafe_evening"].isna().sum()) == sum(r["unsafe_evening"] == "" for r in plain)


def test_codebook_lists_every_variable_code_and_measure(demo: Flask, analyst: FlaskClient) -> None:
    response = analyst.get(f"{WAVE}/mikrodata/kodbok.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.get_data()))
    variables = [row[0] for row in book["Variabler"].iter_rows(min_row=2, values_only=True)]
    header = analyst.get(f"{WAVE}/mikrodata/svar.csv").get_data(as_text=True).splitlines()[0].split(",")
    assert variables == header
    codes = {(r[0], r[1]): r[2] for r in book["Koder"].iter_rows(min_row=2, values_only=True)}
    assert codes[("unsafe_evening", "very_safe")] == 1
    measures = {r[0] for r in book["Mått"].iter_rows(min_row=2, values_only=True)}
    assert {"share_unsafe", "index_safety"} <= measures


def test_free_text_only_when_asked_and_masked(demo: Flask, analyst: FlaskClient, staff_db) -> None:
    with demo.app_context():
        from survey_app.models import Answer, Response
        survey = db.session.scalars(select(Survey).where(Survey.slug == DEMO_SURVEY_SLUG)).one()
        answer = db.session.scalars(select(Answer).join(Response).where(Response.survey_id == survey.id,
                                                                        Answer.item_code == "suggestions")).first()
        assert answer is not None
        answer.value_text = "Ring mig på 070-123 45 67"  # as if an older pattern had let it through
        db.session.commit()
    before = len(_audits(staff_db, "insights.microdata_export"))
    text = analyst.get(f"{WAVE}/mikrodata/svar.csv?fritext=1").get_data(as_text=True)
    header = text.splitlines()[0].split(",")
    assert "suggestions" in header
    assert "070-123 45 67" not in text
    assert analyst.get(f"{WAVE}/mikrodata/svar.csv?fritext=ja").status_code == 400
    events = _audits(staff_db, "insights.microdata_export")[before:]
    assert [e.details["free_text"] for e in events] == [True]


@pytest.mark.parametrize("path", ["export/excel-sv/kommunen.csv", "export/tabeller.xlsx", "export/resultat.json",
                                  "mikrodata/svar.csv", "mikrodata/svar.sav", "mikrodata/kodbok.xlsx"])
def test_head_sends_headers_and_writes_no_audit_event(analyst: FlaskClient, staff_db, path: str) -> None:
    def count() -> int:
        found = staff_db.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action.like("insights.%"))) or 0
        staff_db.rollback()
        return found

    before = count()
    head = analyst.head(f"{WAVE}/{path}")
    assert head.status_code == 200
    assert head.get_data() == b""
    assert head.headers["Content-Disposition"].endswith(path.rsplit("/", 1)[1].split(".")[-1] + '"')
    assert count() == before
    assert analyst.get(f"{WAVE}/{path}").status_code == 200
    assert count() == before + 1


@pytest.mark.parametrize(("path", "status", "words"), [
    ("/analys/ingen-sadan/export/tabeller.xlsx", 404, "ingen-sadan"),
    (f"{WAVE}/export/excel-sv/ingen-tabell.csv", 404, "ingen-tabell"),
    (f"{WAVE}/export/latin1/kommunen.csv", 404, "excel-sv"),
    (f"{WAVE}/export/tabeller.xlsx?weighting=magisk", 400, "magisk"),
    (f"{WAVE}/export/tabeller.xlsx?compare=ingen-sadan", 400, "ingen-sadan"),
    (f"{WAVE}/export/tabeller.xlsx?compare={DEMO_SURVEY_SLUG}", 400, DEMO_SURVEY_SLUG),
    ("/analys/ingen-sadan/mikrodata/svar.csv", 404, "ingen-sadan"),
])
def test_bad_urls_get_a_swedish_sentence_and_a_4xx(analyst: FlaskClient, path: str, status: int,
                                                   words: str) -> None:
    response = analyst.get(path)
    assert response.status_code == status
    page = response.get_data(as_text=True)
    assert words in page
    assert "Filen kunde inte skapas" in page


def test_roles(demo: Flask) -> None:
    facilitator = _client(demo, "facilitator")
    response = facilitator.get(f"{WAVE}/export/excel-sv/kommunen.csv?lang=en")
    assert response.status_code == 200
    header = response.get_data(as_text=True).lstrip("\ufeff").splitlines()[0].split(";")
    assert header[:3] == ["Measure", "Number of answers", "Estimate"]  # the reader's language
    for path in ("svar.csv", "svar.sav", "svar.dta", "kodbok.xlsx", "befolkning.csv"):
        assert facilitator.get(f"{WAVE}/mikrodata/{path}").status_code == 403
    admin = _client(demo, "admin")
    assert admin.get(f"{WAVE}/mikrodata/svar.csv").status_code == 200
    anonymous = demo.test_client()
    response = anonymous.get(f"{WAVE}/export/tabeller.xlsx")
    assert response.status_code == 302
    assert "/logga-in" in response.headers["Location"]



def test_microdata_rows_are_read_chunk_by_chunk(demo: Flask) -> None:
    """The first row comes after one chunk's two queries, not after reading the wave: the file is never held whole."""
    from sqlalchemy import event

    from survey_app.insights import microdata_export
    from survey_app.survey.questionnaires import instrument_of

    with demo.app_context():
        survey = db.session.scalars(select(Survey).where(Survey.slug == DEMO_SURVEY_SLUG)).one()
        columns = microdata_export.variables(instrument_of(survey.questionnaire), survey)
        survey_id = survey.id
        db.session.rollback()  # as the request has committed before it streams: SQLite's BEGIN IMMEDIATE locks
        engine = db.engine
        statements: list[str] = []

        def count(*arguments: object) -> None:
            statements.append(str(arguments[2]))

        event.listen(engine, "before_cursor_execute", count)
        try:
            rows = microdata_export.microdata_rows(engine, survey_id, columns, chunk_size=100)
            first = next(rows)
            queries_for_first = len([s for s in statements if s.lstrip().upper().startswith("SELECT")])
            rest = list(rows)
        finally:
            event.remove(engine, "before_cursor_execute", count)
    assert len(first) == len(columns)
    assert queries_for_first == 3  # the wave's exclusions (survey/exclusions.py), then one chunk's two queries
    assert 1 + len(rest) == RESPONSES
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 2 * RESPONSES // 100 + 2


def test_the_link_macros_give_urls_ending_in_the_extension(demo: Flask) -> None:
    from flask import render_template_string

    page = ('{% from "insights/downloads/links.html" import table_downloads, microdata_downloads with context %}'
            '{{ table_downloads("v", "omraden", {"weighting": "none"}) }}|{{ microdata_downloads("v") }}')
    with demo.test_request_context("/"):
        tables_part, microdata_part = render_template_string(page).split("|")
    links = re.findall(r'href="([^"]+)"', tables_part)
    assert links == ["/analys/v/export/excel-sv/omraden.csv?weighting=none",
                     "/analys/v/export/plain/omraden.csv?weighting=none",
                     "/analys/v/export/tabeller.xlsx?weighting=none", "/analys/v/export/resultat.json?weighting=none"]
    assert "CSV för Excel" in tables_part
    assert microdata_part.strip() == ""  # nobody logged in: no microdata links


def test_trend_against_a_comparison_wave_and_refusal_of_another_questionnaire(demo: Flask,
                                                                             analyst: FlaskClient) -> None:
    from tests.factories import YOUTH, add_responses, make_wave

    with demo.app_context():
        session = db.session()
        earlier = make_wave(session, slug="trygghet-2025", status=SurveyStatus.CLOSED)
        add_responses(session, earlier, count=120)
        make_wave(session, YOUTH, slug="unga-2026")
    response = analyst.get(f"{WAVE}/export/plain/trend.csv?weighting=none&compare=trygghet-2025")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    total = next(r for r in rows if r["measure"] == "share_unsafe"
                 and not any(r[k] for k in ("area", "gender", "age_band", "age_group")))
    with demo.app_context():
        now = wave_input(db.session, db.session.scalars(select(Survey).where(Survey.slug == DEMO_SURVEY_SLUG)).one())
        before = wave_input(db.session, db.session.scalars(select(Survey).where(Survey.slug == "trygghet-2025")).one())
    assert now.responses is not None
    assert before.responses is not None
    want = run_analysis(now.responses, list(now.measures), weighting="none", compare=before.responses)
    trend = next(c for c in want.comparisons if c.kind == "trend" and c.measure == "share_unsafe" and c.group == ())
    assert trend.difference is not None
    assert float(total["difference"]) == trend.difference
    refused = analyst.get(f"{WAVE}/export/tabeller.xlsx?compare=unga-2026")
    assert refused.status_code == 409
    assert "annan enkät" in refused.get_data(as_text=True)
