"""The municipality's problem-level cut-points (STANDARDS §3.3): which measures can have them, setting and removing."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.instrument import MeasureDef
from survey_app import audit
from survey_app.errors import ServiceError
from survey_app.models import ProblemLevelCutpoints, Questionnaire, StaffUser
from survey_app.survey.questionnaires import instrument_of


def share_measures(session: Session) -> list[MeasureDef]:
    """Every share measure of the loaded questionnaires, once per name (the first version's label), by name."""
    found: dict[str, MeasureDef] = {}
    for questionnaire in session.scalars(select(Questionnaire).order_by(Questionnaire.slug, Questionnaire.version)):
        for measure in instrument_of(questionnaire).measures:
            if measure.kind == "share":
                found.setdefault(measure.name, measure)
    return [found[name] for name in sorted(found)]


def set_cutpoints(session: Session, measure: str, cutpoints: Sequence[float], *, actor: StaffUser | None,
                  example: bool = False, actor_label: str | None = None) -> ProblemLevelCutpoints:
    """Six strictly increasing fractions in [0, 1] for `measure`; replaces any earlier ones. Audited."""
    values = [float(c) for c in cutpoints]
    if len(values) != 6 or any(not 0 <= v <= 1 for v in values) or any(b <= a for a, b in pairwise(values)):
        raise ServiceError("cutpoints_order", "cutpoints")
    row = session.scalar(select(ProblemLevelCutpoints).where(ProblemLevelCutpoints.measure == measure))
    if row is None:
        row = ProblemLevelCutpoints(measure=measure, cutpoints=values, example=example)
        session.add(row)
    else:
        row.cutpoints, row.example = values, example
    session.flush()
    audit.record(session, actor=actor, actor_label=actor_label, action="problem_level_cutpoints_set",
                 target_type="measure", target_id=measure, details={"cutpoints": values, "example": example})
    return row


def clear_cutpoints(session: Session, measure: str, *, actor: StaffUser | None) -> None:
    """Remove the cut-points of `measure`: its level reads "not configured" again. Audited."""
    row = session.scalar(select(ProblemLevelCutpoints).where(ProblemLevelCutpoints.measure == measure))
    if row is not None:
        session.delete(row)
        session.flush()
        audit.record(session, actor=actor, action="problem_level_cutpoints_cleared", target_type="measure",
                     target_id=measure)
