"""The one path from a wave in the database to :func:`analysis.report.run_analysis`.

Every results page, every export and `trygg analyse --wave` take a wave's data through :func:`wave_input`, so the
web app never re-implements a formula: it builds the same :class:`~analysis.data.Responses` and
:class:`~analysis.data.Population` that the CSV readers build, and calls the same functions.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from analysis.data import Population, Responses, population_from_rows
from analysis.instrument import Instrument, MeasureDef
from analysis.normalise import normalise_area, normalise_gender
from survey_app.models import Survey
from survey_app.survey.microdata import analysis_columns, analysis_rows, population_rows
from survey_app.survey.questionnaires import instrument_of


@dataclass(frozen=True, slots=True)
class WaveInput:
    """A wave ready for the analysis. ``responses`` is None while the wave has no responses;
    ``population`` is None when its areas have no population figures."""

    instrument: Instrument
    measures: tuple[MeasureDef, ...]
    responses: Responses | None
    population: Population | None


def wave_input(session: Session, survey: Survey) -> WaveInput:
    """The wave's responses (one row each, in no order of submission) and its areas' population."""
    instrument = instrument_of(survey.questionnaire)
    columns = analysis_columns(instrument)
    rows = list(analysis_rows(session, survey))
    responses = None
    if rows:
        raw = Responses.from_columns({c: [r[c] for r in rows] for c in columns}, source=survey.slug)
        gender, _, _ = normalise_gender(raw.gender)
        responses = Responses(area=normalise_area(raw.area), gender=gender, age_band=normalise_area(raw.age_band),
                              items=raw.items, source=survey.slug)
    cells = population_rows(session, survey)
    population = population_from_rows([{k: str(v) for k, v in r.items()} for r in cells], source=survey.slug) \
        if cells else None
    measures = tuple(m for m in instrument.measures)
    return WaveInput(instrument=instrument, measures=measures, responses=responses, population=population)
