"""The `trygg` command: database, staff users, questionnaires, the demo, the server and the analysis."""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import os
import sys
from pathlib import Path

import click
from flask import Flask, current_app, has_app_context
from flask.cli import FlaskGroup, ScriptInfo, with_appcontext

from survey_app import migrate
from survey_app.admin.commands import areas_group
from survey_app.cli_operations import backup_command, restore_command, retention_group
from survey_app.i18n import cli_gettext as _
from survey_app.indicators.cli import indicators_group


def _create_app() -> Flask:
    from survey_app import create_app
    from survey_app.config import ConfigError

    try:
        return create_app()
    except ConfigError as error:  # a clear one-line message, not a traceback
        raise click.ClickException(str(error)) from None


class TryggGroup(FlaskGroup):
    """Flask's command group with only our own commands: listing them (`trygg --help`) never builds the app, so it
    works before any configuration exists."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return click.Group.get_command(self, ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return click.Group.list_commands(self, ctx)


@click.group(cls=TryggGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """Trygg: trygghetsenkäter och trygghetsdialoger."""


# --- database -----------------------------------------------------------------------------------------------


@click.group("db")
def db_group() -> None:
    """Database schema (Alembic migrations)."""


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True)
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Bring the database schema up to date."""
    migrate.upgrade(current_app.config["SQLALCHEMY_DATABASE_URI"], revision)
    click.echo(_("The database is up to date."))


@db_group.command("revision")
@click.option("-m", "--message", required=True, help='What the migration changes, e.g. "indicator series".')
def db_revision(message: str) -> None:
    """Write a new migration from the changes in the models (read and edit it before committing)."""
    path = migrate.new_revision(message)
    click.echo(_("Wrote %(path)s. Read it, edit it, and run the migration tests.", path=path))


# --- staff users --------------------------------------------------------------------------------------------


@click.group("user")
def user_group() -> None:
    """Staff accounts."""


def _read_new_password() -> str:
    stdin = sys.stdin
    if stdin.isatty():
        return click.prompt(_("Password"), hide_input=True, confirmation_prompt=_("Repeat the password"))
    first, second = stdin.readline().rstrip("\r\n"), stdin.readline().rstrip("\r\n")
    if first != second:
        from survey_app.auth.messages import ACCOUNT_MESSAGES

        raise click.ClickException(str(ACCOUNT_MESSAGES["password_mismatch"]))
    return first


@user_group.command("create")
@click.option("--role", required=True, type=click.Choice(["admin", "facilitator", "analyst"]))
@click.option("--email", required=True)
@with_appcontext
def user_create(role: str, email: str) -> None:
    """Create a staff user; the password is read twice from standard input."""
    from survey_app.auth.messages import ACCOUNT_MESSAGES
    from survey_app.auth.services import create_staff_user
    from survey_app.errors import ServiceError
    from survey_app.extensions import db

    password = _read_new_password()
    try:
        user = create_staff_user(db.session(), email=email, password=password, role=role, actor=None, actor_label="cli")
    except ServiceError as error:
        db.session.rollback()
        raise click.ClickException(str(ACCOUNT_MESSAGES[error.reason])) from None
    db.session.commit()
    click.echo(_("Created %(role)s %(email)s.", role=user.role, email=user.email))


# --- questionnaires -----------------------------------------------------------------------------------------


@click.group("questionnaire")
def questionnaire_group() -> None:
    """Questionnaire definitions (YAML in questionnaires/)."""


@questionnaire_group.command("validate")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def questionnaire_validate(path: Path) -> None:
    """Check a questionnaire file and list every problem."""
    from analysis.instrument import validate_file

    if not path.is_file():
        raise click.ClickException(_("%(path)s: the file does not exist.", path=path))
    problems = validate_file(path)
    for problem in problems:
        click.echo(f"{problem.file}: {problem.item or '-'}: {problem.field or '-'}: {problem.message}", err=True)
    if problems:
        raise click.ClickException(_("%(path)s: %(n)s problems.", path=path, n=len(problems)))
    click.echo(_("%(path)s: no problems.", path=path))


