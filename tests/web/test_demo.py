"""`trygg demo`: a demo municipality that shows what the product is for."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from analysis.bands import DEFAULT_AGE_BANDS
from survey_app.auth.passwords import verify_password
from survey_app.cli import main
from survey_app.demo import DEMO_SURVEY_SLUG, EARLIER_SURVEY_SLUG, YOUTH_SURVEY_SLUG
from survey_app.extensions import db
from survey_app.models import (
    Answer,
    Area,
    AreaPopulation,
    ProblemLevelCutpoints,
    Questionnaire,
    Response,
    StaffUser,
    Survey,
)

UNSAFE = {"fairly_unsafe", "very_unsafe", "no_out_fear"}
BASE = UNSAFE | {"very_safe", "fairly_safe"}


def _share_unsafe(session, **where: str) -> float:
    query = select(Answer.value_code).join(Response).where(Answer.item_code == "unsafe_evening")
    for column, value in where.items():
        query = query.where(getattr(Response, column) == value)
    codes = [code for code in session.scalars(query) if code in BASE]
    return sum(code in UNSAFE for code in codes) / len(codes)


def test_demo_loads_a_plausible_municipality_once(app: Flask) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(main, ["demo", "--responses", "1500"])
    assert result.exit_code == 0, result.output
    printed = {line.split()[0]: line.split() for line in result.output.splitlines() if "@demo.trygg.se" in line}
    assert set(printed) == {"admin", "facilitator", "analyst"}

    with app.app_context():
        session = db.session
        for role, (_, email, password) in printed.items():
            user = session.scalars(select(StaffUser).where(StaffUser.email == email)).one()
            assert user.role == role
            assert verify_password(user.password_hash, password)

        areas = session.scalars(select(Area)).all()
        assert len(areas) >= 4
        for area in areas:
            cells = {(p.gender, p.age_band) for p in area.population}
            assert cells == {(g, band.label) for g in ("woman", "man") for band in DEFAULT_AGE_BANDS}
        assert session.scalar(select(func.sum(AreaPopulation.population))) > 10_000

        assert {q.slug for q in session.scalars(select(Questionnaire))} == {"trygghetsenkat", "trygghetsenkat-unga"}
        survey = session.scalars(select(Survey).where(Survey.slug == DEMO_SURVEY_SLUG)).one()
        assert survey.status == "open"
        assert survey.questionnaire.slug == "trygghetsenkat"
        assert session.scalar(select(func.count()).select_from(Response).where(Response.survey_id == survey.id)) == 1500
        earlier = session.scalars(select(Survey).where(Survey.slug == EARLIER_SURVEY_SLUG)).one()
        assert earlier.status == "closed"
        assert earlier.questionnaire_id == survey.questionnaire_id
        assert earlier.period_end < survey.period_start
        youth = session.scalars(select(Survey).where(Survey.slug == YOUTH_SURVEY_SLUG)).one()
        assert youth.status == "open"
        assert youth.questionnaire.slug == "trygghetsenkat-unga"
        assert set(youth.languages) >= {"sv", "en", "ar", "fi", "so", "fa"}
        ages = list(session.scalars(select(Response.age_band).where(Response.survey_id == youth.id)))
        assert len(ages) == 300
        assert set(ages) <= {"12-15", "16-17", None}
        cutpoints = {c.measure: c for c in session.scalars(select(ProblemLevelCutpoints))}
        assert "share_unsafe" in cutpoints
        assert "share_problem_litter" in cutpoints
        assert cutpoints["share_unsafe"].cutpoints == [0.05, 0.10, 0.30, 0.40, 0.50, 0.60]
        assert cutpoints["share_unsafe"].example is True
        bands = set(session.scalars(select(Response.age_band).distinct()))
        assert bands <= {b.label for b in DEFAULT_AGE_BANDS} | {None}

        # As the real surveys show: women, and some areas, report more unsafety.
        women, men = _share_unsafe(session, gender="woman"), _share_unsafe(session, gender="man")
        assert women > men + 0.08
        by_area = sorted(_share_unsafe(session, area_code=area.code) for area in areas)
        assert by_area[-1] > by_area[0] + 0.1
        assert 0.15 < _share_unsafe(session) < 0.45

        # Skip logic holds in stored data: "reported?" only follows "yes, I was a victim".
        victims = set(session.scalars(select(Answer.response_id).where(
            Answer.item_code == "victim_assault", Answer.value_code == "yes")))
        reported = set(session.scalars(select(Answer.response_id).where(Answer.item_code == "reported_assault")))
        assert reported <= victims

        # A facilitator's safety walk and a dialogue with young people, so the dialogue log is not empty.
        from survey_app.models import Dialogue

        formats = set(session.scalars(select(Dialogue.format)))
        assert "safety_walk" in formats
        assert len(formats) >= 2

    start_page = app.test_client().get("/").get_data(as_text=True)
    assert "Trygghetsenkät 2026" in start_page

    again = runner.invoke(main, ["demo", "--responses", "1500"])
    assert again.exit_code == 0
    assert "fanns redan" in again.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 2 * 1500 + 300
        assert db.session.scalar(select(func.count()).select_from(Survey)) == 3
