"""The analyst's workspace under /analys/: waves, a wave's overview, breakdown tables, the gender, child-rights and
trend views, and the admin's problem-level cut-points.

A page's state (weighting, measure, breakdown, comparison wave) lives in the URL query, so a view can be bookmarked
and shared, and the forms that change it are plain GET forms (no JavaScript). A bad value in the URL gets a Swedish
message and a 4xx; a wave whose figures cannot be shown gets a message in place of the figures.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn
from urllib.parse import urlencode

from flask import Blueprint, abort, flash, g, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.wrappers import Response

from analysis.instrument import MeasureDef
from analysis.report import EstimateRow
from survey_app.auth.access import current_staff
from survey_app.errors import ServiceError
from survey_app.extensions import db
from survey_app.forms import StaffForm, show_service_error
from survey_app.insights import charts, figures, formatting, participation, results, services
from survey_app.insights.forms import CutpointsForm
from survey_app.insights.messages import INSIGHTS_MESSAGES
from survey_app.insights.service import wave_input
from survey_app.models import Survey
from survey_app.survey.questionnaires import instrument_of
from survey_app.survey.waves import all_waves

blueprint = Blueprint("insights", __name__, template_folder="templates", url_prefix="/analys")

WEIGHTING_LABELS = {"none": _l("No weighting"), "poststrat": _l("Post-stratification"),
                    "raking": _l("Raking to area, gender and age band")}
BREAKDOWN_LABELS = {"area": _l("Area"), "gender": _l("Gender"), "age_band": _l("Age band"),
                    "area_gender": _l("Area × gender"), "area_age_band": _l("Area × age band")}
GENDER_LABELS = {"woman": _l("Women"), "man": _l("Men"), "other": _l("Other gender"),
                 "no_answer": _l("Gender not given")}
AGE_GROUP_LABELS = {"under_18": _l("Under 18"), "18_plus": _l("18 and older")}
STATUS_LABELS = {"draft": _l("Draft (not public)"), "open": _l("Open"), "closed": _l("Closed")}
LEVEL_NAMES = {2: _l("normal value")}


@dataclass(frozen=True, slots=True)
class PageState:
    """What the URL query says; `compare` is the comparison wave's slug."""

    weighting: str
    measure: str
    by: str
    compare: str | None

    def query(self, **changes: str | None) -> dict[str, str]:
        values = {"weighting": self.weighting, "measure": self.measure, "by": self.by, "compare": self.compare}
        values.update(changes)
        return {k: v for k, v in values.items() if v}


def _refuse(status: int, reason: str) -> NoReturn:
    page = render_template("insights/refused.html", message=INSIGHTS_MESSAGES[reason], status=status)
    abort(make_response(page, status))


def _wave(slug: str) -> Survey:
    survey = db.session.scalar(select(Survey).where(Survey.slug == slug))
    if survey is None:
        _refuse(404, "unknown_wave")
    return survey


def _state(survey: Survey, measures: list[MeasureDef]) -> PageState:
    weighting = request.args.get("weighting") or results.default_weighting(db.session(), survey)
    if weighting not in results.WEIGHTINGS:
        _refuse(400, "unknown_weighting")
    names = [m.name for m in measures]
    if not names:
        _refuse(404, "unknown_measure")
    default = results.DEFAULT_MEASURE if results.DEFAULT_MEASURE in names else names[0]
    measure = request.args.get("measure") or default
    if measure not in names:
        _refuse(400, "unknown_measure")
    by = request.args.get("by") or "area_gender"
    if by not in results.BREAKDOWNS:
        _refuse(400, "unknown_breakdown")
    compare = request.args.get("compare") or None
    if compare is not None and db.session.scalar(select(Survey.id).where(Survey.slug == compare)) is None:
        _refuse(400, "unknown_compare")  # on every page: it is kept in the links and the downloads
    return PageState(weighting=weighting, measure=measure, by=by, compare=compare)


def _label(measure: MeasureDef) -> str:
    language = str(get_locale() or "sv")
    return measure.label.get(language) or measure.label["sv"]


