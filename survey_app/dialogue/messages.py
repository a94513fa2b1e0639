"""What a person reads for each dialogue error reason."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

DIALOGUE_MESSAGES = {
    "unknown_area": _l("Choose one of the areas."),
    "unknown_focus_area": _l("Choose among the listed focus areas."),
    "invalid_tally": _l("Enter a whole number from 0 to 10000."),
    "coordinates_paired": _l("Enter both latitude and longitude, or neither."),
    "reason_required": _l("Give a reason."),
    "required": _l("This field is required."),
    "unknown_status": _l("Choose one of the options."),
    "unknown_decision": _l("Choose one of the options."),
    "too_long_after_masking": _l(
        "The text is too long once personal details are removed. Shorten it, and leave out phone numbers, "
        "personal identity numbers and e-mail addresses."
    ),
}
