"""A wave's results for the analyst's pages: all that :func:`analysis.report.run_analysis` publishes.

The pages show only what `run_analysis` returns (a suppressed or too uncertain figure stays a symbol). Who answered
(respondents against the population, protected together) is :mod:`survey_app.insights.participation`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analysis.data import UNKNOWN_AREA
from analysis.errors import AnalysisError, ConvergenceError
from analysis.instrument import MeasureDef
from analysis.report import AnalysisResult, ComparisonRow, EstimateRow
from survey_app.errors import ServiceError
from survey_app.insights import service
from survey_app.insights.service import WaveInput, wave_input
from survey_app.models import ProblemLevelCutpoints, Response, Survey, SurveyStatus
from survey_app.survey.microdata import population_rows

WEIGHTINGS = ("none", "poststrat", "raking")
BREAKDOWNS: Mapping[str, tuple[str, ...]] = {
    "area": ("area",), "gender": ("gender",), "age_band": ("age_band",),
    "area_gender": ("area", "gender"), "area_age_band": ("area", "age_band"),
}
HEADLINE_PREFIXES = ("share_unsafe", "share_worry_", "share_problem_", "rate_victim_", "share_trust_", "index_")
DEFAULT_MEASURE = "share_unsafe"
GENDER_ORDER = ("woman", "man", "other", "no_answer")
UNDER_REPRESENTED = 0.8  # a group answering at under 80 % of the overall rate is flagged on the page
MIN_CELL = 5  # run_analysis's default suppression threshold: counts of respondents below it are not shown either
EXAMPLE_CUTPOINTS = (0.05, 0.10, 0.30, 0.40, 0.50, 0.60)  # STANDARDS §3.3: an example, not a default


class ResultsUnavailable(ServiceError):
    """The figures cannot be shown; `reason` says why in `INSIGHTS_MESSAGES`, `detail` names areas or the cause."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.detail = detail


@dataclass(frozen=True, slots=True)
class WaveResults:
    """One run of the analysis of a wave, indexed for the pages."""

    survey: Survey
    weighting: str
    compare: Survey | None
    measures: tuple[MeasureDef, ...]
    result: AnalysisResult
    estimates: Mapping[tuple[str, tuple], EstimateRow]
    comparisons: Mapping[tuple[str, str, tuple], ComparisonRow]
    cutpoints: Mapping[str, ProblemLevelCutpoints]

    def estimate(self, measure: str, group: tuple = ()) -> EstimateRow | None:
        return self.estimates.get((measure, group))

    def comparison(self, measure: str, kind: str, group: tuple = ()) -> ComparisonRow | None:
        return self.comparisons.get((measure, kind, group))

    def measure(self, name: str) -> MeasureDef:
        return next(m for m in self.measures if m.name == name)

    def rows(self, measure: str, dimensions: Sequence[str]) -> list[EstimateRow]:
        """The published rows of one breakdown: areas by name, women before men before the rest, bands by age."""
        names = {a.code: a.name for a in self.survey.areas}

        def order(row: EstimateRow) -> tuple:
            return tuple((names.get(v, v),) if d == "area" else _band_order(v) if d == "age_band"
                         else (GENDER_ORDER.index(v) if v in GENDER_ORDER else len(GENDER_ORDER), v)
                         for d, v in row.group)

        return sorted((row for row in self.result.measures
                       if row.measure == measure and tuple(d for d, _ in row.group) == tuple(dimensions)), key=order)

    def groups(self, dimension: str) -> list[str]:
        """The categories of one dimension that the analysis published, in the order of :meth:`rows`."""
        first = self.measures[0].name
        return [row.group[0][1] for row in self.rows(first, (dimension,))]


@dataclass(frozen=True, slots=True)
class Cell:
    """Respondents against the population in one group; `respondents` is None when 0 < n < the threshold."""

    key: tuple[str, ...]
    respondents: int | None
    population: float | None

    @property
    def rate(self) -> float | None:
        if self.respondents is None or not self.population:
            return None
        return self.respondents / self.population


def headline_measures(measures: Sequence[MeasureDef]) -> list[MeasureDef]:
    """Share unsafe, worry, problems, victimisation, trust, the index (STANDARDS §3), in questionnaire order."""
    return [m for m in measures if m.name.startswith(HEADLINE_PREFIXES)]


