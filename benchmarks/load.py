"""Load and fault benchmark (issue 13): complete resident flows against `trygg serve`, on loopback only.

    .venv/bin/python benchmarks/load.py [--database sqlite|postgresql] [--flows 200] [--rate 6] [--workers 2]
                                        [--kills 2] [--refuse 25] [--hang 30] [--fault-at 5]

It starts `trygg serve` in production mode on a fresh database with one open wave, measures a static file's
throughput as the baseline, then sends complete flows (landing, start, every page with its CSRF token and cookies,
send) as an open-loop arrival process at `--rate` flows a second, each with a marker in its free-text answer; with
`--kills K`, K gunicorn workers are killed with SIGKILL during the run (gunicorn starts new ones). At the end every
acknowledged flow (the send answered with the thanks page) is looked up by its marker among stored and held
responses: acknowledged = stored, and no marker twice, or the run fails. It prints figures; timings are never asserted.

With `--refuse S` / `--hang S` (PostgreSQL) the app reaches the database through a TCP proxy
(benchmarks/faultproxy.py) that refuses connections and cuts open ones, or hangs, for S seconds; a resident whose
send fails sends it again a few seconds later, as a person would, so a commit cut off before its answer must still be
stored once. The server's CPU time a request is measured for the static file, the start page and the flow's requests
in the same run (from /proc: the master, its workers and the workers it reaped).
`run()` is also the short version the test suite runs (tests/deploy/test_load.py).
"""

from __future__ import annotations

import argparse
import contextlib
import os
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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy.engine import make_url  # noqa: E402  (after the path: the script runs from anywhere)

from benchmarks.faultproxy import FaultProxy  # noqa: E402
from benchmarks.residents import MARKER, SLUG, Figures, Resident  # noqa: E402

WARM_UP_FLOWS = 4  # before anything is measured; their markers are left out of the count
WARM_UP_FIRST = 999_000


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
def _serving(database_url: str, workers: int, directory: Path, settings: dict[str, str] | None = None
             ) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = _free_port()
    environment = {key: value for key, value in os.environ.items() if not key.startswith("TRYGG_")}
    environment.update({"TRYGG_ENV": "production", "SECRET_KEY": secrets.token_hex(32), "DATABASE_URL": database_url,
                        "TRYGG_PUBLIC_URL": "https://trygg.example.se", "XDG_RUNTIME_DIR": str(directory),
                        # plain http on loopback: a Secure cookie would never come back (production sits behind TLS)
                        "TRYGG_SESSION_COOKIE_SECURE": "false", **(settings or {})})
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


def _cpu_seconds(server: subprocess.Popen[bytes]) -> float:
    """CPU time of the server so far: the master, its live workers, and the workers it has reaped (killed ones)."""
    ticks = os.sysconf("SC_CLK_TCK")

    def stat(pid: int) -> list[str]:
        try:
            return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return []

    master = stat(server.pid)
    total = sum(int(master[i]) for i in (11, 12, 13, 14)) if master else 0  # utime stime cutime cstime
    for worker in _workers_of(server):
        fields = stat(worker)
        total += sum(int(fields[i]) for i in (11, 12)) if fields else 0
    return total / ticks


