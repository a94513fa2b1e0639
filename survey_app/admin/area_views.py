"""Areas and population from files (GeoJSON, GeoPackage, Trygg's CSV template, SCB's CSV), the population form per
area, and the population year a wave is weighted to. Admin only (the role matrix)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from analysis.bands import DEFAULT_AGE_BANDS
from survey_app import exports
from survey_app.admin import area_imports
from survey_app.admin.forms import AreaImportForm, PopulationImportForm, PopulationYearForm, WavePopulationYearForm
from survey_app.admin.geo import read_boundaries
from survey_app.admin.import_files import FileRejected, Mapping, read_mapping
from survey_app.admin.import_messages import describe
from survey_app.admin.messages import ADMIN_MESSAGES
from survey_app.admin.population_files import read_population
from survey_app.auth.access import current_staff
from survey_app.db import get_or_404, today
from survey_app.errors import ServiceError
from survey_app.extensions import db
from survey_app.forms import show_service_error
from survey_app.models import Area, StaffUser, Survey, population_years

blueprint = Blueprint("area_data", __name__, template_folder="templates", url_prefix="/admin")

DEFAULT_IMPORT_MAX_BYTES = 64 * 1024 * 1024  # SCB's national DeSO population in one-year ages is about 40 MB
IMPORT_ENDPOINTS = frozenset({"area_data.import_areas", "area_data.import_population"})
TEMPLATE_ROWS = (("centrum", 2025, "woman", "12-15", 120), ("centrum", 2025, "man", "12-15", 118),
                 ("centrum", 2025, "woman", "16-17", 60))


def _import_size_limit() -> None:
    """The imports take files far larger than anything else the application accepts; only they get the room. Set
    before any other check reads the body (CSRF reads the form)."""
    if request.endpoint in IMPORT_ENDPOINTS:
        request.max_content_length = current_app.config.get("IMPORT_MAX_BYTES", DEFAULT_IMPORT_MAX_BYTES)
        request.max_form_memory_size = 64 * 1024


@blueprint.record_once
def _first_of_all(state: BlueprintSetupState) -> None:
    app = state.app
    app.before_request_funcs.setdefault(None, []).insert(0, _import_size_limit)


def _actor() -> StaffUser:
    user = current_staff()
    if user is None:
        abort(403)
    return user


def _bytes(upload: FileStorage | None) -> tuple[bytes, str]:
    if upload is None or not upload.filename:
        return b"", ""
    return upload.read(), upload.filename[-100:]


def _mapping(upload: FileStorage | None) -> Mapping | None:
    data, name = _bytes(upload)
    return read_mapping(data, file=name) if data or name else None


def _refused(error: FileRejected) -> list[str]:
    return [describe(p) for p in error.problems]


@blueprint.route("/omraden/import/granser", methods=["GET", "POST"])
def import_areas() -> tuple[str, int]:
    form = AreaImportForm()
    result, problems = None, []
    if form.validate_on_submit():
        dry_run = request.form.get("action") != "import"
        try:
            mapping = _mapping(form.mapping.data)
            data, name = _bytes(form.file.data)
            features = read_boundaries(data, file=name)
            result = area_imports.import_areas(db.session(), features, mapping, actor=_actor(), dry_run=dry_run,
                                               file=name)
        except FileRejected as error:
            problems = _refused(error)
    status = 400 if form.is_submitted() and result is None else 200
    return render_template("admin/import_areas.html", form=form, result=result, problems=problems), status


@blueprint.route("/omraden/import/befolkning", methods=["GET", "POST"])
def import_population() -> tuple[str, int]:
    form = PopulationImportForm()
    result, problems = None, []
    if form.validate_on_submit():
        dry_run = request.form.get("action") != "import"
        try:
            mapping = _mapping(form.mapping.data)
            data, name = _bytes(form.file.data)
            source = read_population(data, file=name, year=form.year.data)
            result = area_imports.import_population(db.session(), source, mapping, actor=_actor(), dry_run=dry_run,
                                                    file=name)
        except FileRejected as error:
            problems = _refused(error)
    status = 400 if form.is_submitted() and result is None else 200
    return render_template("admin/import_population.html", form=form, result=result, problems=problems,
                           bands=DEFAULT_AGE_BANDS), status


@blueprint.get("/omraden/import/befolkning/mall.csv")
def population_template() -> Response:
    """Trygg's own population template: one row per area, year, gender and age band."""
    rows = [("area", "year", "gender", "age_band", "population"), *TEMPLATE_ROWS]
    return Response(b"".join(exports.csv_chunks(rows, dialect=exports.EXCEL_SV)), mimetype=exports.CSV_MIMETYPE,
                    headers={"Content-Disposition": "attachment; filename=befolkning-mall.csv"})


