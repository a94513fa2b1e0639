"""Suppression patterns in the database (suppression_patterns): shared by options, pages and app servers, and never
used for counts they were not found for. Figures are compared with a run of the analysis without any store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

import analysis.measureprotection as measureprotection
from analysis.disclosure import SYMBOL_SUPPRESSED
from analysis.report import AnalysisResult, run_analysis
from survey_app.demo import _synthetic_response
from survey_app.extensions import db
from survey_app.insights import service
from survey_app.models import Area, SuppressionPattern, Survey
from survey_app.survey.codes import data_version
from survey_app.survey.questionnaires import instrument_of
from survey_app.survey.responses import store_responses
from tests.web.insights.waves import make_result_waves, survey_by_slug


def suppressed(result: AnalysisResult) -> set[tuple]:
    return {(r.measure, r.group) for r in result.measures if r.symbol == SYMBOL_SUPPRESSED}


def from_scratch(session: Session, survey: Survey) -> AnalysisResult:
    data = service.wave_input(session, survey)
    assert data.responses is not None
    return run_analysis(data.responses, list(data.measures))


def stored(session: Session, survey: Survey) -> dict[str, int]:
    return dict(session.execute(select(SuppressionPattern.digest, SuppressionPattern.data_version)
                                .where(SuppressionPattern.survey_id == survey.id)).tuples().all())


def no_search(*args, **kwargs):
    raise AssertionError("disclosure control searched again although the pattern was stored")


def test_other_weightings_and_another_app_server_use_the_stored_patterns(app: Flask, tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    service.clear_cache()
    with app.app_context():
        session = db.session
        waves = make_result_waves(session, tmp_path, responses=300, earlier=False, cutpoints=False)
        survey = survey_by_slug(session, waves.now)
        first = service.analyse_wave(session, survey)
        session.commit()  # as the request does
        assert suppressed(first), "the test wave should have suppressed cells"
        assert suppressed(first) == suppressed(from_scratch(session, survey))
        rows = stored(session, survey)
        assert rows
        assert set(rows.values()) == {data_version(session, survey)}

        monkeypatch.setattr(measureprotection, "protect", no_search)
        raked = service.analyse_wave(session, survey, weighting="raking")
        assert raked.weighting.method == "raking"
        assert suppressed(raked) == suppressed(first)  # the counts protected are unweighted
        service.clear_cache()  # another app server: nothing in its memory, the database shared
        assert suppressed(service.analyse_wave(session, survey)) == suppressed(first)


def test_a_new_response_gets_its_own_patterns_and_the_old_ones_are_removed(app: Flask, tmp_path: Path) -> None:
    service.clear_cache()
    with app.app_context():
        session = db.session
        waves = make_result_waves(session, tmp_path, responses=300, earlier=False, cutpoints=False)
        survey = survey_by_slug(session, waves.now)
        service.analyse_wave(session, survey)
        session.commit()
        old = stored(session, survey)
        instrument = instrument_of(survey.questionnaire)
        areas = list(session.scalars(select(Area).order_by(Area.code)))
        rng = np.random.default_rng(11)
        store_responses(session, survey, instrument,
                        [_synthetic_response(instrument, areas[-1:], rng, survey.period_start, dt.date.today())])
        session.commit()
        after = service.analyse_wave(session, survey)
        session.commit()
        assert suppressed(after) == suppressed(from_scratch(session, survey))
        rows = stored(session, survey)
        assert set(rows.values()) == {data_version(session, survey)}  # no history of patterns is kept
        assert set(rows) - set(old), "the new counts were answered from the old patterns"
