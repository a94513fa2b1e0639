"""Staff data entry: returned paper questionnaires and assisted interviews, typed in one long form per questionnaire.

Made for speed: the code field has the focus, the questions follow in the questionnaire's order (radio groups are one
tab stop each, the arrow keys choose), and "Save and next" gives an empty form for the next questionnaire. Who may
enter is the role matrix's business (all staff: interviewers are facilitators).
"""

from __future__ import annotations

from typing import Any

from babel import Locale
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from survey_app.admin.paper import condition_words, question_numbers
from survey_app.auth.access import current_staff
from survey_app.db import get_or_404, today
from survey_app.entry import services
from survey_app.errors import ServiceError, retry_when_unavailable
from survey_app.extensions import db
from survey_app.models import Channel, StaffUser, Survey, SurveyStatus
from survey_app.survey import holding, presentation
from survey_app.survey.questionnaires import instrument_of
from survey_app.survey.services import open_surveys

blueprint = Blueprint("entry", __name__, template_folder="templates", url_prefix="/registrering")

CHANNEL_LABELS = {Channel.PAPER: _l("Paper questionnaire"), Channel.ASSISTED: _l("Interview")}
MESSAGES = {
    "code_used": _l("The code has already been used, online or on paper. Each code can be used once. "
                    "Nothing has been saved."),
    "code_unknown": _l("There is no such code for this survey. Check that you typed it as it is printed. "
                       "Nothing has been saved."),
    "code_required": _l("Type the code printed on the questionnaire. Nothing has been saved."),
    "unknown_language": _l("Choose one of the survey's languages."),
    "form_expired": _l("The form could not be read. Nothing has been saved. Type the questionnaire again."),
    "nothing_answered": _l("No question is answered. Nothing has been saved."),
    "outside_audience": _l("The age is outside the ages this survey is for, so the answers may not be kept. "
                           "Nothing has been saved."),
    "answers_invalid": _l("Some answers could not be read; they are marked below. Nothing has been saved."),
}
CODE_STATUS = {"code_used": 409, "code_unknown": 409}


@blueprint.after_request
def never_cache(response: Any) -> Any:
    response.headers["Cache-Control"] = "no-store"
    return response


def _actor() -> StaffUser:
    user = current_staff()
    if user is None:
        abort(403)
    return user


@blueprint.get("/")
def index() -> str:
    return render_template("entry/index.html", surveys=open_surveys(db.session(), today()),
                           channels=CHANNEL_LABELS)


def _open_wave(survey_id: int) -> Survey | ResponseReturnValue:
    survey = get_or_404(db.session(), Survey, survey_id)
    if survey.status == SurveyStatus.DRAFT:
        abort(404)
    if not survey.is_answerable_on(today()):
        # Closed, or outside its period: as online, no more answers (a closed wave's last ones are already stored
        # among the others, and these could not be hidden among any).
        return render_template("entry/index.html", surveys=open_surveys(db.session(), today()),
                               channels=CHANNEL_LABELS, problem=_("The survey is not open for answers, so nothing "
                                                                  "can be entered into it.")), 409
    return survey


def _channel() -> Channel:
    value = request.values.get("kanal", Channel.PAPER.value)
    channel = next((c for c in services.ENTRY_CHANNELS if c.value == value), None)
    if channel is None:
        abort(400)
    return channel


def _language(survey: Survey) -> str:
    language = request.values.get("sprak", "sv")
    return language if language in survey.languages else "sv"


def _render(survey: Survey, *, channel: Channel, language: str, typed: MultiDict[str, str] | None = None,
            errors: dict[str, str] | None = None, problem: str | None = None, status: int = 200) -> ResponseReturnValue:
    instrument = instrument_of(survey.questionnaire)
    numbers = question_numbers(instrument)
    questions = [question for page in instrument.pages for item in page.items for question in (item, *item.rows)]
    instructions = {question.code: condition_words(question.show_if, instrument, numbers, language)
                    for question in questions if question.show_if is not None}
    return render_template(
        "entry/form.html", survey=survey, instrument=instrument, numbers=numbers, instructions=instructions,
        channel=channel, channels=CHANNEL_LABELS, language=language, typed=typed or MultiDict(),
        errors=errors or {}, token=services.new_token(),
        problem=str(MESSAGES.get(problem, MESSAGES["form_expired"])) if problem else None,
        areas={area.code: area.name for area in survey.areas}, question_text=presentation.question_text,
        options_of=presentation.options_of, page_title=presentation.page_title,
        language_names={code: Locale.parse(code).get_display_name(str(get_locale())) for code in survey.languages},
        code_problem=problem in CODE_STATUS or problem == "code_required",
    ), status


@blueprint.route("/<id:survey_id>", methods=["GET", "POST"])
@retry_when_unavailable  # a locked database: once more (the form's token makes that safe), then a 503: not saved
def form(survey_id: int) -> ResponseReturnValue:
    survey = _open_wave(survey_id)
    if not isinstance(survey, Survey):
        return survey
    channel, language = _channel(), _language(survey)
    if request.method == "GET":
        return _render(survey, channel=channel, language=language)
    actor = _actor()
    token = request.form.get(services.ENTRY_FIELD) or ""
    typed = request.form.copy()
    if not services.valid_token(token):
        return _render(survey, channel=channel, language=language, typed=typed, problem="form_expired", status=400)
    instrument = instrument_of(survey.questionnaire)
    result = services.read_entry(instrument, request.form, areas=[a.code for a in survey.areas], language=language,
                                 today=today())
    problem = ("outside_audience" if result.outside_audience else "answers_invalid" if result.errors
               else "nothing_answered" if not result.answers else None)
    if problem:
        return _render(survey, channel=channel, language=language, typed=typed, errors=result.errors,
                       problem=problem, status=400)
    try:
        draft = services.claim(db.session(), survey, code=request.form.get("code"), token=token, language=language)
    except ServiceError as error:
        return _render(survey, channel=channel, language=language, typed=typed, problem=error.reason,
                       status=CODE_STATUS.get(error.reason, 400))
    # The code is marked used in a transaction of its own, and the answers are held in the next one: the two never
    # share a transaction (survey/holding.py), as on the web, where they are separate requests.
    db.session.commit()
    sent = services.send(db.session(), survey, draft, result.answers, channel=channel, today=today())
    db.session.commit()
    if sent:
        services.count_entry(db.session(), survey, actor=actor, channel=channel)  # committed when the request ends
        holding.release_after_this_request()  # no hourly count: a paper answer was not sent at that hour
        flash(_("The questionnaire has been saved. Type the next one."), "success")
    else:
        flash(_("This questionnaire had already been saved; it was not saved again. Type the next one."), "success")
    return redirect(url_for("entry.form", survey_id=survey.id, kanal=channel.value, sprak=language))
