"""F4's anomaly view: an injected burst of identical responses shows (per hour, as a pattern, as straight-lining),
excluding it changes the analysed figures to what a hand count of the remaining answers gives, the exclusion is
audited and reversible, the exports leave it out, and only analysts and admins see the page."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey_app.demo import _synthetic_response
from survey_app.extensions import db
from survey_app.insights.service import analyse_wave, wave_input
from survey_app.models import AuditEvent, Response, ResponseExclusion, Survey
from survey_app.survey import exclusions, hourly
from survey_app.survey.questionnaires import instrument_of
from survey_app.survey.responses import SubmittedResponse, store_responses
from tests.factories import make_staff
from tests.web.client import csrf_of, log_in
from tests.web.insights.waves import make_result_waves, survey_by_slug, tables

BURST = 40
BASE = 160
COUNTED = {"fairly_unsafe", "very_unsafe", "no_out_fear"}  # share_unsafe in the questionnaire
BASE_CODES = COUNTED | {"very_safe", "fairly_safe"}


def _hand_share(answers: list[dict[str, object]]) -> float:
    values = [a.get("unsafe_evening") for a in answers]
    return sum(v in COUNTED for v in values) / sum(v in BASE_CODES for v in values)


@pytest.fixture
def burst_wave(app: Flask, db_session: Session, tmp_path: Path) -> tuple[str, list[dict], dict, dt.date]:
    """A wave of BASE varied responses and a burst of BURST identical ones, all sent in one hour of one day."""
    waves = make_result_waves(db_session, tmp_path, responses=0, earlier=False, cutpoints=False)
    survey = survey_by_slug(db_session, waves.now)
    instrument = instrument_of(survey.questionnaire)
    areas = sorted(survey.areas, key=lambda a: a.code)
    rng = np.random.default_rng(3)
    base = [_synthetic_response(instrument, areas, rng, survey.period_start, dt.date.today()) for _ in range(BASE)]
    burst_day = dt.date.today() - dt.timedelta(days=2)
    stuffed = dict(base[0].answers) | {"unsafe_evening": "very_unsafe"}
    for item in instrument.questions:  # the stuffer ticks the first option on every row of every grid
        if item.grid is not None:
            stuffed[item.code] = item.options[0].code
    assert all(dict(r.answers) != stuffed for r in base)
    store_responses(db_session, survey, instrument, [*base, *[SubmittedResponse(stuffed, "sv", burst_day)] * BURST])
    night = dt.datetime.combine(burst_day, dt.time(1, 30), tzinfo=dt.UTC)
    for hour in range(0, 48, 3):  # an ordinary trickle of sends ...
        hourly.count_send(db_session, survey.id, night - dt.timedelta(hours=hour + 1))
    for _ in range(BURST):  # ... and the burst
        hourly.count_send(db_session, survey.id, night)
    for role in ("analyst", "admin", "facilitator"):
        make_staff(db_session, role, email=f"{role}@kommun.se")
    db_session.commit()
    return waves.now, [dict(r.answers) for r in base], stuffed, burst_day


def _share(app: Flask, slug: str) -> tuple[float, int]:
    with app.app_context():
        survey = db.session.scalar(select(Survey).where(Survey.slug == slug))
        result = analyse_wave(db.session(), survey, weighting="none")
        row = next(r for r in result.measures if r.measure == "share_unsafe" and not r.group)
        return row.estimate, row.n


def _page(client: FlaskClient, slug: str, **query: str) -> str:
    response = client.get(f"/analys/{slug}/avvikelser", query_string=query)
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return response.get_data(as_text=True)


def test_a_burst_shows_and_excluding_it_changes_the_figures_as_a_hand_count_says(
        app: Flask, client: FlaskClient, db_session: Session, burst_wave) -> None:
    slug, base, stuffed, burst_day = burst_wave
    share, n = _share(app, slug)
    assert share == pytest.approx(_hand_share([*base, *[stuffed] * BURST]), abs=1e-12)

    log_in(client, "analyst@kommun.se")
    html = _page(client, slug, dag=burst_day.isoformat())
    found = tables(html)
    burst_rows = [row for row in found["hours"] if row[1] == str(BURST)]
    assert len(burst_rows) == 1
    assert "Ovanligt många" in burst_rows[0][2]
    assert all("Ovanligt många" not in row[2] for row in found["hours"] if row[1] != str(BURST))
    assert found["patterns"][1][1] == str(BURST)  # the most frequent identical pattern: the burst
    straight = {row[0]: row for row in found["grids"][1:]}
    assert all(int(row[3]) >= BURST for row in straight.values())  # every grid straight-lined by the burst

    key = html.split('name="pattern" value="')[1].split('"')[0]
    form = {"csrf_token": csrf_of(html), "pattern": key, "first_day": burst_day.isoformat(),
            "last_day": burst_day.isoformat(), "reason": "40 identiska svar kl. 02–03 en natt"}
    preview = client.post(f"/analys/{slug}/avvikelser", data={**form, "action": "preview"})
    assert preview.status_code == 200
    assert f"ta bort {BURST} svar" in preview.get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(ResponseExclusion)) == 0  # a preview saves nothing

    made = client.post(f"/analys/{slug}/avvikelser", data={**form, "action": "exclude"})
    assert made.status_code == 302
    after, n_after = _share(app, slug)
    assert after == pytest.approx(_hand_share(base), abs=1e-12)
    assert n_after == n - BURST
    assert after != share

    event = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "responses.exclude")).one()
    assert event.actor_label == "analyst@kommun.se"
    assert event.details["responses"] == BURST
    assert event.details["reason"] == form["reason"]
    with app.app_context():  # the analysis input and the exports leave the burst out
        survey = db.session.scalar(select(Survey).where(Survey.slug == slug))
        assert len(wave_input(db.session(), survey).responses.area.codes) == BASE
    microdata = client.get(f"/analys/{slug}/mikrodata/svar.csv")
    assert microdata.status_code == 200
    assert len(microdata.get_data(as_text=True).splitlines()) == BASE + 1  # the header and the included responses

    rule = db_session.scalars(select(ResponseExclusion)).one()
    page = _page(client, slug)
    reverse = client.post(f"/analys/{slug}/avvikelser/{rule.id}/ater", data={"csrf_token": csrf_of(page)})
    assert reverse.status_code == 302
    assert _share(app, slug) == (share, n)  # back as before: nothing was deleted
    back = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "responses.exclusion_reversed")).one()
    assert back.details["returned"] == BURST
    assert db_session.scalar(select(func.count()).select_from(Response)) == BASE + BURST


def test_an_exclusion_needs_a_reason_and_terms(client: FlaskClient, db_session: Session, burst_wave) -> None:
    slug, _, _, burst_day = burst_wave
    log_in(client, "admin@kommun.se")
    token = csrf_of(_page(client, slug))
    no_reason = client.post(f"/analys/{slug}/avvikelser", data={"csrf_token": token, "action": "exclude",
                                                                  "first_day": burst_day.isoformat()})
    assert no_reason.status_code == 400
    nothing = client.post(f"/analys/{slug}/avvikelser", data={"csrf_token": token, "action": "exclude",
                                                                "reason": "test"})
    assert nothing.status_code == 400
    assert "måste säga vilka svar" in nothing.get_data(as_text=True)
    forged = client.post(f"/analys/{slug}/avvikelser", data={"csrf_token": token, "action": "exclude",
                                                               "reason": "test", "pattern": "zz"})
    assert forged.status_code == 400
    assert db_session.scalar(select(func.count()).select_from(ResponseExclusion)) == 0
    assert client.post(f"/analys/{slug}/avvikelser/999/ater", data={"csrf_token": token}).status_code == 404
    assert client.get(f"/analys/{slug}/avvikelser?dag=igår").status_code == 400


def test_an_excluded_day_covers_responses_stored_later(app: Flask, db_session: Session, burst_wave) -> None:
    slug, _, stuffed, burst_day = burst_wave
    survey = survey_by_slug(db_session, slug)
    actor = make_staff(db_session, "analyst", email="other@kommun.se")
    exclusions.exclude(db_session, survey, first_day=burst_day, last_day=burst_day, patterns=[], reason="natten",
                       actor=actor)
    db_session.commit()
    _, n = _share(app, slug)
    store_responses(db_session, survey, instrument_of(survey.questionnaire),
                    [SubmittedResponse(stuffed, "sv", burst_day)] * 3)  # released from the holding pool later
    db_session.commit()
    assert _share(app, slug)[1] == n


@pytest.mark.parametrize("role", ["facilitator", None])
def test_residents_and_facilitators_cannot_see_or_exclude(client: FlaskClient, burst_wave, role: str | None) -> None:
    slug = burst_wave[0]
    if role:
        log_in(client, f"{role}@kommun.se")
    page = client.get(f"/analys/{slug}/avvikelser")
    post = client.post(f"/analys/{slug}/avvikelser", data={"reason": "x", "first_day": "2026-01-01"})
    reverse = client.post(f"/analys/{slug}/avvikelser/1/ater")
    if role:
        assert (page.status_code, post.status_code, reverse.status_code) == (403, 403, 403)
    else:  # a resident is not logged in: sent to the login page, nothing shown
        assert all(r.status_code == 302 and "/logga-in" in r.headers["Location"] for r in (page, post, reverse))


def test_the_wave_tabs_link_the_anomaly_view_for_analysts_and_admins_only(app: Flask, burst_wave) -> None:
    slug = burst_wave[0]
    link = f'href="/analys/{slug}/avvikelser"'
    for role, shown in (("analyst", True), ("admin", True), ("facilitator", False)):
        client = app.test_client()
        assert log_in(client, f"{role}@kommun.se").status_code == 302
        page = client.get(f"/analys/{slug}?weighting=none")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        nav = html[html.index('class="view-tabs"'): html.index("</nav>", html.index('class="view-tabs"'))]
        assert (link in nav) is shown, role
