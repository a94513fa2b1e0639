"""Questionnaire versions in the database, through the service and the `trygg questionnaire` commands."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from analysis.instrument import default_directory
from survey_app.cli import main
from survey_app.extensions import db
from survey_app.models import Questionnaire
from survey_app.survey.questionnaires import QuestionnaireLoadError, instrument_of, load_questionnaire

SHIPPED = sorted(default_directory().glob("*.yaml"))


def test_both_instruments_ship() -> None:
    assert {path.name for path in SHIPPED} >= {"trygghetsenkat-v1.yaml", "trygghetsenkat-unga-v1.yaml"}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: path.name)
def test_validate_command_accepts_each_shipped_questionnaire(path: Path) -> None:
    from click.testing import CliRunner

    result = CliRunner().invoke(main, ["questionnaire", "validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "inga fel" in result.output


def test_validate_command_lists_every_problem_with_item_and_field(tmp_path: Path) -> None:
    from click.testing import CliRunner

    broken = tmp_path / "trasig-v1.yaml"
    source = (default_directory() / "trygghetsenkat-v1.yaml").read_text(encoding="utf-8")
    item = "      - code: unsafe_evening\n"
    source = source.replace(item, item + "        show_if: {item: nothing_here, equals: x}\n", 1)
    broken.write_text(source.replace("scale: evening_safety", "scale: no_such_scale", 1), encoding="utf-8")
    result = CliRunner().invoke(main, ["questionnaire", "validate", str(broken)])
    assert result.exit_code != 0
    problems = [line for line in result.output.splitlines() if "unsafe_evening: " in line]
    assert any("show_if" in line for line in problems), result.output
    assert any("scale" in line for line in problems), result.output
    assert "Traceback" not in result.output


def test_validate_command_on_a_missing_file_says_so() -> None:
    from click.testing import CliRunner

    result = CliRunner().invoke(main, ["questionnaire", "validate", "finns/inte.yaml"])
    assert result.exit_code != 0
    assert "filen finns inte" in result.output


def test_load_stores_a_version_once_and_refuses_changed_content(app: Flask, tmp_path: Path) -> None:
    path = default_directory() / "trygghetsenkat-v1.yaml"
    runner = app.test_cli_runner()
    first = runner.invoke(main, ["questionnaire", "load", str(path)])
    assert first.exit_code == 0, first.output
    assert "inläst" in first.output
    again = runner.invoke(main, ["questionnaire", "load", str(path)])
    assert again.exit_code == 0
    assert "fanns redan" in again.output

    changed = tmp_path / path.name
    changed.write_text(path.read_text(encoding="utf-8") + "\n# changed under the same version\n", encoding="utf-8")
    refused = runner.invoke(main, ["questionnaire", "load", str(changed)])
    assert refused.exit_code != 0
    assert "already loaded with other content" in refused.output

    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Questionnaire)) == 1
        stored = db.session.scalars(select(Questionnaire)).one()
        assert (stored.slug, stored.version) == ("trygghetsenkat", "1")
        assert instrument_of(stored).item("unsafe_evening").codes[0] == "very_safe"


def test_load_refuses_an_invalid_file_and_stores_nothing(db_session, tmp_path: Path) -> None:
    broken = tmp_path / "x-v1.yaml"
    broken.write_text("slug: x\nversion: '1'\npages: [", encoding="utf-8")
    with pytest.raises(QuestionnaireLoadError) as raised:
        load_questionnaire(db_session, broken)
    assert raised.value.lines
    assert db_session.scalar(select(func.count()).select_from(Questionnaire)) == 0
