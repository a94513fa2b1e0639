"""`trygg analyse` on the demo's responses, exported from the database, with each shipped questionnaire."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import select

from analysis.instrument import default_directory
from survey_app import migrate
from survey_app.cli import main
from survey_app.demo import load_demo
from survey_app.extensions import db
from survey_app.models import Survey
from survey_app.survey.microdata import POPULATION_COLUMNS, analysis_columns, analysis_rows, population_rows
from survey_app.survey.questionnaires import instrument_of
from tests.conftest import make_test_app

QUESTIONNAIRES = sorted(default_directory().glob("*.yaml"))
RESPONSES = 1500


def _export(app: Flask, folder: Path) -> tuple[Path, Path, list[dict[str, str]]]:
    """Load the demo into the app's empty database and write its wave's responses and its areas' population as
    `trygg analyse` reads them."""
    with app.app_context():
        load_demo(db.session, responses=RESPONSES)
        db.session.commit()
        survey = db.session.scalars(select(Survey)).one()
        columns = analysis_columns(instrument_of(survey.questionnaire))
        rows = list(analysis_rows(db.session, survey))
        population = population_rows(db.session, survey)
    responses = folder / "responses.csv"
    with open(responses, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, columns)
        writer.writeheader()
        writer.writerows(rows)
    pop = folder / "population.csv"
    with open(pop, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, POPULATION_COLUMNS)
        writer.writeheader()
        writer.writerows(population)
    return responses, pop, rows


@pytest.fixture
def exported(app: Flask, tmp_path: Path) -> tuple[Path, Path, list[dict[str, str]]]:
    """The demo wave's responses and its areas' population, exported from each database."""
    return _export(app, tmp_path)


@pytest.fixture(scope="module")
def exported_once(empty_database_factory, tmp_path_factory: pytest.TempPathFactory
                  ) -> Iterator[tuple[Path, Path, list[dict[str, str]]]]:
    """The same files made once, from SQLite, for the tests of the command: `trygg analyse` reads files, so which
    database wrote them is not its concern (the export itself is tested on both databases, above and in
    tests/web/insights)."""
    url = empty_database_factory("sqlite", "analyse_demo")
    migrate.upgrade(url)
    app = make_test_app(url)
    yield _export(app, tmp_path_factory.mktemp("export"))
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_the_export_has_one_row_per_response_and_no_free_text(exported) -> None:
    _, _, rows = exported
    assert len(rows) == RESPONSES
    assert list(rows[0])[:3] == ["area", "gender", "age_band"]
    assert "suggestions" not in rows[0]  # free text is never exported
    assert "birth_year" not in rows[0]
    assert {r["gender"] for r in rows} <= {"woman", "man", "other", "no_answer", ""}
    assert sum(r["unsafe_evening"] != "" for r in rows) > RESPONSES * 0.9


def _analyse(*arguments: object):
    return CliRunner().invoke(main, ["analyse", *(str(a) for a in arguments)])


@pytest.mark.parametrize("weighting", ["default", "raking"])
@pytest.mark.parametrize("questionnaire", QUESTIONNAIRES, ids=lambda p: p.stem)
def test_analyse_runs_to_the_end_on_the_demo_in_every_format(exported_once, tmp_path: Path, questionnaire: Path,
                                                             weighting: str) -> None:
    responses, pop, rows = exported_once
    options = ["--questionnaire", questionnaire]
    if weighting == "raking":
        options += ["--population", pop, "--weighting", "raking"]

    result = _analyse(responses, *options, "--output", tmp_path / "out.json")
    assert result.exit_code == 0, result.output
    doc = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    totals = {r["measure"]: r for r in doc["measures"] if r["group"] == {}}
    assert {"share_unsafe", "index_safety"} <= set(totals)
    assert all(r["n"] > 0 for r in totals.values()), [m for m, r in totals.items() if not r["n"]]
    assert 0 < totals["share_unsafe"]["estimate"] < 1
    assert {r["group"]["gender"] for r in doc["measures"] if list(r["group"]) == ["gender"]} >= {"woman", "man"}
    assert any(c["kind"] == "gender_gap" for c in doc["comparisons"])
    unknown = sum(r["area"] in ("", "dont_know") for r in rows)
    assert doc["data_quality"]["unknown_area"] == unknown
    areas = {r["group"]["area"] for r in doc["measures"] if list(r["group"]) == ["area"]}
    assert "dont_know" not in areas
    assert "" not in areas
    if weighting == "raking":
        others = sum(r["gender"] not in ("woman", "man") for r in rows)
        assert doc["data_quality"]["outside_population"] == {"area": unknown, "gender": others, "age_band": 0}
        assert doc["weighting"]["converged"] is True
        with pop.open(encoding="utf-8") as fh:
            total_population = sum(float(r["population"]) for r in csv.DictReader(fh))
        assert doc["weighting"]["diagnostics"]["sum_w"] == pytest.approx(total_population, rel=1e-9)

    result = _analyse(responses, *options, "--format", "csv")
    assert result.exit_code == 0, result.output
    table = list(csv.reader(io.StringIO(result.stdout.split("\n\n# comparisons")[0])))
    header = table[1]
    csv_rows = [dict(zip(header, row, strict=True)) for row in table[2:]]
    csv_totals = [r for r in csv_rows if r["breakdown"] == "total"]
    assert {r["measure"] for r in csv_totals} == set(totals)
    assert all(int(r["n"]) > 0 for r in csv_totals)
    assert all(r["group_label"] == "Totalt" for r in csv_totals)
    # only totals have no group value: a blank gender or age band is the group "(ej svar)"
    assert all(any(r[k] for k in ("area", "gender", "age_band", "age_group")) for r in csv_rows
               if r["breakdown"] != "total")
    fields = {f.strip().lower() for row in csv.reader(io.StringIO(result.stdout)) for f in row}
    assert not fields & {"nan", "inf", "-inf", "infinity", "-infinity"}

    folder = tmp_path / "tables"
    result = _analyse(responses, *options, "--format", "csv", "--output", f"{folder}/")
    assert result.exit_code == 0, result.output
    assert {p.name for p in folder.iterdir()} >= {"measures.csv", "comparisons.csv", "definitions.csv",
                                                  "weighting.csv", "data_quality.csv"}
    with open(folder / "definitions.csv", encoding="utf-8") as fh:
        definitions = {r["measure"]: r for r in csv.DictReader(fh)}
    assert definitions["share_unsafe"]["question"]  # the questionnaire's Swedish question text
    assert definitions["share_unsafe"]["label"] != "share_unsafe"

    target = tmp_path / "out.xlsx"
    result = _analyse(responses, *options, "--format", "xlsx", "--output", target)
    assert result.exit_code == 0, result.output
    book = load_workbook(target)
    assert {"data_quality", "definitions"} <= set(book.sheetnames)
    sheet = book["measures"]
    sheet_rows = sheet.iter_rows(values_only=True)
    xlsx_header = next(sheet_rows)
    xlsx_rows = [dict(zip(xlsx_header, row, strict=True)) for row in sheet_rows]
    xlsx_totals = [r for r in xlsx_rows if r["breakdown"] == "total"]
    assert len(xlsx_totals) == len(totals)
    assert all(r["n"] > 0 for r in xlsx_totals)
