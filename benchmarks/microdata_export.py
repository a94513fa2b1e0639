"""Benchmark of the microdata download (issue 10): time to first byte, total time and memory; asserts nothing.

    .venv/bin/python benchmarks/microdata_export.py [--responses 100000] [--database-url URL] [--sav]

Builds a wave of the adult questionnaire with seeded synthetic responses (one coded answer per single-choice item,
a few blanks), inserted in bulk straight into a fresh database (SQLite in a temporary folder by default; a
PostgreSQL URL names an empty database to use), then streams `survey_app.insights.microdata_export.csv_chunks`
as the download does and prints: seconds to the first chunk, seconds for the whole file, its size, and the
tracemalloc peak while streaming (the CSV never holds the file: the peak stays at about one chunk of responses).
With ``--sav`` it also times the SPSS file (built whole in packed arrays, then streamed from a temporary file).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select  # noqa: E402

from analysis.instrument import default_directory  # noqa: E402
from survey_app import create_app, migrate  # noqa: E402
from survey_app.extensions import db  # noqa: E402
from survey_app.insights import microdata_export  # noqa: E402
from survey_app.models import Answer, Area, Response  # noqa: E402
from survey_app.survey.microdata import analysis_columns  # noqa: E402
from survey_app.survey.questionnaires import instrument_of, load_questionnaire  # noqa: E402
from survey_app.survey.waves import create_wave  # noqa: E402


def build(url: str, responses: int) -> int:
    migrate.upgrade(url)
    app = create_app({"TRYGG_ENV": "test", "TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    rng = np.random.default_rng(2026)
    with app.app_context():
        session = db.session()
        questionnaire, _ = load_questionnaire(session, default_directory() / "trygghetsenkat-v1.yaml")
        areas = [Area(code=f"omr{i}", name=f"Område {i}") for i in range(8)]
        session.add_all(areas)
        today = dt.date.today()
        survey = create_wave(session, questionnaire=questionnaire, slug="bench", title="Bench",
                             period_start=today - dt.timedelta(days=60), period_end=today, areas=areas,
                             languages=("sv",), open_link=True, invitation_codes=False, actor=None)
        session.commit()
        instrument = instrument_of(questionnaire)
        items = [(code, instrument.item(code).codes) for code in analysis_columns(instrument)[3:]
                 if instrument.item(code).is_coded]
        genders = ("woman", "man", "other", "no_answer")
        bands = ("16-17", "18-24", "25-44", "45-64", "65-74", "75+")
        batch = 5000
        for start in range(0, responses, batch):
            count = min(batch, responses - start)
            ids = [uuid.uuid4() for _ in range(count)]
            session.execute(insert(Response), [
                {"id": rid, "survey_id": survey.id, "submitted_on": today - dt.timedelta(days=int(d)), "language": "sv",
                 "channel": "web", "area_code": f"omr{a}", "gender": genders[g], "age_band": bands[b]}
                for rid, d, a, g, b in zip(ids, rng.integers(0, 60, count), rng.integers(0, 8, count),
                                           rng.integers(0, 4, count), rng.integers(0, 6, count), strict=True)])
            rows = []
            for position, (code, codes) in enumerate(items):
                picks = rng.integers(0, len(codes), count)
                blank = rng.random(count) < 0.03
                rows += [{"response_id": rid, "position": position, "item_code": code, "value_code": codes[p],
                          "value_number": None, "value_text": None}
                         for rid, p, skip in zip(ids, picks, blank, strict=True) if not skip]
            session.execute(insert(Answer), rows)
            session.commit()
        survey_id = survey.id
        db.engine.dispose()
    return survey_id


def measure(url: str, survey_id: int, *, sav: bool) -> None:
    app = create_app({"TRYGG_ENV": "test", "TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        from survey_app.models import Survey

        survey = db.session.get(Survey, survey_id)
        assert survey is not None  # noqa: S101
        instrument = instrument_of(survey.questionnaire)
        columns = microdata_export.variables(instrument, survey)
        count = db.session.scalar(select(func.count()).select_from(Response)
                                  .where(Response.survey_id == survey_id)) or 0
        print(f"{count} responses, {len(columns)} variables")
        db.session.rollback()  # as a request does before it streams: SQLite's BEGIN IMMEDIATE holds the write lock
        engine = db.engine
        formats = [("csv", lambda: microdata_export.csv_chunks(engine, survey_id, columns))]
        if sav:
            formats.append(("sav", lambda: microdata_export.stats_file_chunks(engine, survey_id, columns, fmt="sav",
                                                                             file_label="Bench")))
        for name, make in formats:
            started = time.perf_counter()
            chunks = make()
            first = next(chunks)
            first_at = time.perf_counter() - started
            size = len(first) + sum(len(c) for c in chunks)
            total = time.perf_counter() - started
            tracemalloc.start()  # a second pass for memory: tracing slows Python several times over
            for _chunk in make():
                pass
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            print(f"{name}: first byte after {first_at:.3f} s, whole file {total:.1f} s, {size / 1e6:.1f} MB, "
                  f"{size / max(1, count):.0f} bytes per response; peak traced memory {peak / 1e6:.1f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--database-url")
    parser.add_argument("--sav", action="store_true")
    parser.add_argument("--keep", metavar="FILE.sqlite", help="build the SQLite database here and keep it; a later "
                        "run with the same file measures again without building")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        if args.keep and Path(args.keep).exists():
            measure(f"sqlite:///{args.keep}", 1, sav=args.sav)
            return
        url = args.database_url or f"sqlite:///{args.keep or folder + '/bench.sqlite'}"
        started = time.perf_counter()
        survey_id = build(url, args.responses)
        print(f"{args.responses} responses inserted in {time.perf_counter() - started:.0f} s")
        measure(url, survey_id, sav=args.sav)


if __name__ == "__main__":
    main()
