"""The results pages show what `run_analysis` publishes for the wave, in Swedish number format, and refuse bad URLs.

Expected figures come from calling `analysis.report.run_analysis` on the wave's data directly and from counting rows
in the database, and are formatted here by hand (decimal comma, no-break spaces), never by the app's own code.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.errors import ConvergenceError
from analysis.report import AnalysisResult, EstimateRow, run_analysis
from survey_app.demo import EXAMPLE_CUTPOINTS
from survey_app.extensions import db
from survey_app.insights import results
from survey_app.insights.service import wave_input
from survey_app.models import Area, AuditEvent, ProblemLevelCutpoints
from tests.factories import YOUTH, make_staff
from tests.web.client import log_in, token
from tests.web.insights.waves import NOW_SLUG, make_result_waves, survey_by_slug, tables

NBSP = "\u00a0"


def pct(share: float) -> str:
    return f"{share * 100:.1f}".replace(".", ",") + NBSP + "%"


def pp(diff: float) -> str:
    text = f"{abs(diff) * 100:.1f}".replace(".", ",")
    return ("±" if text == "0,0" else "+" if diff > 0 else "−") + text  # what rounds to nothing has no sign


def count(n: int) -> str:
    return f"{n:,}".replace(",", NBSP)


def analysed(app: Flask, slug: str, weighting: str, compare: str | None = None) -> AnalysisResult:
    """run_analysis on the wave as the command line would run it, with the example cut-points for share_unsafe."""
    with app.app_context():
        data = wave_input(db.session, survey_by_slug(db.session, slug))
        other = wave_input(db.session, survey_by_slug(db.session, compare)).responses if compare else None
    assert data.responses is not None
    measures = [dataclasses.replace(m, cutpoints=EXAMPLE_CUTPOINTS) if m.name == "share_unsafe" else m
                for m in data.measures]
    return run_analysis(data.responses, measures, weighting=weighting,
                        population=data.population if weighting != "none" else None, compare=other)


def estimate(result: AnalysisResult, measure: str, group: tuple = ()) -> EstimateRow:
    return next(r for r in result.measures if r.measure == measure and r.group == group)


def shown(row: EstimateRow) -> list[str]:
    """n, estimate, CI as the page must show them."""
    if row.suppressed:
        return ["U", "U", "–"]
    if row.symbol:
        return [count(row.n or 0), row.symbol, "–"]
    assert row.estimate is not None
    assert row.ci_low is not None
    assert row.ci_high is not None
    return [count(row.n or 0), pct(row.estimate) + (" *" if row.uncertain else ""),
            f"{pct(row.ci_low)} – {pct(row.ci_high)}"]


@pytest.fixture
def waves(app: Flask, staff_db: Session, tmp_path: Path):
    return make_result_waves(staff_db, tmp_path)


@pytest.fixture
def analyst(app: Flask, staff_db: Session) -> FlaskClient:
    make_staff(staff_db, "analyst", email="analys@kommun.se")
    staff_db.commit()
    client = app.test_client()
    assert log_in(client, "analys@kommun.se").status_code == 302
    return client


def page(client: FlaskClient, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    return response.get_data(as_text=True)


def test_a_wave_without_responses_says_so(app, staff_db: Session, analyst, make_wave) -> None:
    make_wave(slug="tom-omgang")
    for path in ("/analys/tom-omgang", "/analys/tom-omgang/tabell", "/analys/tom-omgang/kon",
                 "/analys/tom-omgang/barn"):
        html = page(analyst, path)
        assert "Omgången har inga svar ännu." in html or "Ingen har svarat ännu." in html
    assert "Omgången har inga svar ännu." in page(analyst, "/analys/tom-omgang/tabell")


def test_an_area_without_population_and_another_questionnaire_get_messages(app, staff_db: Session, tmp_path,
                                                                          analyst, make_wave) -> None:
    make_result_waves(staff_db, tmp_path, responses=300, earlier=False, cutpoints=False)
    staff_db.add(Area(code="nyby", name="Nyby"))
    staff_db.commit()
    survey = survey_by_slug(staff_db, NOW_SLUG)
    survey.areas.append(staff_db.scalars(select(Area).where(Area.code == "nyby")).one())
    staff_db.commit()
    html = page(analyst, f"/analys/{NOW_SLUG}?weighting=raking")
    assert "Viktning kräver befolkningsuppgifter för alla omgångens områden" in html
    assert "Nyby" in html
    assert "headline" not in tables(html)
    assert "Ingen viktning" in page(analyst, f"/analys/{NOW_SLUG}")  # the default falls back to none
    youth = make_wave(YOUTH, slug="unga-2025")
    youth.period_start = survey.period_start.replace(year=survey.period_start.year - 1)
    staff_db.commit()
    html = page(analyst, f"/analys/{NOW_SLUG}/trend?weighting=none&compare=unga-2025")
    assert "Jämförelseomgången använde en annan enkät" in html
    assert "trend" not in tables(html)


def test_raking_that_does_not_converge_gets_a_message(app, waves, analyst, monkeypatch) -> None:
    with app.app_context(), pytest.raises(results.ResultsUnavailable) as refused:
        results.analyse_wave(db.session, survey_by_slug(db.session, NOW_SLUG), weighting="raking", max_iter=1)
    assert refused.value.reason == "not_converged"
    assert isinstance(refused.value.__cause__, ConvergenceError)
    real = results.analyse_wave

    def one_round(*args, **kwargs):
        return real(*args, **{**kwargs, "max_iter": 1})

    monkeypatch.setattr(results, "analyse_wave", one_round)
    html = page(analyst, f"/analys/{NOW_SLUG}/tabell?weighting=raking")
    assert "Kalibreringen (raking) konvergerade inte" in html
    assert "breakdown" not in tables(html)


def test_an_admin_sets_and_removes_cut_points(app, staff_db: Session, make_wave) -> None:
    make_wave()
    make_staff(staff_db, "admin", email="chef@kommun.se")
    staff_db.commit()
    client = app.test_client()
    log_in(client, "chef@kommun.se")
    assert "problemnivå ej konfigurerad" in page(client, "/analys/problemniva")
    path = "/analys/problemniva/share_problem_litter"
    form = {"csrf_token": token(client, path), "action": "save",
            **{f"cut{i}": v for i, v in enumerate(["5", "12,5", "30", "40", "50", "60"], start=1)}}
    assert client.post(path, data=form).status_code == 302
    staff_db.expire_all()
    saved = staff_db.scalars(select(ProblemLevelCutpoints)).one()
    assert saved.cutpoints == [0.05, 0.125, 0.30, 0.40, 0.50, 0.60]
    assert saved.example is False
    assert staff_db.scalars(select(AuditEvent.action).where(AuditEvent.target_id == "share_problem_litter")).all() \
        == ["problem_level_cutpoints_set"]
    bad = client.post(path, data={**form, "cut3": "8"})
    assert bad.status_code == 400
    assert "var och en större än den före" in bad.get_data(as_text=True)
    assert client.post(path, data={"csrf_token": form["csrf_token"], "action": "clear"}).status_code == 302
    staff_db.expire_all()
    assert staff_db.scalars(select(ProblemLevelCutpoints)).all() == []


def test_groups_answering_at_under_four_fifths_of_the_overall_rate_are_flagged() -> None:
    from analysis.representativeness import representativeness
    from survey_app.insights.participation import Participation
    from survey_app.insights.results import Cell

    overall = representativeness([10, 40, 30], [100, 200, 100])  # overall rate 0.2
    who = Participation(80, 400, {}, overall, (), 0)
    assert who.under_represented(Cell(("a",), 15, 100))  # 0.15 < 0.8 · 0.2
    assert not who.under_represented(Cell(("b",), 17, 100))  # 0.17 is not
    assert not who.under_represented(Cell(("c",), None, 100))  # a hidden count is never flagged

