"""Configuration in layers: defaults here, then the environment, then the dict a caller (a test) passes."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENVIRONMENTS = ("production", "development", "test")


class ConfigError(RuntimeError):
    """Start-up configuration is unusable; the message says what to set."""


DEFAULTS: dict[str, Any] = {
    "TRYGG_ENV": "production",
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    # A database that hangs must not hang the site: connecting, waiting for a pooled connection and each statement
    # have a limit, after which the request answers 503 (errors.py) and the worker is free again. Seconds, except
    # the statement limit (milliseconds, PostgreSQL; SQLite's wait for its write lock is SQLITE_BUSY_TIMEOUT_MS).
    "DB_CONNECT_TIMEOUT": 5,
    "DB_POOL_TIMEOUT": 10,
    "DB_STATEMENT_TIMEOUT_MS": 30_000,
    # A database that accepts a connection and then says nothing (PostgreSQL): on the residents' pages and the probes
    # each statement, commit or ping must be answered within this many seconds, elsewhere within the statement limit
    # plus this much, or its connection is cut and the request answers 503 (hung_database.py).
    "DB_ANSWER_TIMEOUT": 3,
    # SQLite: how long a writing request waits for the write lock (readers never wait: db.configure_sqlite). The
    # resident's final send is tried SEND_ATTEMPTS times, SEND_RETRY_PAUSE_SECONDS apart, before a 503 (errors.py).
    "SQLITE_BUSY_TIMEOUT_MS": 15_000,
    "SEND_ATTEMPTS": 2,
    "SEND_RETRY_PAUSE_SECONDS": 1.0,
    "BABEL_DEFAULT_LOCALE": "sv",
    "BABEL_DEFAULT_TIMEZONE": "Europe/Stockholm",
    "BABEL_TRANSLATION_DIRECTORIES": str(PROJECT_ROOT / "translations"),
    "LANGUAGES": ("sv", "en"),
    "MAX_CONTENT_LENGTH": 256 * 1024,  # a whole questionnaire is a few kB; anything bigger is not a resident
    "MAX_FORM_MEMORY_SIZE": 256 * 1024,
    "WTF_CSRF_TIME_LIMIT": None,  # a resident may take an hour over a page; the token is bound to the session
    # Over HTTPS a form post must carry a Referer of this very origin. Kept on deliberately: it stops a network
    # attacker who plants a session cookie over plain HTTP from posting with it. Browsers send that Referer because
    # the Referrer-Policy is same-origin (security.py); a post without one gets the "page has expired" page (README).
    "WTF_CSRF_SSL_STRICT": True,
    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host headers are believed: 0 trusts none.
    "PROXY_HOPS": 0,
    # The address residents reach the app at (https://trygg.kommun.se), for printed links; required in production.
    "PUBLIC_URL": None,
    # A staff login ends after this many minutes without a request, and this many hours after the password was given,
    # whatever the activity: a workstation left open in a shared office does not stay logged in for the evening.
    "STAFF_IDLE_MINUTES": 30,
    "STAFF_SESSION_HOURS": 10,
    # A browser staff have logged in from stays known (it skips the delays strangers' wrong guesses cause) this long
    # after its last login.
    "KNOWN_DEVICE_DAYS": 180,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": True,
    "PREFERRED_URL_SCHEME": "https",
    "QUESTIONNAIRE_DIR": str(PROJECT_ROOT / "questionnaires"),
    "ORGANISATION_NAME": "Exempelkommunen",
    "PRIVACY_CONTACT": "kommunen@exempelkommunen.se",
    "ACCESSIBILITY_CONTACT": "tillganglighet@exempelkommunen.se",
    "ACCESSIBILITY_REVIEWED": dt.date(2026, 11, 25),
    # The promises' follow-up rhythm (STANDARDS §5): "tertial" (T1-T3) or "quarter"; chosen once, at set-up
    # (survey_app/promises/rhythm.py says why it is no page setting).
    "FOLLOW_UP_PERIOD": "tertial",
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
    # Sent responses wait in the holding pool and are stored a day at a time (survey/holding.py); development and
    # tests store each one right after its request, by the same path.
    app.config.setdefault("RESPONSE_RELEASE", "daily" if environment == "production" else "immediate")
    if app.config["RESPONSE_RELEASE"] not in ("daily", "immediate"):
        raise ConfigError("TRYGG_RESPONSE_RELEASE must be daily or immediate.")
    if app.config["FOLLOW_UP_PERIOD"] not in ("tertial", "quarter"):
        raise ConfigError("TRYGG_FOLLOW_UP_PERIOD must be tertial or quarter.")
    _database_timeouts(app)
    _require_secret_key(app, environment)
    _check_proxy_hops(app)
    _check_staff_session_settings(app)
    _check_public_url(app, environment)


def _database_timeouts(app: Flask) -> None:
    """Connect and statement timeouts for PostgreSQL, and a bounded wait for a pooled connection."""
    options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
    url = str(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.startswith("postgresql"):
        try:
            connect, statement = int(app.config["DB_CONNECT_TIMEOUT"]), int(app.config["DB_STATEMENT_TIMEOUT_MS"])
            pool, answer = int(app.config["DB_POOL_TIMEOUT"]), int(app.config["DB_ANSWER_TIMEOUT"])
        except (TypeError, ValueError):
            raise ConfigError("TRYGG_DB_CONNECT_TIMEOUT, TRYGG_DB_POOL_TIMEOUT, TRYGG_DB_STATEMENT_TIMEOUT_MS and "
                              "TRYGG_DB_ANSWER_TIMEOUT must be whole numbers.") from None
        if min(connect, statement, pool, answer) < 1:
            raise ConfigError("Database timeouts must be at least 1.")
        app.config["DB_ANSWER_TIMEOUT"] = answer
        connect_args = dict(options.get("connect_args", {}))
        connect_args.setdefault("connect_timeout", connect)
        connect_args.setdefault("options", f"-c statement_timeout={statement} -c lock_timeout={statement}")
        options["connect_args"] = connect_args
        options.setdefault("pool_timeout", pool)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def default_database_url(app: Flask) -> str:
    return f"sqlite:///{Path(app.instance_path) / 'trygg.sqlite'}"


MINIMUM_SECRET_KEY_LENGTH = 32


def _require_secret_key(app: Flask, environment: str) -> None:
    key = app.config.get("SECRET_KEY")
    if key and environment == "production" and len(key) < MINIMUM_SECRET_KEY_LENGTH:
        # The key signs the session cookie: a short one can be guessed offline from any cookie the app hands out.
        raise ConfigError(
            f"SECRET_KEY is too short ({len(key)} characters; at least {MINIMUM_SECRET_KEY_LENGTH} are needed). "
            "Set it to a long random value, for example: python -c 'import secrets; print(secrets.token_hex(32))'."
        )
    if key:
        return
    if environment == "production":
        raise ConfigError(
            "SECRET_KEY is not set. Set the environment variable SECRET_KEY to a long random value "
            "(for example: python -c 'import secrets; print(secrets.token_hex(32))'), "
            "or set TRYGG_ENV=development for a local demo."
        )
    # Development and tests: a fixed key that says what it is; such cookies are not Secure and serve 127.0.0.1 only.
    app.config["SECRET_KEY"] = f"{environment}-only-key-not-secret"


def _check_proxy_hops(app: Flask) -> None:
    hops = app.config["PROXY_HOPS"]
    if isinstance(hops, str) and hops.isdigit():
        hops = app.config["PROXY_HOPS"] = int(hops)
    if isinstance(hops, bool) or not isinstance(hops, int) or hops < 0:
        raise ConfigError(
            f"TRYGG_PROXY_HOPS={hops!r} is not a number of proxies: set 0 (none, the default) or, behind one "
            "reverse proxy on this host, 1."
        )


def _check_staff_session_settings(app: Flask) -> None:
    for key in ("STAFF_IDLE_MINUTES", "STAFF_SESSION_HOURS", "KNOWN_DEVICE_DAYS"):
        value = app.config[key]
        if isinstance(value, str) and value.isdigit():
            value = app.config[key] = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(f"TRYGG_{key}={value!r} is not a whole number of at least 1.")


def _check_public_url(app: Flask, environment: str) -> None:
    url = app.config.get("PUBLIC_URL")
    if not url:
        if environment == "production":
            raise ConfigError(
                "TRYGG_PUBLIC_URL is not set. Set it to the address residents use, for example "
                "TRYGG_PUBLIC_URL=https://trygg.kommun.se (printed invitation links are built from it)."
            )
        return  # development and tests: links name the host the request came to
    wanted = ("https",) if environment == "production" else ("http", "https")
    if not _is_plain_address(str(url), wanted):
        raise ConfigError(
            f"TRYGG_PUBLIC_URL={url!r} is not a plain {' or '.join(wanted)} address such as https://trygg.kommun.se."
        )
    app.config["PUBLIC_URL"] = str(url).rstrip("/")


def _is_plain_address(url: str, schemes: tuple[str, ...]) -> bool:
    parts = urlsplit(url)
    try:
        _ = parts.port  # a port that is not a number raises here
    except ValueError:
        return False
    return parts.scheme in schemes and bool(parts.hostname) and not (parts.query or parts.fragment or parts.username)
