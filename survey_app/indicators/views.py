"""The indicator pages under /indikatorer/: the series, their values and history, the import and single values."""

from __future__ import annotations

import csv
import io

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from survey_app.auth.access import current_staff
from survey_app.errors import ServiceError
from survey_app.extensions import db
from survey_app.forms import as_choices, show_service_error
from survey_app.indicators import services
from survey_app.indicators.forms import DIRECTION_CHOICES, ImportForm, IndicatorForm, ValueForm
from survey_app.indicators.importing import ImportPlan, apply_plan, parse_number, plan_import
from survey_app.indicators.labels import direction_label, period_label, value_text
from survey_app.indicators.messages import INDICATOR_MESSAGES, file_message, row_message
from survey_app.indicators.periods import parse_period
from survey_app.indicators.reading import MAX_FILE_BYTES, FileProblem, read_table
from survey_app.models import Area, Indicator, StaffUser

blueprint = Blueprint("indicators", __name__, template_folder="templates", url_prefix="/indikatorer")

TEMPLATE_ROWS = (
    ("indikator", "område", "period", "värde", "källa", "delserie", "namn", "enhet", "riktning"),
    ("anmalda_brott_vald", "", "2025", "412", "Brå, anmälda brott", "", "Anmälda våldsbrott", "antal", "higher_worse"),
    ("lob", "", "2026-T1", "23", "Polisen", "", "Omhändertagna enligt LOB", "antal", "higher_worse"),
    ("lob", "", "2026-T1", "4", "Polisen", "under 18", "", "", ""),
)


@blueprint.url_value_preprocessor
def allow_files_on_import(endpoint: str | None, values: dict[str, object] | None) -> None:
    """The app refuses bodies over 256 kB (a resident's page is a few kB); an indicator file may be up to 5 MB.

    Set here because URL value preprocessors run before every before-request function, including the CSRF check
    that reads the body."""
    if endpoint == "indicators.import_file":
        request.max_content_length = MAX_FILE_BYTES + 64 * 1024


@blueprint.context_processor
def labels() -> dict[str, object]:
    return {"period_label": period_label, "value_text": value_text, "direction_label": direction_label}


def _actor() -> StaffUser:
    user = current_staff()
    if user is None:
        abort(403)
    return user


def _indicator(code: str) -> Indicator:
    indicator = services.indicator_by_code(db.session(), code)
    if indicator is None:
        abort(404)
    return indicator


@blueprint.get("/")
def index() -> str:
    return render_template("indicators/index.html", summaries=services.indicator_summaries(db.session()))


@blueprint.get("/mall.csv")
def template_csv() -> Response:
    """The import template, for Swedish Excel (UTF-8 with BOM, `;`), with three example rows."""
    text = io.StringIO()
    csv.writer(text, delimiter=";", lineterminator="\r\n").writerows(TEMPLATE_ROWS)
    return Response("\ufeff" + text.getvalue(), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="indikatorer-mall.csv"'})


@blueprint.route("/import", methods=["GET", "POST"])
def import_file() -> tuple[str, int] | Response:
    form = ImportForm()
    plan: ImportPlan | None = None
    file_error: str | None = None
    filename = ""
    if form.validate_on_submit():
        upload = form.file.data
        if not upload or not getattr(upload, "filename", ""):
            file_error = file_message("no_file", "")
        else:
            filename = upload.filename
            data = upload.read(MAX_FILE_BYTES + 1)
            try:
                table = read_table(data, filename)
            except FileProblem as problem:
                file_error = file_message(problem.reason, problem.detail)
            else:
                session = db.session()
                plan = plan_import(session, table)
                if plan.ok and request.form.get("action") == "import":
                    actor = _actor()
                    apply_plan(session, plan, actor=actor, actor_label=actor.email, filename=filename, data=data)
                    flash(_("Imported %(file)s: %(added)d new values, %(corrected)d corrected, "
                            "%(unchanged)d unchanged.", file=filename, added=len(plan.additions),
                            corrected=len(plan.corrections), unchanged=plan.unchanged), "success")
                    return redirect(url_for("indicators.index"))
    status = 200 if plan is None or plan.ok else 422
    if file_error:
        status = 422
    page = render_template("indicators/import.html", form=form, plan=plan, file_error=file_error,
                           filename=filename, row_message=row_message,
                           dry_run=request.form.get("action") != "import")
    return page, status


def _indicator_fields(form: IndicatorForm) -> dict[str, str]:
    return {
        "code": form.code.data.strip(), "name": form.name.data.strip(), "unit": form.unit.data.strip(),
        "direction": form.direction.data, "source": (form.source.data or "").strip(),
        "owner": (form.owner.data or "").strip(), "description": (form.description.data or "").strip(),
    }


@blueprint.route("/ny", methods=["GET", "POST"])
def create() -> str | Response:
    form = IndicatorForm()
    form.direction.choices = DIRECTION_CHOICES
    if form.validate_on_submit():
        try:
            indicator = services.create_indicator(db.session(), actor=_actor(), **_indicator_fields(form))
        except ServiceError as error:
            show_service_error(form, error, INDICATOR_MESSAGES)
        else:
            flash(_("The indicator was created."), "success")
            return redirect(url_for("indicators.detail", code=indicator.code))
    return render_template("indicators/indicator_form.html", form=form, indicator=None)


@blueprint.route("/<code>/andra", methods=["GET", "POST"])
def edit(code: str) -> str | Response:
    indicator = _indicator(code)
    form = IndicatorForm(obj=indicator)
    form.direction.choices = DIRECTION_CHOICES
    form.code.data = indicator.code  # the code is the series' name in files and links; it does not change
    if form.validate_on_submit():
        fields = _indicator_fields(form)
        del fields["code"]
        services.update_indicator(db.session(), indicator, actor=_actor(), **fields)
        flash(_("The indicator was saved."), "success")
        return redirect(url_for("indicators.detail", code=indicator.code))
    return render_template("indicators/indicator_form.html", form=form, indicator=indicator)


@blueprint.get("/<code>")
def detail(code: str) -> str:
    indicator = _indicator(code)
    return render_template("indicators/detail.html", indicator=indicator,
                           values=services.series_values(db.session(), indicator))


@blueprint.route("/<code>/varde", methods=["GET", "POST"])
def value(code: str) -> str | Response:
    indicator = _indicator(code)
    session = db.session()
    form = ValueForm()
    areas = list(session.scalars(select(Area).order_by(Area.name)))
    form.area.choices = as_choices([("", _("The whole municipality")), *((area.id, area.name) for area in areas)])
    if form.validate_on_submit():
        area = session.get(Area, int(form.area.data)) if form.area.data else None
        number = parse_number(form.value.data) or 0.0  # the form's validator has checked it is a number
        changed = services.record_value(
            session, indicator, area=area, period=parse_period(form.period.data),
            subseries=" ".join((form.subseries.data or "").split()), value=number,
            source=(form.source.data or "").strip(), actor=_actor())
        flash(_("The value was saved.") if changed else _("The series already had exactly this value."), "success")
        return redirect(url_for("indicators.detail", code=indicator.code))
    return render_template("indicators/value_form.html", form=form, indicator=indicator)
