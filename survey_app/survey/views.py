"""Resident-facing pages: the start page, a wave's landing page, the question pages, summary, submission, thanks.

Views parse the request, call `flow` services and render; the request commits once when it ends (see
`survey_app.extensions.commit_or_roll_back`). Every page of the flow is sent with `Cache-Control: no-store`, so the
back button shows what is saved and a shared computer keeps no copy of anyone's answers.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response as WerkzeugResponse

from analysis.instrument import AnswerState
from survey_app import ratelimit, retention
from survey_app.db import today
from survey_app.errors import ServiceError, retry_when_unavailable
from survey_app.extensions import begin_writing, db, keep_changes
from survey_app.models import Area, Survey, SurveyDraft, SurveyStatus
from survey_app.survey import flow, guesses, holding, navigation, presentation, services, waves
from survey_app.survey.forms import read_page
from survey_app.survey.presentation import summary_rows
from survey_app.survey.questionnaires import instrument_of

blueprint = Blueprint("survey", __name__, template_folder="templates")


# Template globals rather than a context processor: the question macros (survey/_questions.html) are then imported
# without the page's context, so Jinja keeps the imported module instead of running it again on every page.
for _helper in (presentation.question_text, presentation.help_text, presentation.option_text, presentation.page_title,
                presentation.options_of, presentation.wave_title, presentation.wave_description,
                presentation.offered_languages):
    blueprint.add_app_template_global(_helper)

DRAFTS_KEY = "drafts"  # session: slug -> draft token
SUBMITTED_KEY = "submitted"  # session: slugs this browser has submitted, to answer a resubmission kindly

@blueprint.after_request
def never_cache(response: WerkzeugResponse) -> WerkzeugResponse:
    if request.endpoint and request.endpoint != "survey.start":
        response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.get("/")
def start() -> str:
    surveys = services.open_surveys(db.session(), today())
    return render_template("survey/start.html", surveys=surveys)


@blueprint.get("/tillganglighet")
def accessibility() -> str:
    return render_template("survey/accessibility.html")


# --- helpers ---------------------------------------------------------------------------------------------


def _wave_or_unavailable(slug: str, *, with_areas: bool = False) -> Survey | ResponseReturnValue:
    if not waves.SLUG_PATTERN.match(slug):  # no query for what cannot be a wave's address
        abort(404)
    query = db.select(Survey).where(Survey.slug == slug)
    if with_areas:  # in the same query, and only what a page shows of them (never their geometry)
        query = query.options(joinedload(Survey.areas).load_only(Area.code, Area.name))
    survey = db.session.scalars(query).unique().one_or_none()
    if survey is None:
        abort(404)
    if survey.status == SurveyStatus.DRAFT:
        abort(404)  # a wave being prepared is not public
    g.allowed_languages = tuple(survey.languages)
    if survey.status == SurveyStatus.OPEN and survey.period_end < today():
        # The period has ended and no daily `trygg survey close-expired` has run yet: close it now, so that unsent
        # answers are deleted when the survey closes, as the landing page promised.
        begin_writing()  # a GET reads without the write lock; the wave is read again in a writing transaction
        if survey.status == SurveyStatus.OPEN:
            waves.close_wave(db.session(), survey, actor=None, actor_label="system")
        keep_changes()  # the page answers 410, and the wave stays closed
    if not survey.is_answerable_on(today()):
        closed = survey.status == SurveyStatus.CLOSED or survey.period_end < today()
        return render_template("survey/unavailable.html", survey=survey, closed=closed), 410 if closed else 404
    return survey


def with_open_wave(view: Callable[..., ResponseReturnValue], *, with_areas: bool = False
                   ) -> Callable[..., ResponseReturnValue]:
    """Load the wave named by `slug`, or answer with a friendly page when it is unknown, closed or not yet open."""

    @wraps(view)
    def wrapper(slug: str, **kwargs: Any) -> ResponseReturnValue:
        found = _wave_or_unavailable(slug, with_areas=with_areas)
        if not isinstance(found, Survey):
            return found
        return view(found, **kwargs)

    return wrapper


def with_open_wave_and_areas(view: Callable[..., ResponseReturnValue]) -> Callable[..., ResponseReturnValue]:
    """`with_open_wave`, with the wave's areas (codes and names) loaded in the same query: the pages that show them."""
    return with_open_wave(view, with_areas=True)


