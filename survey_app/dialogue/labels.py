"""What a person reads for each stored code of a dialogue or observation, in one place."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

FORMATS = [
    ("safety_dialogue", _l("Safety dialogue")),
    ("citizen_dialogue", _l("Citizen dialogue")),
    ("children_youth_dialogue", _l("Dialogue with children and young people")),
    ("business_dialogue", _l("Dialogue with business owners")),
    ("safety_walk", _l("Safety walk")),
]
TIMES_OF_DAY = [("daylight", _l("Daylight")), ("dark", _l("Dark"))]
PARTNERS = [
    ("municipality", _l("Municipal departments")),
    ("police", _l("Police")),
    ("housing_company", _l("Housing company")),
    ("associations", _l("Associations")),
    ("other", _l("Other")),
]
PARTICIPATION_LEVELS = [
    ("1", _l("1 Information")),
    ("2", _l("2 Consultation")),
    ("3", _l("3 Participation")),
    ("4", _l("4 Co-decision")),
]
KINDS = [
    ("unsafe_place", _l("Unsafe place")),
    ("problem", _l("Problem")),
    ("suggestion", _l("Suggestion")),
    ("safe_place", _l("Safe place")),
]
CATEGORIES = [
    ("lighting", _l("Lighting")),
    ("vegetation", _l("Vegetation, blocked view")),
    ("litter", _l("Litter")),
    ("graffiti", _l("Graffiti")),
    ("vandalism", _l("Vandalism")),
    ("traffic", _l("Traffic")),
    ("disorder", _l("Disorder")),
    ("other", _l("Other")),
]
RESPONSIBLES = [
    ("municipality", _l("The municipality")),
    ("police", _l("Police")),
    ("property_owner", _l("Property owner or housing company")),
    ("other", _l("Other")),
]
DECISIONS = [
    ("pending", _l("Not decided yet")),
    ("accepted", _l("Accepted")),
    ("partly", _l("Partly accepted")),
    ("referred", _l("Referred")),
    ("rejected", _l("Rejected")),
]
STATUSES = [
    ("open", _l("New")),
    ("in_progress", _l("In progress")),
    ("done", _l("Done")),
    ("not_done", _l("Closed without action")),
]
RAISED_BY = [
    ("girls", _l("Girls")),
    ("boys", _l("Boys")),
    ("young_people", _l("Young people")),
    ("women", _l("Women")),
    ("men", _l("Men")),
    ("older_residents", _l("Older residents")),
    ("parents", _l("Parents")),
    ("businesses", _l("Business owners")),
    ("mixed", _l("A mixed group")),
]
GENDERS = [("woman", _l("Women")), ("man", _l("Men")), ("other_unknown", _l("Other or unknown"))]
_BANDS = {"under_12": _l("Under 12"), "unknown": _l("Age unknown")}


def band_label(band: str) -> object:
    """An age band as a person reads it; the numeric bands are the same in every language."""
    if band in _BANDS:
        return _BANDS[band]
    return _l("%(band)s years", band=band.replace("-", "–"))


ALL = {
    "format": FORMATS, "time_of_day": TIMES_OF_DAY, "partner": PARTNERS, "kind": KINDS, "category": CATEGORIES,
    "responsible": RESPONSIBLES, "decision": DECISIONS, "status": STATUSES, "gender": GENDERS,
    "participation_level": PARTICIPATION_LEVELS, "raised_by": RAISED_BY,
}


def label(kind: str, code: object) -> str:
    """The words for a code, or the code itself when it is unknown (never an error on old data)."""
    if kind == "band":
        return str(band_label(str(code)))
    for value, text in ALL.get(kind, ()):
        if value == str(code):
            return str(text)
    return "" if code is None else str(code)


def table(kind: str) -> dict[str, str]:
    return {value: str(text) for value, text in ALL[kind]}


FIELDS = {
    "format": _l("Format"), "held_on": _l("Date"), "time_of_day": _l("Time of day"),
    "pre_meeting_on": _l("Preparatory meeting"), "follow_up_on": _l("Follow-up meeting"),
    "walk_groups": _l("Number of walking groups"), "area_id": _l("Area"), "place": _l("Meeting place"),
    "partners": _l("Partners present"), "partners_other": _l("Other partners"),
    "participation_level": _l("Participation level (Boverket)"), "languages": _l("Languages spoken"),
    "interpreting": _l("An interpreter took part"), "tallies_estimated": _l("The numbers are estimated"),
    "residents_count": _l("Of whom residents"), "business_count": _l("Of whom business owners"),
    "associations_count": _l("Of whom from associations"), "notes": _l("Notes"), "focus_areas": _l("Focus areas"),
    "tallies": _l("Participants"), "text": _l("What was raised"), "kind": _l("Kind"), "place_name": _l("Place"),
    "latitude": _l("Latitude"), "longitude": _l("Longitude"), "category": _l("Category (safety walks)"),
    "proposed_measure": _l("Proposed measure"), "responsible": _l("Responsible"),
    "responsible_detail": _l("Which administration or other party"), "decision": _l("Decision"),
    "decision_reason": _l("Reason for the decision"), "deadline": _l("Deadline"),
    "from_children": _l("This came from children or young people (under 18)"),
    "raised_by": _l("Raised by"), "status": _l("Status"), "status_reason": _l("Reason or comment"),
}


def field_label(name: str) -> str:
    return str(FIELDS.get(name, name))