def _group_label(survey: Survey) -> Callable[[tuple], str]:
    names = {a.code: a.name for a in survey.areas}

    def label(group: tuple) -> str:
        if not group:
            return _("The whole municipality")
        parts = []
        for dimension, value in group:
            if dimension == "area":
                parts.append(names.get(value, value))
            elif dimension == "gender":
                parts.append(str(GENDER_LABELS.get(value, value)))
            elif dimension == "age_group":
                parts.append(str(AGE_GROUP_LABELS.get(value, value)))
            else:
                parts.append(_("%(band)s years", band=value))
        return ", ".join(parts)

    return label


def _context(survey: Survey, state: PageState, measures: list[MeasureDef], page: str) -> dict[str, Any]:
    def page_url(endpoint: str, **changes: str | None) -> str:
        return url_for(endpoint, wave_slug=survey.slug, **state.query(**changes))  # type: ignore[arg-type]

    return {
        "survey": survey, "state": state, "page": page, "measures": measures, "page_url": page_url,
        "measure_label": _label, "group_label": _group_label(survey),
        "weighting_labels": WEIGHTING_LABELS, "breakdown_labels": BREAKDOWN_LABELS, "gender_labels": GENDER_LABELS,
        "status_labels": STATUS_LABELS, "level_names": LEVEL_NAMES,
        "areas": {a.code: a.name for a in survey.areas},
    }


def _analyse(survey: Survey, state: PageState, compare: Survey | None = None,
             data: Any = None) -> tuple[results.WaveResults | None, str | None]:
    try:
        return results.analyse_wave(db.session(), survey, weighting=state.weighting, compare=compare, data=data), None
    except results.ResultsUnavailable as error:
        message = str(INSIGHTS_MESSAGES[error.reason])
        if "%(detail)s" in message:
            return None, message % {"detail": error.detail}
        g.problem_detail = error.detail  # the analysis' own words, in English, for whoever needs the cause
        return None, message


@blueprint.context_processor
def page_helpers() -> dict[str, object]:
    def language_url(code: str) -> str:
        """The same view in another language: the page state in the query is kept."""
        return "?" + urlencode({**request.args.to_dict(), "lang": code})

    def chart(rows: Sequence[EstimateRow], label: Callable[[object], str], caption_id: str, percent: bool) -> Markup:
        """The table's rows as a server-drawn SVG bar chart with CI bars; the table is its text alternative."""
        return charts.chart_svg(charts.chart_rows(rows, lambda row: str(label(row.group))), caption_id=caption_id,
                                locale=str(get_locale() or "sv"), percent=percent, few_answers=_("few answers"))

    return {"language_url": language_url, "fmt": formatting, "chart": chart, "figures": figures}


# --- the waves --------------------------------------------------------------------------------------------------


@blueprint.get("/")
def index() -> str:
    counts = results.response_counts(db.session())
    waves = []
    for survey in all_waves(db.session()):
        population = results.wave_population(db.session(), survey)
        responses = counts.get(survey.id, 0)
        waves.append({"survey": survey, "responses": responses, "population": population,
                      "rate": responses / population if population else None})
    return render_template("insights/index.html", waves=waves, status_labels=STATUS_LABELS)


@blueprint.get("/<wave_slug>")
def overview(wave_slug: str) -> str:
    survey = _wave(wave_slug)
    measures = list(instrument_of(survey.questionnaire).measures)
    state = _state(survey, measures)  # a bad value in the URL is refused before the wave is read
    data = wave_input(db.session(), survey)
    outcome, problem = _analyse(survey, state, data=data)
    who = participation.participation(db.session(), survey, data)
    return render_template("insights/overview.html", **_context(survey, state, measures, "overview"),
                           results=outcome, problem=problem, who=who,
                           headline=results.headline_measures(measures))


