"""Administration pages: staff users, areas, focus areas and survey waves. Only admin gets here (the role matrix)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select
from werkzeug.wrappers import Response

from survey_app import audit, retention
from survey_app.admin import services
from survey_app.admin.area_views import wave_population_year_form
from survey_app.admin.forms import (
    WAVE_TEXT_LANGUAGES,
    AreaForm,
    FocusAreaForm,
    RetentionForm,
    UserCreateForm,
    UserEditForm,
    WaveCodesForm,
    WaveForm,
)
from survey_app.admin.messages import ADMIN_MESSAGES, CHANNEL_LABELS
from survey_app.auth import services as accounts
from survey_app.auth.access import current_staff
from survey_app.auth.messages import ACCOUNT_MESSAGES
from survey_app.db import get_or_404, today, utcnow
from survey_app.dialogue.queries import focus_areas as list_focus_areas
from survey_app.errors import ServiceError
from survey_app.extensions import db
from survey_app.forms import as_choices, show_service_error
from survey_app.models import Area, AuditEvent, FocusArea, Questionnaire, StaffUser, Survey, SurveyStatus
from survey_app.security import public_url
from survey_app.survey.messages import WAVE_MESSAGES
from survey_app.survey.questionnaires import instrument_of
from survey_app.survey.waves import (
    all_waves,
    close_wave,
    create_wave,
    generate_invitation_codes,
    open_wave,
    wave_counts,
)

blueprint = Blueprint("admin", __name__, template_folder="templates", url_prefix="/admin")


STATUS_LABELS = {"draft": _l("Draft (not public)"), "open": _l("Open"), "closed": _l("Closed")}


@blueprint.context_processor
def wave_labels() -> dict[str, object]:
    return {"status_label": lambda status: str(STATUS_LABELS.get(status, status)),
            "channel_label": lambda channel: str(CHANNEL_LABELS.get(channel, channel))}


def _actor() -> StaffUser:
    user = current_staff()
    if user is None:
        abort(403)
    return user


# --- users --------------------------------------------------------------------------------------------------


@blueprint.get("/anvandare")
def users() -> str:
    return render_template("admin/users.html", users=accounts.staff_users(db.session()))


@blueprint.route("/anvandare/ny", methods=["GET", "POST"])
def user_create() -> Response | tuple[str, int]:
    form = UserCreateForm()
    if form.validate_on_submit():
        if form.password.data != form.repeated.data:
            form.repeated.errors = [*form.repeated.errors, str(ACCOUNT_MESSAGES["password_mismatch"])]
        else:
            try:
                user = accounts.create_staff_user(db.session(), email=form.email.data, password=form.password.data,
                                                  role=form.role.data, actor=_actor(), actor_label=_actor().email)
            except ServiceError as error:
                show_service_error(form, error, ACCOUNT_MESSAGES)
            else:
                flash(_("The account %(email)s has been created.", email=user.email), "success")
                return redirect(url_for("admin.users"))
    status = 400 if form.is_submitted() else 200
    return render_template("admin/user_create.html", form=form), status


@blueprint.route("/anvandare/<id:user_id>", methods=["GET", "POST"])
def user_edit(user_id: int) -> Response | tuple[str, int]:
    user = get_or_404(db.session(), StaffUser, user_id)
    form = UserEditForm(data={"role": user.role, "active": user.active})
    if form.validate_on_submit():
        try:
            if (form.password.data or "") != (form.repeated.data or ""):
                raise ServiceError("password_mismatch", "repeated")
            accounts.update_staff_user(db.session(), user, role=form.role.data, active=bool(form.active.data),
                                       actor=_actor())
            if form.password.data:
                accounts.reset_password(db.session(), user, password=form.password.data, actor=_actor())
        except ServiceError as error:
            show_service_error(form, error, ACCOUNT_MESSAGES)
        else:
            flash(_("The account %(email)s has been updated.", email=user.email), "success")
            return redirect(url_for("admin.users"))
    status = 400 if form.is_submitted() else 200
    return render_template("admin/user_edit.html", form=form, user=user), status


# --- areas --------------------------------------------------------------------------------------------------


@blueprint.get("/omraden")
def areas() -> str:
    return render_template("admin/areas.html", areas=db.session.scalars(select(Area).order_by(Area.name)).all())


def _area_page(area: Area | None) -> Response | tuple[str, int]:
    form = AreaForm(obj=area)
    if form.validate_on_submit():
        try:
            services.save_area(db.session(), area, code=form.code.data, name=form.name.data, actor=_actor())
        except ServiceError as error:
            show_service_error(form, error, ADMIN_MESSAGES)
        else:
            flash(_("The area has been saved."), "success")
            return redirect(url_for("admin.areas"))
    status = 400 if form.is_submitted() else 200
    return render_template("admin/area_form.html", form=form, area=area), status


@blueprint.route("/omraden/ny", methods=["GET", "POST"])
def area_create() -> Response | tuple[str, int]:
    return _area_page(None)


@blueprint.route("/omraden/<id:area_id>", methods=["GET", "POST"])
def area_edit(area_id: int) -> Response | tuple[str, int]:
    return _area_page(get_or_404(db.session(), Area, area_id))


# --- focus areas --------------------------------------------------------------------------------------------


@blueprint.get("/fokusomraden")
def focus_areas() -> str:
    return render_template("admin/focus_areas.html", focus_areas=list_focus_areas(db.session()))


def _focus_area_page(focus_area: FocusArea | None) -> Response | tuple[str, int]:
    form = FocusAreaForm(obj=focus_area)
    if form.validate_on_submit():
        try:
            services.save_focus_area(db.session(), focus_area, code=form.code.data, name=form.name.data,
                                     position=form.position.data or 0, active=bool(form.active.data),
                                     actor=_actor())
        except ServiceError as error:
            show_service_error(form, error, ADMIN_MESSAGES)
        else:
            flash(_("The focus area has been saved."), "success")
            return redirect(url_for("admin.focus_areas"))
    status = 400 if form.is_submitted() else 200
    return render_template("admin/focus_area_form.html", form=form, focus_area=focus_area), status


@blueprint.route("/fokusomraden/ny", methods=["GET", "POST"])
def focus_area_create() -> Response | tuple[str, int]:
    return _focus_area_page(None)


@blueprint.route("/fokusomraden/<id:focus_area_id>", methods=["GET", "POST"])
def focus_area_edit(focus_area_id: int) -> Response | tuple[str, int]:
    return _focus_area_page(get_or_404(db.session(), FocusArea, focus_area_id))


# --- survey waves ---------------------------------------------------------------------------------------------


def _wave_form(form: WaveForm | None = None) -> WaveForm:
    form = form or WaveForm()
    questionnaires = list(db.session.scalars(
        select(Questionnaire).order_by(Questionnaire.slug, Questionnaire.loaded_at.desc())))
    form.questionnaire.choices = as_choices(
        (q.id, f"{instrument_of(q).title.get('sv', q.slug)} ({q.slug}, version {q.version})") for q in questionnaires)
    form.areas.choices = as_choices((a.id, a.name) for a in db.session.scalars(select(Area).order_by(Area.name)))
    languages: dict[str, str] = {}
    for questionnaire in questionnaires:
        for language in instrument_of(questionnaire).languages:
            languages.setdefault(language.code, language.name)
    form.languages.choices = as_choices(languages.items())
    for code in WAVE_TEXT_LANGUAGES:
        name = _language_name(code)
        form[f"title_{code}"].label.text = _("Title in %(language)s", language=name)
        form[f"description_{code}"].label.text = _("Description in %(language)s", language=name)
    if not form.is_submitted():
        form.areas.data = [str(choice.value) for choice in form.areas.choices]
        form.languages.data = ["sv"]
        form.access.data = "link"
        form.one_per_browser.data = True
        form.starts_per_hour.data = 60
    return form


def _language_name(code: str) -> str:
    """A language's name in the language of the page, e.g. "engelska" on a Swedish page."""
    from babel import Locale
    from flask_babel import get_locale

    return Locale.parse(code).get_display_name(str(get_locale() or "sv")) or code


