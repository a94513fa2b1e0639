"""Administration pages: staff users, areas and focus areas. Only admin gets here (the role matrix)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from survey_app.admin import services
from survey_app.admin.forms import AreaForm, FocusAreaForm, UserCreateForm, UserEditForm
from survey_app.auth import services as accounts
from survey_app.auth.access import current_staff
from survey_app.auth.messages import ACCOUNT_MESSAGES
from survey_app.dialogue.models import FocusArea
from survey_app.dialogue.services import focus_areas as list_focus_areas
from survey_app.extensions import db
from survey_app.models import Area, StaffUser

blueprint = Blueprint("admin", __name__, template_folder="templates", url_prefix="/admin")


def _actor() -> StaffUser:
    user = current_staff()
    if user is None:
        abort(403)
    return user


def _get_or_404(model: type, object_id: int) -> object:
    found = db.session.get(model, object_id) if object_id <= 2**31 - 1 else None
    if found is None:
        abort(404)
    return found


def _code_taken(form: AreaForm | FocusAreaForm) -> None:
    form.code.errors = [*form.code.errors, _("That code is already in use.")]


# --- users --------------------------------------------------------------------------------------------------


@blueprint.get("/anvandare")
def users() -> str:
    return render_template("admin/users.html", users=accounts.staff_users(db.session))


@blueprint.route("/anvandare/ny", methods=["GET", "POST"])
def user_create() -> Response | tuple[str, int]:
    form = UserCreateForm()
    if form.validate_on_submit():
        if form.password.data != form.repeated.data:
            form.repeated.errors = [*form.repeated.errors, str(ACCOUNT_MESSAGES["password_mismatch"])]
        else:
            try:
                user = accounts.create_staff_user(db.session, email=form.email.data, password=form.password.data,
                                                  role=form.role.data, actor=_actor(), actor_label=_actor().email)
            except accounts.AccountError as error:
                db.session.rollback()
                field = form.email if error.reason in {"invalid_email", "email_taken"} else form.password
                field.errors = [*field.errors, str(ACCOUNT_MESSAGES[error.reason])]
            else:
                db.session.commit()
                flash(_("The account %(email)s has been created.", email=user.email), "success")
                return redirect(url_for("admin.users"))
    status = 400 if form.is_submitted() else 200
    return render_template("admin/user_create.html", form=form), status


@blueprint.route("/anvandare/<int:user_id>", methods=["GET", "POST"])
def user_edit(user_id: int) -> Response | tuple[str, int]:
    user = _get_or_404(StaffUser, user_id)
    form = UserEditForm(data={"role": user.role, "active": user.active})
    if form.validate_on_submit():
        try:
            if (form.password.data or "") != (form.repeated.data or ""):
                raise accounts.AccountError("password_mismatch")
            accounts.update_staff_user(db.session, user, role=form.role.data, active=bool(form.active.data),
                                       actor=_actor())
            if form.password.data:
                accounts.reset_password(db.session, user, password=form.password.data, actor=_actor())
        except accounts.AccountError as error:
            db.session.rollback()
            field = {"cannot_deactivate_self": form.active, "last_admin": form.role, "unknown_role": form.role,
                     "password_mismatch": form.repeated}.get(error.reason, form.password)
            field.errors = [*field.errors, str(ACCOUNT_MESSAGES[error.reason])]
        else:
            db.session.commit()
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
            services.save_area(db.session, area, code=form.code.data, name=form.name.data, actor=_actor())
        except services.AdminError:
            db.session.rollback()
            _code_taken(form)
        else:
            db.session.commit()
            flash(_("The area has been saved."), "success")
            return redirect(url_for("admin.areas"))
    status = 400 if form.is_submitted() else 200
    return render_template("admin/area_form.html", form=form, area=area), status


@blueprint.route("/omraden/ny", methods=["GET", "POST"])
def area_create() -> Response | tuple[str, int]:
    return _area_page(None)


@blueprint.route("/omraden/<int:area_id>", methods=["GET", "POST"])
def area_edit(area_id: int) -> Response | tuple[str, int]:
    return _area_page(_get_or_404(Area, area_id))


# --- focus areas --------------------------------------------------------------------------------------------


@blueprint.get("/fokusomraden")
def focus_areas() -> str:
    return render_template("admin/focus_areas.html", focus_areas=list_focus_areas(db.session))


def _focus_area_page(focus_area: FocusArea | None) -> Response | tuple[str, int]:
    form = FocusAreaForm(obj=focus_area)
    if form.validate_on_submit():
        try:
            services.save_focus_area(db.session, focus_area, code=form.code.data, name=form.name.data,
                                     position=form.position.data or 0, active=bool(form.active.data),
                                     actor=_actor())
        except services.AdminError:
            db.session.rollback()
            _code_taken(form)
        else:
            db.session.commit()
            flash(_("The focus area has been saved."), "success")
            return redirect(url_for("admin.focus_areas"))
    status = 400 if form.is_submitted() else 200
    return render_template("admin/focus_area_form.html", form=form, focus_area=focus_area), status


@blueprint.route("/fokusomraden/ny", methods=["GET", "POST"])
def focus_area_create() -> Response | tuple[str, int]:
    return _focus_area_page(None)


@blueprint.route("/fokusomraden/<int:focus_area_id>", methods=["GET", "POST"])
def focus_area_edit(focus_area_id: int) -> Response | tuple[str, int]:
    return _focus_area_page(_get_or_404(FocusArea, focus_area_id))
