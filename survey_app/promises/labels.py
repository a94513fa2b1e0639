"""What a person reads for the promises' codes: statuses, parties, indicator kinds, figures and why one is missing."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from survey_app.indicators.labels import period_label, value_text
from survey_app.insights import formatting

STATUSES = {
    "on_track": _l("On track"),
    "partly": _l("Partly"),
    "delayed": _l("Delayed"),
    "done": _l("Done"),
    "cancelled": _l("Cancelled"),
}
PARTIES = {"police": _l("The police"), "municipality": _l("The municipality"), "joint": _l("Jointly"),
           "other": _l("Other")}
KINDS = {
    "computed_count": _l("counted from the dialogue log"),
    "computed_measure": _l("from the survey"),
    "entered_count": _l("entered count"),
    "narrative": _l("text per tertial"),
}
NOTES = {
    "no_value": _l("no value entered"),
    "no_series": _l("no series linked"),
    "no_wave": _l("no survey in the period"),
    "no_estimate": _l("no figure"),
    "no_responses": _l("no responses yet"),
    "no_population": _l("population figures missing"),
}
GENDERS = {"woman": _l("women"), "man": _l("men")}
FORMATS = {
    "safety_dialogue": _l("Safety dialogues"), "citizen_dialogue": _l("Citizen dialogues"),
    "children_youth_dialogue": _l("Dialogues with children and young people"),
    "business_dialogue": _l("Dialogues with businesses"), "safety_walk": _l("Safety walks"),
}
PROMISE_MESSAGES = {
    "not_owner": _l("Only the promise's owner, analysts and admins follow it up."),
    "unknown_status": _l("Choose one of the options."),
    "change_note_required": _l("Say what changed since the published version."),
    "unknown_kind": _l("Choose one of the options."),
    "label_required": _l("This field is required."),
    "unknown_count": _l("Choose what is counted."),
    "unknown_format": _l("Choose one of the options."),
    "unknown_series": _l("Choose the indicator series."),
    "unknown_measure": _l("Choose the survey measure."),
    "unknown_area": _l("Choose one of the options."),
    "text_required": _l("This field is required."),
    "bad_tertial": _l("Write a tertial such as 2026-T2."),
    "not_found": _l("Choose one of the options."),
}


def status_label(code: str) -> str:
    return str(STATUSES.get(code, "–"))


def party_label(code: str) -> str:
    return str(PARTIES.get(code, code))


def figure_text(indicator: dict[str, Any], figure: dict[str, Any]) -> str:
    """A figure as the report shows it: a share as a percentage, a count as a number, a symbol or why it is absent."""
    if figure.get("value") is None:
        if figure.get("text"):
            return str(figure["text"])
        note = figure.get("note")
        return str(NOTES.get(note, "–")) if note else "–"
    if indicator.get("kind") == "computed_measure" and not str(indicator.get("measure", "")).startswith("index_"):
        return formatting.percent(figure["value"])
    return value_text(figure["value"])


def part_text(indicator: dict[str, Any], name: str, value: float | None) -> str:
    label = str(GENDERS.get(name, name))
    if value is None:
        return f"{label} –"
    if indicator.get("kind") == "computed_measure":
        return f"{label} {formatting.percent(value)}"
    return f"{label} {value_text(value)}"


__all__ = ["figure_text", "part_text", "party_label", "period_label", "status_label"]
