"""Fixtures for the resident flow: a client that walks through a wave like a resident (see resident.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from tests.web.survey.resident import Resident


@pytest.fixture
def resident(client: FlaskClient) -> Callable[[str], Resident]:
    def make(slug: str = "trygghet-2026") -> Resident:
        return Resident(client, slug)

    return make
