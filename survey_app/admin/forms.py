"""Administration forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, IntegerField, PasswordField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from survey_app.auth.forms import StaffForm
from survey_app.dialogue.forms import CHOOSE_ONE, REQUIRED, TOO_LONG, ChoiceField, RequiredRadioField, as_choices

ROLE_CHOICES = as_choices([
    ("facilitator", _l("Facilitator: records dialogues and safety walks")),
    ("analyst", _l("Analyst: reads and exports")),
    ("admin", _l("Admin: manages users, areas and focus areas")),
])
CODE = Regexp(r"^[a-z0-9][a-z0-9_-]*$", message=_l("Use lower-case letters a–z, digits, - and _ only."))


class UserCreateForm(StaffForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(REQUIRED), Length(max=254, message=TOO_LONG)],
                       render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "none"})
    role = RequiredRadioField(_l("Role"), choices=ROLE_CHOICES)
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED), Length(max=1024, message=TOO_LONG)],
                             render_kw={"autocomplete": "new-password"})
    repeated = PasswordField(_l("Repeat the password"),
                             validators=[DataRequired(REQUIRED), Length(max=1024, message=TOO_LONG)],
                             render_kw={"autocomplete": "new-password"})


class UserEditForm(StaffForm):
    role = RequiredRadioField(_l("Role"), choices=ROLE_CHOICES)
    active = BooleanField(_l("The account is active (the user may log in)"))
    password = PasswordField(_l("New password"), validators=[Optional(), Length(max=1024, message=TOO_LONG)],
                             render_kw={"autocomplete": "new-password"})
    repeated = PasswordField(_l("Repeat the new password"),
                             validators=[Optional(), Length(max=1024, message=TOO_LONG)],
                             render_kw={"autocomplete": "new-password"})


class AreaForm(StaffForm):
    code = StringField(_l("Code"), validators=[DataRequired(REQUIRED), Length(max=64, message=TOO_LONG), CODE],
                       render_kw={"spellcheck": "false", "autocapitalize": "none"})
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=200, message=TOO_LONG)])


class FocusAreaForm(StaffForm):
    code = StringField(_l("Code"), validators=[DataRequired(REQUIRED), Length(max=64, message=TOO_LONG), CODE],
                       render_kw={"spellcheck": "false", "autocapitalize": "none"})
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=200, message=TOO_LONG)])
    position = IntegerField(_l("Position in lists"), default=0,
                            validators=[Optional(), NumberRange(min=0, max=1000, message=_l(
                                "Enter a whole number from %(min)s to %(max)s."))],
                            render_kw={"inputmode": "numeric"})
    active = BooleanField(_l("In use (shown when recording)"), default=True)


__all__ = ["CHOOSE_ONE", "AreaForm", "ChoiceField", "FocusAreaForm", "UserCreateForm", "UserEditForm"]
