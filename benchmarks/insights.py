"""Benchmark of the database path into the analysis (issue 10): prints figures as ratios, asserts nothing.

    .venv/bin/python benchmarks/insights.py [--responses 100000] [--backend sqlite|postgresql|both]
                                            [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test]

For each database it builds a scratch database (a temporary SQLite file; a new PostgreSQL database next to the one
``--postgres`` names, dropped at the end), migrates it, loads the demo municipality and a wave of the adult
questionnaire, and stores ``--responses`` synthetic responses through the same service the survey pages use
(:func:`survey_app.survey.responses.store_responses`, in batches of 5,000, one transaction each; the answers come
from a pool of 5,000 made by the demo's generator, each response with its area, gender and age drawn afresh).
Then it times, in the same run:

(a) the bare read: the wave's answer rows, responses joined to answers, as a client fetches them (SQLite: the
    ``sqlite3`` cursor's ``fetchall``; PostgreSQL: ``COPY (SELECT ...) TO STDOUT`` through psycopg, every byte read);
(b) cold: one new response is stored and committed, then the analysis the results page needs
    (:func:`survey_app.insights.service.analyse_wave`, raking to area, gender and age band, every questionnaire
    measure) runs in the same process, its cache holding only the previous version; the median of three;
(c) warm: the same analysis again with nothing changed, plus ``to_dict()`` of its result (what a page renders
    from); the median of five;
(d) ``wave_input`` alone (the read of the wave's codes into the analysis's columns), without the process cache;
(e) bytes per stored response: the database size (SQLite: pages in use; PostgreSQL: ``pg_database_size`` less the
    empty database's) over the number of responses, and the parts of the schema that hold them.

Ratios (b)/(a) and (c)/(a): the issue asks for cold < 0.2 and warm < 300 ms.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, make_url, select, text  # noqa: E402

from survey_app import create_app, migrate  # noqa: E402
from survey_app.extensions import db  # noqa: E402
from survey_app.models import Survey  # noqa: E402

BATCH = 5000
POOL = 5000
SLUG = "bench-2026"
ANALYSIS = {"weighting": "raking"}


def load_wave(session, responses: int, *, seed: int = 2026) -> Survey:
    """The demo municipality with no demo responses, then ``responses`` responses through ``store_responses``."""
    from survey_app.demo import _synthetic_response, load_demo  # the demo's own generator of plausible answers
    from survey_app.models import Area
    from survey_app.survey.questionnaires import instrument_of
    from survey_app.survey.responses import store_responses
    from survey_app.survey.waves import create_wave

    today = dt.date(2026, 12, 3)
    load_demo(session, responses=0, seed=seed, today=today)
    session.commit()
    demo = session.scalars(select(Survey)).one()
    areas = list(session.scalars(select(Area).order_by(Area.code)))
    survey = create_wave(session, questionnaire=demo.questionnaire, slug=SLUG, title="Benchmark",
                         period_start=today - dt.timedelta(days=30), period_end=today + dt.timedelta(days=30),
                         areas=areas, actor=None, actor_label="benchmark")
    session.commit()
    instrument = instrument_of(survey.questionnaire)
    rng = np.random.default_rng(seed)
    # The demo's generator takes milliseconds a response; a pool of distinct answer sets, each stored many times (as
    # a new response with its own random key), keeps the wave's shape and loads 100,000 responses in minutes.
    pool = [_synthetic_response(instrument, areas, rng, survey.period_start, today)
            for _ in range(min(POOL, responses))]
    stored = 0
    while stored < responses:
        size = min(BATCH, responses - stored)
        batch = [pool[(stored + i) % len(pool)] for i in range(size)]
        store_responses(session, survey, instrument, redraw_background(batch, instrument, areas, rng, today))
        session.commit()
        stored += size
    return survey


def redraw_background(batch, instrument, areas, rng: np.random.Generator, today: dt.date) -> list:
    """Each response's area, gender and age drawn afresh, as the demo draws them, so that the wave's cells (area x
    gender x age band) have the small counts a real wave has, not multiples of the pool's (disclosure control
    works on those cells, and costs more the more small cells there are)."""
    from dataclasses import replace

    from analysis.bands import DEFAULT_AGE_BANDS
    from analysis.instrument import ItemType
    from survey_app.demo import AGE_PROFILE, AREAS, GENDER_SHARES

    codes = {item.type: item.code for item in instrument.questions if item.type in (ItemType.GENDER,
                                                                                    ItemType.BIRTH_YEAR)}
    by_code = {a.code: a for a in areas}
    area_p = np.array([a[2] for a in AREAS], dtype=float)
    drawn_area = rng.choice(len(AREAS), size=len(batch), p=area_p / area_p.sum())
    genders = list(GENDER_SHARES)
    gender_p = np.array([GENDER_SHARES[g] for g in genders])
    drawn_gender = rng.choice(len(genders), size=len(batch), p=gender_p / gender_p.sum())
    minimum = instrument.min_age or 16
    bands = [b for b in DEFAULT_AGE_BANDS if (b.high or 200) >= minimum]
    band_p = np.array([AGE_PROFILE[DEFAULT_AGE_BANDS.index(b)] for b in bands])
    drawn_band = rng.choice(len(bands), size=len(batch), p=band_p / band_p.sum())
    out = []
    for entry, a, g, b in zip(batch, drawn_area, drawn_gender, drawn_band, strict=True):
        band = bands[b]
        age = int(rng.integers(max(band.low, minimum), (band.high or 89) + 1))
        answers = dict(entry.answers)
        if answers.get("area") in by_code:  # "don't know" stays
            answers["area"] = AREAS[a][0]
        if ItemType.GENDER in codes:
            answers[codes[ItemType.GENDER]] = genders[g]
        if ItemType.BIRTH_YEAR in codes:
            answers[codes[ItemType.BIRTH_YEAR]] = today.year - age
        out.append(replace(entry, answers=answers))
    return out


def one_more(session, survey: Survey, seed: int) -> None:
    from survey_app.demo import _synthetic_response
    from survey_app.models import Area
    from survey_app.survey.questionnaires import instrument_of
    from survey_app.survey.responses import store_responses

    instrument = instrument_of(survey.questionnaire)
    areas = list(session.scalars(select(Area).order_by(Area.code)))
    rng = np.random.default_rng(seed)
    store_responses(session, survey, instrument,
                    [_synthetic_response(instrument, areas, rng, survey.period_start, dt.date(2026, 12, 3))])
    session.commit()


BARE_QUERY = ("SELECT r.id, r.area_code, r.gender, r.age_band, a.item_code, a.value_code, a.value_number "
              "FROM responses r LEFT JOIN answers a ON a.response_id = r.id WHERE r.survey_id = {id}")


def bare_read(url: str, survey_id: int) -> tuple[float, int]:
    """Seconds to fetch the wave's answer rows as a client gets them, and how many rows (or bytes for COPY)."""
    query = BARE_QUERY.format(id=int(survey_id))
    if url.startswith("sqlite"):
        import sqlite3

        connection = sqlite3.connect(make_url(url).database or "")
        try:
            start = time.perf_counter()
            rows = connection.execute(query).fetchall()
            return time.perf_counter() - start, len(rows)
        finally:
            connection.close()
    import psycopg

    parts = make_url(url)
    with psycopg.connect(host=parts.host, port=parts.port, user=parts.username, password=parts.password,
                         dbname=parts.database) as connection:
        start = time.perf_counter()
        size = 0
        with connection.cursor() as cursor, cursor.copy(f"COPY ({query}) TO STDOUT") as copy:
            for chunk in copy:
                size += len(chunk)
        return time.perf_counter() - start, size


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def sizes(url: str, empty: int) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            if url.startswith("sqlite"):
                page = connection.scalar(text("PRAGMA page_size")) or 0
                used = (connection.scalar(text("PRAGMA page_count")) or 0) - \
                    (connection.scalar(text("PRAGMA freelist_count")) or 0)
                out = {"database": used * page - empty}
                with contextlib.suppress(Exception):  # dbstat is compiled into most builds of SQLite
                    for name, size in connection.execute(text("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name")):
                        if name.startswith(("responses", "answers", "ix_answers", "ix_responses", "sqlite_autoindex_r",
                                            "sqlite_autoindex_a")):
                            out[name] = int(size)
                return out
            out = {"database": int(connection.scalar(text("SELECT pg_database_size(current_database())")) or 0) - empty}
            for name in ("responses", "answers"):
                out[f"{name} (table)"] = int(connection.scalar(text(f"SELECT pg_table_size('{name}')")) or 0)
                out[f"{name} (indexes)"] = int(connection.scalar(text(f"SELECT pg_indexes_size('{name}')")) or 0)
            return out
    finally:
        engine.dispose()


