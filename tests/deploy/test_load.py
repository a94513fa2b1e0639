"""The short version of benchmarks/load.py: complete flows against `trygg serve` while a worker is killed with
SIGKILL; every acknowledged response is stored (or held to be stored), none twice. Timings are printed, not asserted."""

from __future__ import annotations

import uuid

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
