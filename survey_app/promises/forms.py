"""Forms of the promise pages: a promise's text, the follow-up of a tertial, publishing a tertialrapport."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, StopValidation

from survey_app.forms import (
    CHOOSE_ONE,
    LONG_TEXT,
    REQUIRED,
    SHORT_TEXT,
    TOO_LONG,
    CheckboxesField,
    ChoiceField,
    StaffForm,
    as_choices,
)
from survey_app.promises.labels import KINDS, PARTIES, STATUSES

CHOOSE = _l("Choose…")
STATUS_CHOICES = as_choices([("", CHOOSE), *STATUSES.items()])  # no status is preset: it is a judgement
PARTY_CHOICES = as_choices([("", CHOOSE), *PARTIES.items()])


def _chosen(form: StaffForm, field: ChoiceField) -> None:
    if not field.data:
        raise StopValidation(str(CHOOSE_ONE))


def _long(label: str, description: str | None = None) -> TextAreaField:
    return TextAreaField(label, validators=[Optional(), Length(max=LONG_TEXT, message=TOO_LONG)],
                         description=description)


class PromiseForm(StaffForm):
    number = IntegerField(_l("Number"), validators=[DataRequired(REQUIRED), NumberRange(min=1, max=999)],
                          render_kw={"inputmode": "numeric"})
    title = TextAreaField(_l("The promise, word for word"), validators=[DataRequired(REQUIRED),
                                                                         Length(max=LONG_TEXT, message=TOO_LONG)])
    party = ChoiceField(_l("Kept by"), choices=PARTY_CHOICES, validators=[_chosen])
    followed_up_by = StringField(_l("Followed up by"), validators=[Optional(), Length(max=SHORT_TEXT,
                                                                                      message=TOO_LONG)])
    starts_on = DateField(_l("Valid from"), validators=[DataRequired(REQUIRED)])
    ends_on = DateField(_l("Valid until (optional)"), validators=[Optional()])
    owner = ChoiceField(_l("Owner (follows it up)"))
    problem_description = _long(_l("Problem description"))
    cause_analysis = _long(_l("Cause analysis"))
    gender_note = _long(_l("The gender-equality perspective"))
    children_note = _long(_l("The child-rights perspective: how were children heard?"))
    target = _long(_l("Target (optional)"))


class FollowUpForm(StaffForm):
    status = ChoiceField(_l("Status"), choices=STATUS_CHOICES, validators=[_chosen])
    done_text = _long(_l("What was done"))
    narrative = _long(_l("Narrative for the tertial"), _l("The text that follows up an indicator given as text."))
    deviations = _long(_l("Deviations"))
    next_steps = _long(_l("Next steps"))
    feedback = _long(_l("Feedback to residents"), _l("In plain Swedish: it is shown on the public page."))


class PublishForm(StaffForm):
    police_area = StringField(_l("Local police area"), validators=[Optional(), Length(max=SHORT_TEXT,
                                                                                      message=TOO_LONG)])
    meeting_on = DateField(_l("Date of the crime-prevention council's meeting"), validators=[Optional()])
    coordinators = StringField(_l("Coordinators (roles)"), validators=[Optional(), Length(max=SHORT_TEXT,
                                                                                          message=TOO_LONG)],
                               description=_l("For example: safety coordinator and community police officer."))
    change_note = _long(_l("What changed (for a new version)"))


class IndicatorLinkForm(StaffForm):
    """How a promise is followed up; the choices that depend on the database are set by the view."""

    kind = ChoiceField(_l("Kind"), choices=as_choices([("", CHOOSE), *KINDS.items()]), validators=[_chosen])
    label = StringField(_l("The indicator as the agreement words it"),
                        validators=[DataRequired(REQUIRED), Length(max=LONG_TEXT, message=TOO_LONG)])
    count = ChoiceField(_l("What is counted (from the dialogue log)"), choices=as_choices([
        ("", CHOOSE), ("dialogues", _l("Dialogues or walks held")), ("measures_done", _l("Measures done")),
        ("measures_overdue", _l("Measures overdue"))]))
    formats = CheckboxesField(_l("Only these formats (none: all)"))
    indicator = ChoiceField(_l("Indicator series (entered counts)"))
    measure = ChoiceField(_l("Survey measure"))
    area = ChoiceField(_l("Area of the survey measure"))
    areas = CheckboxesField(_l("Only these areas (none: the whole municipality)"))


class ActivityForm(StaffForm):
    text = TextAreaField(_l("Activity"), validators=[DataRequired(REQUIRED), Length(max=LONG_TEXT, message=TOO_LONG)])
    party = ChoiceField(_l("Carried out by"), choices=PARTY_CHOICES, validators=[_chosen])
    tertial = StringField(_l("Tertial"), validators=[DataRequired(REQUIRED), Length(max=16, message=TOO_LONG)],
                          description=_l("For example 2026-T2."))
