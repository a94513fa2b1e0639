"""The analysis copy of each response (responses.codes), the wave's data version and the cache keyed by it.

Every check compares the copy with the stored answers read the slow way (responses joined to answers), never with
itself.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest
from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from analysis.normalise import normalise_area
from survey_app.cli import main
from survey_app.demo import DEMO_SURVEY_SLUG, load_demo
from survey_app.extensions import db
from survey_app.insights import service
from survey_app.insights.service import analyse_wave, wave_input
from survey_app.models import Response, Survey, WaveCodebook
from survey_app.survey.codes import Codebook, data_version, verify_wave
from survey_app.survey.microdata import analysis_rows_by_id
from survey_app.survey.questionnaires import instrument_of
from survey_app.survey.waves import close_wave
from tests.web.survey.resident import Resident, first_option
from tests.web.test_analyse_demo import exported  # noqa: F401  (fixture)

ROOT = Path(__file__).parents[3]
ADULT = ROOT / "questionnaires" / "trygghetsenkat-v1.yaml"


def _benchmark():
    spec = importlib.util.spec_from_file_location("benchmark_insights", ROOT / "benchmarks" / "insights.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _copies_and_answers(session: Session, survey: Survey) -> tuple[dict, dict]:
    layout = session.scalar(select(WaveCodebook.layout).where(WaveCodebook.survey_id == survey.id))
    codebook = Codebook.from_layout(layout)
    copies = {rid: codebook.values(codes) for rid, codes in
              session.execute(select(Response.id, Response.codes).where(Response.survey_id == survey.id))}
    return copies, dict(analysis_rows_by_id(session, survey))


def test_the_benchmark_loader_stores_a_copy_equal_to_the_answers(app: Flask) -> None:
    """The small version of benchmarks/insights.py: 2,000 responses through store_responses, in batches."""
    bench = _benchmark()
    with app.app_context():
        survey = bench.load_wave(db.session, 2000)
        before = data_version(db.session, survey)
        copies, answers = _copies_and_answers(db.session, survey)
        assert len(answers) == 2000
        assert copies == answers
        assert sum(row["unsafe_evening"] != "" for row in answers.values()) > 1800  # the data is not blank
        bench.one_more(db.session, survey, seed=1)
        assert data_version(db.session, survey) == before + 1
        assert verify_wave(db.session, survey, instrument_of(survey.questionnaire)).ok


def test_a_resident_s_submission_stores_its_copy_and_raises_the_version(make_wave, client, db_session) -> None:
    survey = make_wave()
    before = data_version(db_session, survey)
    walker = Resident(client, survey.slug)
    walker.complete(first_option)
    assert walker.send().status_code == 302
    db_session.expire_all()
    assert data_version(db_session, survey) == before + 1
    copies, answers = _copies_and_answers(db_session, survey)
    assert len(copies) == 1
    assert copies == answers
    (copy,) = copies.values()
    assert (copy["area"], copy["age_band"], copy["unsafe_evening"]) == ("norr", "25-44", "very_safe")


def test_the_columns_from_the_copy_are_those_read_from_the_answers(app: Flask, monkeypatch) -> None:
    with app.app_context():
        load_demo(db.session, responses=1200)
        db.session.commit()
        survey = db.session.scalars(select(Survey)).one()
        instrument = instrument_of(survey.questionnaire)
        from_answers = service._columns_from_answers(db.session, survey, instrument)
        monkeypatch.setattr(service, "_columns_from_answers", None)  # the page must not read the answers
        data = wave_input(db.session, survey)
    assert from_answers is not None
    assert data.responses is not None
    assert data.responses.n == 1200
    for name, column in from_answers.items():
        if name in ("area", "gender", "age_band"):
            continue
        got = data.responses.items[name]
        assert got.labels == column.labels, name
        assert np.array_equal(got.codes, column.codes), name
    assert np.array_equal(data.responses.area.values(), normalise_area(from_answers["area"]).values())
    assert np.array_equal(data.responses.age_band.values(), from_answers["age_band"].values())


def test_a_corrupted_copy_is_reported_and_rebuilt(app: Flask) -> None:
    with app.app_context():
        load_demo(db.session, responses=300)
        db.session.commit()
        survey = db.session.scalars(select(Survey)).one()
        ids = sorted(db.session.scalars(select(Response.id).where(Response.survey_id == survey.id)))
        codes = bytearray(db.session.scalar(select(Response.codes).where(Response.id == ids[0])))
        codes[-2:] = (0).to_bytes(2, "little") if codes[-2:] != b"\0\0" else (1).to_bytes(2, "little")
        db.session.execute(update(Response).where(Response.id == ids[0]).values(codes=bytes(codes)))
        db.session.execute(update(Response).where(Response.id == ids[1]).values(codes=None))
        db.session.commit()
        version = data_version(db.session, survey)
    runner = app.test_cli_runner()

    checked = runner.invoke(main, ["survey", "verify-store", DEMO_SURVEY_SLUG])
    assert checked.exit_code == 1, checked.output
    assert "2 av 300" in checked.output
    assert "--rebuild" in checked.output

    rebuilt = runner.invoke(main, ["survey", "verify-store", DEMO_SURVEY_SLUG, "--rebuild"])
    assert rebuilt.exit_code == 0, rebuilt.output
    again = runner.invoke(main, ["survey", "verify-store", DEMO_SURVEY_SLUG])
    assert again.exit_code == 0, again.output
    assert "300" in again.output
    with app.app_context():
        survey = db.session.scalars(select(Survey)).one()
        assert data_version(db.session, survey) > version  # no cached analysis outlives the rebuild
        copies, answers = _copies_and_answers(db.session, survey)
        assert copies == answers


def test_a_wave_stored_before_the_copy_existed_is_read_from_its_answers(app: Flask) -> None:
    with app.app_context():
        load_demo(db.session, responses=200)
        db.session.commit()
        survey = db.session.scalars(select(Survey)).one()
        expected = wave_input(db.session, survey)
        db.session.execute(update(Response).values(codes=None))
        db.session.commit()
        data = wave_input(db.session, survey)
    assert data.responses is not None
    assert expected.responses is not None
    assert data.responses.n == 200
    assert data.responses.items.keys() == expected.responses.items.keys()
    for name, column in expected.responses.items.items():
        assert np.array_equal(data.responses.items[name].values(), column.values()), name


def test_the_analysis_is_cached_until_the_wave_s_data_changes(app: Flask) -> None:
    bench = _benchmark()
    service.clear_cache()
    with app.app_context():
        load_demo(db.session, responses=400)
        db.session.commit()
        survey = db.session.scalars(select(Survey)).one()
        first = analyse_wave(db.session, survey)
        assert analyse_wave(db.session, survey) is first  # nothing changed: from memory
        raked = analyse_wave(db.session, survey, weighting="raking")
        assert raked is not first  # other options: other figures
        assert raked.weighting.method == "raking"

        bench.one_more(db.session, survey, seed=7)  # a new response, committed
        second = analyse_wave(db.session, survey)
        assert second is not first
        total = sum(r.n or 0 for r in first.measures if not r.group)  # the total is never suppressed
        assert sum(r.n or 0 for r in second.measures if not r.group) > total

        close_wave(db.session, survey, actor=None, actor_label="test")
        db.session.commit()
        assert analyse_wave(db.session, survey) is not second  # a closed wave is analysed again

        # A response deleted by a path that forgot to raise the version still changes the key (the count).
        third = analyse_wave(db.session, survey)
        victim = db.session.scalars(select(Response.id).where(Response.survey_id == survey.id)).first()
        db.session.execute(Response.__table__.delete().where(Response.id == victim))
        db.session.commit()
        assert analyse_wave(db.session, survey) is not third


def test_trygg_analyse_wave_gives_what_it_gives_on_the_csv_export(app: Flask, exported, tmp_path: Path) -> None:  # noqa: F811
    responses_csv, population_csv, _ = exported
    runner = app.test_cli_runner()
    outputs = {}
    for name, source in (("csv", [str(responses_csv), "--questionnaire", str(ADULT), "--population",
                                  str(population_csv)]), ("wave", ["--wave", DEMO_SURVEY_SLUG])):
        out = tmp_path / f"{name}.json"
        done = runner.invoke(main, ["analyse", *source, "--weighting", "raking", "--output", str(out)])
        assert done.exit_code == 0, done.output
        outputs[name] = json.loads(out.read_text(encoding="utf-8"))
    csv_doc, wave_doc = outputs["csv"], outputs["wave"]
    assert wave_doc["data_quality"] == csv_doc["data_quality"]
    assert wave_doc["suppression"] == csv_doc["suppression"]
    assert len(wave_doc["measures"]) == len(csv_doc["measures"]) > 100
    for got, want in zip(wave_doc["measures"], csv_doc["measures"], strict=True):
        assert (got["measure"], got["group"], got["n"], got["symbol"]) == \
            (want["measure"], want["group"], want["n"], want["symbol"])
        if want["estimate"] is not None:
            assert got["estimate"] == pytest.approx(want["estimate"], rel=1e-12, abs=1e-15)
            assert got["ci_high"] == pytest.approx(want["ci_high"], rel=1e-12, abs=1e-15)

    table = tmp_path / "wave.csv"
    csv_table = runner.invoke(main, ["analyse", "--wave", DEMO_SURVEY_SLUG, "--format", "csv", "--output", str(table)])
    assert csv_table.exit_code == 0, csv_table.output
    assert table.read_text(encoding="utf-8").startswith("# measures")

    unknown = runner.invoke(main, ["analyse", "--wave", "finns-inte"])
    assert unknown.exit_code == 2
    assert "finns-inte" in unknown.output


def test_an_empty_wave_gets_a_clear_message(app: Flask, make_wave) -> None:
    make_wave(start=dt.date.today())
    done = app.test_cli_runner().invoke(main, ["analyse", "--wave", "trygghet-2026"])
    assert done.exit_code == 2
    assert "inga svar" in done.output
