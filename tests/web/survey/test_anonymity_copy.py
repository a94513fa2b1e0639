"""F2: someone holding a copy of the database (raw tables or a dump) can neither order a day's responses by when they
were sent nor pair responses with the invitation codes or drafts of the residents who sent them.

The attacker here knows the true order of sending (a marker in each response's free text) and looks at everything a
copy holds: SQLite's rowid, PostgreSQL's ctid and xmin, the row order of a dump, and the keys of codes and drafts.
Held responses are released a day later in one shuffled batch (survey/holding.py)."""

from __future__ import annotations

import datetime as dt
import random
import re
import sqlite3
import subprocess
import uuid

import pytest
from flask import Flask
from scipy.stats import kendalltau
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from survey_app.extensions import db
from survey_app.models import HeldResponse, InvitationCode, Response, Survey, SurveyDraft
from survey_app.survey import flow, holding
from survey_app.survey.waves import generate_invitation_codes

RESIDENTS = 40
DAY = dt.date.today()


def _send_one_after_another(app: Flask, survey_id: int) -> None:
    """Each resident: start with a code, answer, send (three transactions, as in the web flow), in a known order."""
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        codes = generate_invitation_codes(db.session(), survey, RESIDENTS, actor=None)
        db.session.commit()
        for number, code in enumerate(codes):
            started = flow.start_draft(db.session(), survey, language="sv", invitation_code=code)
            db.session.commit()
            flow.save_answers(started.draft, {"suggestions": f"marker-{number:03d}", "area": "norr"}, page=0)
            db.session.commit()
            assert flow.submit(db.session(), survey, started.draft, DAY)
            db.session.commit()
            holding.release_due(db.session(), DAY)  # what every send triggers: nothing is due the same day
            db.session.commit()


def _marker_order(connection, order_by: str) -> list[int]:
    """Submission numbers of the responses in the order the copy keeps them."""
    rows = connection.execute(text(
        "SELECT a.value_text FROM responses r JOIN answers a ON a.response_id = r.id "  # noqa: S608 (fixed SQL)
        f"WHERE a.item_code = 'suggestions' ORDER BY {order_by}")).scalars().all()
    return [int(value.rsplit("-", 1)[1]) for value in rows]


@pytest.fixture
def daily_app(app_factory, make_wave) -> tuple[Flask, int]:
    app = app_factory({"RESPONSE_RELEASE": "daily", "RELEASE_MIN_BATCH": 10})
    survey = make_wave(codes=True, link=False)
    return app, survey.id


def test_a_copy_of_the_database_cannot_order_or_pair_responses(daily_app, database_url: str, tmp_path) -> None:
    app, survey_id = daily_app
    random.seed(20261203)  # the shuffle is random.sample; seeded so that the verdict below is reproducible
    _send_one_after_another(app, survey_id)
    engine = create_engine(database_url)
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM responses")) == 0  # all held until the next day
        assert connection.scalar(text("SELECT count(*) FROM held_responses")) == RESIDENTS
    with app.app_context():
        assert holding.release_due(db.session(), DAY + dt.timedelta(days=1)) == RESIDENTS
        db.session.commit()

    postgres = make_url(database_url).get_backend_name() == "postgresql"
    with engine.connect() as connection:
        physical = "r.ctid" if postgres else "r.rowid"
        orders = {"responses": _marker_order(connection, physical),
                  "answers": _marker_order(connection, "a.ctid" if postgres else "a.rowid")}
        if postgres:
            response_xmins = set(connection.execute(text("SELECT xmin::text FROM responses")).scalars())
            code_xmins = set(connection.execute(text("SELECT xmin::text FROM invitation_codes WHERE used")).scalars())
            draft_xmins = set(connection.execute(text("SELECT xmin::text FROM survey_drafts")).scalars())
            assert len(response_xmins) == 1  # one transaction stored them all
            assert response_xmins.isdisjoint(code_xmins | draft_xmins)
        ids = [*connection.execute(select(InvitationCode.id)).scalars(), *connection.execute(select(SurveyDraft.id))
               .scalars()]
        assert all(isinstance(key, uuid.UUID) and key.version == 4 for key in ids)
    engine.dispose()

    if postgres:
        url = make_url(database_url)
        dump = subprocess.run(["pg_dump", "--data-only", "--table=answers", f"--dbname={url.database}",
                               f"--host={url.host}", f"--port={url.port}", f"--username={url.username}"],
                              capture_output=True, text=True, check=True).stdout
    else:
        with sqlite3.connect(make_url(database_url).database) as raw:
            dump = "\n".join(raw.iterdump())
    orders["dump"] = [int(m) for m in re.findall(r"marker-(\d{3})", dump)]

    for where, order in orders.items():
        assert sorted(order) == list(range(RESIDENTS)), where
        tau, p_value = kendalltau(range(RESIDENTS), order)
        assert p_value > 0.05, (where, tau)  # sent in order 0..39: before the pool, tau was exactly 1


def test_nothing_sent_is_lost_when_the_release_fails(daily_app, monkeypatch: pytest.MonkeyPatch) -> None:
    app, survey_id = daily_app
    _send_one_after_another(app, survey_id)

    def broken(*_args, **_kwargs):
        raise RuntimeError("disk full")

    with app.app_context():
        monkeypatch.setattr(holding, "store_responses", broken)
        with pytest.raises(RuntimeError):
            holding.release_due(db.session(), DAY + dt.timedelta(days=1))
        db.session.rollback()
        monkeypatch.undo()
        assert db.session.scalar(select(HeldResponse.id).limit(1)) is not None
        assert holding.release_due(db.session(), DAY + dt.timedelta(days=1)) == RESIDENTS
        db.session.commit()
        assert len(db.session.scalars(select(Response.id)).all()) == RESIDENTS


def test_a_small_day_waits_for_company_then_for_its_longest_wait(daily_app) -> None:
    app, survey_id = daily_app
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        for number in range(3):
            holding.hold(db.session(), survey, holding.SubmittedResponse({"suggestions": f"m-{number}"}, "sv", DAY))
        db.session.commit()
        assert holding.release_due(db.session(), DAY + dt.timedelta(days=1)) == 0  # 3 < k = 10
        assert holding.release_due(db.session(), DAY + dt.timedelta(days=2)) == 0
        assert holding.release_due(db.session(), DAY + dt.timedelta(days=3)) == 3  # waited the longest wait: 3 days
        db.session.commit()


def test_closing_a_wave_stores_everything_it_holds(daily_app) -> None:
    from survey_app.survey.waves import close_wave

    app, survey_id = daily_app
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        holding.hold(db.session(), survey, holding.SubmittedResponse({"suggestions": "last"}, "sv", DAY))
        db.session.commit()
        close_wave(db.session(), survey, actor=None)
        db.session.commit()
        assert holding.held_count(db.session(), survey) == 0
        assert len(db.session.scalars(select(Response.id)).all()) == 1
