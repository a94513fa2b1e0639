"""Login and password forms. Labels and messages are translatable; the server is the one that validates."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, Field, Form, PasswordField
from wtforms.validators import DataRequired, Length

REQUIRED = _l("This field is required.")
TOO_LONG = _l("The text is too long (at most %(max)d characters).")


# Control characters other than tab and line breaks: never typed by a person; PostgreSQL refuses NUL in text, and
# an XLSX export cannot hold the others.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _without_control_characters(value: Any) -> Any:
    return _CONTROL.sub("", value) if isinstance(value, str) else value


class StaffForm(FlaskForm):
    """The base of every staff form: CSRF from Flask-WTF, and no NUL characters in any text."""

    class Meta:
        def bind_field(self, form: Form, unbound_field: Any, options: dict[str, Any]) -> Field:
            filters = [_without_control_characters, *unbound_field.kwargs.get("filters", ())]
            return unbound_field.bind(form=form, filters=filters, **options)


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
