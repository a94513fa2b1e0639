"""The promise pages under /loften/: the promises, one promise over the tertials, its follow-up, the tertialrapport
(live, and every published version frozen)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.wrappers import Response

from survey_app import audit
from survey_app.auth.access import current_staff
from survey_app.db import get_or_404, today
from survey_app.errors import ServiceError
from survey_app.extensions import db
from survey_app.forms import as_choices, show_service_error
from survey_app.indicators.periods import Period
from survey_app.models import Promise, StaffUser, TertialReport
from survey_app.pdf import pdf_response, render_document
from survey_app.promises import labels, services
from survey_app.promises.charts import indicator_chart
from survey_app.promises.forms import FollowUpForm, PromiseForm, PublishForm
from survey_app.promises.labels import PROMISE_MESSAGES
from survey_app.promises.rhythm import current_period

blueprint = Blueprint("promises", __name__, template_folder="templates", url_prefix="/loften")


@blueprint.context_processor
def helpers() -> dict[str, object]:
    return {"labels": labels, "period_label": labels.period_label, "indicator_chart": indicator_chart}


def _actor() -> StaffUser:
    user = current_staff()
    if user is None:
        abort(403)
    return user


def _tertial(code: str | None) -> Period:
    """The tertial named in the URL, or the running one; anything else is a 404 with a Swedish page."""
    if not code:
        return current_period(today())
    period = services.period_or_none(code)
    if period is None:
        abort(404)
    return period


@blueprint.get("/")
def index() -> str:
    tertial = _tertial(request.args.get("tertial"))
    return render_template("promises/index.html", promises=services.promises(db.session()), tertial=tertial,
                           follow_up=services.follow_up, reports=services.published_reports(db.session()))


@blueprint.get("/<id:promise_id>")
def detail(promise_id: int) -> str:
    session = db.session()
    promise = get_or_404(session, Promise, promise_id)
    tertial = _tertial(request.args.get("tertial"))
    periods = services.compared_periods(tertial)
    rows = services.indicator_rows(session, promise, periods, today=today())
    indicators = [{"label": r.indicator.label, "kind": str(r.indicator.kind),
                   "measure": (r.indicator.settings or {}).get("measure", ""),
                   "unit": r.indicator.indicator.unit if r.indicator.indicator else "",
                   "figures": [f.as_json() for f in r.figures]} for r in rows]
    user = _actor()
    return render_template("promises/detail.html", promise=promise, tertial=tertial, periods=periods,
                           indicators=indicators, record=services.follow_up(promise, tertial),
                           may_follow_up=services.may_follow_up(user, promise))


def _owner_choices(form: PromiseForm) -> None:
    staff = db.session().scalars(select(StaffUser).where(StaffUser.active.is_(True)).order_by(StaffUser.email))
    form.owner.choices = as_choices([("", _("Nobody")), *((user.id, user.email) for user in staff)])


def _save_promise(form: PromiseForm, promise: Promise) -> None:
    for name in ("number", "title", "followed_up_by", "starts_on", "ends_on", "problem_description",
                 "cause_analysis", "gender_note", "children_note", "target"):
        value = getattr(form, name).data
        setattr(promise, name, value.strip() if isinstance(value, str) else value)
    promise.party = form.party.data
    promise.owner_id = int(form.owner.data) if form.owner.data else None


@blueprint.route("/ny", methods=["GET", "POST"])
def create() -> str | Response:
    form = PromiseForm()
    _owner_choices(form)
    if form.validate_on_submit():
        session = db.session()
        promise = Promise()
        _save_promise(form, promise)
        session.add(promise)
        session.flush()
        audit.record(session, actor=_actor(), action="promise.create", target_type="promise", target_id=promise.id)
        flash(_("The promise was saved."), "success")
        return redirect(url_for("promises.detail", promise_id=promise.id))
    return render_template("promises/promise_form.html", form=form, promise=None)


@blueprint.route("/<id:promise_id>/andra", methods=["GET", "POST"])
def edit(promise_id: int) -> str | Response:
    session = db.session()
    promise = get_or_404(session, Promise, promise_id)
    form = PromiseForm(obj=promise)
    _owner_choices(form)
    if request.method == "GET":
        form.owner.data = str(promise.owner_id or "")
        form.party.data = str(promise.party)
    if form.validate_on_submit():
        _save_promise(form, promise)
        audit.record(session, actor=_actor(), action="promise.update", target_type="promise", target_id=promise.id)
        flash(_("The promise was saved."), "success")
        return redirect(url_for("promises.detail", promise_id=promise.id))
    return render_template("promises/promise_form.html", form=form, promise=promise)


@blueprint.route("/<id:promise_id>/uppfoljning/<tertial>", methods=["GET", "POST"])
def follow_up(promise_id: int, tertial: str) -> str | Response:
    session = db.session()
    promise = get_or_404(session, Promise, promise_id)
    period = _tertial(tertial)
    user = _actor()
    if not services.may_follow_up(user, promise):
        abort(403)
    record = services.follow_up(promise, period)
    form = FollowUpForm(obj=record)
    if request.method == "GET" and record is not None:
        form.status.data = str(record.status)
    if form.validate_on_submit():
        fields = {name: (getattr(form, name).data or "").strip() for name in services.FOLLOW_UP_FIELDS}
        fields["status"] = form.status.data
        try:
            services.save_follow_up(session, promise, period, actor=user, **fields)
        except ServiceError as error:
            show_service_error(form, error, PROMISE_MESSAGES)
        else:
            flash(_("The follow-up was saved."), "success")
            return redirect(url_for("promises.detail", promise_id=promise.id, tertial=period.code))
    return render_template("promises/follow_up_form.html", form=form, promise=promise, tertial=period)


def _header(form: PublishForm) -> dict[str, str]:
    return {"municipality": current_app.config["ORGANISATION_NAME"], "police_area": form.police_area.data or "",
            "meeting_on": form.meeting_on.data.isoformat() if form.meeting_on.data else "",
            "coordinators": form.coordinators.data or ""}


@blueprint.get("/rapport/<tertial>")
def report(tertial: str) -> str:
    return _report_page(_tertial(tertial), PublishForm())


def _report_page(period: Period, form: PublishForm) -> str:
    session = db.session()
    content = services.build_report(session, period, today=today(), header=_header(form))
    return render_template("promises/report.html", content=content, tertial=period, form=form,
                           published=services.published_reports(session, period), frozen=None)


@blueprint.post("/rapport/<tertial>/publicera")
def publish(tertial: str) -> str | Response:
    """Freeze the tertialrapport as it is now (analysts and admins, per the role matrix)."""
    period = _tertial(tertial)
    form = PublishForm()
    if form.validate_on_submit():
        try:
            saved = services.publish_report(db.session(), period, actor=_actor(), today=today(),
                                            header=_header(form), change_note=form.change_note.data or "")
        except ServiceError as error:
            show_service_error(form, error, PROMISE_MESSAGES)
        else:
            flash(_("The tertial report was published as version %(version)d.", version=saved.version), "success")
            return redirect(url_for("promises.published", tertial=period.code, version=saved.version))
    return _report_page(period, form)


@blueprint.get("/rapport/<tertial>/v<int:version>")
def published(tertial: str, version: int) -> str:
    period = _tertial(tertial)
    saved = db.session().scalar(select(TertialReport).where(TertialReport.tertial == period.code,
                                                            TertialReport.version == version))
    if saved is None:
        abort(404)
    return render_template("promises/report.html", content=saved.content, tertial=period, form=None,
                           published=services.published_reports(db.session(), period), frozen=saved)


# --- the tertialrapport as PDF ---------------------------------------------------------------------------------

REPORT_SOURCES = (
    _l("The dialogue log: dialogues, safety walks and their measures, as recorded by the facilitators."),
    _l("Indicator series as imported or entered, with their sources."),
    _l("Survey waves in the period, through the same analysis as the results pages."),
)


def _report_pdf(content: dict[str, Any], period: Period, status: str, filename: str) -> Response:
    contents = [(f"promise-{number}", _("Promise %(number)d", number=promise["number"]))
                for number, promise in enumerate(content["promises"], start=1)]
    contents += [("dialogues", _("Dialogues and safety walks in the tertial")),
                 ("walk-measures", _("Measures from safety walks"))]
    pdf = render_document("promises/_report_body.html", title=_("Tertial report %(tertial)s",
                                                                  tertial=labels.period_label(period)),
                          subtitle=content["header"].get("police_area", ""), status=status, contents=contents,
                          sources=[str(source) for source in REPORT_SOURCES], content=content)
    audit.record(db.session(), actor=_actor(), action="tertial_report.pdf", target_type="tertial_report",
                 details={"tertial": period.code, "file": filename})
    return pdf_response(pdf, filename)


@blueprint.get("/rapport/<tertial>.pdf")
def report_pdf(tertial: str) -> Response:
    period = _tertial(tertial)
    content = services.build_report(db.session(), period, today=today(), header=_header(PublishForm()))
    return _report_pdf(content, period, _("Draft computed on %(date)s", date=today().isoformat()),
                       f"tertialrapport-{period.code}-utkast.pdf")


@blueprint.get("/rapport/<tertial>/v<int:version>.pdf")
def published_pdf(tertial: str, version: int) -> Response:
    period = _tertial(tertial)
    saved = db.session().scalar(select(TertialReport).where(TertialReport.tertial == period.code,
                                                            TertialReport.version == version))
    if saved is None:
        abort(404)
    status = _("Published version %(version)d, %(date)s", version=saved.version,
               date=saved.published_at.date().isoformat())
    return _report_pdf(saved.content, period, status, f"tertialrapport-{period.code}-v{saved.version}.pdf")


# The pages that change a promise's indicators and activities live in their own module, on this blueprint.
from survey_app.promises import editing_views  # noqa: E402,F401