def _hammer(base: str, path: str, server: subprocess.Popen[bytes], seconds: float = 2.0, threads: int = 4
            ) -> tuple[float, float]:
    """(requests a second, server CPU ms a request) for GETs of `path` by `threads` clients for `seconds`."""
    count = 0
    lock = threading.Lock()
    cpu = _cpu_seconds(server)
    started = time.monotonic()
    stop = started + seconds

    def hammer() -> None:
        nonlocal count
        while time.monotonic() < stop:
            with urllib.request.urlopen(base + path, timeout=10) as answer:  # noqa: S310 (loopback)
                answer.read()
            with lock:
                count += 1

    pool = [threading.Thread(target=hammer) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.monotonic() - started
    return count / elapsed, 1000 * (_cpu_seconds(server) - cpu) / max(count, 1)


CAPACITY_FIRST = 999_100  # markers of the saturation flows, left out of the count like the warm-up's


def _flow_capacity(base: str, server: subprocess.Popen[bytes], seconds: float, residents: int
                   ) -> tuple[float, float]:
    """(requests a second, server CPU ms a request) of complete flows by `residents` browsers one after another
    (closed loop: the most the server gives), counted over `seconds`; the flows under way then finish uncounted."""
    figures = Figures()
    numbers = iter(range(CAPACITY_FIRST, WARM_UP_FIRST + 1000))
    stop = threading.Event()

    def resident() -> None:
        while not stop.is_set():
            Resident(base, figures).flow(next(numbers))

    cpu = _cpu_seconds(server)
    started = time.monotonic()
    pool = [threading.Thread(target=resident) for _ in range(residents)]
    for thread in pool:
        thread.start()
    time.sleep(seconds)
    with figures.lock:
        count = len(figures.latencies)
    elapsed, used = time.monotonic() - started, _cpu_seconds(server) - cpu
    stop.set()
    for thread in pool:
        thread.join()
    return count / elapsed, 1000 * used / max(count, 1)


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
    start_per_second: float = 0.0
    cpu_ms_static: float = 0.0  # server CPU per request, each measured in the same run
    cpu_ms_start: float = 0.0
    cpu_ms_flow: float = 0.0
    faults: tuple[str, ...] = ()
    refused_sends: int = 0  # flows whose send was answered with an error (or nothing) at least once
    refused_but_stored: int = 0  # ... and whose answers are stored all the same (sent again, or cut after commit)
    send_retries: int = 0
    capacity_per_second: float = 0.0  # flow requests a second at saturation (closed loop), 0 when not measured
    cpu_ms_capacity: float = 0.0


def run(database_url: str, *, flows: int, rate: float, workers: int = 2, kills: int = 0,
        faults: Sequence[tuple[str, float, float]] = (), saturate: float = 0.0,
        settings: dict[str, str] | None = None) -> Result:
    """Prepare, serve, load, kill, count. The database must be empty.

    `faults` are (``"refuse"`` or ``"hang"``, seconds after the first arrival, seconds long): the app then reaches
    its database (PostgreSQL only) through a FaultProxy that refuses or hangs for that long. `settings` are extra
    TRYGG_ environment variables for the server.
    """
    _prepare(database_url)
    figures = Figures()
    proxy = None
    served_url = database_url
    if faults:
        url = make_url(database_url)
        if url.get_backend_name() != "postgresql":
            raise ValueError("the proxy faults are for PostgreSQL (SQLite is a file, not a connection)")
        proxy = FaultProxy(upstream_port=url.port or 5432, upstream_host=url.host or "127.0.0.1")
        served_url = url.set(port=proxy.start()).render_as_string(hide_password=False)
    try:
        with tempfile.TemporaryDirectory() as scratch, _serving(served_url, workers, Path(scratch), settings) as (
                base, server):
            for number in range(WARM_UP_FLOWS):  # every worker imports, compiles templates and connects once
                Resident(base, Figures()).flow(WARM_UP_FIRST + number)
            static, cpu_static = _hammer(base, "/static/css/app.css", server)
            start_rate, cpu_start = _hammer(base, "/", server)
            capacity, cpu_capacity = _flow_capacity(base, server, saturate, 8) if saturate else (0.0, 0.0)
            threads: list[threading.Thread] = []
            kill_at = {int(flows * (k + 1) / (kills + 1)) for k in range(kills)}
            done_kills = 0
            cpu = _cpu_seconds(server)
            started = time.monotonic()
            timers = [threading.Timer(at, getattr(proxy, kind), args=(length,)) for kind, at, length in faults]
            for timer in timers:
                timer.start()
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
            for timer in timers:
                timer.join()
            elapsed = time.monotonic() - started
            cpu_flow = 1000 * (_cpu_seconds(server) - cpu) / max(len(figures.latencies), 1)
    finally:
        if proxy is not None:
            proxy.stop()
    stored = [marker for marker in _stored_markers(database_url) if marker < WARM_UP_FIRST]
    latencies = sorted(figures.latencies) or [0.0]
    return Result(
        flows=flows, acknowledged=len(figures.acknowledged), stored=len(set(stored)),
        duplicates=len(stored) - len(set(stored)), lost=len(figures.acknowledged - set(stored)),
        failed=dict(figures.failed), requests_per_second=len(figures.latencies) / elapsed,
        static_per_second=static, p50_ms=1000 * statistics.median(latencies),
        p99_ms=1000 * latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))], seconds=elapsed,
        kills=done_kills, start_per_second=start_rate, cpu_ms_static=cpu_static, cpu_ms_start=cpu_start,
        cpu_ms_flow=cpu_flow, faults=tuple(f"{kind} {length:g} s at {at:g} s" for kind, at, length in faults),
        refused_sends=len(figures.refused_sends), refused_but_stored=len(figures.refused_sends & set(stored)),
        send_retries=figures.send_retries, capacity_per_second=capacity, cpu_ms_capacity=cpu_capacity)



