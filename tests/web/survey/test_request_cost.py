"""What a resident's request costs the database, counted statement by statement (counts are deterministic; timings
never are, so benchmarks/load.py and benchmarks/flow_profile.py print those)."""

from __future__ import annotations

import re
from collections import defaultdict

from flask import Flask
from sqlalchemy import event

from survey_app.extensions import db
from tests.web.survey.resident import first_option


def test_each_page_of_the_flow_costs_a_fixed_few_statements(app: Flask, make_wave, resident) -> None:
    """A question page is read with the wave (its areas in the same query) and the draft, and answering it adds
    one UPDATE: no lazy loads, no query per item. SQLite adds its explicit BEGIN; PostgreSQL's is implicit."""
    make_wave()
    walker = resident()
    statements: dict[str, list[int]] = defaultdict(list)
    current: dict[str, object] = {"kind": "", "count": 0}

    def count(*_args: object) -> None:
        current["count"] = int(str(current["count"])) + 1

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    opened = walker.client.open

    def counted_open(*args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        response = None
        current["count"] = 0
        try:
            response = opened(*args, **kwargs)
            return response
        finally:
            path = str(args[0]).split("?")[0] if args else ""
            method = str(kwargs.get("method", "GET"))
            statements[f"{method} {re.sub(r'/sida/[0-9]+', '/sida/N', path)}"].append(int(str(current["count"])))

    walker.client.open = counted_open  # type: ignore[method-assign]
    try:
        walker.client.get(walker.complete(first_option))
        assert walker.send().status_code == 302
    finally:
        event.remove(engine, "before_cursor_execute", count)

    begin = 1 if engine.dialect.name == "sqlite" else 0
    pages = "/enkat/trygghet-2026/sida/N"
    assert len(statements[f"GET {pages}"]) >= 10  # the whole adult questionnaire was walked
    assert set(statements[f"GET {pages}"]) == {begin + 2}  # the wave with its areas, the draft
    assert set(statements[f"POST {pages}"]) == {begin + 3}  # ... and the draft's UPDATE
    assert statements["GET /enkat/trygghet-2026/sammanfattning"] == [begin + 2]
    assert statements["GET /enkat/trygghet-2026"] == [begin + 2]  # the landing page: the wave, the retention policy
