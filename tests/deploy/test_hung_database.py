"""A PostgreSQL server that accepts connections and then says nothing (benchmarks/faultproxy.py in hang mode), against
`trygg serve`: the residents get the Swedish 503 within the answer limit instead of an empty reply after gunicorn's
60 s, static files and /healthz keep answering, and once the database answers again nothing acknowledged is lost
and nothing is stored twice."""

from __future__ import annotations

import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from benchmarks.faultproxy import FaultProxy
from benchmarks.load import _prepare, _serving, _stored_markers
from benchmarks.residents import SLUG, Figures, Resident

ANSWER_TIMEOUT = 2
# One cut operation (the pool's ping) and one new connection that does not answer either, each within the limit;
# the final send tries twice, a second apart (errors.retry_when_unavailable). Slack for a loaded machine on top.
PAGE_BOUND = 2 * ANSWER_TIMEOUT + 3
SEND_BOUND = 2 * PAGE_BOUND + 1


def _get(base: str, path: str) -> tuple[int, float]:
    started = time.monotonic()
    with urllib.request.urlopen(base + path, timeout=30) as answer:  # noqa: S310 (loopback)
        answer.read()
        return answer.status, time.monotonic() - started


def test_a_hung_database_is_a_swedish_503_within_the_limit_and_loses_nothing(database_url: str,
                                                                              empty_database_factory) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("the proxy sits between the app and a PostgreSQL server; SQLite is a file")
    target = empty_database_factory("postgresql", f"hung{uuid.uuid4().hex[:8]}")
    _prepare(target)
    url = make_url(target)
    proxy = FaultProxy(upstream_port=url.port or 5432, upstream_host=url.host or "127.0.0.1")
    served = url.set(port=proxy.start()).render_as_string(hide_password=False)
    figures = Figures()
    try:
        with tempfile.TemporaryDirectory() as scratch, _serving(
                served, 2, Path(scratch), {"TRYGG_DB_ANSWER_TIMEOUT": str(ANSWER_TIMEOUT)}) as (base, _server):
            before = Resident(base, figures)
            before.flow(1)  # acknowledged before the hang
            waiting = [(number, Resident(base, figures)) for number in (2, 3, 4)]
            tokens = {number: resident.to_summary(number) for number, resident in waiting}  # at the summary
            assert figures.acknowledged == {1}, figures.failed
            assert all(tokens.values()), figures.failed

            proxy.hang(SEND_BOUND + 2)
            hang_ends = time.monotonic() + SEND_BOUND + 2
            answers: dict[str, tuple[int, float, str]] = {}

            def ask(name: str, resident: Resident, path: str, data: dict[str, str] | None = None) -> None:
                started = time.monotonic()
                status, text, _ = resident.request(path, data)
                answers[name] = (status, time.monotonic() - started, text)

            askers = [
                threading.Thread(target=ask, args=("page", Resident(base, figures), f"/enkat/{SLUG}")),
                threading.Thread(target=ask, args=("start", Resident(base, figures), "/")),
                *(threading.Thread(target=ask, args=(f"send {number}", resident, f"/enkat/{SLUG}/skicka",
                                                     {"csrf_token": tokens[number] or ""}))
                  for number, resident in waiting),
            ]
            for asker in askers:
                asker.start()
            time.sleep(0.5)  # the askers now wait for the database: the rest of the site does not
            assert _get(base, "/healthz")[0] == 200
            status, seconds = _get(base, "/static/css/app.css")
            assert status == 200
            assert seconds < 1
            for asker in askers:
                asker.join()

            status, seconds, page = answers["page"]
            assert status == 503
            assert seconds < PAGE_BOUND
            assert "Tjänsten är inte tillgänglig just nu" in page
            assert answers["start"][0] == 503
            assert answers["start"][1] < PAGE_BOUND
            for number, _resident in waiting:
                status, seconds, page = answers[f"send {number}"]
                assert status == 503, number
                assert seconds < SEND_BOUND, number
                assert "Dina svar har INTE skickats" in page  # says plainly that they were not saved
            assert time.monotonic() < hang_ends  # every answer above came while the database was still hung

            time.sleep(max(0.0, hang_ends - time.monotonic()) + 1)  # the database answers again
            for number, resident in waiting:  # the residents send again, as the 503 page asked them to
                resident.send(number, tokens[number] or "")
    finally:
        proxy.stop()
    stored = _stored_markers(target)
    assert figures.acknowledged == {1, 2, 3, 4}, figures.failed
    assert sorted(stored) == [1, 2, 3, 4]  # every acknowledged response is stored (or held), none twice