def _year_arg(area: Area) -> int:
    raw = (request.args.get("ar") or "")[:4]
    if raw.isdigit() and 1900 <= int(raw) <= 2200:
        return int(raw)
    years = population_years(db.session(), [area.id])
    return years[0] if years else today().year - 1  # SCB's latest count is of 31 December last year


@blueprint.route("/omraden/<id:area_id>/befolkning", methods=["GET", "POST"])
def area_population(area_id: int) -> Response | tuple[str, int]:
    area = get_or_404(db.session(), Area, area_id)
    year = _year_arg(area)
    form = PopulationYearForm(data={"year": year})
    grid = area_imports.population_grid(db.session(), area, year)
    cell_errors: dict[str, str] = {}
    if request.method == "POST":
        if form.validate_on_submit():
            year = form.year.data
            cells: dict[tuple[str, str], int | None] = {}
            for gender in area_imports.POPULATION_GENDERS:
                for band in DEFAULT_AGE_BANDS:
                    name = f"cell-{gender}-{band.label}"
                    raw = (request.form.get(name) or "").replace(" ", "").replace("\u00a0", "")[:12]
                    if raw and not raw.isdigit():
                        cell_errors[name] = _("Enter a whole number of persons, or leave the cell empty.")
                    cells[(gender, band.label)] = int(raw) if raw.isdigit() else None
            if not cell_errors:
                try:
                    changed = area_imports.save_population(db.session(), area, year, cells, actor=_actor())
                except ServiceError as error:
                    show_service_error(form, error, ADMIN_MESSAGES)
                else:
                    flash(_("The population has been saved.") if changed else _("Nothing was changed."), "success")
                    return redirect(url_for("area_data.area_population", area_id=area.id, ar=year))
        shown: dict[tuple[str, str], int | str] = {(g, b.label): request.form.get(f"cell-{g}-{b.label}", "")
                                                   for g in area_imports.POPULATION_GENDERS for b in DEFAULT_AGE_BANDS}
        return render_template("admin/area_population.html", area=area, form=form, grid=shown, year=year,
                               cell_errors=cell_errors, bands=DEFAULT_AGE_BANDS,
                               genders=area_imports.POPULATION_GENDERS,
                               years=population_years(db.session(), [area.id])), 400
    return render_template("admin/area_population.html", area=area, form=form, grid=grid, year=year,
                           cell_errors=cell_errors, bands=DEFAULT_AGE_BANDS, genders=area_imports.POPULATION_GENDERS,
                           years=population_years(db.session(), [area.id])), 200


def wave_population_year_form(survey: Survey, form: WavePopulationYearForm | None = None) -> WavePopulationYearForm:
    form = form or WavePopulationYearForm(data={"year": str(survey.population_year or "")})
    years = population_years(db.session(), [a.id for a in survey.areas])
    form.year.choices = [("", _("Each area's latest year")), *((str(y), str(y)) for y in years)]
    return form


@blueprint.post("/enkater/<id:survey_id>/befolkningsar")
def wave_population_year(survey_id: int) -> Response | tuple[str, int]:
    survey = get_or_404(db.session(), Survey, survey_id)
    form = wave_population_year_form(survey, WavePopulationYearForm())
    if not form.validate_on_submit():
        abort(400)
    area_imports.set_wave_population_year(db.session(), survey, int(form.year.data) if form.year.data else None,
                                          actor=_actor())
    flash(_("The population year has been saved."), "success")
    return redirect(url_for("admin.wave_detail", survey_id=survey.id))