@questionnaire_group.command("load")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def questionnaire_load(path: Path) -> None:
    """Load a valid questionnaire file into the database (a version is never changed once loaded)."""
    from survey_app.extensions import db
    from survey_app.survey.questionnaires import QuestionnaireLoadError, load_questionnaire

    try:
        questionnaire, created = load_questionnaire(db.session(), path)
    except QuestionnaireLoadError as error:
        db.session.rollback()
        for line in error.lines:
            click.echo(line, err=True)
        raise click.ClickException(_("%(path)s: could not be loaded.", path=path)) from None
    db.session.commit()
    if created:
        click.echo(_("%(slug)s %(version)s: loaded.", slug=questionnaire.slug, version=questionnaire.version))
    else:
        click.echo(_("%(slug)s %(version)s: already loaded, unchanged.", slug=questionnaire.slug,
                     version=questionnaire.version))


# --- survey waves -------------------------------------------------------------------------------------------


@click.group("survey")
def survey_group() -> None:
    """Survey waves."""


def _parse_date(value: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(_("Write the date as YYYY-MM-DD."), param_hint=option) from None


@survey_group.command("open")
@click.option("--questionnaire", "questionnaire_ref", required=True, help="SLUG or SLUG:VERSION (newest if omitted).")
@click.option("--slug", required=True, help="Address of the wave, e.g. trygghetsenkat-2027.")
@click.option("--title", required=True)
@click.option("--start", "start_text", required=True, help="First day, YYYY-MM-DD.")
@click.option("--end", "end_text", required=True, help="Last day, YYYY-MM-DD.")
@click.option("--areas", "area_codes", default="", help="Area codes, comma separated (default: every area).")
@click.option("--languages", default="sv", show_default=True, help="Comma separated; sv is required.")
@click.option("--access", type=click.Choice(["link", "codes", "both"]), default="link", show_default=True)
@click.option("--codes", "code_count", type=click.IntRange(0, 100_000), default=0, help="Invitation codes to print.")
@click.option("--draft", "as_draft", is_flag=True, help="Create the wave without opening it.")
@with_appcontext
def survey_open(
    questionnaire_ref: str, slug: str, title: str, start_text: str, end_text: str, area_codes: str,
    languages: str, access: str, code_count: int, as_draft: bool,
) -> None:
    """Create a survey wave from a loaded questionnaire version and open it."""
    from sqlalchemy import select

    from survey_app.errors import ServiceError
    from survey_app.extensions import db
    from survey_app.models import Area, Questionnaire, SurveyStatus
    from survey_app.survey.messages import WAVE_MESSAGES
    from survey_app.survey.waves import create_wave, generate_invitation_codes

    slug_part, _sep, version = questionnaire_ref.partition(":")
    query = select(Questionnaire).where(Questionnaire.slug == slug_part)
    if version:
        query = query.where(Questionnaire.version == version)
    candidates = list(db.session.scalars(query.order_by(Questionnaire.loaded_at.desc(), Questionnaire.id.desc())))
    if not candidates:
        raise click.ClickException(_("No loaded questionnaire %(ref)s. Load it with `trygg questionnaire load`.",
                                     ref=questionnaire_ref))
    codes = [code.strip() for code in area_codes.split(",") if code.strip()]
    areas = list(db.session.scalars(select(Area).where(Area.code.in_(codes)) if codes else select(Area)))
    missing = sorted(set(codes) - {area.code for area in areas})
    if missing:
        raise click.ClickException(_("Unknown areas: %(codes)s.", codes=", ".join(missing)))
    try:
        survey = create_wave(
            db.session(), questionnaire=candidates[0], slug=slug, title=title,
            period_start=_parse_date(start_text, "--start"), period_end=_parse_date(end_text, "--end"),
            areas=areas, languages=[lang.strip() for lang in languages.split(",") if lang.strip()],
            open_link=access in ("link", "both"), invitation_codes=access in ("codes", "both"),
            status=SurveyStatus.DRAFT if as_draft else SurveyStatus.OPEN, actor=None, actor_label="cli",
        )
        printed = (generate_invitation_codes(db.session(), survey, code_count, actor=None, actor_label="cli")
                   if code_count else [])
    except ServiceError as error:
        db.session.rollback()
        raise click.ClickException(str(WAVE_MESSAGES[error.reason])) from None
    db.session.commit()
    click.echo(_("Survey wave %(slug)s created (%(status)s), %(areas)s areas.", slug=survey.slug,
                 status=survey.status, areas=len(areas)))
    for code in printed:
        click.echo(code)


@survey_group.command("close")
@click.argument("slug")
@with_appcontext
def survey_close(slug: str) -> None:
    """Close a wave; answers in progress that were never sent are deleted."""
    from sqlalchemy import select

    from survey_app.extensions import db
    from survey_app.models import Survey
    from survey_app.survey.waves import close_wave

    survey = db.session.scalar(select(Survey).where(Survey.slug == slug))
    if survey is None:
        raise click.ClickException(_("No survey wave %(slug)s.", slug=slug))
    deleted = close_wave(db.session(), survey, actor=None, actor_label="cli")
    db.session.commit()
    click.echo(_("Closed %(slug)s; %(n)s unsent drafts deleted.", slug=slug, n=deleted))


@survey_group.command("close-expired")
@with_appcontext
def survey_close_expired() -> None:
    """Close every wave whose period has ended and delete its unsent drafts (run daily)."""
    from survey_app.db import today
    from survey_app.extensions import db
    from survey_app.survey.waves import close_expired_waves, purge_orphan_drafts

    closed = close_expired_waves(db.session(), today(), actor_label="cli")
    purge_orphan_drafts(db.session())
    db.session.commit()
    click.echo(_("Closed %(n)s survey waves.", n=len(closed)))


@survey_group.command("release")
@with_appcontext
def survey_release() -> None:
    """Store the held responses that are due, shuffled (run daily after midnight, e.g. from cron)."""
    from survey_app.db import today
    from survey_app.extensions import db
    from survey_app.survey.holding import release_due

    stored = release_due(db.session(), today())
    db.session.commit()
    click.echo(_("Stored %(n)s held responses.", n=stored))


@survey_group.command("verify-store")
@click.argument("slug")
@click.option("--rebuild", is_flag=True, help="Rewrite every response's analysis codes that differ from its answers.")
@with_appcontext
def survey_verify_store(slug: str, rebuild: bool) -> None:
    """Recompute the analysis copy of every response from its stored answers and report any difference."""
    from sqlalchemy import select

    from survey_app.extensions import db
    from survey_app.models import Survey
    from survey_app.survey.codes import verify_wave
    from survey_app.survey.questionnaires import instrument_of

    survey = db.session.scalar(select(Survey).where(Survey.slug == slug))
    if survey is None:
        raise click.ClickException(_("No survey wave %(slug)s.", slug=slug))
    found = verify_wave(db.session(), survey, instrument_of(survey.questionnaire), rebuild=rebuild)
    db.session.commit()
    if found.ok:
        click.echo(_("%(slug)s: the analysis copy of all %(n)s responses agrees with their stored answers.",
                     slug=slug, n=found.responses))
        return
    click.echo(_("%(slug)s: %(differing)s of %(n)s responses have an analysis copy that differs from their stored "
                 "answers (%(missing)s have none).", slug=slug, differing=found.differing, n=found.responses,
                 missing=found.missing))
    for column, count in sorted(found.columns.items()):
        click.echo(f"  {column:<32} {count}")
    if found.rebuilt:
        click.echo(_("Rebuilt them from the stored answers."))
    else:
        click.echo(_("Run again with --rebuild to rewrite them from the stored answers."))
        sys.exit(1)


# --- demo, server, analysis ---------------------------------------------------------------------------------


@click.command("demo")
@click.option("--responses", default=3000, show_default=True, help="Number of synthetic responses.")
@click.option("--seed", default=2026, show_default=True)
@click.option("--earlier-wave/--no-earlier-wave", default=True, show_default=True,
              help="Also a closed wave a year earlier, for the trend view.")
@click.option("--youth-wave/--no-youth-wave", default=True, show_default=True,
              help="Also an open wave of the youth questionnaire, with children's own answers.")
@with_appcontext
def demo(responses: int, seed: int, earlier_wave: bool, youth_wave: bool) -> None:
    """Load a demo municipality with areas, an open survey wave, synthetic responses and staff users."""
    from survey_app.demo import load_demo
    from survey_app.extensions import db

    result = load_demo(db.session(), responses=responses, seed=seed, earlier_wave=earlier_wave,
                       youth_wave=youth_wave)
    db.session.commit()
    if result.created:
        click.echo(_("Demo loaded: %(areas)s areas, %(responses)s responses in the survey \"%(title)s\".",
                     areas=result.areas, responses=result.responses, title=result.survey_title))
    else:
        click.echo(_("The demo was already loaded; the demo users have been given new passwords."))
    click.echo(_("Demo users (the passwords are shown only now):"))
    for email, role, password in result.users:
        click.echo(f"  {role:<12} {email:<32} {password}")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 256),
              help="requests each worker serves at once")
