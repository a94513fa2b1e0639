"""The pages that change how a promise is followed up: its indicators (analysts and admins, by the role matrix)
and its activities (also the facilitator who owns the promise, checked per promise)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from survey_app.db import get_or_404, today
from survey_app.errors import ServiceError
from survey_app.extensions import db
from survey_app.forms import as_choices, show_service_error
from survey_app.models import Area, Indicator, Promise, PromiseActivity, PromiseIndicator
from survey_app.promises import editing, services
from survey_app.promises.forms import ActivityForm, IndicatorLinkForm
from survey_app.promises.labels import FORMATS, PROMISE_MESSAGES
from survey_app.promises.rhythm import current_period
from survey_app.promises.views import _actor, blueprint


def _indicator_form() -> IndicatorLinkForm:
    session = db.session()
    form = IndicatorLinkForm()
    areas = [(a.code, a.name) for a in session.scalars(select(Area).order_by(Area.name))]
    form.formats.choices = as_choices(FORMATS.items())
    form.areas.choices = as_choices(areas)
    form.indicator.choices = as_choices([("", _("Choose…")), *(
        (i.code, i.name) for i in session.scalars(select(Indicator).order_by(Indicator.name)))])
    form.measure.choices = as_choices([("", _("Choose…")), *editing.survey_measures(session)])
    form.area.choices = as_choices([("", _("The whole municipality")), *areas])
    return form


@blueprint.route("/<id:promise_id>/indikatorer/ny", methods=["GET", "POST"])
def indicator_add(promise_id: int) -> str | Response:
    session = db.session()
    promise = get_or_404(session, Promise, promise_id)
    form = _indicator_form()
    if form.validate_on_submit():
        try:
            editing.add_indicator(
                session, promise, actor=_actor(), kind=form.kind.data, label=form.label.data or "",
                indicator_code=form.indicator.data or "", count=form.count.data or "", formats=form.formats.data,
                areas=form.areas.data, measure=form.measure.data or "", area=form.area.data or "")
        except ServiceError as error:
            show_service_error(form, error, PROMISE_MESSAGES)
        else:
            flash(_("The indicator was added."), "success")
            return redirect(url_for("promises.detail", promise_id=promise.id))
    return render_template("promises/indicator_form.html", form=form, promise=promise)


@blueprint.post("/<id:promise_id>/indikatorer/<id:indicator_id>/ta-bort")
def indicator_remove(promise_id: int, indicator_id: int) -> Response:
    session = db.session()
    promise = get_or_404(session, Promise, promise_id)
    linked = get_or_404(session, PromiseIndicator, indicator_id)
    if linked.promise_id != promise.id:
        abort(404)
    editing.remove_indicator(session, promise, linked, actor=_actor())
    flash(_("The indicator was removed."), "success")
    return redirect(url_for("promises.detail", promise_id=promise.id))


@blueprint.route("/<id:promise_id>/aktiviteter/ny", methods=["GET", "POST"])
def activity_add(promise_id: int) -> str | Response:
    session = db.session()
    promise = get_or_404(session, Promise, promise_id)
    if not services.may_follow_up(_actor(), promise):
        abort(403)
    form = ActivityForm()
    if request.method == "GET":
        form.tertial.data = request.args.get("tertial") or current_period(today()).code
    if form.validate_on_submit():
        try:
            editing.add_activity(session, promise, actor=_actor(), text=form.text.data or "",
                                 party=form.party.data, tertial=(form.tertial.data or "").strip())
        except ServiceError as error:
            show_service_error(form, error, PROMISE_MESSAGES)
        else:
            flash(_("The activity was added."), "success")
            return redirect(url_for("promises.detail", promise_id=promise.id, tertial=form.tertial.data.strip()))
    return render_template("promises/activity_form.html", form=form, promise=promise)


@blueprint.post("/<id:promise_id>/aktiviteter/<id:activity_id>/ta-bort")
def activity_remove(promise_id: int, activity_id: int) -> Response:
    session = db.session()
    promise = get_or_404(session, Promise, promise_id)
    activity = get_or_404(session, PromiseActivity, activity_id)
    if activity.promise_id != promise.id:
        abort(404)
    if not services.may_follow_up(_actor(), promise):
        abort(403)
    tertial = activity.tertial
    editing.remove_activity(session, promise, activity, actor=_actor())
    flash(_("The activity was removed."), "success")
    return redirect(url_for("promises.detail", promise_id=promise.id, tertial=tertial))
