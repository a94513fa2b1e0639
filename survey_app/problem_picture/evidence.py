"""What the lägesbild puts side by side for one area (or the municipality) and one period, as plain JSON-able data
(the page shows it, a saved version freezes it):

- the survey (kartläggning): the headline measures of the waves in the period with CIs, women and men, children
  under 18 and the change since the wave before, through the insights service (never a second implementation);
- the indicator series of the area, with their trend;
- dialogues and safety walks (annan information): observations by focus area and category, how many came from
  children, the measures' status, the places named most often, participants by gender and age;
- the places residents named as unsafe in the survey, counted by the walk categories an analyst coded them into
  (problem_picture/places.py: counts only, never a description);
- the medborgarlöften that concern the area;
- where the sources agree: a walk category, the survey's problem items it maps to (STANDARDS §4) and the survey's
  unsafe places coded into it.

Suppression holds as on the results pages: a figure the analysis hides stays its symbol here.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from survey_app.indicators.periods import Period
from survey_app.models import (
    Area,
    Dialogue,
    Indicator,
    IndicatorValue,
    ObservationKind,
    ObservationStatus,
    Promise,
    Survey,
    SurveyStatus,
)

# STANDARDS §4: walk categories and the survey items they speak to
CATEGORY_ITEMS = {
    "lighting": ("share_problem_lighting",),
    "vegetation": ("share_problem_vegetation",),
    "litter": ("share_problem_litter",),
    "graffiti": ("share_problem_graffiti",),
    "vandalism": ("share_problem_vandalism",),
    "disorder": ("share_problem_youth_disorder", "share_problem_drunk", "share_problem_drug_dealing",
                 "share_problem_drug_affected"),
    "traffic": ("share_problem_speeding", "share_problem_mopeds"),
}
TOP_PROBLEMS = 3  # a problem item among the area's three biggest is "high" when a walk names its category
AGREE_PLACES = 3  # survey places in a category that count as a source: one or two residents are not yet a pattern


def waves_in(session: Session, period: Period) -> list[Survey]:
    """Waves that ran in the period (open or closed), the latest first."""
    return list(session.scalars(select(Survey).where(
        Survey.status.in_((SurveyStatus.OPEN, SurveyStatus.CLOSED)), Survey.period_start <= period.end,
        Survey.period_end >= period.start).order_by(Survey.period_end.desc(), Survey.id.desc())))


def _row(results: Any, measure: str, base: tuple, kind: str) -> dict[str, Any] | None:
    row = results.estimate(measure, base)
    if row is None:
        return None

    def value(group: tuple) -> dict[str, Any]:
        found = results.estimate(measure, group)
        if found is None:  # a breakdown the analysis does not publish (for example area × age group)
            return {"value": None, "symbol": "–"}
        return {"value": found.estimate, "symbol": found.symbol, "n": found.n}

    change = results.comparison(measure, "trend", base) if results.compare is not None else None
    return {
        "measure": measure, "kind": kind, "value": row.estimate, "symbol": row.symbol, "n": row.n,
        "ci": [row.ci_low, row.ci_high] if row.ci_low is not None and row.ci_high is not None else None,
        "women": value((*base, ("gender", "woman"))), "men": value((*base, ("gender", "man"))),
        "children": value((*base, ("age_group", "under_18"))),
        "change": None if change is None or change.difference is None else {
            "difference": change.difference, "significant": bool(change.significant)},
    }


def survey_evidence(session: Session, period: Period, area: Area | None) -> list[dict[str, Any]]:
    from survey_app.insights.results import ResultsUnavailable, analyse_wave, comparable_waves, default_weighting
    from survey_app.survey.questionnaires import instrument_of

    evidence = []
    for wave in waves_in(session, period):
        if area is not None and area.code not in {a.code for a in wave.areas}:
            continue
        instrument = instrument_of(wave.questionnaire)
        labels = {m.name: (m.label.get("sv") or m.name) for m in instrument.measures}
        kinds = {m.name: m.kind for m in instrument.measures}
        earlier = comparable_waves(session, wave)
        entry: dict[str, Any] = {"wave": wave.title, "slug": wave.slug, "compare": earlier[0].title if earlier else "",
                                 "labels": labels, "unsafe": [], "worry": [], "problems": [], "victims": [],
                                 "problem": ""}
        try:
            results = analyse_wave(session, wave, weighting=default_weighting(session, wave),
                                   compare=earlier[0] if earlier else None)
        except ResultsUnavailable as error:
            entry["problem"] = error.reason
            evidence.append(entry)
            continue
        base: tuple = (("area", area.code),) if area is not None else ()
        for measure in instrument.measures:
            row = _row(results, measure.name, base, kinds[measure.name])
            if row is None:
                continue
            if measure.name == "share_unsafe":
                entry["unsafe"].append(row)
            elif measure.name.startswith("share_worry_"):
                entry["worry"].append(row)
            elif measure.name.startswith("share_problem_"):
                entry["problems"].append(row)
            elif measure.name.startswith("rate_victim_"):
                entry["victims"].append(row)
        entry["problems"].sort(key=lambda r: -(r["value"] if r["value"] is not None else -1.0))
        evidence.append(entry)
    return evidence


def dialogue_evidence(session: Session, period: Period, area: Area | None, *, today: dt.date) -> dict[str, Any]:
    query = select(Dialogue).options(selectinload(Dialogue.observations), selectinload(Dialogue.tallies)).where(
        Dialogue.held_on >= period.start, Dialogue.held_on <= period.end)
    if area is not None:
        query = query.where(Dialogue.area_id == area.id)
    dialogues = session.scalars(query).all()
    categories: Counter[str] = Counter()
    focus: Counter[str] = Counter()
    statuses: Counter[str] = Counter()
    places: Counter[str] = Counter()
    participants: Counter[tuple[str, str]] = Counter()
    from_children = 0
    unsafe_categories: Counter[str] = Counter()
    for dialogue in dialogues:
        for tally in dialogue.tallies:
            participants[(str(tally.gender), tally.age_band)] += tally.count
        for observation in dialogue.observations:
            category = str(observation.category) if observation.category else "other"
            categories[category] += 1
            if observation.kind in (ObservationKind.UNSAFE_PLACE, ObservationKind.PROBLEM):
                unsafe_categories[category] += 1
            for focus_area in observation.focus_areas or dialogue.focus_areas:
                focus[focus_area.code] += 1
            overdue = (observation.deadline is not None and observation.deadline < today
                       and observation.status in (ObservationStatus.OPEN, ObservationStatus.IN_PROGRESS))
            statuses["overdue" if overdue else str(observation.status)] += 1
            from_children += observation.from_children
            if observation.place_name:
                places[" ".join(observation.place_name.split())] += 1
    return {
        "dialogues": len(dialogues),
        "by_format": dict(sorted(Counter(str(d.format) for d in dialogues).items())),
        "observations": sum(categories.values()), "from_children": from_children,
        "by_category": categories.most_common(), "by_focus_area": focus.most_common(),
        "unsafe_by_category": dict(unsafe_categories),
        "statuses": {key: statuses.get(key, 0) for key in ("open", "in_progress", "done", "not_done", "overdue")},
        "places": places.most_common(10),
        "participants": sorted([[g, band, n] for (g, band), n in participants.items()]),
    }


def indicator_evidence(session: Session, period: Period, area: Area | None) -> list[dict[str, Any]]:
    """Each series with values for the area (or the municipality) up to the period's end: the last six values."""
    series = []
    for indicator in session.scalars(select(Indicator).order_by(Indicator.name)):
        rows = session.scalars(select(IndicatorValue).where(
            IndicatorValue.indicator_id == indicator.id, IndicatorValue.area_key == (area.id if area else 0),
            IndicatorValue.subseries == "", IndicatorValue.period_start <= period.end,
        ).order_by(IndicatorValue.period_start)).all()
        if not rows:
            continue
        values = [(row.period, row.value) for row in rows][-6:]
        trend = None
        if len(values) >= 2:
            last, before = values[-1][1], values[-2][1]
            trend = "up" if last > before else "down" if last < before else "flat"
        series.append({"code": indicator.code, "name": indicator.name, "unit": indicator.unit,
                       "direction": indicator.direction, "values": values, "trend": trend})
    return series