def _draft_token(survey: Survey) -> str | None:
    tokens = session.get(DRAFTS_KEY)
    return tokens.get(survey.slug) if isinstance(tokens, dict) else None


def _remember_draft(survey: Survey, token: str) -> None:
    tokens = session.get(DRAFTS_KEY)
    tokens = dict(tokens) if isinstance(tokens, dict) else {}
    tokens[survey.slug] = token
    session[DRAFTS_KEY] = tokens


def _forget_draft(survey: Survey, *, submitted: bool) -> None:
    tokens = session.get(DRAFTS_KEY)
    if isinstance(tokens, dict) and survey.slug in tokens:
        session[DRAFTS_KEY] = {k: v for k, v in tokens.items() if k != survey.slug}
    if submitted:
        done = session.get(SUBMITTED_KEY)
        done = [s for s in done if isinstance(s, str)][-20:] if isinstance(done, list) else []
        session[SUBMITTED_KEY] = [*done, survey.slug]


def _current_draft(survey: Survey) -> SurveyDraft | None:
    draft = flow.find_draft(db.session(), survey, _draft_token(survey))
    if draft is not None:
        requested = request.args.get("lang")
        if requested in survey.languages and requested != draft.language:
            begin_writing()
            draft.language = requested
        g.survey_language = draft.language
    return draft


def _no_draft(survey: Survey, draft: SurveyDraft | None = None) -> WerkzeugResponse:
    """Where to send a request without a usable draft: the thanks page when it was sent, else the landing page."""
    done = session.get(SUBMITTED_KEY)
    if (draft is not None and draft.submitted) or (isinstance(done, list) and survey.slug in done):
        return redirect(url_for("survey.thanks", slug=survey.slug))
    return redirect(url_for("survey.landing", slug=survey.slug, expired=1))


def _page_context(survey: Survey, draft: SurveyDraft, state: AnswerState) -> dict[str, Any]:
    return {"survey": survey, "instrument": state.instrument, "draft": draft, "pages": list(state.shown_pages)}


# --- the flow ----------------------------------------------------------------------------------------------


@blueprint.get("/enkat/<slug>")
@with_open_wave
def landing(survey: Survey) -> ResponseReturnValue:
    instrument = instrument_of(survey.questionnaire)
    language = _landing_language(survey)
    draft = flow.find_draft(db.session(), survey, _draft_token(survey))
    if draft is not None and draft.submitted:
        draft = None
    return render_template(
        "survey/landing.html", survey=survey, instrument=instrument, language=language, draft=draft,
        expired=request.args.get("expired") == "1", answered_here=_answered_here(survey),
        retention_years=retention.policy(db.session()).response_years,
    )


def _landing_language(survey: Survey) -> str:
    from flask_babel import get_locale

    locale = str(get_locale())
    return locale if locale in survey.languages else "sv"