def response_counts(session: Session) -> dict[int, int]:
    """Responses per wave id, in one query."""
    query = select(Response.survey_id, func.count()).group_by(Response.survey_id)
    return dict(session.execute(query).tuples().all())


def wave_population(session: Session, survey: Survey) -> float | None:
    """The population of the wave's areas in the age bands its questionnaire asks; None without figures."""
    rows = population_rows(session, survey)
    return float(sum(float(str(r["population"])) for r in rows)) if rows else None


def areas_without_population(session: Session, survey: Survey) -> list[str]:
    """Codes of the wave's areas that have no population figures for its questionnaire's age bands."""
    covered = {str(r["area"]) for r in population_rows(session, survey)}
    return [area.code for area in survey.areas if area.code not in covered]


def comparable_waves(session: Session, survey: Survey) -> list[Survey]:
    """Earlier waves of the same questionnaire (any version), newest first: what a trend compares with."""
    waves = session.scalars(select(Survey).where(Survey.id != survey.id, Survey.period_start < survey.period_start)
                            .order_by(Survey.period_start.desc()))
    return [w for w in waves if w.questionnaire.slug == survey.questionnaire.slug and w.status != SurveyStatus.DRAFT]


def default_weighting(session: Session, survey: Survey) -> str:
    """Raking to area, gender and age band when every area of the wave has population figures, else none."""
    return "raking" if survey.areas and not areas_without_population(session, survey) else "none"


def cutpoint_settings(session: Session) -> dict[str, ProblemLevelCutpoints]:
    return {row.measure: row for row in session.scalars(select(ProblemLevelCutpoints))}


def analyse_wave(session: Session, survey: Survey, *, weighting: str, compare: Survey | None = None,
                 data: WaveInput | None = None, max_iter: int = 1000) -> WaveResults:
    """Run :func:`analysis.report.run_analysis` on the wave (and on `compare` for trends) with the admin's cut-points.

    Raises :class:`ResultsUnavailable` instead of figures when the wave has no responses, a weighting lacks
    population figures or fails (raking that does not converge included), or the comparison wave is not comparable.
    """
    if weighting not in WEIGHTINGS:
        raise ResultsUnavailable("unknown_weighting")
    data = data or wave_input(session, survey)
    if data.responses is None:
        raise ResultsUnavailable("no_responses")
    if weighting != "none":
        missing = areas_without_population(session, survey)
        if data.population is None or missing:
            raise ResultsUnavailable("no_population", ", ".join(_area_names(survey, missing)))
    other = None
    if compare is not None:
        if compare.id == survey.id:
            raise ResultsUnavailable("compare_same_wave")
        if compare.questionnaire.slug != survey.questionnaire.slug:
            raise ResultsUnavailable("compare_other_questionnaire")
        other = wave_input(session, compare).responses
        if other is None:
            raise ResultsUnavailable("compare_no_responses")
    settings = cutpoint_settings(session)
    measures = tuple(dataclasses.replace(m, cutpoints=tuple(settings[m.name].cutpoints))
                     if m.kind == "share" and m.name in settings else m for m in data.measures)
    try:
        # the one cached path (service.py): an unchanged wave with the same options is answered from memory
        result = service.analyse_wave(session, survey, measures=measures, compare=compare, weighting=weighting,
                                      max_iter=max_iter)
    except ConvergenceError as error:
        raise ResultsUnavailable("not_converged", str(error)) from error
    except AnalysisError as error:
        raise ResultsUnavailable("compare_failed" if other is not None else "weighting_failed", str(error)) \
            from error
    if not result.weighting.converged:
        raise ResultsUnavailable("not_converged")
    return WaveResults(
        survey=survey, weighting=weighting, compare=compare, measures=measures, result=result,
        estimates={(r.measure, r.group): r for r in result.measures},
        comparisons={(c.measure, c.kind, c.group): c for c in result.comparisons},
        cutpoints=settings,
    )


def _band_order(band: str) -> tuple[int, str]:
    digits = "".join(ch for ch in band.split("-")[0] if ch.isdigit())
    return (int(digits) if digits else 999, band)


def _area_names(survey: Survey, codes: Sequence[str]) -> list[str]:
    names = {a.code: a.name for a in survey.areas}
    return [names.get(code, code) for code in codes if code != UNKNOWN_AREA]
