"""The demo municipality: areas with population, the shipped questionnaires, open waves, synthetic responses.

The synthetic answers follow what Swedish safety surveys show: women and girls, and some areas, report more
unsafety and worry; victimisation is rare; a few answers are missing or "vet ej". They are for trying the product,
not for any statistical conclusion.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analysis.bands import DEFAULT_AGE_BANDS
from analysis.instrument import Instrument, Item, ItemType, default_directory
from survey_app.auth.passwords import hash_password
from survey_app.auth.services import create_staff_user
from survey_app.dialogue.demo import load_demo_dialogues
from survey_app.indicators.demo import load_demo_indicators
from survey_app.insights.services import set_cutpoints, share_measures
from survey_app.models import Area, AreaPopulation, Questionnaire, Response, Role, StaffUser, Survey, SurveyStatus
from survey_app.promises.demo import load_demo_promises
from survey_app.survey.questionnaires import instrument_of, load_questionnaire
from survey_app.survey.responses import SubmittedResponse, store_responses
from survey_app.survey.waves import create_wave

DEMO_SURVEY_SLUG = "trygghetsenkat-2026"
EARLIER_SURVEY_SLUG = "trygghetsenkat-2025"
EARLIER_SHIFT = 0.2  # a year earlier residents felt slightly less safe: something for the trend view to find
# STANDARDS §3.3: the documented example cut-points (not the police's, which are not public), for the problem level
EXAMPLE_CUTPOINTS = (0.05, 0.10, 0.30, 0.40, 0.50, 0.60)
ADULT_QUESTIONNAIRE = "trygghetsenkat-v2.yaml"  # version 2: the same items as 1, in every language residents use
YOUTH_QUESTIONNAIRE = "trygghetsenkat-unga-v2.yaml"
YOUTH_SURVEY_SLUG = "trygghetsenkat-unga-2026"
YOUTH_SHARE = 0.2  # the youth wave gets this many responses per adult response (a few school classes)
# The titles residents read in each language the waves offer.
ADULT_TITLES = {"en": "Safety survey 2026", "ar": "استبيان الشعور بالأمان 2026", "fi": "Turvallisuuskysely 2026",
                "so": "Sahanka badbaadada 2026", "fa": "نظرسنجی احساس امنیت ۲۰۲۶"}
YOUTH_TITLES = {"en": "Safety survey for young people 2026", "ar": "استبيان الشعور بالأمان للشباب 2026",
                "fi": "Nuorten turvallisuuskysely 2026", "so": "Sahanka badbaadada dhallinyarada 2026",
                "fa": "نظرسنجی احساس امنیت نوجوانان ۲۰۲۶"}

# code, name, inhabitants 12+, how much less safe residents feel there (logit shift)
AREAS: tuple[tuple[str, str, int, float], ...] = (
    ("centrum", "Centrum", 6200, 0.45),
    ("norrby", "Norrby", 4800, 0.9),
    ("strandangen", "Strandängen", 3900, -0.35),
    ("bruket", "Bruksområdet", 3100, 0.6),
    ("ostra-kvarn", "Östra Kvarnen", 2600, -0.1),
    ("kyrkbyn", "Kyrkbyn", 1500, -0.6),
)
DEMO_POPULATION_YEAR = 2025  # the demo's figures stand for SCB's count on 31 December 2025
# made-up outlines of the demo areas (longitude, latitude) for the results map; not a real place's borders
AREA_OUTLINES: dict[str, tuple[tuple[float, float], ...]] = {
    "centrum": ((14.500, 59.320), (14.540, 59.320), (14.545, 59.332), (14.540, 59.342), (14.500, 59.342)),
    "norrby": ((14.490, 59.342), (14.540, 59.342), (14.556, 59.352), (14.550, 59.370), (14.495, 59.366)),
    "strandangen": ((14.460, 59.300), (14.500, 59.302), (14.500, 59.342), (14.470, 59.336), (14.455, 59.318)),
    "bruket": ((14.545, 59.312), (14.590, 59.310), (14.595, 59.340), (14.556, 59.352), (14.540, 59.342),
               (14.545, 59.332)),
    "ostra-kvarn": ((14.500, 59.290), (14.560, 59.288), (14.545, 59.312), (14.540, 59.320), (14.500, 59.320),
                    (14.500, 59.302)),
    "kyrkbyn": ((14.400, 59.330), (14.440, 59.328), (14.445, 59.350), (14.425, 59.362), (14.402, 59.352)),
}
# share of the area's population in each default age band (12-15 ... 75+)
AGE_PROFILE = (0.06, 0.03, 0.10, 0.30, 0.28, 0.13, 0.10)
AGE_SHIFT = {"12-15": 0.2, "16-17": 0.3, "18-24": 0.35, "25-44": 0.0, "45-64": -0.1, "65-74": 0.1, "75+": 0.35}
WOMAN_SHIFT = 0.85  # NTU 2024: 34 % of women and 18 % of men feel unsafe
BASELINE_SHIFT = -0.9  # brings the demo's overall share_unsafe near NTU's 26 %
VICTIM_SHIFT = -2.0  # victimisation is rare: a few per cent a year for each crime

# Answer codes ordered from the safest or least worried to the least safe, with baseline shares.
ORDERED_SCALES: tuple[tuple[tuple[str, ...], tuple[float, ...]], ...] = (
    (("very_safe", "fairly_safe", "fairly_unsafe", "very_unsafe", "no_out_fear"), (0.38, 0.36, 0.15, 0.06, 0.05)),
    (("no", "yes_sometimes", "yes_often"), (0.76, 0.17, 0.07)),
    (("never", "fairly_rarely", "fairly_often", "very_often"), (0.36, 0.40, 0.17, 0.07)),
    (("not_at_all", "very_small", "fairly_small", "fairly_great", "very_great"), (0.04, 0.11, 0.31, 0.37, 0.17)),
    (("no_problem", "fairly_small", "fairly_big", "very_big"), (0.42, 0.34, 0.16, 0.08)),
    (("agree_fully", "agree_mostly", "disagree_mostly", "disagree_fully"), (0.14, 0.44, 0.29, 0.13)),
    (("no", "yes"), (0.93, 0.07)),
)
SIDE_CODES = {"no_out_other": 0.04, "no_opinion": 0.07, "dont_know": 0.08}  # answered beside the scale
GENDER_SHARES = {"woman": 0.49, "man": 0.47, "other": 0.015, "no_answer": 0.025}
ITEM_NONRESPONSE = 0.03
PLACE_TEXTS = (
    "Gångtunneln under järnvägen, det är mörkt och man ser inte vem som kommer.",
    "Busshållplatsen vid torget på kvällarna, ofta stökigt.",
    "Parken bakom skolan. Buskarna är igenvuxna och belysningen är trasig.",
    "Cykelvägen längs ån saknar lampor på en lång sträcka.",
    "Parkeringshuset vid stationen.",
)
SUGGESTION_TEXTS = (
    "Bättre belysning och klipp buskarna.",
    "Fler vuxna ute på kvällarna, till exempel nattvandrare.",
    "Mer synlig polis i centrum på helgerna.",
    "Kameror vid stationen och bättre städning.",
)


@dataclass(frozen=True, slots=True)
class DemoResult:
    created: bool
    areas: int
    responses: int
    survey_title: str
    users: tuple[tuple[str, str, str], ...]  # (email, role, password shown once)


def load_demo(session: Session, *, responses: int = 3000, seed: int = 2026, today: dt.date | None = None,
              earlier_wave: bool = False, youth_wave: bool = False) -> DemoResult:
    """Load the demo once; on later runs keep the data and give the demo users new passwords.

    `earlier_wave` adds a closed wave of the same questionnaire a year before, with slightly less safe answers, for
    the trend view. `youth_wave` adds an open wave of the youth questionnaire with children's own answers (for the
    child-rights view, and so that a resident given the wrong survey for their age is pointed to the right one).
    The example problem-level cut-points are set for share unsafe and the problem items.
    """
    today = today or dt.date.today()
    existing = session.scalar(select(Survey).where(Survey.slug == DEMO_SURVEY_SLUG))
    users = _demo_users(session)
    if existing is not None:
        return DemoResult(False, len(existing.areas), _count_responses(session, existing), existing.title, users)

    areas = _demo_areas(session)
    adult, _ = load_questionnaire(session, default_directory() / ADULT_QUESTIONNAIRE)
    youth, _ = load_questionnaire(session, default_directory() / YOUTH_QUESTIONNAIRE)
    instrument = instrument_of(adult)
    survey = create_wave(
        session,
        questionnaire=adult,
        slug=DEMO_SURVEY_SLUG,
        title="Trygghetsenkät 2026",
        period_start=today - dt.timedelta(days=21),
        period_end=today + dt.timedelta(days=60),
        areas=areas,
        languages=instrument.language_codes,
        open_link=True,
        invitation_codes=True,
        status=SurveyStatus.OPEN,
        actor=None,
        actor_label="demo",
        title_translations=ADULT_TITLES,
    )
    rng = np.random.default_rng(seed)
    submitted = [_synthetic_response(instrument, areas, rng, survey.period_start, today) for _ in range(responses)]
    store_responses(session, survey, instrument, submitted)
    if earlier_wave:
        _earlier_wave(session, adult, instrument, areas, rng, today - dt.timedelta(days=365), responses)
    if youth_wave:
        _youth_wave(session, youth, areas, rng, today, max(round(responses * YOUTH_SHARE), 1))
    _example_cutpoints(session)
    facilitator = session.scalars(select(StaffUser).where(StaffUser.role == Role.FACILITATOR)).first()
    if facilitator is not None:
        load_demo_dialogues(session, facilitator=facilitator, areas=areas, today=today)
    load_demo_indicators(session, areas=areas, today=today)
    load_demo_promises(session, today=today, owner=facilitator)
    return DemoResult(True, len(areas), responses, survey.title, users)


def _earlier_wave(session: Session, questionnaire: Questionnaire, instrument: Instrument, areas: Sequence[Area],
                  rng: np.random.Generator, today: dt.date, responses: int) -> None:
    survey = create_wave(
        session, questionnaire=questionnaire, slug=EARLIER_SURVEY_SLUG, title="Trygghetsenkät 2025",
        period_start=today - dt.timedelta(days=21), period_end=today + dt.timedelta(days=60), areas=areas,
        languages=instrument.language_codes, open_link=True, status=SurveyStatus.CLOSED, actor=None,
        actor_label="demo",
    )
    submitted = [_synthetic_response(instrument, areas, rng, survey.period_start, today, shift=EARLIER_SHIFT)
                 for _ in range(responses)]
    store_responses(session, survey, instrument, submitted)


def _youth_wave(session: Session, questionnaire: Questionnaire, areas: Sequence[Area], rng: np.random.Generator,
                today: dt.date, responses: int) -> None:
    instrument = instrument_of(questionnaire)
    survey = create_wave(
        session, questionnaire=questionnaire, slug=YOUTH_SURVEY_SLUG, title="Trygghetsenkät för unga 2026",
        period_start=today - dt.timedelta(days=14), period_end=today + dt.timedelta(days=45), areas=areas,
        languages=instrument.language_codes, open_link=True, status=SurveyStatus.OPEN, actor=None,
        actor_label="demo", title_translations=YOUTH_TITLES,
    )
    submitted = [_synthetic_response(instrument, areas, rng, survey.period_start, today) for _ in range(responses)]
    store_responses(session, survey, instrument, submitted)


def _example_cutpoints(session: Session) -> None:
    for measure in share_measures(session):
        if measure.name == "share_unsafe" or measure.name.startswith("share_problem_"):
            set_cutpoints(session, measure.name, EXAMPLE_CUTPOINTS, actor=None, example=True, actor_label="demo")


def _count_responses(session: Session, survey: Survey) -> int:
    return session.scalar(select(func.count()).select_from(Response).where(Response.survey_id == survey.id)) or 0


def _demo_users(session: Session) -> tuple[tuple[str, str, str], ...]:
    users = []
    for role in Role:
        email = f"{role.value}@demo.trygg.se"
        password = secrets.token_urlsafe(15)  # 120 bits; shown once
        user = session.scalar(select(StaffUser).where(StaffUser.email == email))
        if user is None:
            create_staff_user(session, email=email, password=password, role=role.value, actor=None, actor_label="demo")
        else:
            user.password_hash = hash_password(password)
        users.append((email, role.value, password))
    session.flush()
    return tuple(users)


def _demo_areas(session: Session) -> list[Area]:
    areas = []
    for code, name, inhabitants, _ in AREAS:
        outline = [list(point) for point in AREA_OUTLINES[code]]
        area = Area(code=code, name=name, geometry={"type": "Polygon", "coordinates": [[*outline, outline[0]]]})
        for band, share in zip(DEFAULT_AGE_BANDS, AGE_PROFILE, strict=True):
            total = round(inhabitants * share)
            women = round(total * (0.55 if band.label == "75+" else 0.5))
            area.population.append(AreaPopulation(year=DEMO_POPULATION_YEAR, gender="woman", age_band=band.label,
                                                   population=women))
            area.population.append(AreaPopulation(year=DEMO_POPULATION_YEAR, gender="man", age_band=band.label,
                                                   population=total - women))
        session.add(area)
        areas.append(area)
    session.flush()
    return areas


def _choose(rng: np.random.Generator, shares: dict[str, float]) -> str:
    codes = list(shares)
    weights = np.array([shares[code] for code in codes])
    return codes[rng.choice(len(codes), p=weights / weights.sum())]


def _ordered_choice(rng: np.random.Generator, codes: Sequence[str], shares: Sequence[float], shift: float) -> str:
    """An ordered-logit draw: the baseline shares, moved towards the unsafe end by `shift` on the logit scale."""
    cumulative = np.cumsum(shares)[:-1]
    thresholds = np.log(cumulative / (1 - cumulative))
    latent = rng.logistic() + shift
    return codes[int(np.searchsorted(thresholds, latent))]


def _coded_answer(rng: np.random.Generator, item: Item, shift: float) -> str | None:
    codes = set(item.codes)
    for side, share in SIDE_CODES.items():
        if side in codes and rng.random() < share:
            return side
    for ordered, shares in ORDERED_SCALES:
        if codes >= set(ordered) and codes - set(ordered) <= set(SIDE_CODES):
            return _ordered_choice(rng, ordered, shares, shift)
    substantive = [code for code in item.codes if code not in SIDE_CODES]
    return substantive[rng.integers(len(substantive))] if substantive else None


def _synthetic_response(
    instrument: Instrument, areas: Sequence[Area], rng: np.random.Generator, start: dt.date, today: dt.date,
    shift: float = 0.0,
) -> SubmittedResponse:
    area_index = rng.choice(len(AREAS), p=np.array([a[2] for a in AREAS]) / sum(a[2] for a in AREAS))
    gender = _choose(rng, GENDER_SHARES)
    minimum_age, maximum_age = instrument.min_age or 16, instrument.max_age or 89
    bands = [band for band in DEFAULT_AGE_BANDS if (band.high or 200) >= minimum_age and band.low <= maximum_age]
    weights = np.array([AGE_PROFILE[DEFAULT_AGE_BANDS.index(band)] for band in bands])
    band = bands[rng.choice(len(bands), p=weights / weights.sum())]
    age = int(rng.integers(max(band.low, minimum_age), min(band.high or 89, maximum_age) + 1))
    shift += BASELINE_SHIFT + AREAS[area_index][3] + AGE_SHIFT[band.label] + (WOMAN_SHIFT if gender == "woman" else 0.0)
    person = rng.normal(0, 0.6)  # a respondent's own tendency, so that answers hang together (index, alpha)
    answers: dict[str, object] = {}
    for item in instrument.questions:
        if item.type == ItemType.AREA and item.code == "area":
            answers[item.code] = areas[area_index].code if rng.random() > 0.01 else "dont_know"
        elif item.type == ItemType.AREA:  # where an unsafe place is: a third of respondents name one
            if rng.random() < 0.33:
                answers[item.code] = areas[int(rng.integers(len(areas)))].code
        elif item.type == ItemType.GENDER:
            answers[item.code] = gender
        elif item.type == ItemType.BIRTH_YEAR:
            answers[item.code] = today.year - age
        elif item.type == ItemType.AGE:
            answers[item.code] = age
        elif rng.random() < ITEM_NONRESPONSE:
            continue
        elif item.type == ItemType.FREE_TEXT:
            texts = SUGGESTION_TEXTS if "suggest" in item.code else PLACE_TEXTS
            if rng.random() < 0.12:
                answers[item.code] = texts[rng.integers(len(texts))][: item.max_length or None]
        elif item.type == ItemType.MULTIPLE_CHOICE:
            chosen = tuple(code for code in item.codes if rng.random() < 0.25)
            if chosen:
                answers[item.code] = chosen
        elif item.type == ItemType.NUMBER:
            low, high = item.min_value or 0, item.max_value or 10
            answers[item.code] = int(rng.integers(low, high + 1))
        elif item.is_coded:
            item_shift = shift + person + (VICTIM_SHIFT if item.code.startswith("victim_") else 0.0)
            answer = _coded_answer(rng, item, item_shift)
            if answer is not None:
                answers[item.code] = answer
    days = max((today - start).days, 0)
    submitted_on = start + dt.timedelta(days=int(rng.integers(days + 1)))
    language = "sv" if rng.random() < 0.93 else ("en" if rng.random() < 0.6 else "ar")
    if language not in instrument.language_codes:
        language = "sv"
    return SubmittedResponse(answers=answers, language=language, submitted_on=submitted_on)