def serve(host: str, port: int, workers: int, threads: int) -> None:
    """Serve the app with gunicorn."""
    from survey_app.server import run_gunicorn

    run_gunicorn(_create_app(), bind=f"{host}:{port}", workers=workers, threads=threads)


@click.command(
    "analyse",
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []},
    add_help_option=False,
)
@click.argument("arguments", nargs=-1, type=click.UNPROCESSED)
def analyse(arguments: tuple[str, ...]) -> None:
    """Compute perceived-safety measures from a responses CSV (see `trygg analyse --help`)."""
    from analysis.cli import main as analysis_main

    with contextlib.ExitStack() as stack:
        opened: list[bool] = []

        def read_wave(slug: str) -> tuple:
            if not opened:  # the app (and its database) only when a wave is asked for: a CSV needs no configuration
                if not has_app_context():  # the app `trygg` (or a test's CLI runner) is made with
                    stack.enter_context(click.get_current_context().ensure_object(ScriptInfo).load_app().app_context())
                opened.append(True)
            return _read_wave(slug)

        code = analysis_main(list(arguments), write_tables=write_analysis_tables, read_wave=read_wave)
    sys.exit(code)


def _read_wave(slug: str) -> tuple:
    """`trygg analyse --wave SLUG`: the wave from the database, through the same path as the results pages."""
    from sqlalchemy import select

    from analysis.errors import InputError
    from survey_app.extensions import db
    from survey_app.insights.service import wave_input
    from survey_app.models import Survey

    survey = db.session.scalar(select(Survey).where(Survey.slug == slug))
    if survey is None:
        raise InputError(_("No survey wave %(slug)s.", slug=slug))
    data = wave_input(db.session(), survey)
    if data.responses is None:
        raise InputError(_("The survey wave %(slug)s has no responses yet.", slug=slug))
    return data.responses, data.population, data.instrument


