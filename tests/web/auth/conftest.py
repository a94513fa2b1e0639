"""A clock the login code reads and the tests move (no sleeping), and an app behind one reverse proxy."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from flask import Flask

from survey_app.db import utcnow


class Clock:
    """Stands in for `survey_app.auth.services.utcnow`: throttling, audit times and session stamps all read it."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    moved = Clock()
    monkeypatch.setattr("survey_app.auth.services.utcnow", moved)
    return moved


@pytest.fixture
def proxied(app: Flask, monkeypatch: pytest.MonkeyPatch, app_factory: Callable[..., Flask]) -> Flask:
    """The app as deployed behind nginx (README): TRYGG_PROXY_HOPS=1, clients told apart by X-Forwarded-For.

    Depends on `app` so that the tables start empty.
    """
    monkeypatch.setenv("TRYGG_PROXY_HOPS", "1")
    return app_factory()
