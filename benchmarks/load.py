"""Load and fault benchmark (issue 13): complete resident flows against `trygg serve`, on loopback only.

    .venv/bin/python benchmarks/load.py [--database sqlite|postgresql] [--flows 200] [--rate 6] [--workers 2]
                                        [--kills 2]

It starts `trygg serve` in production mode on a fresh database with one open wave, measures a static file's
throughput as the baseline, then sends complete flows (landing, start, every page with its CSRF token and cookies,
send) as an open-loop arrival process at `--rate` flows a second, each with a marker in its free-text answer; with
`--kills K`, K gunicorn workers are killed with SIGKILL during the run (gunicorn starts new ones). At the end every
acknowledged flow (the send answered with the thanks page) is looked up by its marker among stored and held
responses: acknowledged = stored, and no marker twice, or the run fails. It prints figures; timings are never asserted.
`run()` is also the short version the test suite runs (tests/deploy/test_load.py).
"""

from __future__ import annotations

import argparse
import contextlib
import http.cookiejar
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SLUG = "belastning"
MARKER = re.compile(r"lasttest-(\d{6})")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


@dataclass
class Figures:
    latencies: list[float] = field(default_factory=list)
    acknowledged: set[int] = field(default_factory=set)
    failed: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(self, why: str) -> None:
        with self.lock:
            self.failed[why] = self.failed.get(why, 0) + 1


