"""Used once under real concurrency, against a live server on SQLite and PostgreSQL: a resident starting online and a
staff member entering the paper with the same code at the same moment; a paper form sent three times at once."""

from __future__ import annotations

import functools
import re

from sqlalchemy import func, select

from survey_app.models import AuditEvent, InvitationCode, Response
from survey_app.survey.waves import generate_invitation_codes
from tests.factories import PASSWORD, make_staff
from tests.live_server import LiveServer
from tests.web.client import csrf_of
from tests.web.entry.conftest import PAPER
from tests.web.survey.test_concurrency import Browser, _together

ROUNDS = 3


def _staff(server: LiveServer) -> Browser:
    staff = Browser(server.url)
    token = csrf_of(staff.request("/logga-in")[2])
    assert staff.request("/logga-in", {"csrf_token": token, "email": "falt@kommun.se", "password": PASSWORD})[0] == 302
    return staff


def _paper_form(staff: Browser, survey_id: int, code: str) -> dict[str, str]:
    html = staff.request(f"/registrering/{survey_id}")[2]
    entry = re.search(r'name="entry" value="([^"]+)"', html)
    assert entry
    return {"csrf_token": csrf_of(html), "entry": entry.group(1), "kanal": "paper", "sprak": "sv", "code": code,
            **PAPER}


def test_a_code_used_online_and_on_paper_at_once_is_used_once(app, make_wave, db_session) -> None:
    survey = make_wave(codes=True, link=False)
    make_staff(db_session, "facilitator", email="falt@kommun.se")
    with app.app_context():
        codes = generate_invitation_codes(db_session, survey, ROUNDS, actor=None)
    db_session.commit()
    with LiveServer(app) as server:
        staff = _staff(server)
        for code in codes:
            resident = Browser(server.url)
            token = csrf_of(resident.request("/enkat/trygghet-2026")[2])
            online = functools.partial(resident.request, "/enkat/trygghet-2026/borja",
                                       {"csrf_token": token, "language": "sv", "code": code})
            paper = functools.partial(staff.request, f"/registrering/{survey.id}", _paper_form(staff, survey.id, code))
            (web_status, _, _), (paper_status, _, paper_page) = _together([online, paper])
            assert sorted((web_status, paper_status)) == [302, 409]  # one of them got the code
            if paper_status == 409:
                assert "Koden har redan använts" in paper_page
    db_session.expire_all()
    assert db_session.scalar(select(func.count()).select_from(InvitationCode).where(InvitationCode.used)) == ROUNDS
    entered = db_session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "survey.entry"))
    assert db_session.scalar(select(func.count()).select_from(Response)) == entered


def test_a_paper_form_sent_three_times_at_once_is_stored_once(app, make_wave, db_session) -> None:
    survey = make_wave(codes=True, link=False)
    make_staff(db_session, "facilitator", email="falt@kommun.se")
    with app.app_context():
        codes = generate_invitation_codes(db_session, survey, ROUNDS, actor=None)
    db_session.commit()
    with LiveServer(app) as server:
        staff = _staff(server)
        for number, code in enumerate(codes, start=1):
            send = functools.partial(staff.request, f"/registrering/{survey.id}", _paper_form(staff, survey.id, code))
            results = _together([send] * 3)
            assert [status for status, _, _ in results] == [302, 302, 302]  # none is told its own code was used
            db_session.expire_all()
            assert db_session.scalar(select(func.count()).select_from(Response)) == number
    assert db_session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "survey.entry")) == ROUNDS
