"""Login and password forms. Labels and messages are translatable; the server is the one that validates."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from survey_app.forms import REQUIRED, TOO_LONG, StaffForm


class LoginForm(StaffForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(REQUIRED), Length(max=254, message=TOO_LONG)],
                       render_kw={"autocomplete": "username", "spellcheck": "false", "autocapitalize": "none"})
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED), Length(max=1024, message=TOO_LONG)],
                             render_kw={"autocomplete": "current-password"})


class PasswordChangeForm(StaffForm):
    current = PasswordField(_l("Current password"),
                            validators=[DataRequired(REQUIRED), Length(max=1024, message=TOO_LONG)],
                            render_kw={"autocomplete": "current-password"})
    new = PasswordField(_l("New password"), validators=[DataRequired(REQUIRED), Length(max=1024, message=TOO_LONG)],
                        render_kw={"autocomplete": "new-password"})
    repeated = PasswordField(_l("Repeat the new password"),
                             validators=[DataRequired(REQUIRED), Length(max=1024, message=TOO_LONG)],
                             render_kw={"autocomplete": "new-password"})
