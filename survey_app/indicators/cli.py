"""`trygg indicators import FILE`: the same check and import as the upload form, for scheduled jobs."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from survey_app.i18n import cli_gettext as _


@click.group("indicators")
def indicators_group() -> None:
    """Indicator series from outside the surveys (Brå, the police, the municipality)."""


@indicators_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="check the file and show what would change; store nothing")
@with_appcontext
def import_command(path: Path, dry_run: bool) -> None:
    """Import indicator values from a CSV or XLSX file (see README, "Indicator series"). Exit status 1 on errors."""
    from survey_app.extensions import db
    from survey_app.indicators.importing import apply_plan, plan_import
    from survey_app.indicators.messages import file_message, row_message
    from survey_app.indicators.reading import FileProblem, read_table

    data = path.read_bytes()
    try:
        table = read_table(data, path.name)
    except FileProblem as refused:
        raise click.ClickException(file_message(refused.reason, refused.detail)) from refused
    session = db.session()
    plan = plan_import(session, table)
    for problem in plan.problems:
        click.echo(_("Row %(row)s, column %(column)s: %(what)s", row=problem.row, column=problem.column,
                     what=row_message(problem.reason, problem.detail)), err=True)
    if not plan.ok:
        raise click.ClickException(_("%(count)s errors: nothing was stored.", count=len(plan.problems)))
    summary = _("new indicators %(indicators)s, new values %(added)s, corrected %(corrected)s, unchanged "
                "%(unchanged)s", indicators=len(plan.new_indicators), added=len(plan.additions),
                corrected=len(plan.corrections), unchanged=plan.unchanged)
    for change in plan.corrections:
        click.echo(_("Row %(row)s: %(indicator)s %(period)s %(area)s %(old)s → %(new)s", row=change.row,
                     indicator=change.indicator, period=change.period.code, area=change.area or "-",
                     old=change.old_value, new=change.value))
    if dry_run:
        click.echo(_("Dry run, nothing stored: %(summary)s.", summary=summary))
        return
    apply_plan(session, plan, actor=None, actor_label="cli", filename=path.name, data=data)
    db.session.commit()
    click.echo(_("Imported: %(summary)s.", summary=summary))