@contextlib.contextmanager
def scratch_database(database: str, name: str) -> Iterator[str]:
    """A fresh, empty database for one benchmark run, removed afterwards: a SQLite file in a temporary folder, or a
    PostgreSQL database on the local server (trust auth, as on this machine and in CI)."""
    with tempfile.TemporaryDirectory() as scratch:
        if database == "sqlite":
            yield f"sqlite:///{scratch}/{name}.sqlite"
            return
        from sqlalchemy import create_engine, text

        database_name = f"trygg_{name}_{os.getpid()}"
        admin = create_engine("postgresql+psycopg://postgres@127.0.0.1:5432/test", isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{database_name}"'))
        try:
            yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{database_name}"
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{database_name}" WITH (FORCE)'))
            admin.dispose()

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--flows", type=int, default=200)
    parser.add_argument("--rate", type=float, default=6.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--kills", type=int, default=2)
    parser.add_argument("--refuse", type=float, default=0, metavar="SECONDS",
                        help="PostgreSQL: the database refuses connections (and cuts open ones) this long")
    parser.add_argument("--hang", type=float, default=0, metavar="SECONDS",
                        help="PostgreSQL: the database hangs this long (after the refusal, if both)")
    parser.add_argument("--saturate", type=float, default=0, metavar="SECONDS",
                        help="first measure the flow's request throughput at saturation (8 residents back to back)")
    parser.add_argument("--fault-at", type=float, default=5.0, metavar="SECONDS",
                        help="when the first fault begins, counted from the first arrival")
    args = parser.parse_args()
    faults: list[tuple[str, float, float]] = []
    if args.refuse:
        faults.append(("refuse", args.fault_at, args.refuse))
    if args.hang:
        faults.append(("hang", args.fault_at + (args.refuse + 10 if args.refuse else 0), args.hang))
    with scratch_database(args.database, "load") as url:
        result = run(url, flows=args.flows, rate=args.rate, workers=args.workers, kills=args.kills,
                     faults=faults, saturate=args.saturate)
    print(f"database {args.database}, {args.workers} workers, {args.flows} flows at {args.rate}/s, "
          f"{result.kills} workers killed with SIGKILL")
    print(f"acknowledged {result.acknowledged}, stored {result.stored}, lost {result.lost}, duplicates "
          f"{result.duplicates}, failed {result.failed or 'none'}")
    print(f"requests/s in the flows {result.requests_per_second:.1f}; static file alone {result.static_per_second:.1f}"
          f"/s; ratio {result.requests_per_second / result.static_per_second:.3f}")
    print(f"request latency p50 {result.p50_ms:.0f} ms, p99 {result.p99_ms:.0f} ms; run {result.seconds:.1f} s")
    flow_vs_start = result.cpu_ms_flow / result.cpu_ms_start
    start_vs_static = result.cpu_ms_start / result.cpu_ms_static
    print(f"server CPU a request: static file {result.cpu_ms_static:.2f} ms, start page {result.cpu_ms_start:.2f} ms, "
          f"a request of the flow {result.cpu_ms_flow:.2f} ms; flow/start {flow_vs_start:.2f}, start/static "
          f"{start_vs_static:.2f}; start page alone {result.start_per_second:.1f}/s, "
          f"{result.start_per_second / result.static_per_second:.3f} of static")
    if result.capacity_per_second:
        print(f"at saturation: flow requests {result.capacity_per_second:.1f}/s = "
              f"{result.capacity_per_second / result.static_per_second:.3f} of the static file's; server CPU a flow "
              f"request {result.cpu_ms_capacity:.2f} ms = {result.cpu_ms_capacity / result.cpu_ms_start:.2f} x the "
              f"start page")
    if result.faults:
        print(f"faults: {', '.join(result.faults)}; sends refused at least once {result.refused_sends} (of them "
              f"stored all the same {result.refused_but_stored}); sends retried {result.send_retries} times")
    if result.lost or result.duplicates:
        sys.exit("FAILED: an acknowledged response is missing or stored twice")


if __name__ == "__main__":
    main()
