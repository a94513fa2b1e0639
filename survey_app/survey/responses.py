"""Storing submitted responses: one `Response` row and its `Answer` rows, anonymous by structure."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from analysis.bands import age_band
from analysis.instrument import AnswerState, Instrument, ItemType
from survey_app.models import Answer, Channel, Response, Survey
from survey_app.survey.codes import load_codebook, response_values, save_codebook, touch_wave


@dataclass(frozen=True, slots=True)
class SubmittedResponse:
    """Validated answers by item code: a code, a tuple of codes (multiple choice), an int or a text."""

    answers: Mapping[str, object]
    language: str
    submitted_on: dt.date
    channel: Channel = Channel.WEB


def _answer_rows(instrument: Instrument, answers: Mapping[str, object]) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for item in instrument.questions:
        value = answers.get(item.code)
        if value is None or value == "" or value == ():
            continue
        if item.type == ItemType.MULTIPLE_CHOICE and isinstance(value, list | tuple):  # its codes, as a list
            rows.extend({"item_code": item.code, "value_code": code} for code in value)
        elif item.is_coded:
            rows.append({"item_code": item.code, "value_code": str(value)})
        elif item.type == ItemType.FREE_TEXT:
            rows.append({"item_code": item.code, "value_text": str(value)})
        else:  # answers are typed object; a number item's answer is an int, checked by its form field
            rows.append({"item_code": item.code, "value_number": float(value)})  # type: ignore[arg-type]
    return rows


def _background(state: AnswerState, year: int) -> dict[str, str | None]:
    answers = state.answers
    background: dict[str, str | None] = {"area_code": None, "gender": None}
    # answers are typed object; an area or gender answer is a code (str), which its form field checked
    for item in state.instrument.questions:
        if item.type == ItemType.AREA and item.code == "area":
            background["area_code"] = answers.get(item.code)  # type: ignore[assignment]
        elif item.type == ItemType.GENDER and background["gender"] is None:
            background["gender"] = answers.get(item.code)  # type: ignore[assignment]
    background["age_band"] = age_band(state.respondent_age(reference_year=year))
    return background


def store_responses(
    session: Session, survey: Survey, instrument: Instrument, submitted: Sequence[SubmittedResponse]
) -> list[Response]:
    """Store responses with their answers; hidden items (skip logic) are dropped, never stored.

    Answers go in with one multi-row INSERT, so a batch of thousands (the demo, a paper import) stays fast. Each
    response also gets its analysis codes (:mod:`survey_app.survey.codes`) from the same answer rows, and the wave's
    data version rises, all in the caller's transaction.
    """
    if not submitted:
        return []
    touch_wave(session, survey)  # first: its row lock guards the codebook below
    codebook = load_codebook(session, survey, instrument)
    responses = []
    answer_sets = []
    for entry in random.sample(list(submitted), len(submitted)):  # a batch is stored in no telling order
        state = AnswerState(instrument, entry.answers)
        background = _background(state, entry.submitted_on.year)
        answers = _answer_rows(instrument, state.answers)
        responses.append(
            Response(
                survey_id=survey.id,
                submitted_on=entry.submitted_on,
                language=entry.language,
                channel=entry.channel,
                codes=codebook.encode(response_values(codebook.columns, background, answers)),
                **background,
            )
        )
        answer_sets.append(answers)
    save_codebook(session, survey, codebook)
    session.add_all(responses)
    session.flush()
    rows = [
        {"response_id": response.id, "position": position, "value_code": None, "value_number": None,
         "value_text": None, **row}
        for response, answers in zip(responses, answer_sets, strict=True)
        for position, row in enumerate(answers)
    ]
    if rows:
        session.execute(insert(cast(Table, Answer.__table__)), rows)  # Core executemany: no ORM work per answer row
    return responses
