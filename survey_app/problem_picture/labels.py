"""Words for the lägesbild's codes: the dialogue log's labels, and what only the lägesbild says."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from survey_app.dialogue import labels as dialogue_labels

EXTRA = {
    "overdue": _l("Overdue"),
    "not_done": _l("Not done"),
    "up": _l("up"),
    "down": _l("down"),
    "flat": _l("unchanged"),
}
WAVE_PROBLEMS = {
    "no_responses": _l("The wave has no responses yet."),
    "no_population": _l("Population figures are missing for the wave's areas, so it cannot be weighted."),
}


def label(kind: str, code: object) -> str:
    if kind == "extra":
        return str(EXTRA.get(str(code), code))
    if kind == "wave_problem":
        return str(WAVE_PROBLEMS.get(str(code), _l("The wave's figures cannot be shown.")))
    if kind == "status" and str(code) in EXTRA:
        return str(EXTRA[str(code)])
    return dialogue_labels.label(kind, code)


class _Labels:
    """The templates' `labels.label(kind, code)`."""

    label = staticmethod(label)


LABELS = _Labels()
