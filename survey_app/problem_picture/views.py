"""The lägesbild pages under /problembild/: choose a year and an area (or the municipality), read the evidence side
by side, write the analysis per focus area and save it as a dated version."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.wrappers import Response

from survey_app import audit
from survey_app.auth.access import current_staff
from survey_app.db import get_or_404, today
from survey_app.extensions import db
from survey_app.forms import LONG_TEXT
from survey_app.indicators.labels import period_label, value_text
from survey_app.indicators.periods import Period, PeriodKind, make_period
from survey_app.insights import formatting
from survey_app.models import Area, ProblemPicture, StaffUser
from survey_app.pdf import pdf_response, render_document
from survey_app.problem_picture import services
from survey_app.problem_picture.charts import series_chart, survey_chart
from survey_app.problem_picture.evidence import build_evidence
from survey_app.problem_picture.labels import LABELS
from survey_app.problem_picture.places import CATEGORIES as PLACE_CATEGORIES
from survey_app.promises.labels import FORMATS, party_label, status_label

blueprint = Blueprint("problem_picture", __name__, template_folder="templates", url_prefix="/problembild")
MUNICIPALITY = "kommunen"
YEARS_BACK = 5


@blueprint.context_processor
def helpers() -> dict[str, object]:
    return {"fmt": formatting, "period_label": period_label, "value_text": value_text, "labels": LABELS,
            "formats": FORMATS, "status_label": status_label, "party_label": party_label,
            "place_categories": PLACE_CATEGORIES, "survey_chart": survey_chart, "series_chart": series_chart}


def _actor() -> StaffUser:
    user = current_staff()
    if user is None:
        abort(403)
    return user


def _years() -> list[Period]:
    year = today().year
    return [make_period(PeriodKind.YEAR, year - back) for back in range(YEARS_BACK)]


def _period() -> Period:
    text = request.args.get("period") or request.form.get("period") or str(today().year)
    period = next((p for p in _years() if p.code == text), None)
    if period is None:
        abort(404)
    return period


def _scope(scope: str) -> Area | None:
    if scope == MUNICIPALITY:
        return None
    area = db.session().scalar(select(Area).where(Area.code == scope))
    if area is None:
        abort(404)
    return area


@blueprint.get("/")
def index() -> str:
    session = db.session()
    return render_template("problem_picture/index.html", years=_years(), period=_period(),
                           areas=list(session.scalars(select(Area).order_by(Area.name))),
                           saved=services.versions(session))


@blueprint.get("/<scope>")
def picture(scope: str) -> str:
    session = db.session()
    area, period = _scope(scope), _period()
    return render_template(
        "problem_picture/picture.html", scope=scope, area=area, period=period, years=_years(),
        evidence=build_evidence(session, period, area, today=today()), saved=None,
        analysis=services.latest_analysis(session, period, area), focus_areas=services.focus_areas(session),
        versions=services.versions(session, period, area, scoped=True))


@blueprint.post("/<scope>/spara")
def save(scope: str) -> Response:
    """Save the analysis with the evidence as it is now: a new dated version (analysts and admins)."""
    session = db.session()
    area, period = _scope(scope), _period()
    analysis = {}
    for focus_area in services.focus_areas(session):
        texts = {name: (request.form.get(f"{focus_area.code}-{name}") or "").strip()[:LONG_TEXT]
                 for name in services.ANALYSIS_FIELDS}
        if any(texts.values()):
            analysis[focus_area.code] = texts
    general = (request.form.get("general") or "").strip()[:LONG_TEXT]
    if general:
        analysis["_general"] = {"conclusions": general}
    saved = services.save_version(session, period, area, analysis, actor=_actor(), today=today())
    flash(_("The problem picture was saved as version %(version)d.", version=saved.version), "success")
    return redirect(url_for("problem_picture.version", scope=scope, picture_id=saved.id))


@blueprint.get("/<scope>/version/<id:picture_id>")
def version(scope: str, picture_id: int) -> str:
    session = db.session()
    saved = get_or_404(session, ProblemPicture, picture_id)
    area = _scope(scope)
    if (saved.area_id or None) != (area.id if area else None):
        abort(404)
    period = make_period(PeriodKind.YEAR, int(saved.period))
    return render_template(
        "problem_picture/picture.html", scope=scope, area=area, period=period, years=_years(),
        evidence=saved.evidence, saved=saved, analysis=saved.analysis, focus_areas=services.focus_areas(session),
        versions=services.versions(session, period, area, scoped=True))


# --- the lägesbild as PDF ----------------------------------------------------------------------------------

SOURCES = (
    _l("Survey waves in the period, through the same analysis as the results pages."),
    _l("Indicator series as imported or entered, with their sources."),
    _l("The dialogue log: dialogues, safety walks and their measures, as recorded by the facilitators."),
    _l("Lag (2023:196) om kommuners ansvar för brottsförebyggande arbete, 4 §: the lägesbild's three parts."),
)


def _pdf(scope: str, area: Area | None, period: Period, evidence: dict[str, object], analysis: dict[str, object],
         status: str, filename: str) -> Response:
    place = area.name if area else _("the whole municipality")
    pdf = render_document(
        "problem_picture/_picture_body.html", title=_("Problem picture for %(place)s, %(year)s", place=place,
                                                      year=period.code),
        subtitle=_("The common problem picture of the police and the municipality"), status=status,
        contents=[("kartlaggning", _("1. Survey of the situation (kartläggning)")),
                  ("annan-information", _("2. Other relevant information: dialogues and safety walks")),
                  ("analys", _("3. Analysis"))],
        sources=[str(source) for source in SOURCES], evidence=evidence, analysis=analysis, show_analysis=True,
        focus_areas=services.focus_areas(db.session()), period=period, scope=scope, area=area, for_print=True,
        **helpers())
    audit.record(db.session(), actor=_actor(), action="problem_picture.pdf", target_type="problem_picture",
                 details={"scope": scope, "period": period.code, "file": filename})
    return pdf_response(pdf, filename)


@blueprint.get("/<scope>.pdf")
def picture_pdf(scope: str) -> Response:
    area, period = _scope(scope), _period()
    session = db.session()
    return _pdf(scope, area, period, build_evidence(session, period, area, today=today()),
                services.latest_analysis(session, period, area),
                _("Computed on %(date)s", date=today().isoformat()), f"problembild-{scope}-{period.code}.pdf")


@blueprint.get("/<scope>/version/<id:picture_id>.pdf")
def version_pdf(scope: str, picture_id: int) -> Response:
    saved = get_or_404(db.session(), ProblemPicture, picture_id)
    area = _scope(scope)
    if (saved.area_id or None) != (area.id if area else None):
        abort(404)
    period = make_period(PeriodKind.YEAR, int(saved.period))
    return _pdf(scope, area, period, saved.evidence, saved.analysis,
                _("Saved version %(version)d, %(date)s", version=saved.version,
                  date=saved.saved_at.date().isoformat()),
                f"problembild-{scope}-{period.code}-v{saved.version}.pdf")


# --- the lägesbild as XLSX ---------------------------------------------------------------------------------


def _xlsx(scope: str, period: Period, evidence: dict[str, object], analysis: dict[str, object],
          filename: str) -> Response:
    from survey_app.exports import XLSX_MIMETYPE, xlsx_bytes
    from survey_app.problem_picture.workbook import sheets

    data = xlsx_bytes(sheets(evidence, analysis, services.focus_areas(db.session())))
    audit.record(db.session(), actor=_actor(), action="problem_picture.xlsx", target_type="problem_picture",
                 details={"scope": scope, "period": period.code, "file": filename})
    return Response(data, mimetype=XLSX_MIMETYPE, headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})


@blueprint.get("/<scope>.xlsx")
def picture_xlsx(scope: str) -> Response:
    area, period = _scope(scope), _period()
    session = db.session()
    return _xlsx(scope, period, build_evidence(session, period, area, today=today()),
                 services.latest_analysis(session, period, area), f"problembild-{scope}-{period.code}.xlsx")


@blueprint.get("/<scope>/version/<id:picture_id>.xlsx")
def version_xlsx(scope: str, picture_id: int) -> Response:
    saved = get_or_404(db.session(), ProblemPicture, picture_id)
    area = _scope(scope)
    if (saved.area_id or None) != (area.id if area else None):
        abort(404)
    period = make_period(PeriodKind.YEAR, int(saved.period))
    return _xlsx(scope, period, saved.evidence, saved.analysis,
                 f"problembild-{scope}-{period.code}-v{saved.version}.xlsx")


from survey_app.problem_picture import coding_views  # noqa: E402,F401  (the unsafe-place coding page)