@blueprint.post("/enkat/<slug>/borja")
@with_open_wave
def begin(survey: Survey) -> ResponseReturnValue:
    language = request.form.get("language", "sv")
    if language not in survey.languages:
        language = "sv"
    g.survey_language = language
    client = request.remote_addr or ""
    code_given = bool((request.form.get("code") or "").strip())
    try:
        if code_given and guesses.must_wait(db.session(), survey, client):
            raise ServiceError("too_many_codes")
        if not code_given:
            _check_open_link_start(survey, client)
        started = flow.start_draft(db.session(), survey, language=language, invitation_code=request.form.get("code"))
    except ServiceError as error:
        instrument = instrument_of(survey.questionnaire)
        status = {"code_invalid_or_used": 409, "too_many_codes": 429, "answered_here": 409,
                  "too_many_starts": 429}.get(error.reason, 400)
        headers = _wrong_code(survey, client, error.reason)
        return render_template(
            "survey/landing.html", survey=survey, instrument=instrument, language=language, draft=None,
            code_error=_flow_message(error.reason), code_value=(request.form.get("code") or "")[:64],
            answered_here=_answered_here(survey), retention_years=retention.policy(db.session()).response_years,
        ), status, headers
    _remember_draft(survey, started.token)
    first = AnswerState(instrument_of(survey.questionnaire), {}).shown_pages[0]
    return redirect(url_for("survey.page", slug=survey.slug, number=first + 1))


@blueprint.route("/enkat/<slug>/sida/<int(min=1, max=999):number>", methods=["GET", "POST"])
@with_open_wave_and_areas
def page(survey: Survey, number: int) -> ResponseReturnValue:
    draft = _current_draft(survey)
    if draft is None or draft.submitted:
        return _no_draft(survey, draft)
    instrument = instrument_of(survey.questionnaire)
    page_index = number - 1
    if not 0 <= page_index < len(instrument.pages):
        abort(404)
    errors: dict[str, str] = {}
    raw: dict[str, object] = {}
    if request.method == "POST":
        result = read_page(
            instrument, page_index, request.form, saved=draft.answers, areas=[a.code for a in survey.areas],
            language=draft.language, today=today(),
        )
        if result.below_audience_age or result.above_audience_age:
            flow.discard_draft(db.session(), draft)
            _forget_draft(survey, submitted=False)
            elsewhere = services.open_surveys_for_age(db.session(), today(), result.age or 0, besides=survey)
            return render_template("survey/outside_audience.html", survey=survey, instrument=instrument,
                                   too_young=result.below_audience_age, elsewhere=elsewhere)
        returning = request.form.get("till") == navigation.RETURN_TO_SUMMARY
        before = AnswerState(instrument, draft.answers) if returning else None
        flow.save_answers(draft, {**result.answers}, page=page_index)
        action = request.form.get("action", "next")
        if action == "save":
            code = flow.new_resume_code(draft)
            return render_template("survey/saved.html", survey=survey, code=code, number=number)
        state = AnswerState(instrument, draft.answers)
        pages = state.shown_pages
        if action == "back":
            earlier = [p for p in pages if p < page_index]
            if earlier:
                return redirect(url_for("survey.page", slug=survey.slug, number=earlier[-1] + 1))
            return redirect(url_for("survey.landing", slug=survey.slug))
        if not result.errors:
            if before is not None:
                # A change made from the summary goes back to it, through the pages the change opened (if any).
                walk = navigation.pages_to_walk(
                    state, navigation.parse_pending(request.form.get("sedan"), instrument),
                    navigation.opened_pages(before, state, page_index), page_index)
                if walk:
                    return redirect(url_for("survey.page", slug=survey.slug, number=walk[0] + 1,
                                            till=navigation.RETURN_TO_SUMMARY,
                                            sedan=",".join(map(str, walk[1:])) or None))
                return redirect(url_for("survey.summary", slug=survey.slug))
            later = [p for p in pages if p > page_index]
            if later and action != "summary":
                return redirect(url_for("survey.page", slug=survey.slug, number=later[0] + 1))
            return redirect(url_for("survey.summary", slug=survey.slug))
        keep_changes()  # the page answers 400, but the valid answers on it are kept: nothing is lost
        # The page is shown again with what was typed (`raw`); that cannot change which of its items are visible,
        # since a condition only reads answers from earlier pages.
        errors, raw = result.errors, result.raw
    else:
        state = AnswerState(instrument, draft.answers)
        if page_index not in state.shown_pages:
            # A page skip logic now hides (for example after going back and changing an answer): go to the next one,
            # or, on the way back to the summary, to the next page still to visit there (or the summary itself).
            if request.args.get("till") == navigation.RETURN_TO_SUMMARY:
                walk = navigation.pages_to_walk(
                    state, navigation.parse_pending(request.args.get("sedan"), instrument), (), page_index)
                return redirect(url_for("survey.page", slug=survey.slug, number=walk[0] + 1,
                                        till=navigation.RETURN_TO_SUMMARY, sedan=",".join(map(str, walk[1:])) or None)
                                if walk else url_for("survey.summary", slug=survey.slug))
            later = [p for p in state.shown_pages if p > page_index]
            target = url_for("survey.page", slug=survey.slug, number=later[0] + 1) if later else url_for(
                "survey.summary", slug=survey.slug)
            return redirect(target)
    position, total = navigation.progress(state, page_index)
    returning = (request.values.get("till") == navigation.RETURN_TO_SUMMARY)
    return render_template(
        "survey/page.html", **_page_context(survey, draft, state), page_index=page_index,
        position=position, total=total, return_to_summary=returning,
        pending=",".join(map(str, navigation.parse_pending(request.values.get("sedan"), instrument))),
        in_swedish=presentation.falls_back_to_swedish(state, page_index, draft.language),
        items=state.visible_items(page_index),
        visible_codes={item.code for item in state.visible_questions(page_index)},
        answers={**draft.answers, **raw}, errors=errors, language=draft.language,
        area_names={area.code: area.name for area in survey.areas},
    ), 400 if errors else 200


