"""The instruments the tests of analysis.instrument read: the shipped ones and the minimal fixture."""

from __future__ import annotations

import pytest

from analysis.instrument import Instrument, load_instrument
from tests.analysis.instrument import ADULT, FIXTURES, YOUTH


@pytest.fixture(scope="module")
def adult() -> Instrument:
    return load_instrument(ADULT)


@pytest.fixture(scope="module")
def youth() -> Instrument:
    return load_instrument(YOUTH)


@pytest.fixture(scope="module")
def minimal() -> Instrument:
    return load_instrument(FIXTURES / "minimal-v1.yaml")
