"""F8: invitation and resume codes are stored under a server key, guesses are throttled per client and per wave, and
a resume code moves a draft once."""

from __future__ import annotations

import hashlib
import re
import socket

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from survey_app.models import InvitationCode, RateCounter
from survey_app.survey import guesses
from survey_app.survey.waves import generate_invitation_codes, hash_code
from tests.web.client import csrf_of

SLUG = "trygghet-2026"


def _client(app: Flask, address: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _try_code(client: FlaskClient, code: str):
    token = csrf_of(client.get(f"/enkat/{SLUG}").get_data(as_text=True))
    return client.post(f"/enkat/{SLUG}/borja", data={"csrf_token": token, "language": "sv", "code": code})


@pytest.fixture
def coded_wave(app: Flask, make_wave, db_session) -> list[str]:
    survey = make_wave(codes=True, link=False)
    with app.app_context():
        codes = generate_invitation_codes(db_session, survey, 3, actor=None)
    db_session.commit()
    return codes


def test_codes_are_stored_as_keyed_hashes_not_plain_sha256(app: Flask, coded_wave, db_session) -> None:
    stored = set(db_session.scalars(select(InvitationCode.code_hash)))
    plain = {hashlib.sha256(code.replace("-", "").encode()).hexdigest() for code in coded_wave}
    assert stored.isdisjoint(plain)  # a copy of the database cannot be searched offline without the key
    with app.app_context():
        assert stored == {hash_code(code) for code in coded_wave}
    with app.app_context():
        app.config["CODE_KEY"] = "another key"
        assert stored.isdisjoint({hash_code(code) for code in coded_wave})
        del app.config["CODE_KEY"]


def test_codes_stored_before_keys_still_work(app: Flask, coded_wave, db_session) -> None:
    row = db_session.scalars(select(InvitationCode)).first()
    legacy = "ABCDE-FGHJK"
    row.code_hash = hashlib.sha256(legacy.replace("-", "").encode()).hexdigest()
    db_session.commit()
    assert _try_code(_client(app, "10.0.0.1"), legacy).status_code == 302


def test_a_guesser_is_stopped_after_ten_wrong_codes_and_learns_nothing_more(app: Flask, coded_wave) -> None:
    guesser = _client(app, "10.0.0.66")
    for attempt in range(guesses.PER_CLIENT):
        assert _try_code(guesser, f"AAAAA-{attempt:05d}").status_code == 409, attempt
    refused = _try_code(guesser, coded_wave[0])  # even a right code is not looked at now
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) <= guesses.WINDOW_SECONDS + 1
    assert "för många gånger" in refused.get_data(as_text=True)
    # The code was not used by the refused attempt, and another address is not slowed down.
    assert _try_code(_client(app, "10.0.0.2"), coded_wave[0]).status_code == 302


def test_many_addresses_guessing_one_wave_cannot_keep_a_resident_out(app: Flask, coded_wave,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(guesses, "PER_WAVE", 4)
    for address in range(4):
        assert _try_code(_client(app, f"10.1.0.{address}"), "ZZZZZ-ZZZZZ").status_code == 409
    # the wave is under attack: an address that has guessed wrong once must wait ...
    assert _try_code(_client(app, "10.1.0.0"), "ZZZZZ-ZZZZY").status_code == 429
    # ... while a resident who types their own code right goes in at once
    assert _try_code(_client(app, "10.2.0.9"), coded_wave[1]).status_code == 302


def test_the_counters_hold_no_address(app: Flask, coded_wave, db_session) -> None:
    _try_code(_client(app, "192.0.2.77"), "AAAAA-BBBBB")
    keys = list(db_session.scalars(select(RateCounter.key)))
    assert len(keys) == 2  # the client and the wave
    assert all("192.0.2.77" not in key and re.fullmatch(r"[0-9a-f]{64}", key) for key in keys)


def test_resume_guesses_are_throttled_too(app: Flask, make_wave) -> None:
    make_wave()
    guesser = _client(app, "10.3.0.1")
    token = csrf_of(guesser.get(f"/enkat/{SLUG}/fortsatt").get_data(as_text=True))
    path = f"/enkat/{SLUG}/fortsatt"
    statuses = [guesser.post(path, data={"csrf_token": token, "code": f"AAAAA-{i:05d}"}).status_code
                for i in range(guesses.PER_CLIENT + 1)]
    assert statuses == [400] * guesses.PER_CLIENT + [429]


def test_a_resume_code_moves_the_draft_once(app: Flask, make_wave, resident) -> None:
    make_wave()
    walker = resident()
    walker.start()
    saved = walker.post_page(f"/enkat/{SLUG}/sida/2", {"q_worry_crime_society": "fairly_great"}, "save")
    code = re.search(r'class="resume-code"[^>]*>([A-Z0-9-]+)<', saved.get_data(as_text=True)).group(1)
    phone = _client(app, "10.4.0.1")
    token = csrf_of(phone.get(f"/enkat/{SLUG}/fortsatt").get_data(as_text=True))
    assert phone.post(f"/enkat/{SLUG}/fortsatt", data={"csrf_token": token, "code": code}).status_code == 302
    onlooker = _client(app, "10.4.0.2")
    token = csrf_of(onlooker.get(f"/enkat/{SLUG}/fortsatt").get_data(as_text=True))
    assert onlooker.post(f"/enkat/{SLUG}/fortsatt", data={"csrf_token": token, "code": code}).status_code == 400


def _redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.parametrize("url", ["redis://127.0.0.1:6379/15", "redis://127.0.0.1:1/0"], ids=["redis", "redis-down"])
def test_counting_in_redis_and_falling_back_when_it_is_down(app: Flask, coded_wave, db_session, url: str) -> None:
    if url.endswith("6379/15"):
        if not _redis_answers():
            pytest.skip("no Redis on 127.0.0.1:6379 (CI has one)")
        import redis

        redis.Redis.from_url(url).flushdb()
    app.config["REDIS_URL"] = url
    guesser = _client(app, "10.5.0.1")
    for attempt in range(guesses.PER_CLIENT):
        assert _try_code(guesser, f"BBBBB-{attempt:05d}").status_code == 409
    assert _try_code(guesser, coded_wave[2]).status_code == 429
    in_database = db_session.scalar(select(RateCounter.count).limit(1))
    assert (in_database is None) == url.endswith("6379/15")  # with Redis answering, nothing is counted in the database
