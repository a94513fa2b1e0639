"""Where a resident's request goes: complete flows in-process (the Flask test client), counted and profiled.

    .venv/bin/python benchmarks/flow_profile.py [--database sqlite|postgresql] [--flows 20] [--profile 30]

Prepares a fresh database like benchmarks/load.py (one open wave of the adult questionnaire), walks `--flows`
complete flows (landing, start, every page read and answered, send) with the test client in production mode, and
prints per kind of request: how many there were, the SQL statements and pool checkouts each made, and the CPU time
each took against the start page's and a static file's, measured in the same run. With `--profile N` it prints the
N most expensive functions (cProfile, cumulative) over the flows. Nothing is asserted: the suite's
tests/web/survey/test_request_cost.py holds the statement counts.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import re
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402  (after the path: the script runs from anywhere)

from benchmarks.load import SLUG, _prepare, scratch_database  # noqa: E402


def _kind(method: str, path: str) -> str:
    if path.startswith("/static/"):
        return "static"
    path = re.sub(r"/sida/\d+", "/sida/N", path.split("?")[0])
    return f"{method} {path}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--flows", type=int, default=20)
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    parser.add_argument("--sql", action="store_true", help="print the statements of one flow, by request")
    parser.add_argument("--calls", action="store_true",
                        help="also count Python function calls a request: unlike CPU time, the same on a busy machine")
    args = parser.parse_args()
    with scratch_database(args.database, "capacity_profile") as url:
        _prepare(url)
        run(url, args.flows, args.profile, show_sql=args.sql, count_calls=args.calls)


def run(url: str, flows: int, profile: int, *, show_sql: bool = False, count_calls: bool = False) -> None:
    from survey_app import create_app
    from survey_app.extensions import db

    app = create_app({"TRYGG_ENV": "production", "SECRET_KEY": "x" * 40, "SQLALCHEMY_DATABASE_URI": url,
                      "PUBLIC_URL": "https://trygg.example.se", "SESSION_COOKIE_SECURE": False,
                      "WTF_CSRF_SSL_STRICT": False})
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # requests, statements, checkouts
    cpu: dict[str, float] = defaultdict(float)
    calls: dict[str, int] = defaultdict(int)
    current = {"kind": ""}
    with app.app_context():
        engine = db.engine
        event.listen(engine, "before_cursor_execute",
                     lambda *a, **k: counts[current["kind"]].__setitem__(1, counts[current["kind"]][1] + 1))
        event.listen(engine.pool, "checkout",
                     lambda *a, **k: counts[current["kind"]].__setitem__(2, counts[current["kind"]][2] + 1))

    def timed(kind: str, call: Callable[[], object]) -> object:
        current["kind"] = kind
        counts[kind][0] += 1
        if count_calls:
            counter = cProfile.Profile()
            counter.enable()
            result = call()
            counter.disable()
            calls[kind] += pstats.Stats(counter).total_calls  # type: ignore[attr-defined]
            return result
        started = time.process_time()
        result = call()
        cpu[kind] += time.process_time() - started
        return result

    def flow(client: object) -> None:
        from flask.testing import FlaskClient

        if not isinstance(client, FlaskClient):
            raise TypeError(type(client).__name__)
        page = timed(f"GET /enkat/{SLUG}", lambda: client.get(f"/enkat/{SLUG}"))
        html = page.get_data(as_text=True)  # type: ignore[attr-defined]
        csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
        answer = timed(f"POST /enkat/{SLUG}/borja", lambda: client.post(
            f"/enkat/{SLUG}/borja", data={"csrf_token": csrf, "language": "sv"}))
        location = answer.location  # type: ignore[attr-defined]
        for number in range(60):
            path = location.split("://", 1)[-1]
            path = path[path.index("/"):] if "://" in location else location
            if path.endswith("/sammanfattning"):
                timed(_kind("GET", path), lambda p=path: client.get(p))
                break
            shown = timed(_kind("GET", path), lambda p=path: client.get(p))
            html = shown.get_data(as_text=True)  # type: ignore[attr-defined]
            answers: dict[str, str] = {"csrf_token": csrf, "action": "next"}
            for name in sorted(set(re.findall(r'name="(q_[a-z0-9_]+)"', html))):
                option = re.search(rf'name="{name}" value="([^"]+)"', html)
                if name == "q_suggestions":
                    answers[name] = f"lasttest-{number:06d}"
                elif name == "q_birth_year":
                    answers[name] = "1980"
                elif option:
                    answers[name] = option.group(1)
            posted = timed(_kind("POST", path), lambda p=path, a=answers: client.post(p, data=a))
            location = posted.location  # type: ignore[attr-defined]
        sent = timed(f"POST /enkat/{SLUG}/skicka", lambda: client.post(f"/enkat/{SLUG}/skicka",
                                                                      data={"csrf_token": csrf}))
        if sent.status_code != 302:  # type: ignore[attr-defined]
            raise RuntimeError(f"the send answered {sent.status_code}")  # type: ignore[attr-defined]

    for _ in range(3):  # warm up: templates compiled, the instrument parsed, connections made
        flow(app.test_client())
        client = app.test_client()
        client.get("/")
        with client.get("/static/css/app.css") as response:
            response.close()
    if show_sql:
        with app.app_context():
            def log(_c: object, _cur: object, statement: str, *_a: object) -> None:
                print(f"  [{current['kind']}] {' '.join(statement.split())[:150]}")
            event.listen(db.engine, "before_cursor_execute", log)
            flow(app.test_client())
            event.remove(db.engine, "before_cursor_execute", log)
    counts.clear()
    cpu.clear()
    profiler = cProfile.Profile(time.process_time) if profile else None
    if profiler:
        profiler.enable()
    client = app.test_client()

    def static() -> None:
        with client.get("/static/css/app.css") as response:
            response.close()

    for _ in range(flows):  # interleaved, so that the three are measured under the same load of the machine
        flow(app.test_client())
        if profiler:
            profiler.disable()
        for _ in range(10):
            timed("GET / (start page)", lambda: client.get("/"))
            timed("static", static)
        if profiler:
            profiler.enable()
    if profiler:
        profiler.disable()

    if count_calls:
        flow_kinds = [kind for kind in counts if kind.startswith(("GET /enkat", "POST /enkat"))]
        per_flow_request = sum(calls[kind] for kind in flow_kinds) / sum(counts[kind][0] for kind in flow_kinds)
        start = calls["GET / (start page)"] / counts["GET / (start page)"][0]
        static_calls = calls["static"] / counts["static"][0]
        for kind in sorted(counts):
            print(f"{kind:40} {calls[kind] / counts[kind][0]:10.0f} function calls a request")
        print(f"function calls: a flow request {per_flow_request:.0f} = {per_flow_request / start:.2f} x the start "
              f"page ({start:.0f}) = {per_flow_request / static_calls:.2f} x a static file ({static_calls:.0f})")
        return
    start_ms = 1000 * cpu["GET / (start page)"] / counts["GET / (start page)"][0]
    static_ms = 1000 * cpu["static"] / counts["static"][0]
    flow_requests = sum(n for kind, (n, _, _) in counts.items() if kind.startswith(("GET /enkat", "POST /enkat")))
    flow_cpu = sum(t for kind, t in cpu.items() if kind.startswith(("GET /enkat", "POST /enkat")))
    flow_statements = sum(s for kind, (_, s, _) in counts.items() if kind.startswith(("GET /enkat", "POST /enkat")))
    flow_checkouts = sum(c for kind, (_, _, c) in counts.items() if kind.startswith(("GET /enkat", "POST /enkat")))
    print(f"{'request':40} {'n':>6} {'stmts/req':>10} {'checkouts/req':>14} {'cpu ms/req':>11} {'/start':>7}")
    for kind in sorted(counts):
        n, statements, checkouts = counts[kind]
        ms = 1000 * cpu[kind] / n
        print(f"{kind:40} {n:6d} {statements / n:10.2f} {checkouts / n:14.2f} {ms:11.2f} {ms / start_ms:7.2f}")
    print(f"a flow: {flow_requests / flows:.0f} requests, {flow_statements / flows:.0f} statements, "
          f"{flow_checkouts / flows:.0f} checkouts, {1000 * flow_cpu / flows:.0f} ms CPU; a flow request "
          f"{1000 * flow_cpu / flow_requests:.2f} ms = {1000 * flow_cpu / flow_requests / start_ms:.2f} x the start "
          f"page ({start_ms:.2f} ms) = {1000 * flow_cpu / flow_requests / static_ms:.2f} x a static file "
          f"({static_ms:.2f} ms)")
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(profile)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(profile)
        stats = pstats.Stats(profiler).sort_stats("cumulative")
        stats.print_callees("wsgi_app|full_dispatch_request|process_response|preprocess_request|views.py:.*page|_render")


if __name__ == "__main__":
    main()