class Resident:
    """One browser: its own cookies, following the flow by reading the pages like a person would."""

    def __init__(self, base: str, figures: Figures) -> None:
        self.base = base
        self.figures = figures
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                  _NoRedirect())

    def request(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        headers = {"Referer": self.base + path} if data is not None else {}
        started = time.perf_counter()
        try:
            with self.opener.open(urllib.request.Request(self.base + path, data=body, headers=headers),  # noqa: S310
                                  timeout=30) as answer:
                status, text, location = answer.status, answer.read().decode(), answer.headers.get("Location", "")
        except urllib.error.HTTPError as error:
            status, text, location = error.code, error.read().decode(errors="replace"), error.headers.get(
                "Location", "")
        except OSError:  # the worker was killed under the request, or the connection dropped: no answer
            status, text, location = 0, "", ""
        with self.figures.lock:
            self.figures.latencies.append(time.perf_counter() - started)
        return status, text, location

    def flow(self, number: int) -> None:
        status, page, _ = self.request(f"/enkat/{SLUG}")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        if status != 200 or token is None:
            return self.figures.fail(f"landing {status}")
        csrf = token.group(1)
        status, _, location = self.request(f"/enkat/{SLUG}/borja", {"csrf_token": csrf, "language": "sv"})
        if status != 302:
            return self.figures.fail(f"start {status}")
        for _ in range(60):
            path = urllib.parse.urlsplit(location).path
            if path.endswith("/sammanfattning"):
                break
            status, page, _ = self.request(path)
            if status != 200:
                return self.figures.fail(f"page {status}")
            answers: dict[str, str] = {"csrf_token": csrf, "action": "next"}
            for name in sorted(set(re.findall(r'name="(q_[a-z0-9_]+)"', page))):
                option = re.search(rf'name="{name}" value="([^"]+)"', page)
                if name == "q_suggestions":
                    answers[name] = f"lasttest-{number:06d}"
                elif name == "q_birth_year":
                    answers[name] = "1980"
                elif option:
                    answers[name] = option.group(1)
            status, _, location = self.request(path, answers)
            if status != 302:
                return self.figures.fail(f"answer {status}")
        status, _, location = self.request(f"/enkat/{SLUG}/skicka", {"csrf_token": csrf})
        if status == 302 and location.endswith("/tack"):
            with self.figures.lock:
                self.figures.acknowledged.add(number)
        else:
            self.figures.fail(f"send {status}")
        return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _prepare(database_url: str) -> None:
    """Schema, a questionnaire, two areas and an open wave whose open link takes any number of starts."""
    import datetime as dt

    from analysis.instrument import default_directory
    from survey_app import create_app
    from survey_app.extensions import db
    from survey_app.migrate import upgrade
    from survey_app.models import Area
    from survey_app.survey.questionnaires import load_questionnaire
    from survey_app.survey.waves import create_wave

    upgrade(database_url)
    app = create_app({"TRYGG_ENV": "test", "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        questionnaire, _ = load_questionnaire(db.session(), default_directory() / "trygghetsenkat-v1.yaml")
        areas = [Area(code="norr", name="Norr"), Area(code="soder", name="Söder")]
        db.session.add_all(areas)
        today = dt.date.today()
        create_wave(db.session(), questionnaire=questionnaire, slug=SLUG, title="Belastning", period_start=today,
                    period_end=today + dt.timedelta(days=30), areas=areas, starts_per_hour=100_000,
                    one_per_browser=False, status="open", actor=None, actor_label="benchmark")  # type: ignore[arg-type]
        db.session.commit()
        db.engine.dispose()


def _stored_markers(database_url: str) -> list[int]:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.connect() as connection:
        texts = list(connection.execute(text("SELECT value_text FROM answers WHERE value_text LIKE 'lasttest-%'"))
                     .scalars())
        texts += [str(answers) for answers in connection.execute(text("SELECT answers FROM held_responses")).scalars()]
    engine.dispose()
    return [int(found) for value in texts for found in MARKER.findall(value)]


@contextlib.contextmanager
def _serving(database_url: str, workers: int, directory: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = _free_port()
    environment = {key: value for key, value in os.environ.items() if not key.startswith("TRYGG_")}
    environment.update({"TRYGG_ENV": "production", "SECRET_KEY": secrets.token_hex(32), "DATABASE_URL": database_url,
                        "TRYGG_PUBLIC_URL": "https://trygg.example.se", "XDG_RUNTIME_DIR": str(directory),
                        # plain http on loopback: a Secure cookie would never come back (production sits behind TLS)
                        "TRYGG_SESSION_COOKIE_SECURE": "false"})
    log = (directory / "serve.log").open("wb")
    server = subprocess.Popen([sys.executable, "-m", "survey_app.cli", "serve", "--port", str(port), "--workers",
                               str(workers)], env=environment, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((directory / "serve.log").read_text(errors="replace"))
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}", server
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def _workers_of(server: subprocess.Popen[bytes]) -> list[int]:
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def _static_rate(base: str, seconds: float = 2.0, threads: int = 4) -> float:
    count = 0
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def hammer() -> None:
        nonlocal count
        while time.monotonic() < stop:
            with urllib.request.urlopen(base + "/static/css/app.css", timeout=10) as answer:  # noqa: S310 (loopback)
                answer.read()
            with lock:
                count += 1

    pool = [threading.Thread(target=hammer) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return count / seconds


@dataclass(frozen=True)
class Result:
    flows: int
    acknowledged: int
    stored: int
    duplicates: int
    lost: int
    failed: dict[str, int]
    requests_per_second: float
    static_per_second: float
    p50_ms: float
    p99_ms: float
    seconds: float
    kills: int


def run(database_url: str, *, flows: int, rate: float, workers: int = 2, kills: int = 0) -> Result:
    """Prepare, serve, load, kill, count. The database must be empty."""
    _prepare(database_url)
    figures = Figures()
    with tempfile.TemporaryDirectory() as scratch, _serving(database_url, workers, Path(scratch)) as (base, server):
        static = _static_rate(base)
        threads: list[threading.Thread] = []
        kill_at = {int(flows * (k + 1) / (kills + 1)) for k in range(kills)}
        done_kills = 0
        started = time.monotonic()
        for number in range(flows):
            target = started + number / rate  # open loop: arrivals do not wait for earlier flows
            time.sleep(max(0.0, target - time.monotonic()))
            thread = threading.Thread(target=Resident(base, figures).flow, args=(number,))
            thread.start()
            threads.append(thread)
            if number in kill_at and (victims := _workers_of(server)):
                os.kill(victims[0], signal.SIGKILL)
                done_kills += 1
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
    stored = _stored_markers(database_url)
    latencies = sorted(figures.latencies) or [0.0]
    return Result(
        flows=flows, acknowledged=len(figures.acknowledged), stored=len(set(stored)),
        duplicates=len(stored) - len(set(stored)), lost=len(figures.acknowledged - set(stored)),
        failed=dict(figures.failed), requests_per_second=len(figures.latencies) / elapsed,
        static_per_second=static, p50_ms=1000 * statistics.median(latencies),
        p99_ms=1000 * latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))], seconds=elapsed,
        kills=done_kills)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--flows", type=int, default=200)
    parser.add_argument("--rate", type=float, default=6.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--kills", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        if args.database == "sqlite":
            url = f"sqlite:///{scratch}/load.sqlite"
            cleanup = None
        else:
            from sqlalchemy import create_engine, text

            name = f"trygg_load_{os.getpid()}"
            admin = create_engine("postgresql+psycopg://postgres@127.0.0.1:5432/test", isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"

            def cleanup() -> None:
                with admin.connect() as connection:
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        try:
            result = run(url, flows=args.flows, rate=args.rate, workers=args.workers, kills=args.kills)
        finally:
            if cleanup:
                cleanup()
    print(f"database {args.database}, {args.workers} workers, {args.flows} flows at {args.rate}/s, "
          f"{result.kills} workers killed with SIGKILL")
    print(f"acknowledged {result.acknowledged}, stored {result.stored}, lost {result.lost}, duplicates "
          f"{result.duplicates}, failed {result.failed or 'none'}")
    print(f"requests/s in the flows {result.requests_per_second:.1f}; static file alone {result.static_per_second:.1f}"
          f"/s; ratio {result.requests_per_second / result.static_per_second:.3f}")
    print(f"request latency p50 {result.p50_ms:.0f} ms, p99 {result.p99_ms:.0f} ms; run {result.seconds:.1f} s")
    if result.lost or result.duplicates:
        sys.exit("FAILED: an acknowledged response is missing or stored twice")


if __name__ == "__main__":
    main()