@blueprint.get("/enkater")
def waves() -> str:
    surveys = all_waves(db.session())
    return render_template("admin/waves.html", surveys=surveys,
                           counts={s.id: wave_counts(db.session(), s) for s in surveys})


@blueprint.route("/enkater/ny", methods=["GET", "POST"])
def wave_create() -> Response | tuple[str, int]:
    form = _wave_form()
    if form.validate_on_submit():
        questionnaire = get_or_404(db.session(), Questionnaire, int(form.questionnaire.data))
        areas = list(db.session.scalars(select(Area).where(Area.id.in_([int(a) for a in form.areas.data]))))
        try:
            survey = create_wave(
                db.session(), questionnaire=questionnaire, slug=form.slug.data.strip(), title=form.title.data.strip(),
                period_start=form.period_start.data, period_end=form.period_end.data, areas=areas,
                languages=form.languages.data or ["sv"], open_link=form.access.data in ("link", "both"),
                invitation_codes=form.access.data in ("codes", "both"),
                one_per_browser=bool(form.one_per_browser.data), starts_per_hour=form.starts_per_hour.data,
                status=SurveyStatus.OPEN if form.open_now.data else SurveyStatus.DRAFT, actor=_actor(),
                title_translations={code: form[f"title_{code}"].data or "" for code in WAVE_TEXT_LANGUAGES},
                descriptions={"sv": form.description_sv.data or "",
                              **{code: form[f"description_{code}"].data or "" for code in WAVE_TEXT_LANGUAGES}},
            )
        except ServiceError as error:
            show_service_error(form, error, WAVE_MESSAGES)
        else:
            flash(_("The survey wave %(title)s has been created.", title=survey.title), "success")
            return redirect(url_for("admin.wave_detail", survey_id=survey.id))
    status = 400 if form.is_submitted() else 200
    return render_template("admin/wave_form.html", form=form, text_languages=WAVE_TEXT_LANGUAGES), status


