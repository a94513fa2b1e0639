"""`trygg areas`: import areas with their boundaries and population from files, as the admin pages do."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask.cli import with_appcontext

from survey_app.i18n import cli_gettext as _

if TYPE_CHECKING:
    from survey_app.admin.import_files import Mapping

MAX_BYTES = 512 * 1024 * 1024  # the command line may read more than the web form accepts, not without bound


def _read(path: Path) -> bytes:
    if path.stat().st_size > MAX_BYTES:
        raise click.ClickException(_("%(file)s is too large.", file=path.name))
    return path.read_bytes()


def _mapping(path: Path | None) -> Mapping | None:
    from survey_app.admin.import_files import read_mapping

    return read_mapping(_read(path), file=path.name) if path else None


def _refuse(error: Exception) -> click.ClickException:
    from survey_app.admin.import_files import FileRejected
    from survey_app.admin.import_messages import describe

    assert isinstance(error, FileRejected)  # noqa: S101 -- only called with one
    return click.ClickException(_("Nothing was stored.") + "\n" + "\n".join(describe(p) for p in error.problems))


@click.group("areas")
def areas_group() -> None:
    """Areas and population from GeoJSON, GeoPackage and CSV (Trygg's template or SCB's table)."""


@areas_group.command("import-geojson")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--mapping", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV: statistical area code (kod) -> Trygg area code (område), optional namn.")
@click.option("--dry-run", is_flag=True, help="Show what would change; store nothing.")
@with_appcontext
def import_geojson(file: Path, mapping: Path | None, dry_run: bool) -> None:
    """Create or update areas and their boundaries from a GeoJSON file or a GeoPackage."""
    from survey_app.admin.area_imports import import_areas
    from survey_app.admin.geo import read_boundaries
    from survey_app.admin.import_files import FileRejected
    from survey_app.extensions import db

    try:
        result = import_areas(db.session(), read_boundaries(_read(file), file=file.name), _mapping(mapping),
                              actor=None, actor_label=f"cli:{getpass.getuser()}", dry_run=dry_run, file=file.name)
    except FileRejected as error:
        db.session.rollback()
        raise _refuse(error) from None
    for change in result.changes:
        click.echo(f"{change.action:9} {change.code:20} {change.name} ({change.parts})")
    if result.skipped:
        click.echo(_("%(num)s features outside the mapping were left out.", num=result.skipped))
    if dry_run:
        db.session.rollback()
        click.echo(_("Dry run: nothing was stored."))
    else:
        db.session.commit()


@areas_group.command("import-population")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--mapping", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV: statistical area code (kod) -> Trygg area code (område).")
@click.option("--year", type=click.IntRange(1900, 2200), help="Only this year (or the year of a file without one).")
@click.option("--dry-run", is_flag=True, help="Show what would change; store nothing.")
@with_appcontext
def import_population_command(file: Path, mapping: Path | None, year: int | None, dry_run: bool) -> None:
    """Replace areas' population per year from Trygg's CSV template or SCB's table, summed into Trygg's age bands."""
    from survey_app.admin.area_imports import import_population
    from survey_app.admin.import_files import FileRejected
    from survey_app.admin.population_files import read_population
    from survey_app.extensions import db

    try:
        source = read_population(_read(file), file=file.name, year=year)
        result = import_population(db.session(), source, _mapping(mapping), actor=None,
                                   actor_label=f"cli:{getpass.getuser()}", dry_run=dry_run, file=file.name)
    except FileRejected as error:
        db.session.rollback()
        raise _refuse(error) from None
    for change in result.changes:
        before = "–" if change.before is None else change.before
        click.echo(f"{change.code:20} {change.year} {before:>8} -> {change.after:>8} ({change.cells_changed})")
    if source.classes_shared:
        click.echo(_("%(num)s age classes crossed a band's edge and were shared by their one-year ages (estimates).",
                     num=source.classes_shared))
    if dry_run:
        db.session.rollback()
        click.echo(_("Dry run: nothing was stored."))
    else:
        db.session.commit()