@contextlib.contextmanager
def scratch(backend: str, postgres: str) -> Iterator[str]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="trygg-bench-") as directory:
            yield f"sqlite:///{directory}/bench.sqlite"
        return
    name = f"trygg_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(postgres, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(postgres).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run(backend: str, responses: int, postgres: str) -> dict[str, float]:
    from survey_app.insights.service import _population, _wave_input, analyse_wave, clear_cache
    from survey_app.survey.questionnaires import instrument_of

    with scratch(backend, postgres) as url:
        migrate.upgrade(url)
        empty = sizes(url, 0)["database"]
        app = create_app({"TRYGG_ENV": "test", "TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
        figures: dict[str, float] = {}
        with app.app_context():
            session = db.session
            start = time.perf_counter()
            survey = load_wave(session, responses)
            figures["load s"] = time.perf_counter() - start
            survey_id = survey.id
            session.commit()
            if backend == "postgresql":
                with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                    connection.execute(text("VACUUM ANALYZE"))
            size = sizes(url, empty)
            bare = [bare_read(url, survey_id) for _ in range(3)]
            figures["bare read s"] = statistics.median(b[0] for b in bare)
            clear_cache()
            analyse_wave(session, survey, **ANALYSIS)  # fills the cache: the page as it was before the new response
            session.commit()
            colds, inputs = [], []
            for i in range(3):
                one_more(session, survey, seed=10_000 + i)
                colds.append(timed(lambda: analyse_wave(session, survey, **ANALYSIS)))
                session.commit()
                # the read itself: wave_input would answer from the process cache the analysis just filled
                inputs.append(timed(lambda: _wave_input(session, survey, instrument_of(survey.questionnaire),
                                                        _population(session, survey))))
                session.commit()
            figures["cold s"] = statistics.median(colds)
            figures["wave_input s"] = statistics.median(inputs)
            warms = []
            for _ in range(5):
                warms.append(timed(lambda: analyse_wave(session, survey, **ANALYSIS).to_dict()))
                session.commit()
            figures["warm s"] = statistics.median(warms)
            stored = responses + 3
            figures["bytes/response"] = size["database"] / stored
            for name, value in size.items():
                if name != "database":
                    figures[f"{name} bytes/response"] = value / stored
            figures["database MB"] = size["database"] / 1e6
        return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL",
                                                             "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    args = parser.parse_args()
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    print(f"benchmarks/insights.py: a wave of {args.responses:,} adult-questionnaire responses")
    for backend in backends:
        try:
            figures = run(backend, args.responses, args.postgres)
        except Exception as exc:  # a missing PostgreSQL should not hide the SQLite figures
            print(f"\n{backend}: not measured: {type(exc).__name__}: {exc}")
            continue
        bare = figures["bare read s"]
        print(f"\n{backend}")
        print(f"  loading through store_responses     {figures['load s']:8.1f} s")
        print(f"  bare read of the answer rows (a)    {bare:8.3f} s")
        cold = figures["cold s"]
        print(f"  cold analysis after a new response  {cold:8.3f} s   = {cold / bare:5.3f} x (a)   (issue: < 0.2)")
        print(f"    of which wave_input (the read)    {figures['wave_input s']:8.3f} s   = "
              f"{figures['wave_input s'] / bare:5.3f} x (a)")
        print(f"  warm analysis + to_dict             {figures['warm s'] * 1000:8.1f} ms  = "
              f"{figures['warm s'] / bare:5.3f} x (a)   (issue: < 300 ms)")
        print(f"  database                            {figures['database MB']:8.1f} MB  = "
              f"{figures['bytes/response']:7.0f} bytes per response")
        for name, value in figures.items():
            if name.endswith("bytes/response") and name != "bytes/response":
                print(f"    {name[:-len(' bytes/response')]:<34}{value:8.0f} bytes per response")
    return 0


if __name__ == "__main__":
    sys.exit(main())
