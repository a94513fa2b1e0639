"""The figure of a promise's indicator for one period, whatever its kind (STANDARDS §5).

Computed counts are counted from the dialogue log when asked, so a trygghetsdialog logged now moves its promise's
indicator at once; survey measures come from the insights service (never a second implementation); entered counts
are indicator values of exactly that period; a narrative is the follow-up's text. Every figure is plain data, so a
published tertialrapport can freeze it as JSON.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey_app.indicators.periods import Period
from survey_app.models import (
    Area,
    Dialogue,
    IndicatorValue,
    Observation,
    ObservationStatus,
    PromiseFollowUp,
    PromiseIndicator,
    PromiseIndicatorKind,
    StatusChange,
    Survey,
    SurveyStatus,
)

OPEN_STATUSES = (ObservationStatus.OPEN, ObservationStatus.IN_PROGRESS)


@dataclass(frozen=True, slots=True)
class Figure:
    """What one indicator shows for one period. `value` None: nothing to show (`note` says why, or a symbol)."""

    period: str
    value: float | None = None
    text: str = ""  # a narrative, or the symbol of a hidden survey figure
    parts: list[tuple[str, float | None]] = field(default_factory=list)  # sub-series, or women/men for a measure
    ci: tuple[float, float] | None = None
    n: int | None = None
    source: str = ""  # e.g. the survey wave a measure comes from
    note: str = ""  # a reason code when nothing can be shown

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def figure(session: Session, indicator: PromiseIndicator, period: Period, *, today: dt.date) -> Figure:
    match indicator.kind:
        case PromiseIndicatorKind.COMPUTED_COUNT:
            return _computed_count(session, indicator, period, today)
        case PromiseIndicatorKind.ENTERED_COUNT:
            return _entered_count(session, indicator, period)
        case PromiseIndicatorKind.COMPUTED_MEASURE:
            return _computed_measure(session, indicator, period)
        case _:
            follow_up = session.scalar(select(PromiseFollowUp).where(
                PromiseFollowUp.promise_id == indicator.promise_id, PromiseFollowUp.tertial == period.code))
            return Figure(period=period.code, text=follow_up.narrative if follow_up else "")


def _area_ids(session: Session, codes: list[str]) -> list[int]:
    return list(session.scalars(select(Area.id).where(Area.code.in_(codes)))) if codes else []


def _computed_count(session: Session, indicator: PromiseIndicator, period: Period, today: dt.date) -> Figure:
    settings = indicator.settings or {}
    what = settings.get("count", "dialogues")
    formats = list(settings.get("formats") or [])
    area_ids = _area_ids(session, list(settings.get("areas") or []))
    if what == "dialogues":
        query = select(func.count(Dialogue.id)).where(Dialogue.held_on >= period.start, Dialogue.held_on <= period.end)
    elif what == "measures_done":
        start = dt.datetime.combine(period.start, dt.time.min, dt.UTC)
        end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min, dt.UTC)
        query = (select(func.count(func.distinct(StatusChange.observation_id)))
                 .join(Observation, Observation.id == StatusChange.observation_id)
                 .join(Dialogue, Dialogue.id == Observation.dialogue_id)
                 .where(StatusChange.to_status == ObservationStatus.DONE, StatusChange.at >= start,
                        StatusChange.at < end))
    else:  # measures_overdue: past their deadline at the period's end (or today, in a running period), still open
        cutoff = min(period.end, today)
        query = (select(func.count(Observation.id)).join(Dialogue, Dialogue.id == Observation.dialogue_id)
                 .where(Observation.deadline < cutoff, Observation.status.in_(OPEN_STATUSES)))
    if formats:
        query = query.where(Dialogue.format.in_(formats))
    if area_ids:
        query = query.where(Dialogue.area_id.in_(area_ids))
    return Figure(period=period.code, value=float(session.scalar(query) or 0))


def _entered_count(session: Session, indicator: PromiseIndicator, period: Period) -> Figure:
    if indicator.indicator_id is None:
        return Figure(period=period.code, note="no_series")
    area_ids = _area_ids(session, list((indicator.settings or {}).get("areas") or []))
    rows = session.scalars(select(IndicatorValue).where(
        IndicatorValue.indicator_id == indicator.indicator_id, IndicatorValue.period == period.code,
        IndicatorValue.area_key.in_(area_ids) if area_ids else IndicatorValue.area_key == 0)).all()
    if not rows:
        return Figure(period=period.code, note="no_value")
    main = [row.value for row in rows if not row.subseries]
    parts: dict[str, float] = {}
    for row in rows:
        if row.subseries:
            parts[row.subseries] = parts.get(row.subseries, 0.0) + row.value
    return Figure(period=period.code, value=sum(main) if main else None, parts=sorted(parts.items()))


def latest_wave(session: Session, period: Period, measure: str) -> Survey | None:
    """The latest wave that ran in the period (open or closed) and whose questionnaire has the measure."""
    from survey_app.survey.questionnaires import instrument_of

    waves = session.scalars(select(Survey).where(
        Survey.status.in_((SurveyStatus.OPEN, SurveyStatus.CLOSED)), Survey.period_start <= period.end,
        Survey.period_end >= period.start).order_by(Survey.period_end.desc(), Survey.id.desc())).all()
    for wave in waves:
        if any(m.name == measure for m in instrument_of(wave.questionnaire).measures):
            return wave
    return None


def _computed_measure(session: Session, indicator: PromiseIndicator, period: Period) -> Figure:
    from survey_app.insights.results import ResultsUnavailable, analyse_wave, default_weighting

    settings = indicator.settings or {}
    measure = settings.get("measure", "share_unsafe")
    wave = latest_wave(session, period, measure)
    if wave is None:
        return Figure(period=period.code, note="no_wave")
    area = settings.get("area") or ""
    try:
        results = analyse_wave(session, wave, weighting=default_weighting(session, wave))
    except ResultsUnavailable as error:
        return Figure(period=period.code, source=wave.title, note=error.reason)
    base: tuple = (("area", area),) if area else ()
    row = results.estimate(measure, base)
    if row is None:
        return Figure(period=period.code, source=wave.title, note="no_estimate")
    parts = []
    for gender in ("woman", "man"):
        group = ((*base, ("gender", gender)) if base else (("gender", gender),))
        part = results.estimate(measure, group)
        parts.append((gender, part.estimate if part is not None else None))
    ci = (row.ci_low, row.ci_high) if row.ci_low is not None and row.ci_high is not None else None
    return Figure(period=period.code, value=row.estimate, text=row.symbol if row.estimate is None else "",
                  parts=parts, ci=ci, n=row.n, source=wave.title)
