"""The survey page form, generated from the instrument: stable field names `q_<item code>`, server-side validation.

The instrument's own `validate_answer` decides what is valid (the same rules the analysis and the importers use);
this module maps its error codes to Swedish messages and masks personal data in free text before it is kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from analysis.instrument import AnswerState, Instrument, Item, ItemType, validate_answer
from survey_app.pii import mask_personal_data

ERROR_MESSAGES = {
    "wrong_type": _l("The answer could not be read. Choose or write your answer again."),
    "too_many_values": _l("Choose only one answer."),
    "not_an_option": _l("Choose one of the answers in the list."),
    "exclusive_option": _l("“%(option)s” cannot be combined with other answers."),
    "too_long": _l("The text is too long. Write at most %(max)s characters."),
    "not_a_number": _l("Write a whole number using digits, for example %(example)s."),
    "out_of_range": _l("Write a number from %(low)s to %(high)s."),
    "not_answerable": _l("The answer could not be read. Choose or write your answer again."),
}


@dataclass(slots=True)
class PageResult:
    """What a posted page yields: valid answers to keep (None = cleared) and error messages by item code."""

    answers: dict[str, object] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    raw: dict[str, object] = field(default_factory=dict)  # what the resident typed, to show again next to an error
    below_audience_age: bool = False
    above_audience_age: bool = False
    age: int | None = None  # the age given when it is outside the questionnaire's audience, to point elsewhere


def _error_message(item: Item, code: str, language: str, reference_year: int) -> str:
    variables: dict[str, object] = {}
    if code == "too_long":
        variables["max"] = item.max_length
    elif code == "not_a_number":
        variables["example"] = {ItemType.BIRTH_YEAR: reference_year - 40, ItemType.AGE: 14}.get(item.type, 3)
    elif code == "out_of_range":
        low, high = item.year_range(reference_year) or (item.min_value, item.max_value)
        if low is None or high is None:
            return str(ERROR_MESSAGES["not_a_number"] % {"example": 3})
        variables.update(low=low, high=high)
    elif code == "exclusive_option":
        exclusive = next((o for o in item.options if o.exclusive), None)
        variables["option"] = exclusive.label(language) if exclusive else ""
    return str(ERROR_MESSAGES[code] % variables) if variables else str(ERROR_MESSAGES[code])


def read_page(
    instrument: Instrument,
    page_index: int,
    form: MultiDict[str, str],
    *,
    saved: Mapping[str, object],
    areas: Sequence[str],
    language: str,
    today: dt.date,
) -> PageResult:
    """Validate the fields of one page. Fields not on the page, or hidden by skip logic, are ignored, never stored."""
    result = PageResult()
    # Skip logic on this page may depend on answers given on it, so evaluate visibility on old + new answers.
    candidate = {**saved}
    for item in instrument.pages[page_index].items:
        for question in (item.rows or (item,)):
            if question.field_name in form:
                candidate[question.code] = form.getlist(question.field_name)
    for item in AnswerState(instrument, candidate).visible_questions(page_index):
        raw: object = form.getlist(item.field_name)
        value, error = validate_answer(item, raw, areas=areas, reference_year=today.year)
        if error is None and item.type == ItemType.FREE_TEXT and isinstance(value, str):
            value = mask_personal_data(value)
        if error == "out_of_range" and item.type == ItemType.AGE:
            number, _ = validate_answer(_unbounded(item), raw)
            if isinstance(number, int) and 0 <= number <= 120:
                # Not in the survey's audience (the youth survey is for 12-17): they are thanked, nothing is kept.
                result.below_audience_age = item.min_value is not None and number < item.min_value
                result.above_audience_age = not result.below_audience_age
                result.age = number
                continue
        if error:
            result.errors[item.code] = _error_message(item, error, language, today.year)
            result.raw[item.code] = raw[0] if isinstance(raw, list) and len(raw) == 1 else raw
        else:
            result.answers[item.code] = value
    return result


def _unbounded(item: Item) -> Item:
    from dataclasses import replace

    return replace(item, min_value=None, max_value=None)
