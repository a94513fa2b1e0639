"""The `trygg` command line."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import func, select

from survey_app.auth.passwords import verify_password
from survey_app.cli import main
from survey_app.extensions import db
from survey_app.models import AuditEvent, StaffUser

ROOT = Path(__file__).resolve().parents[2]
STRONG = "korvstånd-Lyktstolpe-91-gräsmatta"


def invoke(app: Flask, arguments: list[str], stdin: str | None = None):
    return app.test_cli_runner().invoke(main, arguments, input=stdin)


def test_user_create_reads_the_password_twice_and_stores_an_argon2id_hash(app: Flask) -> None:
    result = invoke(app, ["user", "create", "--role", "analyst", "--email", " Ana@Kommun.se "], f"{STRONG}\n{STRONG}\n")
    assert result.exit_code == 0, result.output
    assert "Skapade analyst ana@kommun.se." in result.output
    with app.app_context():
        user = db.session.scalars(select(StaffUser)).one()
        assert user.email == "ana@kommun.se"
        assert user.role == "analyst"
        assert user.password_hash.startswith("$argon2id$")
        assert verify_password(user.password_hash, STRONG)
        assert not verify_password(user.password_hash, STRONG + "x")
        event = db.session.scalars(select(AuditEvent)).one()
        assert (event.action, event.actor_label, event.target_id) == ("staff_user.create", "cli", str(user.id))


@pytest.mark.parametrize(
    ("email", "passwords", "message"),
    [
        ("a@kommun.se", "Sommar2024!\nSommar2024!\n", "minst 12 tecken"),
        ("a@kommun.se", "trygghet2024kommun\ntrygghet2024kommun\n", "för lätt att gissa"),
        ("a@kommun.se", "aaaaaaaaaaaaaaaa\naaaaaaaaaaaaaaaa\n", "för lätt att gissa"),
        ("a@kommun.se", f"{STRONG}\n{STRONG}x\n", "inte likadana"),
        ("inte-en-adress", f"{STRONG}\n{STRONG}\n", "giltig e-postadress"),
    ],
)
def test_user_create_rejects_weak_passwords_and_bad_input(app: Flask, email: str, passwords: str, message: str) -> None:
    result = invoke(app, ["user", "create", "--role", "admin", "--email", email], passwords)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(StaffUser)) == 0


def test_user_create_refuses_a_duplicate_and_an_unknown_role(app: Flask) -> None:
    first = invoke(app, ["user", "create", "--role", "admin", "--email", "a@kommun.se"], f"{STRONG}\n{STRONG}\n")
    assert first.exit_code == 0
    duplicate = invoke(app, ["user", "create", "--role", "admin", "--email", "A@kommun.se"], f"{STRONG}\n{STRONG}\n")
    assert duplicate.exit_code != 0
    assert "finns redan ett personalkonto" in duplicate.output
    unknown = invoke(app, ["user", "create", "--role", "boss", "--email", "b@kommun.se"], f"{STRONG}\n{STRONG}\n")
    assert unknown.exit_code != 0


def test_db_upgrade_builds_an_empty_database(app_factory, empty_database_factory, database_url: str) -> None:
    backend = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    fresh = empty_database_factory(backend, "cli_upgrade")
    app = app_factory({"SQLALCHEMY_DATABASE_URI": fresh})
    result = invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "Databasen är uppdaterad." in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(StaffUser)) == 0  # the table exists


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_serve_runs_gunicorn_on_the_given_port(tmp_path: Path) -> None:
    port = _free_port()
    database = tmp_path / "serve.sqlite"
    environment = {**os.environ, "TRYGG_ENV": "development", "DATABASE_URL": f"sqlite:///{database}"}
    subprocess.run([sys.executable, "-m", "survey_app.cli", "db", "upgrade"], env=environment, check=True, cwd=ROOT,
                   capture_output=True)
    server = subprocess.Popen(
        [sys.executable, "-m", "survey_app.cli", "serve", "--port", str(port), "--workers", "1"],
        env=environment, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        body = ""
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    body = response.read().decode()
                    server_header = response.headers.get("Server", "")
                break
            except OSError:
                time.sleep(0.1)
        assert "Trygghetsenkäter" in body
        assert "gunicorn" in server_header
        for path in ("/enkat/finns-inte", "/tillganglighet"):
            with contextlib.suppress(OSError):  # a 404 raises; only the log line matters
                urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5).close()
    finally:
        server.terminate()
        server.wait(timeout=10)
        assert server.stdout is not None
        log = server.stdout.read().decode()
        server.stdout.close()
    # The access log names pages, never who asked, and says nothing of the residents' survey pages.
    assert '"GET /tillganglighet"' in log
    assert "/enkat/" not in log
    assert "127.0.0.1 -" not in log
    assert "Python-urllib" not in log


def test_help_works_before_any_configuration_and_missing_secret_is_one_clear_line() -> None:
    environment = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "TRYGG_ENV", "DATABASE_URL"}}
    listing = subprocess.run([sys.executable, "-m", "survey_app.cli", "--help"], env=environment, cwd=ROOT,
                             capture_output=True, text=True, check=False)
    assert listing.returncode == 0
    for command in ("analyse", "db", "demo", "questionnaire", "serve", "survey", "user"):
        assert f"  {command} " in listing.stdout
    assert "Traceback" not in listing.stderr

    refused = subprocess.run([sys.executable, "-m", "survey_app.cli", "db", "upgrade"], env=environment, cwd=ROOT,
                             capture_output=True, text=True, check=False)
    assert refused.returncode != 0
    assert "SECRET_KEY is not set" in refused.stderr
    assert "Traceback" not in refused.stderr


# --- trygg analyse: the tables are written by survey_app.exports ---------------------------------------------

UNSAFE = "share_unsafe=unsafe_evening:fairly_unsafe,very_unsafe/very_safe,fairly_safe,fairly_unsafe,very_unsafe"


@pytest.fixture
def responses(tmp_path: Path) -> Path:
    """120 answers in two areas; the second area's name is text a spreadsheet would run as a formula."""
    path = tmp_path / "resp.csv"
    lines = ["area,gender,age,unsafe_evening"]
    for i in range(120):
        area = "Norrby" if i < 70 else "=1+1"
        answer = ("very_safe", "fairly_safe", "fairly_unsafe", "very_unsafe")[i % 4]
        lines.append(f"{area},{('kvinna', 'man')[i % 2]},{20 + i % 50},{answer}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def analyse(*arguments: object):
    from click.testing import CliRunner

    return CliRunner().invoke(main, ["analyse", *(str(a) for a in arguments)])


def test_analyse_writes_plain_csv_to_standard_output_and_xlsx_to_a_file(responses: Path, tmp_path: Path) -> None:
    result = analyse(responses, "--measure", UNSAFE, "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# measures\nmeasure,measure_label,breakdown,group_label,area,gender,age_band")
    assert "\n# comparisons\n" in result.stdout
    assert "\r" not in result.stdout
    assert "\ufeff" not in result.stdout
    assert "share_unsafe,share_unsafe,total,Totalt,,,,,120,0.5," in result.stdout  # a decimal point, not a comma

    target = tmp_path / "out.xlsx"
    result = analyse(responses, "--measure", UNSAFE, "--format", "xlsx", "--output", target)
    assert result.exit_code == 0, result.output
    book = load_workbook(target)
    assert book.sheetnames == ["measures", "comparisons", "definitions", "weighting", "associations", "suppression",
                               "data_quality"]
    sheet = book["measures"]
    assert sheet["A1"].value == "measure"
    assert sheet["A1"].font.b
    assert sheet.freeze_panes == "A2"
    total = next(row for row in sheet.iter_rows(min_row=2) if row[2].value == "total")
    assert (total[8].value, total[8].data_type, total[9].value, total[9].data_type) == (120, "n", 0.5, "n")


def test_an_area_named_like_a_formula_is_text_in_the_xlsx_and_guarded_in_the_csv(responses: Path,
                                                                                tmp_path: Path) -> None:
    target = tmp_path / "out.xlsx"
    result = analyse(responses, "--measure", UNSAFE, "--format", "xlsx", "--output", target)
    assert result.exit_code == 0, result.output
    book = load_workbook(target)
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    named = [cell for cell in cells if cell.value == "=1+1"]
    assert named
    assert all(cell.data_type == "s" for cell in named)
    assert not [cell for cell in cells if cell.data_type == "f"]

    result = analyse(responses, "--measure", UNSAFE, "--format", "csv")
    assert result.exit_code == 0, result.output
    areas = {row[4] for row in csv.reader(io.StringIO(result.stdout)) if row and row[0] == "share_unsafe"}
    assert "'=1+1" in areas
    assert "=1+1" not in areas


def test_analyse_csv_for_swedish_excel(responses: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    result = analyse(responses, "--measure", UNSAFE, "--format", "csv", "--csv-dialect", "excel-sv", "--output",
                     target)
    assert result.exit_code == 0, result.output
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf# measures\r\nmeasure;measure_label;breakdown;group_label;area;gender")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    total = next(row for row in rows if row[:3] == ["share_unsafe", "share_unsafe", "total"])
    assert total[8:10] == ["120", "0,5"]
    assert analyse(responses, "--measure", UNSAFE, "--format", "csv", "--csv-dialect", "excel").exit_code == 2


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_analyse_reports_an_output_it_cannot_write_in_one_line(responses: Path, tmp_path: Path,
                                                               file_format: str) -> None:
    result = analyse(responses, "--measure", UNSAFE, "--format", file_format, "--output", tmp_path / "no" / "x")
    assert result.exit_code == 2
    assert "No such file or directory" in result.stderr
    assert "Traceback" not in result.output
