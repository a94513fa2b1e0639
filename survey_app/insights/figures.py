"""The chart or map beside each table of the results pages, from the same rows the table shows.

Templates call these through the blueprint's context processor. Each returns inline SVG (charts.py, maps.py)
labelled by the table's caption, which makes the table its text alternative; a row the table shows as a symbol
(suppressed, too few answers, not published) is never drawn. Shares and indices are never drawn on one axis: a
table that holds both gets one chart for each.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from analysis.instrument import MeasureDef
from analysis.report import ComparisonRow, EstimateRow
from survey_app.insights import charts, maps
from survey_app.insights.results import Cell, WaveResults
from survey_app.models import Survey

__all__ = ["GapItem", "area_gap_items", "area_map", "estimates_chart", "gap_items", "gaps_chart", "group_estimates",
           "measure_estimates", "rates_chart", "without_geometry"]


@dataclass(frozen=True, slots=True)
class GapItem:
    """One row of a table of differences: what it is about, its group, and the published comparison (or None)."""

    label: str
    measure: MeasureDef
    group: tuple
    comparison: ComparisonRow | None


def _locale() -> str:
    return str(get_locale() or "sv")


def gap_items(results: WaveResults, measures: Sequence[MeasureDef], kind: str, label: Callable[[MeasureDef], str],
              group: tuple = ()) -> list[GapItem]:
    """A comparison of `kind` per measure, in one group (the whole municipality unless `group`)."""
    return [GapItem(label(m), m, group, results.comparison(m.name, kind, group)) for m in measures]


def area_gap_items(results: WaveResults, measure: MeasureDef, kind: str, areas: dict[str, str]) -> list[GapItem]:
    """A comparison of `kind` per area that the analysis published, for one measure."""
    return [GapItem(areas.get(code, code), measure, (("area", code),),
                    results.comparison(measure.name, kind, (("area", code),))) for code in results.groups("area")]


def measure_estimates(results: WaveResults, measures: Sequence[MeasureDef], label: Callable[[MeasureDef], str],
                      group: tuple = ()) -> list[tuple[str, MeasureDef, EstimateRow | None]]:
    """Each measure's published estimate in one group, for :func:`estimates_chart`."""
    return [(label(m), m, results.estimate(m.name, group)) for m in measures]


def group_estimates(results: WaveResults, measure: MeasureDef, groups: Sequence[tuple],
                    label: Callable[[tuple], str]) -> list[tuple[str, MeasureDef, EstimateRow | None]]:
    """One measure's published estimates in several groups, for :func:`estimates_chart`."""
    return [(label(group), measure, results.estimate(measure.name, tuple(group))) for group in groups]


def estimates_chart(items: Sequence[tuple[str, MeasureDef, EstimateRow | None]], caption_id: str) -> Markup:
    """Estimates with their CIs: one chart for shares (0–100 %), one for indices (0–100)."""
    out = []
    for kind in ("share", "index"):
        rows = [charts.ChartRow(label, row.estimate, row.ci_low, row.ci_high, row.uncertain)
                for label, measure, row in items if row is not None and (measure.kind == "share") == (kind == "share")]
        out.append(charts.chart_svg(rows, caption_id=caption_id, locale=_locale(), percent=kind == "share",
                                    few_answers=_("few answers")))
    return Markup("").join(out)


def gaps_chart(items: Sequence[GapItem], caption_id: str) -> Markup:
    """Differences with their CIs, significant ones filled: percentage points for shares, points for indices."""
    out = []
    for kind in ("share", "index"):
        rows = [charts.DifferenceRow(item.label, c.difference, c.ci_low, c.ci_high, bool(c.significant))
                for item in items if (c := item.comparison) is not None
                and (item.measure.kind == "share") == (kind == "share")]
        out.append(charts.difference_svg(
            rows, caption_id=caption_id, locale=_locale(), points=kind == "share",
            unit=_("Percentage points") if kind == "share" else _("Index points"),
            significant=_("Statistically significant (filled bar)"),
            not_significant=_("Not statistically significant (hatched bar)")))
    return Markup("").join(out)


def rates_chart(cells: Sequence[Cell], dims: Sequence[str], group_label: Callable[[tuple], str],
                caption_id: str) -> Markup:
    """Response rates of the cells whose count is published; the axis ends just above the highest rate."""
    rows = [charts.ChartRow(group_label(tuple(zip(dims, cell.key, strict=True))), cell.rate) for cell in cells
            if cell.rate is not None]
    if not rows:
        return Markup("")
    highest = max(float(r.estimate or 0.0) for r in rows)
    top = min(1.0, charts.nice_limit(highest * 1.05))
    return charts.chart_svg(rows, caption_id=caption_id, locale=_locale(), axis_max=top)


def area_map(survey: Survey, results: WaveResults, measure: MeasureDef, caption_id: str) -> Markup:
    """The wave's areas coloured by the measure's published figure per area (hatched with its symbol if hidden)."""
    values = {}
    for row in results.rows(measure.name, ("area",)):
        code = row.group[0][1]
        values[code] = maps.MapValue(row.estimate if not row.symbol else None, row.symbol)
    return maps.map_svg(survey.areas, values, caption_id=caption_id, locale=_locale(),
                        percent=measure.kind == "share")


def without_geometry(survey: Survey) -> list[str]:
    """Names of the wave's areas that have no geometry, listed under the map instead."""
    return [area.name for area in maps.areas_without_geometry(survey.areas)]
