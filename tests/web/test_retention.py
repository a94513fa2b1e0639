"""Gallring: what has been kept long enough is deleted on the admin's schedule, audited; the clock is moved."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from sqlalchemy import func, select

from survey_app import retention
from survey_app.extensions import db
from survey_app.models import Answer, AuditEvent, Response, RetentionPolicy, Survey, SurveyDraft
from survey_app.survey import flow
from survey_app.survey.questionnaires import instrument_of
from survey_app.survey.responses import SubmittedResponse, store_responses
from tests.factories import make_staff
from tests.web.client import log_in, token

ANSWERS = {"area": "norr", "gender": "woman", "birth_year": 1980, "unsafe_evening": "fairly_safe",
           "suggestions": "Bättre belysning vid stationen"}


def _count(model: type, *conditions: object) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions)) or 0


@pytest.fixture
def aged(app: Flask, make_wave) -> int:
    """A wave that ended on 2026-06-30 with two responses (one with free text) and an abandoned draft."""
    survey = make_wave(start=dt.date(2026, 6, 1), end=dt.date(2026, 6, 30))
    with app.app_context():
        wave = db.session.get(Survey, survey.id)
        store_responses(db.session(), wave, instrument_of(wave.questionnaire),
                        [SubmittedResponse(ANSWERS, "sv", dt.date(2026, 6, 10)),
                         SubmittedResponse({**ANSWERS, "suggestions": ""}, "sv", dt.date(2026, 6, 11))])
        draft = flow.start_draft(db.session(), wave, language="sv", invitation_code=None).draft
        draft.updated_on = dt.date(2026, 6, 12)
        db.session.commit()
        return survey.id


def _run(day: dt.date) -> retention.RetentionResult:
    result = retention.run(db.session(), today=day, now=dt.datetime.combine(day, dt.time(3), dt.UTC))
    db.session.commit()
    return result


def test_the_schedule_deletes_free_text_then_drafts_then_responses(app: Flask, aged: int) -> None:
    with app.app_context():
        texts = (Answer.value_text.is_not(None),)
        assert _count(Answer, *texts) == 1
        assert _run(dt.date(2026, 7, 1)) == retention.RetentionResult(0, 0, 0, 0)  # nothing old enough yet
        # 30 days without activity: the draft goes
        assert _run(dt.date(2026, 7, 13)).drafts == 1
        assert _count(SurveyDraft) == 0
        # 12 months after the wave ended: the free text goes, the coded answers stay
        coded = _count(Answer) - 1
        result = _run(dt.date(2027, 7, 1))
        assert (result.free_texts, result.responses) == (1, 0)
        assert _count(Answer, *texts) == 0
        assert _count(Answer) == coded
        # 5 years: the responses go, with their answers
        assert _run(dt.date(2031, 6, 30)).responses == 0
        assert _run(dt.date(2031, 7, 1)).responses == 2
        assert _count(Response) == 0
        assert _count(Answer) == 0
        # every run was audited; by 2031 the events of 2026 (the clock of the log is real) are past their 24 months
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "retention.run")).all()
        assert len(events) == 1
        assert events[0].details["responses"] == 2
        assert events[0].details["audit_events"] == 1  # the run of the day before (its own predecessors went then)


def test_audit_events_go_after_their_months_and_the_run_is_audited(app: Flask, aged: int) -> None:
    with app.app_context():
        old = AuditEvent(actor_label="cli", action="survey.open", at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
        db.session.add(old)
        db.session.commit()
        result = _run(dt.date(2026, 7, 1))
        assert result.audit_events == 1
        assert db.session.scalars(select(AuditEvent.action)).all()[-1] == "retention.run"


def test_a_dry_run_deletes_nothing(app: Flask, aged: int) -> None:
    with app.app_context():
        result = retention.run(db.session(), today=dt.date(2031, 7, 1), now=dt.datetime(2031, 7, 1, tzinfo=dt.UTC),
                               dry_run=True)
        assert result.responses == 2
        assert _count(Response) == 2


def test_the_admin_sets_the_schedule_and_residents_are_told(app: Flask, client, staff_db, make_wave) -> None:
    make_staff(staff_db, "admin", email="boss@kommun.se")
    staff_db.commit()
    make_wave()
    assert "sparas i 5 år" in client.get("/enkat/trygghet-2026").get_data(as_text=True)
    log_in(client, "boss@kommun.se")
    page = client.get("/admin/gallring")
    assert page.status_code == 200
    form = {"csrf_token": token(client, "/admin/gallring"), "response_years": "3", "free_text_months": "6",
            "draft_days": "14", "audit_months": "36"}
    bad = client.post("/admin/gallring", data={**form, "response_years": "0"})
    assert bad.status_code == 400
    assert "Ange ett heltal från 1 till 50" in bad.get_data(as_text=True)
    assert client.post("/admin/gallring", data=form).status_code == 302
    staff_db.expire_all()
    saved = staff_db.get(RetentionPolicy, 1)
    assert (saved.response_years, saved.free_text_months, saved.draft_days, saved.audit_months) == (3, 6, 14, 36)
    event = staff_db.scalars(select(AuditEvent).where(AuditEvent.action == "retention.policy")).one()
    assert event.details["after"]["response_years"] == 3
    assert "sparas i 3 år" in client.get("/enkat/trygghet-2026").get_data(as_text=True)


def test_only_admins_reach_the_schedule(client, staff_db) -> None:
    make_staff(staff_db, "analyst", email="ana@kommun.se")
    staff_db.commit()
    assert client.get("/admin/gallring").status_code == 302  # to the login page
    log_in(client, "ana@kommun.se")
    assert client.get("/admin/gallring").status_code == 403