@blueprint.get("/<wave_slug>/tabell")
def table(wave_slug: str) -> str:
    survey = _wave(wave_slug)
    measures = list(instrument_of(survey.questionnaire).measures)
    state = _state(survey, measures)  # a bad value in the URL is refused before the wave is read
    data = wave_input(db.session(), survey)
    outcome, problem = _analyse(survey, state, data=data)
    return render_template("insights/table.html", **_context(survey, state, measures, "table"),
                           results=outcome, problem=problem, dimensions=results.BREAKDOWNS[state.by])


@blueprint.get("/<wave_slug>/kon")
def gender(wave_slug: str) -> str:
    return _headline_page(wave_slug, "gender")


@blueprint.get("/<wave_slug>/barn")
def children(wave_slug: str) -> str:
    return _headline_page(wave_slug, "children")


def _headline_page(wave_slug: str, page: str) -> str:
    """A page of the headline measures for one wave (the gender gap, the children's view)."""
    survey = _wave(wave_slug)
    measures = list(instrument_of(survey.questionnaire).measures)
    state = _state(survey, measures)  # a bad value in the URL is refused before the wave is read
    data = wave_input(db.session(), survey)
    outcome, problem = _analyse(survey, state, data=data)
    return render_template(f"insights/{page}.html", **_context(survey, state, measures, page),
                           results=outcome, problem=problem, headline=results.headline_measures(measures))


@blueprint.get("/<wave_slug>/trend")
def trend(wave_slug: str) -> str:
    survey = _wave(wave_slug)
    measures = list(instrument_of(survey.questionnaire).measures)
    state = _state(survey, measures)  # a bad value in the URL is refused before the wave is read
    data = wave_input(db.session(), survey)
    earlier = results.comparable_waves(db.session(), survey)
    compare = None
    if state.compare is not None:
        compare = db.session.scalar(select(Survey).where(Survey.slug == state.compare))
        if compare is None:
            _refuse(400, "unknown_compare")
    elif earlier:
        compare = earlier[0]
        state = PageState(state.weighting, state.measure, state.by, compare.slug)
    outcome, problem = (None, None)
    if compare is not None:
        outcome, problem = _analyse(survey, state, compare=compare, data=data)
    return render_template("insights/trend.html", **_context(survey, state, measures, "trend"),
                           results=outcome, problem=problem, earlier=earlier, compare=compare,
                           headline=results.headline_measures(measures))


# --- problem-level cut-points (admins) ----------------------------------------------------------------------------


@blueprint.get("/problemniva")
def cutpoints() -> str:
    return render_template("insights/cutpoints.html", measures=services.share_measures(db.session()),
                           settings=results.cutpoint_settings(db.session()), measure_label=_label)


@blueprint.route("/problemniva/<measure>", methods=["GET", "POST"])
def cutpoints_edit(measure: str) -> Response | tuple[str, int]:
    found = {m.name: m for m in services.share_measures(db.session())}
    if measure not in found:
        _refuse(404, "unknown_cutpoint_measure")
    current = results.cutpoint_settings(db.session()).get(measure)
    data = {f"cut{i + 1}": round(v * 100, 4) for i, v in enumerate(current.cutpoints)} if current else None
    form = CutpointsForm(data=data)
    actor = current_staff()
    if request.form.get("action") == "clear" and StaffForm().validate_on_submit():  # the CSRF token only
        services.clear_cutpoints(db.session(), measure, actor=actor)
        flash(_("The cut-points have been removed."), "success")
        return redirect(url_for("insights.cutpoints"))
    elif form.validate_on_submit():
        try:
            services.set_cutpoints(db.session(), measure, form.values(), actor=actor)
        except ServiceError as error:
            show_service_error(form, error, INSIGHTS_MESSAGES)
        else:
            flash(_("The cut-points have been saved."), "success")
            return redirect(url_for("insights.cutpoints"))
    status = 400 if form.is_submitted() else 200
    return render_template("insights/cutpoints_form.html", form=form, measure=found[measure], current=current,
                           measure_label=_label), status


from survey_app.insights import anomalies as _anomalies  # noqa: E402, F401  (its views join this blueprint)
