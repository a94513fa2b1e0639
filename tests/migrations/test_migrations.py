"""Alembic is the only way the schema changes: one head, a clean round trip, and no drift from the models."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect

from survey_app import migrate
from survey_app.db import Base
from tests.conftest import BACKENDS


def test_there_is_exactly_one_head() -> None:
    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1


def test_revision_files_are_date_prefixed() -> None:
    for path in migrate.MIGRATIONS_DIR.joinpath("versions").glob("*.py"):
        assert path.name[:11].replace("_", "").isdigit(), path.name


@pytest.fixture(params=BACKENDS)
def empty_database(request: pytest.FixtureRequest, empty_database_factory: Callable[[str, str], str]) -> str:
    return empty_database_factory(request.param, "migrations")


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def _drift(url: str) -> list[object]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return list(compare_metadata(context, Base.metadata))
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade_round_trip_without_drift(empty_database: str) -> None:
    migrate.upgrade(empty_database)
    assert _tables(empty_database) == set(Base.metadata.tables)
    assert _drift(empty_database) == []

    migrate.downgrade(empty_database, "base")
    assert _tables(empty_database) == set()

    migrate.upgrade(empty_database)
    assert _tables(empty_database) == set(Base.metadata.tables)
    assert _drift(empty_database) == []


def test_every_revision_steps_down_and_up_again(empty_database: str) -> None:
    """Each migration's downgrade undoes exactly its upgrade, one step at a time."""
    script = ScriptDirectory.from_config(migrate.alembic_config(empty_database))
    revisions = list(reversed(list(script.walk_revisions())))
    for revision in revisions:
        migrate.upgrade(empty_database, revision.revision)
        after_upgrade = _tables(empty_database)
        migrate.downgrade(empty_database, "-1")
        migrate.upgrade(empty_database, revision.revision)
        assert _tables(empty_database) == after_upgrade


def test_new_revision_writes_what_the_models_add_after_the_head(tmp_path: Path) -> None:
    """`trygg db revision`: a copy of the migrations without 0004 and later ones must regain 0004's change, numbered
    0004. (Pinned to 0004 rather than the newest file, so that adding a migration does not change what is checked.)"""
    directory = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS_DIR, directory, ignore=shutil.ignore_patterns("__pycache__"))
    removed_number = "0004"
    for path in directory.joinpath("versions").glob("*.py"):
        if path.name.split("_")[3] >= removed_number:
            path.unlink()

    written = migrate.new_revision("questionnaire definition again", directory)

    assert written.parent == directory / "versions"
    assert written.name.startswith(f"{dt.datetime.now(dt.UTC):%Y_%m_%d}_{removed_number}_questionnaire_definition")
    text = written.read_text()
    assert f"down_revision: str | Sequence[str] | None = '{int(removed_number) - 1:04d}'" in text
    assert "drop_column('definition')" in text  # the change migration 0004 makes, found from the models alone
