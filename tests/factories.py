"""Builders for domain objects, one place for every test package.

They flush; the test decides when to commit. A test commits before it makes a request: SQLite takes the write lock
at BEGIN, so an open transaction in the test's session would make the app wait.
"""

from __future__ import annotations

import datetime as dt
import itertools

from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.instrument import default_directory
from survey_app.auth.passwords import hash_password
from survey_app.dialogue import commands, queries
from survey_app.models import Area, Dialogue, FocusArea, Questionnaire, StaffUser, Survey, SurveyStatus
from survey_app.survey.questionnaires import instrument_of, load_questionnaire
from survey_app.survey.responses import SubmittedResponse, store_responses
from survey_app.survey.waves import create_wave

ADULT = "trygghetsenkat-v1.yaml"
YOUTH = "trygghetsenkat-unga-v1.yaml"
PASSWORD = "korvstånd-Lyktstolpe-91-gräsmatta"

_sequence = itertools.count(1)
_HASH: dict[str, str] = {}


def make_area(session: Session, name: str | None = None, *, code: str | None = None) -> Area:
    number = next(_sequence)
    area = Area(code=code or f"omr{number}", name=name or f"Område {number}")
    session.add(area)
    session.flush()
    return area


def make_questionnaire(session: Session, *, slug: str = "test", version: str | None = None) -> Questionnaire:
    questionnaire = Questionnaire(slug=slug, version=version or f"v{next(_sequence)}", content_hash="0" * 64,
                                  source="{}")
    session.add(questionnaire)
    session.flush()
    return questionnaire


def make_survey(
    session: Session,
    *,
    title: str = "Trygghetsenkät",
    status: SurveyStatus = SurveyStatus.OPEN,
    start: dt.date | None = None,
    end: dt.date | None = None,
    areas: list[Area] | None = None,
    questionnaire: Questionnaire | None = None,
) -> Survey:
    """A wave row of a placeholder questionnaire: for pages that list waves, not for answering one (see make_wave)."""
    today = dt.date.today()
    survey = Survey(
        slug=f"enkat-{next(_sequence)}",
        questionnaire=questionnaire or make_questionnaire(session),
        title=title,
        period_start=start or today - dt.timedelta(days=7),
        period_end=end or today + dt.timedelta(days=30),
        status=status,
        areas=areas or [],
    )
    session.add(survey)
    session.flush()
    return survey


def make_wave(
    session: Session, file: str = ADULT, *, slug: str = "trygghet-2026", codes: bool = False, link: bool = True,
    languages: tuple[str, ...] = ("sv", "en"), status: SurveyStatus = SurveyStatus.OPEN,
    start: dt.date | None = None, end: dt.date | None = None,
) -> Survey:
    """An answerable wave of a shipped questionnaire, in every area (two are made when there are none); commits."""
    questionnaire, _ = load_questionnaire(session, default_directory() / file)
    areas = list(session.scalars(select(Area).order_by(Area.code)))
    if not areas:
        areas = [Area(code="norr", name="Norr"), Area(code="soder", name="Söder")]
        session.add_all(areas)
    today = dt.date.today()
    survey = create_wave(
        session, questionnaire=questionnaire, slug=slug, title="Trygghetsenkät 2026",
        period_start=start or today - dt.timedelta(days=1), period_end=end or today + dt.timedelta(days=30),
        areas=areas, languages=languages, open_link=link, invitation_codes=codes, status=status, actor=None,
    )
    session.commit()
    return survey


def add_responses(session: Session, survey: Survey, count: int = 40) -> None:
    """`count` plain responses to a wave of the adult questionnaire, spread over its areas and both genders; commits."""
    instrument = instrument_of(survey.questionnaire)
    areas = [area.code for area in survey.areas]
    submitted = [SubmittedResponse(answers={
        "area": areas[number % len(areas)], "gender": ("woman", "man")[number % 2],
        "birth_year": dt.date.today().year - 20 - number % 50,
        "unsafe_evening": ("very_safe", "fairly_safe", "fairly_unsafe")[number % 3],
    }, language="sv", submitted_on=dt.date.today()) for number in range(count)]
    store_responses(session, survey, instrument, submitted)
    session.commit()


def make_staff(session: Session, role: str, *, email: str | None = None, active: bool = True) -> StaffUser:
    """A staff user whose password is PASSWORD."""
    if PASSWORD not in _HASH:
        _HASH[PASSWORD] = hash_password(PASSWORD)  # one Argon2 hash for the whole run keeps the tests quick
    user = StaffUser(email=email or f"{role}{next(_sequence)}@kommun.se", password_hash=_HASH[PASSWORD], role=role,
                     active=active)
    session.add(user)
    session.flush()
    return user


def make_focus_areas(session: Session) -> list[FocusArea]:
    commands.seed_default_focus_areas(session)
    return queries.focus_areas(session)


def make_dialogue(session: Session, owner: StaffUser, *, area: Area | None = None, held_on: dt.date | None = None,
                  format: str = "safety_walk", tallies: dict[tuple[str, str], int] | None = None,
                  observations: int = 1, from_children: bool = False) -> Dialogue:
    dialogue = commands.create_dialogue(session, commands.DialogueInput(
        format=format, held_on=held_on or dt.date(2026, 10, 1), area_id=(area or make_area(session)).id,
        place="Torget", participation_level=2, time_of_day="dark" if format == "safety_walk" else None,
        tallies=tallies or {("woman", "25-44"): 4, ("man", "45-64"): 3},
    ), actor=owner)
    for number in range(observations):
        commands.add_observation(session, dialogue, commands.ObservationInput(
            text=f"Mörk gångtunnel {number + 1}", kind="unsafe_place", category="lighting",
            place_name=f"Tunneln {number + 1}", from_children=from_children,
        ), actor=owner)
    return dialogue