@blueprint.get("/enkat/<slug>/sammanfattning")
@with_open_wave_and_areas
def summary(survey: Survey) -> ResponseReturnValue:
    draft = _current_draft(survey)
    if draft is None or draft.submitted:
        return _no_draft(survey, draft)
    return _summary_page(survey, draft)


def _summary_page(survey: Survey, draft: SurveyDraft, *, tried_to_send: bool = False) -> ResponseReturnValue:
    state = AnswerState(instrument_of(survey.questionnaire), draft.answers)
    rows = summary_rows(state, draft.language, {a.code: a.name for a in survey.areas})
    in_swedish = any(presentation.falls_back_to_swedish(state, p, draft.language) for p in state.shown_pages)
    return render_template("survey/summary.html", **_page_context(survey, draft, state), rows=rows,
                           language=draft.language, nothing_answered=not state.answers, in_swedish=in_swedish,
                           tried_to_send=tried_to_send), 400 if tried_to_send else 200


@blueprint.post("/enkat/<slug>/skicka")
@retry_when_unavailable  # a locked or unreachable database: once more after a pause, then a 503 saying not sent
@with_open_wave
def send(survey: Survey) -> ResponseReturnValue:
    draft = _current_draft(survey)
    if draft is None or draft.submitted:
        return _no_draft(survey, draft)
    if not AnswerState(instrument_of(survey.questionnaire), draft.answers).answers:
        return _summary_page(survey, draft, tried_to_send=True)  # an empty response is not stored
    sent = flow.submit(db.session(), survey, draft, today())  # False when a double click's twin stored it
    holding.release_after_this_request(sent_to=survey if sent else None)
    _forget_draft(survey, submitted=True)
    response = redirect(url_for("survey.thanks", slug=survey.slug))
    if survey.one_per_browser:
        _mark_answered_here(response, survey)
    return response


# The browser remembers the waves it has sent an answer to (their ids, nothing else) so that the open link cannot be
# used again from it. It says nothing about the answer; the landing page tells the resident about it.
ANSWERED_COOKIE = "trygg_besvarad"
ANSWERED_COOKIE_DAYS = 400


def _answered_waves() -> list[int]:
    raw = request.cookies.get(ANSWERED_COOKIE, "")
    return [int(part) for part in raw.split(".")[:50] if part.isdigit() and len(part) < 10]


def _answered_here(survey: Survey) -> bool:
    return survey.one_per_browser and survey.id in _answered_waves()


