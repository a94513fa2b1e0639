"""`trygg backup` and `trygg restore`: an online copy restored into an empty database with the same responses,
dialogues and audit log, on SQLite and PostgreSQL; a non-empty target and a tampered copy are refused."""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import make_url

from survey_app.cli import main
from survey_app.demo import load_demo
from survey_app.extensions import db
from survey_app.models import Answer, AuditEvent, Dialogue, Response


def _counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    with engine.connect() as connection:
        counts = {model.__tablename__: connection.scalar(select(func.count()).select_from(model))
                  for model in (Response, Answer, Dialogue, AuditEvent)}
        counts["keys"] = hash(tuple(connection.scalars(select(Response.id).order_by(Response.id))))
    engine.dispose()
    return counts


def _run(app: Flask, *arguments: str):
    return app.test_cli_runner().invoke(main, list(arguments))


@pytest.fixture
def populated(app: Flask) -> Flask:
    with app.app_context():
        load_demo(db.session, responses=80)
        db.session.commit()
    return app


def test_backup_and_restore_round_trip(populated: Flask, database_url: str, empty_database_factory,
                                       tmp_path: Path) -> None:
    backend = make_url(database_url).get_backend_name()
    before = _counts(database_url)
    assert before["responses"] == 80
    assert before["dialogues"] > 0
    assert before["audit_events"] > 0

    copy = tmp_path / "trygg.backup"
    made = _run(populated, "backup", str(copy))
    assert made.exit_code == 0, made.output
    assert "responses 80" in made.output
    assert Path(str(copy) + ".manifest.json").is_file()

    target = empty_database_factory(backend, f"restore{uuid.uuid4().hex[:8]}")
    restored = _run(populated, "restore", str(copy), "--into", target)
    assert restored.exit_code == 0, restored.output
    assert "varje tabell är densamma" in restored.output
    assert _counts(target) == before

    again = _run(populated, "restore", str(copy), "--into", target)
    assert again.exit_code != 0
    assert "Måldatabasen är inte tom" in again.output


def test_a_tampered_sqlite_copy_is_caught_on_restore(populated: Flask, database_url: str, empty_database_factory,
                                                      tmp_path: Path) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("tampering with the file is the SQLite case; pg_restore checks its own format")
    copy = tmp_path / "trygg.backup"
    assert _run(populated, "backup", str(copy)).exit_code == 0
    with sqlite3.connect(copy) as connection:
        connection.execute("DELETE FROM answers WHERE rowid IN (SELECT rowid FROM answers LIMIT 1)")
    target = empty_database_factory("sqlite", f"tampered{uuid.uuid4().hex[:8]}")
    result = _run(populated, "restore", str(copy), "--into", target)
    assert result.exit_code != 0
    assert "answers" in result.output


def test_a_backup_never_overwrites_a_file(populated: Flask, tmp_path: Path) -> None:
    copy = tmp_path / "trygg.backup"
    assert _run(populated, "backup", str(copy)).exit_code == 0
    size = copy.stat().st_size
    second = _run(populated, "backup", str(copy))
    assert second.exit_code != 0
    assert "finns redan" in second.output
    assert copy.stat().st_size == size
