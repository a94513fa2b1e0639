"""Forms of the indicator pages: the file import, one value, and an indicator's description."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from survey_app.forms import REQUIRED, TOO_LONG, ChoiceField, StaffForm, as_choices
from survey_app.indicators.importing import parse_number
from survey_app.indicators.periods import PeriodError, parse_period
from survey_app.models import Direction

DIRECTION_CHOICES = as_choices([
    (Direction.HIGHER_IS_WORSE.value, _l("Higher is worse (for example reported crimes)")),
    (Direction.HIGHER_IS_BETTER.value, _l("Higher is better (for example safety walks held)")),
    (Direction.NEUTRAL.value, _l("Neither")),
])
INDICATOR_CODE = Regexp(r"^[A-Za-z0-9][A-Za-z0-9_-]*$", message=_l("Use letters, digits, “-” and “_” only."))


class ImportForm(StaffForm):
    file = FileField(_l("File (CSV or Excel .xlsx)"), render_kw={"accept": ".csv,.txt,.xlsx,text/csv"})


def _period(form: StaffForm, field: StringField) -> None:
    try:
        parse_period(field.data or "")
    except PeriodError as error:
        raise ValidationError(_l("Write a period such as 2025, 2025-T1, 2025-Q3 or 2025-03.")) from error


def _number(form: StaffForm, field: StringField) -> None:
    if parse_number(field.data or "") is None:
        raise ValidationError(_l("Write a number, for example 12 or 3,5."))


class ValueForm(StaffForm):
    """One value of a series; the area choices are set by the view ("" is the whole municipality)."""

    area = ChoiceField(_l("Area"))
    period = StringField(_l("Period"), validators=[DataRequired(REQUIRED), Length(max=40, message=TOO_LONG), _period],
                         description=_l("For example 2026-T1 (a tertial), 2026 (a year), 2026-Q1 or 2026-03."))
    subseries = StringField(_l("Sub-series (optional)"), validators=[Optional(), Length(max=100, message=TOO_LONG)],
                            description=_l("For example “under 18”; leave empty for the series itself."))
    value = StringField(_l("Value"), validators=[DataRequired(REQUIRED), Length(max=40, message=TOO_LONG), _number],
                        render_kw={"inputmode": "decimal"})
    source = StringField(_l("Source (optional)"), validators=[Optional(), Length(max=200, message=TOO_LONG)])


class IndicatorForm(StaffForm):
    code = StringField(_l("Code"), validators=[DataRequired(REQUIRED), Length(max=64, message=TOO_LONG),
                                               INDICATOR_CODE],
                       render_kw={"spellcheck": "false", "autocapitalize": "none"})
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=200, message=TOO_LONG)])
    unit = StringField(_l("Unit"), default="antal", validators=[DataRequired(REQUIRED),
                                                                 Length(max=64, message=TOO_LONG)])
    direction = ChoiceField(_l("Direction"), choices=DIRECTION_CHOICES)
    source = StringField(_l("Source"), validators=[Optional(), Length(max=200, message=TOO_LONG)])
    owner = StringField(_l("Followed up by"), validators=[Optional(), Length(max=200, message=TOO_LONG)],
                        description=_l("For example Polisen, the municipality's safety coordinator."))
    description = TextAreaField(_l("Description (optional)"), validators=[Optional(), Length(max=2000,
                                                                                            message=TOO_LONG)])