def write_analysis_tables(tables: dict[str, list[list]], *, fmt: str, output: str | None, csv_dialect: str) -> None:
    """`trygg analyse --format csv|xlsx`: one sheet per table; CSV to a directory (`--output DIR/`, or an existing
    directory) as one file per table, `DIR/<table>.csv`; otherwise one CSV with a `# name` line above each table."""
    from survey_app import exports

    if fmt == "csv" and output is not None and (output.endswith(("/", os.sep)) or os.path.isdir(output)):
        os.makedirs(output, exist_ok=True)
        for name, rows in tables.items():
            with open(os.path.join(output, f"{name}.csv"), "wb") as target:
                target.writelines(exports.csv_chunks(rows, dialect=exports.CSV_DIALECTS[csv_dialect]))
        return
    if fmt == "xlsx":
        if output is None:  # analysis.cli refuses --format xlsx without --output before it calls this
            raise ValueError("an XLSX workbook needs an output path")
        exports.write_xlsx([exports.Sheet(name, rows[0], rows[1:]) for name, rows in tables.items()], output)
        return
    lines = itertools.chain.from_iterable(([f"# {name}"], *rows, []) for name, rows in tables.items())
    chunks = exports.csv_chunks(lines, dialect=exports.CSV_DIALECTS[csv_dialect])
    if output:
        with open(output, "wb") as target:
            target.writelines(chunks)
    elif (binary := getattr(sys.stdout, "buffer", None)) is not None:
        sys.stdout.flush()
        binary.writelines(chunks)
        binary.flush()
    else:  # a text-only stream (an embedding host); each chunk is whole characters
        sys.stdout.writelines(chunk.decode("utf-8") for chunk in chunks)


COMMANDS = (db_group, user_group, questionnaire_group, survey_group, demo, serve, analyse, backup_command,
            restore_command, retention_group, areas_group, indicators_group)
for _command in COMMANDS:
    main.add_command(_command)


def register_commands(app: Flask) -> None:
    for command in COMMANDS:
        app.cli.add_command(command)


if __name__ == "__main__":
    main()
