"""A wave's responses and its areas' population in the input format of `trygg analyse` (analysis.readers).

One row per response: `area`, `gender`, `age_band` as answered (`dont_know` and blanks are left to the
analysis, which counts them in the total only), then one column per single-choice item (grid rows included)
and per number item, in questionnaire order. Free text is never exported here (it may hold personal data
that masking misses), nor multiple-choice items (no measure reads them), nor birth year or age (the age band
is the analysis column, and is less identifying). Rows come in the order of the responses' random keys, which
says nothing about when they were sent.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.bands import DEFAULT_AGE_BANDS
from analysis.instrument import Instrument, ItemType
from survey_app.models import Answer, Response, Survey, population_of
from survey_app.survey.questionnaires import instrument_of

BACKGROUND_COLUMNS = ("area", "gender", "age_band")
POPULATION_COLUMNS = ("area", "gender", "age_band", "population")
_EXCLUDED = frozenset({ItemType.FREE_TEXT, ItemType.MULTIPLE_CHOICE, ItemType.BIRTH_YEAR, ItemType.AGE,
                       ItemType.GENDER})


def analysis_columns(instrument: Instrument) -> list[str]:
    """The header of the export: background columns, then the item columns."""
    items = [item.code for item in instrument.questions if item.type not in _EXCLUDED and item.code != "area"]
    return [*BACKGROUND_COLUMNS, *items]


def analysis_rows(session: Session, survey: Survey) -> Iterator[dict[str, str]]:
    """One dict per response, keyed by :func:`analysis_columns`; a missing answer is an empty string."""
    for _, row in analysis_rows_by_id(session, survey):
        yield row


def analysis_rows_by_id(session: Session, survey: Survey, *, with_excluded: bool = False
                        ) -> Iterator[tuple[uuid.UUID, dict[str, str]]]:
    """:func:`analysis_rows` with each response's key (to check the copy in ``responses.codes``); the responses an
    analyst excluded (`exclusions.py`) are left out unless `with_excluded`."""
    from survey_app.survey.exclusions import included_conditions  # it reads the codes module, which reads this one

    columns = analysis_columns(instrument_of(survey.questionnaire))
    items = set(columns) - set(BACKGROUND_COLUMNS)
    query = (
        select(Response.id, Response.area_code, Response.gender, Response.age_band,
               Answer.item_code, Answer.value_code, Answer.value_number)
        .outerjoin(Answer, Answer.response_id == Response.id)
        .where(Response.survey_id == survey.id, *([] if with_excluded else included_conditions(session, survey.id)))
        .order_by(Response.id)
    )
    current, row = None, None
    for rid, area, gender, band, item, code, number in session.execute(query):
        if rid != current:
            if row is not None and current is not None:
                yield current, row
            current = rid
            row = dict.fromkeys(columns, "")
            row.update(area=area or "", gender=gender or "", age_band=band or "")
        if item in items and row is not None:
            row[item] = answer_value(code, number)
    if row is not None and current is not None:
        yield current, row


def answer_value(code: str | None, number: float | None) -> str:
    """An answer as the export writes it: its code, or its number without a needless ``.0``."""
    if code is not None:
        return code
    if number is None:
        return ""
    return str(int(number)) if float(number).is_integer() else repr(number)


def population_rows(session: Session, survey: Survey) -> list[dict[str, object]]:
    """The population of the wave's areas by gender and age band, for the age bands its questionnaire asks."""
    instrument = instrument_of(survey.questionnaire)
    low, high = instrument.min_age or 0, instrument.max_age
    bands = {band.label for band in DEFAULT_AGE_BANDS
             if band.low >= low and (high is None or (band.high is not None and band.high <= high))}
    rows = []
    for area in survey.areas:
        for cell in population_of(session, area.id, survey.population_year):
            if cell.age_band in bands:
                rows.append({"area": area.code, "gender": cell.gender, "age_band": cell.age_band,
                             "population": cell.population})
    return rows
