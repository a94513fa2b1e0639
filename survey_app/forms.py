"""What staff forms share: the base form, choice fields that refuse unknown values, common validators and messages,
and the one way a service's refusal reaches the form field it concerns."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, Form, RadioField, SelectField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from survey_app.errors import ServiceError

REQUIRED = _l("This field is required.")
TOO_LONG = _l("The text is too long (at most %(max)d characters).")
CHOOSE_ONE = _l("Choose one of the options.")
COUNT_RANGE = _l("Enter a whole number from %(min)s to %(max)s.")
SHORT_TEXT = 200
LONG_TEXT = 5000


def as_choices(pairs: Iterable[tuple[object, object]]) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices; values are strings, as they come back from the browser."""
    return [SelectChoice(str(value), label) for value, label in pairs]


def _allowed(choices: Iterable[SelectChoice]) -> set[str]:
    return {str(choice.value) for choice in choices}


class OptionalRadioField(RadioField):
    """Radio buttons where choosing nothing is allowed; a value outside the choices is still refused."""

    data: Any  # declared because pre_validate assigns it; Any like every WTForms field here (untyped, see pyproject)

    def pre_validate(self, form: FlaskForm) -> None:
        if self.data in (None, "", "None"):
            self.data = None
            return
        if self.data not in _allowed(self.choices):
            raise ValidationError(str(CHOOSE_ONE))


class RequiredRadioField(RadioField):
    """Radio buttons where one option must be chosen, with one Swedish message when none is."""

    def pre_validate(self, form: FlaskForm) -> None:
        if self.data in (None, "", "None"):
            raise StopValidation(str(CHOOSE_ONE))
        if self.data not in _allowed(self.choices):
            raise ValidationError(str(CHOOSE_ONE))


class ChoiceField(SelectField):
    """A select with an empty first option; the chosen value must be one of the choices."""

    data: Any  # as in OptionalRadioField

    def pre_validate(self, form: FlaskForm) -> None:
        if self.data is None:
            self.data = ""
        if self.data not in _allowed(self.choices):
            raise ValidationError(str(CHOOSE_ONE))


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form: FlaskForm) -> None:
        allowed = _allowed(self.choices)
        if any(value not in allowed for value in self.data or ()):
            raise ValidationError(str(CHOOSE_ONE))


def finite(form: FlaskForm, field: Field) -> None:
    if field.data is not None and not math.isfinite(field.data):
        raise ValidationError(str(_l("Enter a number.")))


EARLIEST, LATEST = dt.date(1990, 1, 1), dt.date(2100, 12, 31)


def plausible_date(form: FlaskForm, field: Field) -> None:
    if field.data is not None and not EARLIEST <= field.data <= LATEST:
        raise ValidationError(str(_l("Enter a date between %(first)s and %(last)s.", first=EARLIEST.isoformat(),
                                     last=LATEST.isoformat())))


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



def show_service_error(form: FlaskForm, error: ServiceError, messages: Mapping[str, object]) -> None:
    """Put a service's refusal next to the field it names, in the words of the feature's messages table.

    A reason that names no field of this form is shown above the form, so that no refusal is ever silent.
    """
    message = str(messages[error.reason])
    field = form._fields.get(error.field) if error.field else None
    if field is None:
        form.form_errors.append(message)
    else:
        field.errors = [*field.errors, message]
