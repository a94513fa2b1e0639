"""Administration forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from survey_app.forms import (
    CHOOSE_ONE,
    REQUIRED,
    TOO_LONG,
    CheckboxesField,
    ChoiceField,
    RequiredRadioField,
    StaffForm,
    as_choices,
)

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




class WaveForm(StaffForm):
    """A new survey wave. The choices (questionnaire versions, areas, languages) are set by the view."""

    questionnaire = RequiredRadioField(_l("Questionnaire"))
    title = StringField(_l("Title shown to residents"),
                        validators=[DataRequired(REQUIRED), Length(max=200, message=TOO_LONG)])
    slug = StringField(_l("Address"), validators=[DataRequired(REQUIRED), Length(max=100, message=TOO_LONG)],
                       render_kw={"spellcheck": "false", "autocapitalize": "none"})
    period_start = DateField(_l("First day"), validators=[DataRequired(_l("Enter a date such as 2027-03-01."))])
    period_end = DateField(_l("Last day"), validators=[DataRequired(_l("Enter a date such as 2027-03-01."))])
    areas = CheckboxesField(_l("Areas"))
    languages = CheckboxesField(_l("Languages"))
    access = RequiredRadioField(_l("How residents get in"), choices=as_choices([
        ("link", _l("Open link: anyone with the link can answer")),
        ("codes", _l("Invitation codes: one code per letter, each used once")),
        ("both", _l("Both: the link, and codes for those who got a letter")),
    ]))
    one_per_browser = BooleanField(_l("One answer per browser on the open link"))
    starts_per_hour = IntegerField(_l("Most starts an hour from one network address"), validators=[
        DataRequired(_l("Enter a whole number from %(min)s to %(max)s.", min=1, max=100_000)),
        NumberRange(min=1, max=100_000, message=_l("Enter a whole number from %(min)s to %(max)s."))],
        render_kw={"inputmode": "numeric"})
    open_now = BooleanField(_l("Open the survey now (otherwise it is saved as a draft)"))
    description_sv = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000, message=TOO_LONG)])


# The wave's title and description in each language a questionnaire may have besides Swedish; the view labels them
# with the language's name and shows those the loaded questionnaires have.
WAVE_TEXT_LANGUAGES = ("en", "ar", "fi", "so", "fa")
for _code in WAVE_TEXT_LANGUAGES:
    _typed_in = {"lang": _code, "dir": "auto"}  # so that Arabic and Persian run right to left while typed
    setattr(WaveForm, f"title_{_code}", StringField(
        validators=[Optional(), Length(max=200, message=TOO_LONG)], render_kw=_typed_in))
    setattr(WaveForm, f"description_{_code}", TextAreaField(
        validators=[Optional(), Length(max=2000, message=TOO_LONG)], render_kw=_typed_in))


def _whole_number(low: int, high: int) -> list[object]:
    message = _l("Enter a whole number from %(min)s to %(max)s.", min=low, max=high)
    return [DataRequired(message), NumberRange(min=low, max=high, message=message)]


class RetentionForm(StaffForm):
    response_years = IntegerField(_l("Survey answers, years after the survey closed"), validators=_whole_number(1, 50),
                                  render_kw={"inputmode": "numeric"})
    free_text_months = IntegerField(_l("Free-text answers, months after the survey closed"),
                                    validators=_whole_number(1, 600), render_kw={"inputmode": "numeric"})
    draft_days = IntegerField(_l("Unsent answers, days without activity"), validators=_whole_number(1, 3650),
                              render_kw={"inputmode": "numeric"})
    audit_months = IntegerField(_l("Audit log, months"), validators=_whole_number(1, 600),
                                render_kw={"inputmode": "numeric"})


class WaveCodesForm(StaffForm):
    count = IntegerField(_l("Number of codes"), validators=[
        DataRequired(_l("Enter a whole number from %(min)s to %(max)s.", min=1, max=20000)),
        NumberRange(min=1, max=20000, message=_l("Enter a whole number from %(min)s to %(max)s."))],
        render_kw={"inputmode": "numeric"})


__all__ = [
    "CHOOSE_ONE",
    "AreaForm",
    "AreaImportForm",
    "ChoiceField",
    "FocusAreaForm",
    "PopulationImportForm",
    "PopulationYearForm",
    "RetentionForm",
    "UserCreateForm",
    "UserEditForm",
    "WaveCodesForm",
    "WaveForm",
    "WavePopulationYearForm",
]


class AreaImportForm(StaffForm):
    """Boundaries from GeoJSON or a GeoPackage, optionally through a mapping table."""

    file = FileField(_l("GeoJSON or GeoPackage file"), validators=[FileRequired(_l("Choose a file."))])
    mapping = FileField(_l("Mapping table (CSV), if the file holds statistical areas"))


class PopulationImportForm(StaffForm):
    """Population from Trygg's template or SCB's CSV, optionally through a mapping table."""

    file = FileField(_l("Population file (CSV)"), validators=[FileRequired(_l("Choose a file."))])
    mapping = FileField(_l("Mapping table (CSV), if the file holds statistical areas"))
    year = IntegerField(_l("Year the figures refer to"), validators=[
        Optional(), NumberRange(min=1900, max=2200, message=_l("Enter a year from %(min)s to %(max)s."))],
        render_kw={"inputmode": "numeric"})


class PopulationYearForm(StaffForm):
    year = IntegerField(_l("Year the figures refer to"), validators=[
        DataRequired(_l("Enter a year from %(min)s to %(max)s.", min=1900, max=2200)),
        NumberRange(min=1900, max=2200, message=_l("Enter a year from %(min)s to %(max)s."))],
        render_kw={"inputmode": "numeric"})


class WavePopulationYearForm(StaffForm):
    year = SelectField(_l("Weight to the population of"), choices=[], validate_choice=True)
