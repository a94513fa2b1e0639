"""Exactly once under real concurrency: simultaneous requests against a live server, on SQLite and PostgreSQL."""

from __future__ import annotations

import functools
import http.cookiejar
import threading
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from survey_app.models import InvitationCode, Response, SurveyDraft
from survey_app.survey.waves import generate_invitation_codes
from tests.live_server import LiveServer
from tests.web.client import csrf_of

ROUNDS = 4


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class Browser:
    """A cookie-keeping HTTP client that reports redirects instead of following them, like a form post sees them."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )

    def request(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=30) as response:
                return response.status, response.headers.get("Location", ""), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Location", ""), error.read().decode()


def _together(calls: list) -> list:
    """Run the calls at the same moment (a barrier releases them together) and return their results in order."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def test_simultaneous_submissions_of_one_draft_store_one_response(app, make_wave, db_session) -> None:
    make_wave()
    with LiveServer(app) as server:
        for round_number in range(ROUNDS):
            browser = Browser(server.url)
            token = csrf_of(browser.request("/enkat/trygghet-2026")[2])
            status, location, _ = browser.request("/enkat/trygghet-2026/borja", {"csrf_token": token, "language": "sv"})
            assert status == 302
            browser.request(location, {"csrf_token": token, "action": "next", "q_unsafe_evening": "very_unsafe"})
            send = functools.partial(browser.request, "/enkat/trygghet-2026/skicka", {"csrf_token": token})
            results = _together([send] * 3)
            assert [status for status, _, _ in results] == [302, 302, 302]
            assert all(location.endswith("/tack") for _, location, _ in results)
            db_session.expire_all()
            assert db_session.scalar(select(func.count()).select_from(Response)) == round_number + 1
    assert db_session.scalar(select(func.count()).select_from(SurveyDraft).where(~SurveyDraft.submitted)) == 0


def test_two_browsers_with_one_invitation_code_one_wins(app, make_wave, db_session) -> None:
    survey = make_wave(codes=True, link=False)
    with app.app_context():  # codes are hashed under the app's key
        codes = generate_invitation_codes(db_session, survey, ROUNDS, actor=None)
    db_session.commit()
    with LiveServer(app) as server:
        for code in codes:
            browsers = [Browser(server.url), Browser(server.url)]
            tokens = [csrf_of(b.request("/enkat/trygghet-2026")[2]) for b in browsers]
            forms = [{"csrf_token": token, "language": "sv", "code": code} for token in tokens]
            results = _together([
                functools.partial(b.request, "/enkat/trygghet-2026/borja", form)
                for b, form in zip(browsers, forms, strict=True)
            ])
            statuses = sorted(status for status, _, _ in results)
            assert statuses == [302, 409], statuses
            loser = next(body for status, _, body in results if status == 409)
            assert "Koden är inte giltig eller har redan använts" in loser
    db_session.expire_all()
    assert db_session.scalar(select(func.count()).select_from(InvitationCode).where(InvitationCode.used)) == ROUNDS
    assert db_session.scalar(select(func.count()).select_from(SurveyDraft)) == ROUNDS
