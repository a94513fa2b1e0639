"""Configuration in layers: defaults here, then the environment, then the dict a caller (a test) passes."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENVIRONMENTS = ("production", "development", "test")


class ConfigError(RuntimeError):
    """Start-up configuration is unusable; the message says what to set."""


DEFAULTS: dict[str, Any] = {
    "TRYGG_ENV": "production",
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "BABEL_DEFAULT_LOCALE": "sv",
    "BABEL_DEFAULT_TIMEZONE": "Europe/Stockholm",
    "BABEL_TRANSLATION_DIRECTORIES": str(PROJECT_ROOT / "translations"),
    "LANGUAGES": ("sv", "en"),
    "MAX_CONTENT_LENGTH": 256 * 1024,  # a whole questionnaire is a few kB; anything bigger is not a resident
    "MAX_FORM_MEMORY_SIZE": 256 * 1024,
    "WTF_CSRF_TIME_LIMIT": None,  # a resident may take an hour over a page; the token is bound to the session
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": True,
    "PREFERRED_URL_SCHEME": "https",
    "QUESTIONNAIRE_DIR": str(PROJECT_ROOT / "questionnaires"),
    "ORGANISATION_NAME": "Exempelkommunen",
    "PRIVACY_CONTACT": "kommunen@exempelkommunen.se",
    "ACCESSIBILITY_CONTACT": "tillganglighet@exempelkommunen.se",
    "ACCESSIBILITY_REVIEWED": dt.date(2026, 11, 25),
    "RESPONSE_RETENTION_YEARS": 5,
}

# Environment variables read besides the TRYGG_-prefixed ones.
PLAIN_ENVIRONMENT = {"DATABASE_URL": "SQLALCHEMY_DATABASE_URI", "SECRET_KEY": "SECRET_KEY", "TRYGG_ENV": "TRYGG_ENV"}


def load_config(app: Flask, overrides: dict[str, Any] | None) -> None:
    app.config.update(DEFAULTS)
    for variable, key in PLAIN_ENVIRONMENT.items():
        if os.environ.get(variable):
            app.config[key] = os.environ[variable]
    app.config.from_prefixed_env("TRYGG")
    app.config.update(overrides or {})

    environment = app.config["TRYGG_ENV"]
    if environment not in ENVIRONMENTS:
        raise ConfigError(f"TRYGG_ENV={environment!r} is not one of {', '.join(ENVIRONMENTS)}.")
    if environment != "production":
        # Local http://127.0.0.1 has no TLS; a Secure cookie would never come back.
        app.config["SESSION_COOKIE_SECURE"] = bool((overrides or {}).get("SESSION_COOKIE_SECURE", False))
        app.config["PREFERRED_URL_SCHEME"] = "http"
    app.config.setdefault("SQLALCHEMY_DATABASE_URI", default_database_url(app))
    _require_secret_key(app, environment)


def default_database_url(app: Flask) -> str:
    return f"sqlite:///{Path(app.instance_path) / 'trygg.sqlite'}"


def _require_secret_key(app: Flask, environment: str) -> None:
    if app.config.get("SECRET_KEY"):
        return
    if environment == "production":
        raise ConfigError(
            "SECRET_KEY is not set. Set the environment variable SECRET_KEY to a long random value "
            "(for example: python -c 'import secrets; print(secrets.token_hex(32))'), "
            "or set TRYGG_ENV=development for a local demo."
        )
    # Development and tests: a fixed key that says what it is; such cookies are not Secure and serve 127.0.0.1 only.
    app.config["SECRET_KEY"] = f"{environment}-only-key-not-secret"
