"""The anomaly view (analysts and admins): sends per day and hour, identical answer patterns and straight-lining in a
wave, and the exclusions that take a burst out of the analysis and the exports (`survey/exclusions.py`).

Registered on the insights blueprint (imported at the end of `views.py`); the figures come from
`survey/anomalies.py`, the rules from `survey/exclusions.py`. Every form works without JavaScript: the exclusion form
has a preview button that counts what a rule would take out before anything is saved.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import DateField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from survey_app.auth.access import current_staff
from survey_app.errors import ServiceError
from survey_app.extensions import db
from survey_app.forms import REQUIRED, TOO_LONG, StaffForm, plausible_date, show_service_error
from survey_app.insights.views import GENDER_LABELS, _wave, blueprint
from survey_app.models import ResponseExclusion
from survey_app.survey import anomalies, exclusions
from survey_app.survey.questionnaires import instrument_of

LOCAL_TIME = ZoneInfo("Europe/Stockholm")

MESSAGES = {
    "exclusion_reason_required": _l("Write why these responses are excluded."),
    "exclusion_reason_too_long": _l("The reason is too long (at most %(max)d characters).", max=exclusions.MAX_REASON),
    "exclusion_names_nothing": _l("Choose the days, one or more answer patterns, or both: an exclusion must say "
                                  "which responses it takes out."),
    "exclusion_days_reversed": _l("The last day comes before the first day."),
    "exclusion_too_many_patterns": _l("Choose at most %(n)d answer patterns at a time.", n=exclusions.MAX_PATTERNS),
    "exclusion_unknown_pattern": _l("One of the chosen answer patterns is not one of this wave's. Reload the page and "
                                    "choose again."),
    "exclusion_unknown": _l("There is no such exclusion for this wave."),
    "exclusion_already_reversed": _l("That exclusion has already been reversed."),
}


class ExclusionForm(StaffForm):
    """Which responses to exclude (days and/or the patterns ticked in the table, field `pattern`) and why."""

    first_day = DateField(_l("First day"), validators=[Optional(), plausible_date])
    last_day = DateField(_l("Last day"), validators=[Optional(), plausible_date])
    reason = TextAreaField(_l("Reason"), validators=[InputRequired(REQUIRED),
                                                     Length(max=exclusions.MAX_REASON, message=TOO_LONG)])


def _chosen_day(days: list[anomalies.Day]) -> dt.date | None:
    raw = request.args.get("dag")
    if raw:
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            abort(make_response(render_template("insights/refused.html", status=400, message=_(
                "The day must be written as YYYY-MM-DD.")), 400))
    if not days:
        return None
    return max(days, key=lambda d: (d.sent, d.stored + d.held, d.day)).day


@blueprint.route("/<wave_slug>/avvikelser", methods=["GET", "POST"])
def anomalies_page(wave_slug: str) -> Response | tuple[str, int]:
    survey = _wave(wave_slug)
    session = db.session()
    instrument = instrument_of(survey.questionnaire)
    form = ExclusionForm()
    chosen = request.form.getlist("pattern")[:exclusions.MAX_PATTERNS + 1]
    preview = None
    if form.validate_on_submit():
        patterns = [anomalies.pattern_from_key(session, survey, instrument, key) for key in chosen]
        terms = {"first_day": form.first_day.data, "last_day": form.last_day.data,
                 "patterns": [p for p in patterns if p is not None]}
        try:
            if any(p is None for p in patterns):
                raise ServiceError("exclusion_unknown_pattern")
            if request.form.get("action") == "preview":
                preview = exclusions.count_matching(session, survey, **terms)
            else:
                rule = exclusions.exclude(session, survey, reason=form.reason.data, actor=current_staff(),
                                          **terms)
                flash(_("%(n)s responses are now excluded from the analysis and the exports (exclusion %(id)s).",
                        n=rule.excluded_when_made, id=rule.id), "success")
                return redirect(url_for("insights.anomalies_page", wave_slug=survey.slug))
        except ServiceError as error:
            show_service_error(form, error, MESSAGES)
    days = anomalies.days(session, survey)
    day = _chosen_day(days)
    status = 400 if form.errors else 200
    return render_template(
        "insights/anomalies.html", survey=survey, form=form, preview=preview, chosen=set(chosen), days=days,
        day=day, hours=anomalies.hours(session, survey, day) if day else [],
        patterns=anomalies.identical_patterns(session, survey, instrument),
        grids=anomalies.straightlining(session, survey, instrument),
        rules=session.scalars(select(ResponseExclusion).where(ResponseExclusion.survey_id == survey.id)
                              .order_by(ResponseExclusion.id)).all(),
        excluded=exclusions.count_excluded(session, survey), local=lambda t: t.astimezone(LOCAL_TIME),
        gender_labels=GENDER_LABELS, burst=(anomalies.BURST_FACTOR, anomalies.BURST_MINIMUM),
        min_rows=anomalies.MIN_GRID_ROWS,
    ), status


@blueprint.post("/<wave_slug>/avvikelser/<id:rule_id>/ater")
def anomalies_reverse(wave_slug: str, rule_id: int) -> Response:
    survey = _wave(wave_slug)
    if not StaffForm().validate_on_submit():  # the CSRF token only
        abort(400)
    try:
        exclusions.reverse(db.session(), survey, rule_id, actor=current_staff())
    except ServiceError as error:
        if error.reason == "exclusion_unknown":
            abort(make_response(render_template("insights/refused.html", status=404,
                                                message=MESSAGES[error.reason]), 404))
        flash(str(MESSAGES[error.reason]), "error")  # reversed already (a double click): nothing to do
    else:
        flash(_("The exclusion has been reversed: its responses count again."), "success")
    return redirect(url_for("insights.anomalies_page", wave_slug=survey.slug))
