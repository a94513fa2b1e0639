"""What a person reads for each survey-wave error reason."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

WAVE_MESSAGES = {
    "invalid_slug": _l("The address may contain lowercase letters a-z, digits and hyphens (3-100 characters)."),
    "slug_taken": _l("There is already a survey wave with that address."),
    "period_reversed": _l("The last day cannot be before the first day."),
    "no_access_mode": _l("Choose an open link, invitation codes or both."),
    "no_areas": _l("Choose at least one area."),
    "starts_per_hour": _l("Enter a whole number from %(min)s to %(max)s.", min=1, max=100_000),
    "unsupported_language": _l("The languages must include Swedish and only languages the questionnaire has."),
}