@blueprint.get("/enkater/<id:survey_id>")
def wave_detail(survey_id: int) -> str:
    survey = get_or_404(db.session(), Survey, survey_id)
    return render_template("admin/wave_detail.html", survey=survey, counts=wave_counts(db.session(), survey),
                           codes_form=WaveCodesForm(), link=public_url("survey.landing", slug=survey.slug),
                           population_form=wave_population_year_form(survey))


@blueprint.get("/enkater/<id:survey_id>/stang")
def wave_close(survey_id: int) -> str:
    """Closing asks first, and says how many unsent answers closing deletes (a form, so it works without JS)."""
    survey = get_or_404(db.session(), Survey, survey_id)
    return render_template("admin/wave_close.html", survey=survey, drafts=wave_counts(db.session(), survey).drafts)


@blueprint.post("/enkater/<id:survey_id>/status")
def wave_status(survey_id: int) -> Response:
    survey = get_or_404(db.session(), Survey, survey_id)
    action = (request.form.get("action") or "")[:10]
    if action == "open":
        open_wave(db.session(), survey, actor=_actor())
        flash(_("The survey is open."), "success")
    elif action == "close":
        # The placeholders of answers already sent go too, but the admin was told about the unsent ones
        unsent = wave_counts(db.session(), survey).drafts
        close_wave(db.session(), survey, actor=_actor())
        flash(ngettext("The survey is closed. %(num)s unsent answer was deleted.",
                       "The survey is closed. %(num)s unsent answers were deleted.", unsent), "success")
    else:
        abort(400)
    return redirect(url_for("admin.wave_detail", survey_id=survey.id))


@blueprint.post("/enkater/<id:survey_id>/koder")
def wave_codes(survey_id: int) -> Response | tuple[str, int]:
    survey = get_or_404(db.session(), Survey, survey_id)
    form = WaveCodesForm()
    if not survey.invitation_codes:
        abort(400)
    if not form.validate_on_submit():
        return render_template("admin/wave_detail.html", survey=survey, counts=wave_counts(db.session(), survey),
                               codes_form=form, link=public_url("survey.landing", slug=survey.slug),
                               population_form=wave_population_year_form(survey)), 400
    codes = generate_invitation_codes(db.session(), survey, form.count.data, actor=_actor())
    if request.form.get("format") == "csv":  # for the print house's mail merge: the codes, nothing else
        audit.record(db.session(), actor=_actor(), action="survey.codes_csv", target_type="survey",
                     target_id=survey.id, details={"count": len(codes)})
        body = "kod\r\n" + "".join(f"{code}\r\n" for code in codes)
        return Response(body, mimetype="text/csv", headers={
            "Content-Disposition": f'attachment; filename="koder-{survey.slug}.csv"', "Cache-Control": "no-store"})
    return render_template("admin/wave_codes.html", survey=survey, codes=codes,
                           link=public_url("survey.landing", slug=survey.slug)), 200


@blueprint.get("/enkater/<id:survey_id>/pappersenkat.pdf")
def wave_paper(survey_id: int) -> Response:
    """The postal questionnaire as a printable A4 PDF, audited."""
    from survey_app.admin.paper import paper_pages
    from survey_app.pdf import pdf_response, render_pdf

    survey = get_or_404(db.session(), Survey, survey_id)
    instrument = instrument_of(survey.questionnaire)
    html = render_template(
        "print/paper_questionnaire.html", title=survey.title, language="sv",
        description=(instrument.description.get("sv") or ""), pages=paper_pages(instrument, survey, "sv"),
        link=public_url("survey.landing", slug=survey.slug), end=survey.period_end.isoformat())
    audit.record(db.session(), actor=_actor(), action="survey.paper_pdf", target_type="survey", target_id=survey.id)
    return pdf_response(render_pdf(html), f"pappersenkat-{survey.slug}.pdf")


@blueprint.route("/gallring", methods=["GET", "POST"])
def retention_policy() -> Response | tuple[str, int]:
    """The retention schedule, and what applying it today would delete."""
    current = retention.policy(db.session())
    form = RetentionForm(obj=current)
    if form.validate_on_submit():
        retention.save_policy(db.session(), response_years=form.response_years.data,
                              free_text_months=form.free_text_months.data, draft_days=form.draft_days.data,
                              audit_months=form.audit_months.data, actor=_actor())
        flash(_("The retention schedule has been saved."), "success")
        return redirect(url_for("admin.retention_policy"))
    due = retention.run(db.session(), today=today(), now=utcnow(), dry_run=True)
    last = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "retention.run")
                              .order_by(AuditEvent.at.desc()).limit(1)).first()
    status = 400 if form.is_submitted() else 200
    return render_template("admin/retention.html", form=form, due=due, last=last), status