def promise_evidence(session: Session, area: Area | None) -> list[dict[str, Any]]:
    found = []
    for promise in session.scalars(select(Promise).options(selectinload(Promise.areas),
                                                           selectinload(Promise.follow_ups)).order_by(Promise.number)):
        if area is not None and promise.areas and area.id not in {a.id for a in promise.areas}:
            continue
        latest = promise.follow_ups[-1] if promise.follow_ups else None
        found.append({"id": promise.id, "number": promise.number, "title": promise.title,
                      "status": str(latest.status) if latest else "", "tertial": latest.tertial if latest else ""})
    return found


def agreements(survey: list[dict[str, Any]], dialogues: dict[str, Any],
               places: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Categories where two or three sources point the same way: walk observations of unsafe places or problems,
    survey problem items among the area's biggest that the category maps to, and survey places coded into it
    (at least AGREE_PLACES). One entry per category, naming each source that agrees."""
    walks = dialogues["unsafe_by_category"]
    coded = {category: count for category, count in (places or {}).get("by_category", [])
             if count >= AGREE_PLACES}
    items: dict[str, dict[str, Any]] = {}
    for wave in survey:
        for row in [row for row in wave["problems"] if row["value"] is not None][:TOP_PROBLEMS]:
            for category, measures in CATEGORY_ITEMS.items():
                if row["measure"] in measures and category not in items:
                    items[category] = {"measure": row["measure"], "value": row["value"], "wave": wave["wave"],
                                       "label": wave["labels"].get(row["measure"], row["measure"])}
    found = []
    for category in sorted(set(walks) | set(coded) | set(items)):
        sources = [walks.get(category, 0) > 0, category in coded, category in items]
        if sum(sources) < 2:
            continue
        found.append({"category": category, "observations": walks.get(category, 0), "places": coded.get(category, 0),
                      **items.get(category, {"measure": "", "value": None, "wave": "", "label": ""})})
    return found


def build_evidence(session: Session, period: Period, area: Area | None, *, today: dt.date) -> dict[str, Any]:
    from survey_app.problem_picture.places import place_counts

    survey = survey_evidence(session, period, area)
    dialogues = dialogue_evidence(session, period, area, today=today)
    places = place_counts(session, waves_in(session, period), area,
                          list(session.scalars(select(Area).order_by(Area.name))) if area is None else ())
    return {
        "period": period.code, "area": area.name if area else "", "area_code": area.code if area else "",
        "survey": survey, "dialogues": dialogues, "indicators": indicator_evidence(session, period, area),
        "places": places, "promises": promise_evidence(session, area),
        "agreements": agreements(survey, dialogues, places),
    }
