"""The database path into the analysis gives the figures `trygg analyse` gives on the same wave's CSV export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import select

from analysis.report import run_analysis
from survey_app.cli import main
from survey_app.extensions import db
from survey_app.insights.service import wave_input
from survey_app.models import Survey
from tests.web.test_analyse_demo import exported  # noqa: F401  (fixture)

ADULT = Path(__file__).parents[3] / "questionnaires" / "trygghetsenkat-v1.yaml"


@pytest.mark.parametrize("weighting", ["none", "raking"])
def test_the_database_path_reproduces_the_command_on_the_csv_export(app: Flask, exported, tmp_path: Path,  # noqa: F811
                                                                    weighting: str) -> None:
    responses_csv, population_csv, rows = exported
    options = ["--questionnaire", str(ADULT), "--output", str(tmp_path / "out.json")]
    if weighting == "raking":
        options += ["--population", str(population_csv), "--weighting", "raking"]
    outcome = CliRunner().invoke(main, ["analyse", str(responses_csv), *options])
    assert outcome.exit_code == 0, outcome.output
    expected = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))

    with app.app_context():
        survey = db.session.scalars(select(Survey)).one()
        data = wave_input(db.session, survey)
    assert data.responses is not None
    assert data.responses.n == len(rows)
    result = run_analysis(data.responses, list(data.measures), weighting=weighting,
                          population=data.population if weighting == "raking" else None).to_dict()

    def key(row: dict) -> tuple:
        return row["measure"], tuple(sorted(row["group"].items()))

    got = {key(r): r for r in result["measures"]}
    want = {key(r): r for r in expected["measures"]}
    assert got.keys() == want.keys()
    for k, row in want.items():
        assert got[k]["n"] == row["n"], k
        assert got[k]["symbol"] == row["symbol"], k
        if row["estimate"] is not None:
            assert got[k]["estimate"] == pytest.approx(row["estimate"], rel=1e-12, abs=1e-15), k
            assert got[k]["ci_low"] == pytest.approx(row["ci_low"], rel=1e-12, abs=1e-15), k
