"""A production-grade server for `trygg serve`: gunicorn, configured in code."""

from __future__ import annotations

from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application


def run_gunicorn(app: Flask, *, bind: str, workers: int) -> None:
    _Gunicorn(app, {"bind": bind, "workers": workers, "accesslog": "-", "timeout": 60}).run()
