"""The `trygg` commands of operations: retention (gallring), backup and restore (see README, "Operations")."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from survey_app.i18n import cli_gettext as _

# --- retention ----------------------------------------------------------------------------------------------


@click.group("retention")
def retention_group() -> None:
    """Retention (gallring) on the schedule an admin sets."""


@retention_group.command("run")
@click.option("--dry-run", is_flag=True, help="only count what would be deleted")
@with_appcontext
def retention_run(dry_run: bool) -> None:
    """Delete what has been kept long enough (run daily, e.g. from cron)."""
    from survey_app import retention
    from survey_app.db import today, utcnow
    from survey_app.extensions import db

    result = retention.run(db.session(), today=today(), now=utcnow(), actor_label="cli", dry_run=dry_run)
    if not dry_run:
        db.session.commit()
    message = _("Would delete: %(responses)s responses, %(texts)s free-text answers, %(drafts)s unsent answers, "
                "%(events)s audit events.") if dry_run else _("Deleted: %(responses)s responses, %(texts)s free-text "
                                                              "answers, %(drafts)s unsent answers, %(events)s audit "
                                                              "events.")
    click.echo(message % {"responses": result.responses, "texts": result.free_texts, "drafts": result.drafts,
                          "events": result.audit_events})


# --- backup and restore -------------------------------------------------------------------------------------


@click.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(target: Path) -> None:
    """Copy the database, online and consistent, to TARGET (and TARGET.manifest.json)."""
    from survey_app import backup

    try:
        prints = backup.backup(current_app.config["SQLALCHEMY_DATABASE_URI"], target)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(_("Backed up to %(path)s: %(summary)s.", path=str(target), summary=backup.summary(prints)))


@click.command("restore")
@click.argument("source", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--into", "into", metavar="DATABASE_URL", help="the empty database to restore into (default: the "
              "configured one)")
@with_appcontext
def restore_command(source: Path, into: str | None) -> None:
    """Restore a backup into an empty database and check that every table came back the same."""
    from survey_app import backup

    try:
        prints = backup.restore(source, into or current_app.config["SQLALCHEMY_DATABASE_URI"])
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(_("Restored and checked, every table the same: %(summary)s.", summary=backup.summary(prints)))
