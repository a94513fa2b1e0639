"""Facilitators' pages: dialogues and safety walks, their observations, follow-up and export."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from survey_app.auth.access import current_staff
from survey_app.db import get_or_404, today
from survey_app.dialogue import commands, export, labels, queries
from survey_app.dialogue.forms import (
    DialogueForm,
    FilterForm,
    ObservationForm,
    StatusForm,
    as_choices,
    tally_field_name,
)
from survey_app.dialogue.messages import DIALOGUE_MESSAGES
from survey_app.errors import ServiceError
from survey_app.extensions import db
from survey_app.forms import show_service_error
from survey_app.models import MAX_PER_WALK_GROUP, Dialogue, Observation, Role, StaffUser

blueprint = Blueprint("dialogue", __name__, template_folder="templates", url_prefix="/dialoger")

blueprint.add_app_template_filter(labels.field_label, "field_label")

def _actor() -> StaffUser:
    user = current_staff()
    if user is None:  # the role matrix lets only staff in; this guards a misconfigured matrix
        abort(403)
    return user


def _own(dialogue: Dialogue) -> None:
    """What was said stays with its author: facilitators edit only the dialogues they recorded, admins every one (the
    role matrix lets both in; this is per object)."""
    if not _may_edit(dialogue):
        abort(403)


def _may_edit(dialogue: Dialogue) -> bool:
    user = current_staff()
    if user is None:
        return False
    return user.role == Role.ADMIN or (user.role == Role.FACILITATOR and dialogue.created_by_id == user.id)


def _may_follow_up() -> bool:
    """Any facilitator follows up any observation (the party responsible for a measure may not be its recorder)."""
    user = current_staff()
    return user is not None and user.role in (Role.FACILITATOR, Role.ADMIN)


# --- filters and lists --------------------------------------------------------------------------------------


def _filter_form() -> FilterForm:
    form = FilterForm(formdata=request.args if request.args else None)
    every = ("", _("All"))
    form.area.choices = as_choices([every, *((a.id, a.name) for a in queries.areas(db.session()))])
    form.format.choices = as_choices([every, *labels.FORMATS])
    form.focus_area.choices = as_choices([every, *((f.id, f.name) for f in queries.focus_areas(db.session()))])
    form.status.choices = as_choices([every, *labels.STATUSES])
    return form


def _filters(form: FilterForm) -> queries.Filters | None:
    """The filters of a valid form, or None (the page then shows the errors next to the fields)."""
    if request.args and not form.validate():
        return None
    return queries.Filters(
        area_id=int(form.area.data) if form.area.data else None,
        date_from=form.date_from.data,
        date_to=form.date_to.data,
        format=form.format.data or None,
        focus_area_id=int(form.focus_area.data) if form.focus_area.data else None,
        status=form.status.data or None,
        children=bool(form.children.data),
    )


def _query_string() -> str:
    return request.query_string.decode("latin-1")


@blueprint.get("/")
def index() -> tuple[str, int]:
    form = _filter_form()
    filters = _filters(form)
    dialogues = queries.find_dialogues(db.session(), filters) if filters else []
    return render_template(
        "dialogue/index.html", form=form, dialogues=dialogues, labels=labels,
        query=_query_string(),
    ), (200 if filters else 400)


@blueprint.get("/iakttagelser")
def observations() -> tuple[str, int]:
    form = _filter_form()
    filters = _filters(form)
    found = queries.find_observations(db.session(), filters) if filters else []
    return render_template(
        "dialogue/observations.html", form=form, observations=found, labels=labels, query=_query_string(),
        today=today(),
    ), (200 if filters else 400)


def _export(file_format: str) -> Response | tuple[str, int]:
    form = _filter_form()
    filters = _filters(form)
    if filters is None:
        return render_template("dialogue/observations.html", form=form, observations=[], labels=labels,
                               query=_query_string(), today=today()), 400
    headers = {
        "Content-Disposition": f'attachment; filename="iakttagelser-{today().isoformat()}.{file_format}"',
        "Cache-Control": "no-store",
    }
    if request.method == "HEAD":  # Flask answers HEAD with the GET view; a HEAD sends no data, so nothing is audited
        return Response(mimetype=export.FILE_FORMATS[file_format], headers=headers)
    header = [
        _("Observation"), _("Dialogue"), _("Date"), _("Format"), _("Area"), _("Place"), _("Kind"), _("Category"),
        _("Focus areas"), _("What was raised"), _("Proposed measure"), _("Responsible"),
        _("Which administration or other party"), _("Decision"), _("Deadline"), _("Status"), _("Reason"),
        _("From children"), _("Latitude"), _("Longitude"), _("Raised by"),
    ]
    code_labels = {kind: labels.table(kind) for kind in ("format", "kind", "category", "responsible", "decision",
                                                          "status", "raised_by")}
    # The rows are read now, before the request commits (which expires the loaded observations: reading them
    # afterwards would cost queries per row); the file itself is written while it is sent, chunk by chunk.
    rows = list(export.observation_rows(queries.find_observations(db.session(), filters), code_labels))
    export.record_export(db.session(), actor=_actor(), file_format=file_format, filters=filters, count=len(rows))
    chunks = export.observation_file(file_format, header, rows, title=_("Observations"))
    return Response(chunks, mimetype=export.FILE_FORMATS[file_format], headers=headers)


@blueprint.get("/iakttagelser/export.csv")
def export_csv() -> Response | tuple[str, int]:
    return _export("csv")


@blueprint.get("/iakttagelser/export.xlsx")
def export_xlsx() -> Response | tuple[str, int]:
    return _export("xlsx")


# --- dialogues ----------------------------------------------------------------------------------------------


def _dialogue_form(dialogue: Dialogue | None = None) -> DialogueForm:
    form = DialogueForm(obj=dialogue) if dialogue is not None and request.method == "GET" else DialogueForm()
    area_choices = [(area.id, area.name) for area in queries.areas(db.session())]
    form.area_id.choices = as_choices([("", _("Choose an area")), *area_choices])
    chosen = {f.id for f in dialogue.focus_areas} if dialogue else set()
    form.focus_areas.choices = as_choices(
        (f.id, f.name) for f in queries.focus_areas(db.session()) if f.active or f.id in chosen
    )
    if dialogue is not None and request.method == "GET":
        form.area_id.data = str(dialogue.area_id)
        form.participation_level.data = str(dialogue.participation_level)
        form.focus_areas.data = [str(i) for i in sorted(chosen)]
        for (gender, band), count in dialogue.tally_table.items():
            form[tally_field_name(gender, band)].data = count
    return form


def _dialogue_input(form: DialogueForm) -> commands.DialogueInput:
    return commands.DialogueInput(
        format=form.format.data,
        held_on=form.held_on.data,
        area_id=int(form.area_id.data),
        place=form.place.data,
        participation_level=int(form.participation_level.data),
        time_of_day=form.time_of_day.data or None,
        pre_meeting_on=form.pre_meeting_on.data,
        follow_up_on=form.follow_up_on.data,
        walk_groups=form.walk_groups.data or 1,
        partners=tuple(form.partners.data or ()),
        partners_other=form.partners_other.data,
        focus_area_ids=tuple(int(i) for i in form.focus_areas.data or ()),
        languages=form.languages.data,
        interpreting=bool(form.interpreting.data),
        tallies=form.tallies(),
        tallies_estimated=bool(form.tallies_estimated.data),
        residents_count=form.residents_count.data,
        business_count=form.business_count.data,
        associations_count=form.associations_count.data,
        notes=form.notes.data,
    )


def _warn_if_walk_group_too_large(dialogue: Dialogue) -> None:
    if dialogue.walk_group_too_large:
        flash(_("More than %(n)s people per walking group. Socialstyrelsen recommends at most %(n)s; consider "
                "splitting the walk into more groups.", n=MAX_PER_WALK_GROUP), "warning")


@blueprint.route("/ny", methods=["GET", "POST"])
def create() -> Response | tuple[str, int]:
    form = _dialogue_form()
    if request.method == "GET" and request.args.get("format") in {code for code, _label in labels.FORMATS}:
        form.format.data = request.args["format"]
    if form.validate_on_submit():
        try:
            dialogue = commands.create_dialogue(db.session(), _dialogue_input(form), actor=_actor())
        except ServiceError as error:
            show_service_error(form, error, DIALOGUE_MESSAGES)
        else:
            flash(_("The dialogue has been saved. Now add what was raised."), "success")
            _warn_if_walk_group_too_large(dialogue)
            return redirect(url_for("dialogue.observation_create", dialogue_id=dialogue.id))
    status = 400 if form.is_submitted() else 200
    return render_template("dialogue/dialogue_form.html", form=form, dialogue=None, labels=labels), status


@blueprint.route("/<id:dialogue_id>/redigera", methods=["GET", "POST"])
def edit(dialogue_id: int) -> Response | tuple[str, int]:
    dialogue = get_or_404(db.session(), Dialogue, dialogue_id)
    _own(dialogue)
    form = _dialogue_form(dialogue)
    if form.validate_on_submit():
        try:
            changed = commands.update_dialogue(db.session(), dialogue, _dialogue_input(form), actor=_actor())
        except ServiceError as error:
            show_service_error(form, error, DIALOGUE_MESSAGES)
        else:
            flash(_("The changes have been saved.") if changed else _("Nothing was changed."), "success")
            _warn_if_walk_group_too_large(dialogue)
            return redirect(url_for("dialogue.detail", dialogue_id=dialogue.id))
    status = 400 if form.is_submitted() else 200
    return render_template("dialogue/dialogue_form.html", form=form, dialogue=dialogue, labels=labels), status


def _detail_context(dialogue: Dialogue) -> dict[str, object]:
    return {
        "dialogue": dialogue, "labels": labels, "today": today(), "tallies": dialogue.tally_table,
        "may_edit": _may_edit(dialogue), "may_follow_up": _may_follow_up(), "max_per_walk_group": MAX_PER_WALK_GROUP,
        "tally_bands": queries.TALLY_BANDS,
    }


@blueprint.get("/<id:dialogue_id>")
def detail(dialogue_id: int) -> str:
    dialogue = get_or_404(db.session(), Dialogue, dialogue_id)
    return render_template("dialogue/detail.html", **_detail_context(dialogue))


@blueprint.get("/<id:dialogue_id>/protokoll")
def protocol(dialogue_id: int) -> str:
    dialogue = get_or_404(db.session(), Dialogue, dialogue_id)
    return render_template("dialogue/protocol.html", **_detail_context(dialogue))


# --- observations -------------------------------------------------------------------------------------------


def _observation_form(dialogue: Dialogue, observation: Observation | None = None) -> ObservationForm:
    saved = observation if request.method == "GET" else None  # the form shows the saved values on GET only
    form = ObservationForm(obj=saved) if saved is not None else ObservationForm()
    chosen = {f.id for f in observation.focus_areas} if observation else set()
    form.focus_areas.choices = as_choices(
        (f.id, f.name) for f in queries.focus_areas(db.session()) if f.active or f.id in chosen
    )
    if saved is not None:
        form.focus_areas.data = [str(i) for i in sorted(chosen)]
        form.category.data = saved.category or ""
        form.responsible.data = saved.responsible or ""
        form.raised_by.data = saved.raised_by or ""
    return form


def _observation_input(form: ObservationForm) -> commands.ObservationInput:
    return commands.ObservationInput(
        text=form.text.data or "",
        kind=form.kind.data,
        focus_area_ids=tuple(int(i) for i in form.focus_areas.data or ()),
        place_name=form.place_name.data,
        latitude=form.latitude.data,
        longitude=form.longitude.data,
        time_of_day=form.time_of_day.data or None,
        category=form.category.data or None,
        proposed_measure=form.proposed_measure.data,
        responsible=form.responsible.data or None,
        responsible_detail=form.responsible_detail.data,
        decision=form.decision.data or "pending",
        decision_reason=form.decision_reason.data,
        deadline=form.deadline.data,
        from_children=bool(form.from_children.data),
        raised_by=form.raised_by.data or None,
    )


@blueprint.route("/<id:dialogue_id>/iakttagelser/ny", methods=["GET", "POST"])
def observation_create(dialogue_id: int) -> Response | tuple[str, int]:
    dialogue = get_or_404(db.session(), Dialogue, dialogue_id)
    _own(dialogue)
    form = _observation_form(dialogue)
    if form.validate_on_submit():
        try:
            commands.add_observation(db.session(), dialogue, _observation_input(form), actor=_actor())
        except ServiceError as error:
            show_service_error(form, error, DIALOGUE_MESSAGES)
        else:
            flash(_("The observation has been saved."), "success")
            if request.form.get("next") == "another":
                return redirect(url_for("dialogue.observation_create", dialogue_id=dialogue.id))
            return redirect(url_for("dialogue.detail", dialogue_id=dialogue.id))
    status = 400 if form.is_submitted() else 200
    return render_template("dialogue/observation_form.html", form=form, dialogue=dialogue, observation=None,
                           default_deadline=commands.default_deadline(dialogue.held_on)), status


@blueprint.route("/iakttagelser/<id:observation_id>/redigera", methods=["GET", "POST"])
def observation_edit(observation_id: int) -> Response | tuple[str, int]:
    observation = get_or_404(db.session(), Observation, observation_id)
    dialogue = observation.dialogue
    _own(dialogue)
    form = _observation_form(dialogue, observation)
    if form.validate_on_submit():
        try:
            changed = commands.update_observation(db.session(), observation, _observation_input(form), actor=_actor())
        except ServiceError as error:
            show_service_error(form, error, DIALOGUE_MESSAGES)
        else:
            flash(_("The changes have been saved.") if changed else _("Nothing was changed."), "success")
            return redirect(url_for("dialogue.detail", dialogue_id=dialogue.id, _anchor=f"obs-{observation.id}"))
    status = 400 if form.is_submitted() else 200
    return render_template("dialogue/observation_form.html", form=form, dialogue=dialogue, observation=observation,
                           default_deadline=commands.default_deadline(dialogue.held_on)), status


@blueprint.route("/iakttagelser/<id:observation_id>/status", methods=["GET", "POST"])
def observation_status(observation_id: int) -> Response | tuple[str, int]:
    """The follow-up of a measure: status and decision, by any facilitator; dated, signed and audited."""
    observation = get_or_404(db.session(), Observation, observation_id)
    form = StatusForm(formdata=None if request.method == "GET" else request.form,
                      data={"status": observation.status, "reason": observation.status_reason,
                            "decision": observation.decision, "decision_reason": observation.decision_reason})
    if form.validate_on_submit():
        try:
            changed = commands.follow_up(db.session(), observation, status=form.status.data, reason=form.reason.data,
                                         decision=form.decision.data, decision_reason=form.decision_reason.data,
                                         actor=_actor())
        except ServiceError as error:
            show_service_error(form, error, DIALOGUE_MESSAGES)
        else:
            flash(_("The follow-up has been saved.") if changed else _("Nothing was changed."), "success")
            return redirect(url_for("dialogue.detail", dialogue_id=observation.dialogue_id,
                                    _anchor=f"obs-{observation.id}"))
    status = 400 if form.is_submitted() else 200
    return render_template("dialogue/status_form.html", form=form, observation=observation, labels=labels), status
