"""Dialogue forms: declarative, translatable, validated on the server. Labels for codes live in `labels.py`."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    Field,
    FloatField,
    IntegerField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from survey_app.dialogue import labels
from survey_app.dialogue.queries import TALLY_BANDS, TALLY_GENDERS
from survey_app.forms import (
    CHOOSE_ONE,
    COUNT_RANGE,
    LONG_TEXT,
    REQUIRED,
    SHORT_TEXT,
    TOO_LONG,
    CheckboxesField,
    ChoiceField,
    OptionalRadioField,
    RequiredRadioField,
    StaffForm,
    as_choices,
    finite,
    plausible_date,
)


def tally_field_name(gender: str, band: str) -> str:
    return f"tally_{gender}_{band.replace('-', '_').replace('+', 'plus')}"


def _count(label: object) -> IntegerField:
    return IntegerField(label, validators=[Optional(), NumberRange(min=0, max=10000, message=COUNT_RANGE)],
                        render_kw={"inputmode": "numeric", "min": 0, "max": 10000})


class DialogueForm(StaffForm):
    format = RequiredRadioField(_l("Format"), choices=as_choices(labels.FORMATS))
    held_on = DateField(_l("Date"), validators=[DataRequired(REQUIRED), plausible_date])
    area_id = ChoiceField(_l("Area"), validators=[DataRequired(CHOOSE_ONE)])
    place = StringField(_l("Meeting place"),
                        validators=[DataRequired(REQUIRED), Length(max=SHORT_TEXT, message=TOO_LONG)])
    time_of_day = OptionalRadioField(_l("Time of day"), choices=as_choices(labels.TIMES_OF_DAY))
    pre_meeting_on = DateField(_l("Preparatory meeting"), validators=[Optional(), plausible_date])
    follow_up_on = DateField(_l("Follow-up meeting"), validators=[Optional(), plausible_date])
    walk_groups = IntegerField(_l("Number of walking groups"), default=1,
                               validators=[Optional(), NumberRange(min=1, max=50, message=COUNT_RANGE)],
                               render_kw={"inputmode": "numeric", "min": 1, "max": 50})
    partners = CheckboxesField(_l("Partners present"), choices=as_choices(labels.PARTNERS))
    partners_other = StringField(_l("Other partners"), validators=[Length(max=SHORT_TEXT, message=TOO_LONG)])
    participation_level = RequiredRadioField(_l("Participation level (Boverket)"),
                                             choices=as_choices(labels.PARTICIPATION_LEVELS))
    focus_areas = CheckboxesField(_l("Focus areas"))
    languages = StringField(_l("Languages spoken"), validators=[Length(max=SHORT_TEXT, message=TOO_LONG)])
    interpreting = BooleanField(_l("An interpreter took part"))
    tallies_estimated = BooleanField(_l("The numbers are estimated"))
    residents_count = _count(_l("Of whom residents"))
    business_count = _count(_l("Of whom business owners"))
    associations_count = _count(_l("Of whom from associations"))
    notes = TextAreaField(_l("Notes"), validators=[Length(max=20000, message=TOO_LONG)], render_kw={"rows": 6})

    def tally_fields(self, gender: str) -> list[tuple[str, Field]]:
        return [(band, self[tally_field_name(gender, band)]) for band in TALLY_BANDS]

    def tallies(self) -> dict[tuple[str, str], int]:
        return {
            (gender, band): self[tally_field_name(gender, band)].data or 0
            for gender in TALLY_GENDERS for band in TALLY_BANDS
        }


for _gender in TALLY_GENDERS:
    for _band in TALLY_BANDS:
        setattr(DialogueForm, tally_field_name(_gender, _band), _count(labels.band_label(_band)))


class ObservationForm(StaffForm):
    text = TextAreaField(_l("What was raised"),
                         validators=[DataRequired(REQUIRED), Length(max=LONG_TEXT, message=TOO_LONG)],
                         render_kw={"rows": 4})
    kind = RequiredRadioField(_l("Kind"), choices=as_choices(labels.KINDS))
    focus_areas = CheckboxesField(_l("Focus areas"))
    place_name = StringField(_l("Place"), validators=[Length(max=SHORT_TEXT, message=TOO_LONG)])
    latitude = FloatField(_l("Latitude"), validators=[
        Optional(), finite, NumberRange(min=-90, max=90, message=_l("Enter a latitude from -90 to 90."))],
        render_kw={"inputmode": "decimal"})
    longitude = FloatField(_l("Longitude"), validators=[
        Optional(), finite, NumberRange(min=-180, max=180, message=_l("Enter a longitude from -180 to 180."))],
        render_kw={"inputmode": "decimal"})
    time_of_day = OptionalRadioField(_l("Time of day"), choices=as_choices(labels.TIMES_OF_DAY))
    category = ChoiceField(_l("Category (safety walks)"), choices=[])
    proposed_measure = TextAreaField(_l("Proposed measure"), validators=[Length(max=LONG_TEXT, message=TOO_LONG)],
                                     render_kw={"rows": 3})
    responsible = ChoiceField(_l("Responsible"), choices=[])
    responsible_detail = StringField(_l("Which administration or other party"),
                                     validators=[Length(max=SHORT_TEXT, message=TOO_LONG)])
    decision = ChoiceField(_l("Decision"), choices=as_choices(labels.DECISIONS), default="pending")
    decision_reason = TextAreaField(_l("Reason for the decision"),
                                    validators=[Length(max=LONG_TEXT, message=TOO_LONG)], render_kw={"rows": 2})
    deadline = DateField(_l("Deadline"), validators=[Optional(), plausible_date])
    from_children = BooleanField(_l("This came from children or young people (under 18)"))
    raised_by = ChoiceField(_l("Raised by"), choices=[])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.category.choices = as_choices([("", _l("No category")), *labels.CATEGORIES])
        self.responsible.choices = as_choices([("", _l("Not decided")), *labels.RESPONSIBLES])
        self.raised_by.choices = as_choices([("", _l("Not noted")), *labels.RAISED_BY])


class StatusForm(StaffForm):
    """The follow-up of a measure: its status and the decision on it."""

    status = RequiredRadioField(_l("Status"), choices=as_choices(labels.STATUSES))
    reason = TextAreaField(_l("Reason or comment"), validators=[Length(max=LONG_TEXT, message=TOO_LONG)],
                           render_kw={"rows": 3})
    decision = RequiredRadioField(_l("Decision"), choices=as_choices(labels.DECISIONS))
    decision_reason = TextAreaField(_l("Reason for the decision"),
                                    validators=[Length(max=LONG_TEXT, message=TOO_LONG)], render_kw={"rows": 2})


class FilterForm(StaffForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    area = ChoiceField(_l("Area"), choices=[])
    date_from = DateField(_l("From date"), validators=[Optional(), plausible_date])
    date_to = DateField(_l("To date"), validators=[Optional(), plausible_date])
    format = ChoiceField(_l("Format"), choices=[])
    focus_area = ChoiceField(_l("Focus area"), choices=[])
    status = ChoiceField(_l("Status"), choices=[])
    children = BooleanField(_l("Only where children's voices were heard"))

    def validate_date_to(self, field: Field) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(str(_l("The end date must not be before the start date.")))
