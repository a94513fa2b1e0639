"""`trygg backup` and `trygg restore`: an online, consistent copy of the database, restored only into an empty one
and checked against a fingerprint of every table taken from the same snapshot as the copy.

- SQLite: the backup API copies the live database page by page while the app runs (`sqlite3.Connection.backup`),
  and the fingerprint is read from the finished copy.
- PostgreSQL: the fingerprint is read in a REPEATABLE READ transaction whose snapshot `pg_dump --snapshot` then dumps,
  so both see exactly the same rows however many residents answer meanwhile (custom format; `pg_restore` reads it).

Next to the copy `FILE` goes `FILE.manifest.json`: the format, the schema revision and, per table, its row count and
a SHA-256 over its rows in primary-key order. `restore` refuses a database that already has tables, restores, and
compares the restored tables with the manifest; any difference is an error that names the table.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, create_engine, inspect, select, text
from sqlalchemy.engine import URL, make_url

from survey_app.db import Base
from survey_app.i18n import cli_gettext as _

MANIFEST_SUFFIX = ".manifest.json"


class BackupError(RuntimeError):
    """A backup or restore that cannot be done or did not come out the same; the message says what to do."""


@dataclass(frozen=True, slots=True)
class TableFingerprint:
    rows: int
    sha256: str


Fingerprint = Mapping[str, TableFingerprint]


def fingerprint(connection: Connection) -> dict[str, TableFingerprint]:
    """Row count and SHA-256 of every table of the schema (and the Alembic version), rows in primary-key order."""
    out: dict[str, TableFingerprint] = {}
    tables = set(inspect(connection).get_table_names())
    for table in Base.metadata.sorted_tables:
        if table.name not in tables:
            continue
        digest, rows = hashlib.sha256(), 0
        query = select(*table.columns).order_by(*table.primary_key.columns)
        for row in connection.execution_options(yield_per=5000).execute(query):
            digest.update(repr(tuple(_plain(v) for v in row)).encode())
            rows += 1
        out[table.name] = TableFingerprint(rows, digest.hexdigest())
    if "alembic_version" in tables:
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        out["alembic_version"] = TableFingerprint(1, str(version))
    return out


def _plain(value: Any) -> Any:
    """The same value read from either copy gives the same text (JSON columns come back as dicts in key order)."""
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).isoformat()
    return value


def backup(database_url: str, target: Path) -> dict[str, TableFingerprint]:
    """Copy the database to `target` (a new file) and write its manifest; returns the fingerprint."""
    url = make_url(database_url)
    if target.exists():
        raise BackupError(_("%(path)s already exists; choose a new file name.", path=str(target)))
    if url.get_backend_name() == "sqlite":
        source = _sqlite_path(url)
        with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as live, sqlite3.connect(target) as copy:
            live.backup(copy)
        engine = create_engine(f"sqlite:///{target}")
        with engine.connect() as connection:
            prints = fingerprint(connection)
        engine.dispose()
        kind = "sqlite"
    elif url.get_backend_name() == "postgresql":
        _need("pg_dump")
        engine = create_engine(url, isolation_level="REPEATABLE READ")
        with engine.connect() as connection, connection.begin():
            snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            prints = fingerprint(connection)
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                  f"--file={target}", *_pg_args(url)], url)
        engine.dispose()
        kind = "postgresql"
    else:
        raise BackupError(_("Cannot back up a %(kind)s database.", kind=url.get_backend_name()))
    manifest = {"format": kind, "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "tables": {name: {"rows": p.rows, "sha256": p.sha256} for name, p in prints.items()}}
    Path(str(target) + MANIFEST_SUFFIX).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return prints


def restore(source: Path, database_url: str) -> dict[str, TableFingerprint]:
    """Restore `source` into the empty database at `database_url` and check it against the manifest."""
    manifest_path = Path(str(source) + MANIFEST_SUFFIX)
    if not source.is_file() or not manifest_path.is_file():
        raise BackupError(_("%(path)s and %(manifest)s must both exist.", path=str(source),
                            manifest=manifest_path.name))
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    url = make_url(database_url)
    if manifest.get("format") != url.get_backend_name():
        raise BackupError(_("The backup is of a %(kind)s database; restore it into one of the same kind.",
                            kind=str(manifest.get("format"))))
    engine = create_engine(url)
    with engine.connect() as connection:
        existing = inspect(connection).get_table_names()
    engine.dispose()
    if existing:
        raise BackupError(_("The target database is not empty (it has %(n)s tables); restore only into an empty "
                            "database.", n=len(existing)))
    if manifest["format"] == "sqlite":
        target = _sqlite_path(url)
        with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as copy, sqlite3.connect(target) as restored:
            copy.backup(restored)
    else:
        _need("pg_restore")
        _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", f"--dbname={_pg_dbname(url)}",
              str(source)], url)
    engine = create_engine(url)
    with engine.connect() as connection:
        prints = fingerprint(connection)
    engine.dispose()
    expected = {name: TableFingerprint(t["rows"], t["sha256"]) for name, t in manifest["tables"].items()}
    different = sorted(name for name in expected.keys() | prints.keys() if expected.get(name) != prints.get(name))
    if different:
        raise BackupError(_("The restored database differs from the backup in: %(tables)s.",
                            tables=", ".join(different)))
    return prints


def summary(prints: Fingerprint, tables: Iterable[str] = ("responses", "answers", "dialogues", "observations",
                                                          "audit_events")) -> str:
    return ", ".join(f"{name} {prints[name].rows}" for name in tables if name in prints)


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError(_("An in-memory SQLite database cannot be backed up or restored."))
    return Path(url.database)


def _pg_args(url: URL) -> list[str]:
    return [f"--dbname={_pg_dbname(url)}"]


def _pg_dbname(url: URL) -> str:
    """A libpq connection string without the password (that goes in the environment, not the process list)."""
    parts = {"host": url.host, "port": url.port, "user": url.username, "dbname": url.database}
    return " ".join(f"{key}={value}" for key, value in parts.items() if value)


def _run(arguments: list[str], url: URL, runner: Callable[..., Any] = subprocess.run) -> None:
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = url.password
    result = runner(arguments, env=environment, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(_("%(program)s failed: %(error)s", program=arguments[0], error=result.stderr.strip()[:500]))


def _need(program: str) -> None:
    if shutil.which(program) is None:
        raise BackupError(_("%(program)s is not installed (Debian: apt-get install postgresql-client).",
                            program=program))
