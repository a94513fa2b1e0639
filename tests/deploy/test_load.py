"""The short versions of benchmarks/load.py: complete flows against `trygg serve` while a worker is killed with
SIGKILL, and (PostgreSQL) while the database refuses and then hangs; every acknowledged response is stored (or held
to be stored), none twice. Timings are printed, not asserted."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy.engine import make_url

from benchmarks.load import run


def test_no_acknowledged_response_is_lost_or_stored_twice(database_url: str, empty_database_factory) -> None:
    target = empty_database_factory(make_url(database_url).get_backend_name(), f"load{uuid.uuid4().hex[:8]}")
    result = run(target, flows=12, rate=3.0, workers=2, kills=1)
    print(result)
    assert result.kills == 1
    assert result.acknowledged >= 6  # flows cut by the kill fail; the rest go through
    assert result.lost == 0
    assert result.duplicates == 0
    assert result.stored >= result.acknowledged  # a send cut by the kill after its commit is stored unacknowledged


def test_a_refused_then_hung_database_loses_nothing_and_stores_nothing_twice(database_url: str,
                                                                              empty_database_factory) -> None:
    """PostgreSQL behind a TCP proxy that refuses (and cuts every open connection) for 3 s, then hangs for 4 s: a hang
    shorter than the answer limit, which the residents wait out (a longer one: tests/deploy/test_hung_database.py)."""
    if not database_url.startswith("postgresql"):
        pytest.skip("the proxy sits between the app and a PostgreSQL server; SQLite is a file")
    target = empty_database_factory("postgresql", f"fault{uuid.uuid4().hex[:8]}")
    result = run(target, flows=16, rate=2.0, workers=2, faults=[("refuse", 1.5, 3.0), ("hang", 7.0, 4.0)],
                 settings={"TRYGG_DB_ANSWER_TIMEOUT": "10"})
    print(result)
    assert result.lost == 0
    assert result.duplicates == 0
    assert result.acknowledged >= 4
    assert result.stored >= result.acknowledged
    assert sum(result.failed.values()) >= 1  # the refusal did bite: some residents met it ...
    assert not any(why.endswith(" 500") for why in result.failed)  # ... as a 503 in Swedish, never a 500