def _mark_answered_here(response: WerkzeugResponse, survey: Survey) -> None:
    waves_here = [*[wave for wave in _answered_waves() if wave != survey.id][-19:], survey.id]
    response.set_cookie(ANSWERED_COOKIE, ".".join(map(str, waves_here)), max_age=ANSWERED_COOKIE_DAYS * 86400,
                        secure=current_app.config["SESSION_COOKIE_SECURE"], httponly=True, samesite="Lax")


def _check_open_link_start(survey: Survey, client: str) -> None:
    """A start without a code: refused from a browser that has answered, or past the wave's starts an hour from one
    network address (counted across every app server; the address is kept only as a keyed hash)."""
    if _answered_here(survey):
        raise ServiceError("answered_here")
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    key = ratelimit.key_for(app, f"starts:{survey.id}", client)
    if ratelimit.hit(db.session(), key, window=3600, now=time.time()) > survey.starts_per_hour:
        keep_changes()
        raise ServiceError("too_many_starts")


@blueprint.get("/enkat/<slug>/tack")
def thanks(slug: str) -> ResponseReturnValue:
    survey = db.session.scalar(db.select(Survey).where(Survey.slug == slug)) if waves.SLUG_PATTERN.match(slug) else None
    if survey is None or survey.status == SurveyStatus.DRAFT:  # a wave being prepared is not public, not even its title
        abort(404)
    g.allowed_languages = tuple(survey.languages)
    return render_template("survey/thanks.html", survey=survey)


@blueprint.route("/enkat/<slug>/fortsatt", methods=["GET", "POST"])
@with_open_wave
def resume(survey: Survey) -> ResponseReturnValue:
    error, status, headers = None, 200, {}
    if request.method == "POST":
        client = request.remote_addr or ""
        try:
            if guesses.must_wait(db.session(), survey, client):
                raise ServiceError("too_many_codes")
            started = flow.resume_draft(db.session(), survey, request.form.get("code", ""))
        except ServiceError as failure:
            error = _flow_message(failure.reason)
            status = 429 if failure.reason == "too_many_codes" else 400
            headers = _wrong_code(survey, client, failure.reason)
        else:
            _remember_draft(survey, started.token)
            g.survey_language = started.draft.language
            pages = AnswerState(instrument_of(survey.questionnaire), started.draft.answers).shown_pages
            target = started.draft.page if started.draft.page in pages else pages[0]
            return redirect(url_for("survey.page", slug=survey.slug, number=target + 1))
    return render_template("survey/resume.html", survey=survey, error=error), status, headers


def _wrong_code(survey: Survey, client: str, reason: str) -> dict[str, str]:
    """Count a wrong invitation or resume code against the client and the wave (kept although the request fails);
    the headers of a refusal."""
    if reason in ("code_invalid_or_used", "resume_code_unknown"):
        guesses.record_wrong_code(db.session(), survey, client)
        keep_changes()
    if reason == "too_many_codes":
        return {"Retry-After": str(guesses.seconds_left())}
    return {}


def _flow_message(reason: str) -> str:
    messages = {
        "unknown_language": _("Choose one of the languages offered."),
        "code_required": _("Write the code from your invitation letter."),
        "code_invalid_or_used": _(
            "The code is not valid or has already been used. Check that you wrote it correctly. "
            "Each code can be used once."
        ),
        "too_many_codes": _(
            "You have written a code that was not right too many times. Wait a quarter of an hour and try again."
        ),
        "answered_here": _(
            "An answer to this survey has already been sent from this browser. Thank you! If you got an invitation "
            "letter, write its code."
        ),
        "too_many_starts": _(
            "Very many people have started the survey from your network in the last hour. Try again in a while."
        ),
        "resume_code_unknown": _(
            "We could not find saved answers with that code. Check the code. "
            "Saved answers are deleted when the survey closes."
        ),
    }
    return messages.get(reason, _("Something went wrong. Try again."))

