"""A promise indicator's figures as a chart beside its table: the same frozen figures, drawn by the results pages'
chart code (matplotlib SVG, error bars for a survey measure's CI, hidden figures not drawn)."""

from __future__ import annotations

from typing import Any

from flask_babel import get_locale
from markupsafe import Markup

from survey_app.indicators.labels import period_label
from survey_app.insights.charts import ChartRow, chart_svg, nice_limit


def indicator_chart(indicator: dict[str, Any], caption_id: str) -> Markup:
    """Bars per period, oldest first; nothing when no figure of the indicator can be drawn (a text, say)."""
    if indicator.get("kind") == "narrative":
        return Markup("")
    figures = sorted(indicator["figures"], key=lambda figure: figure["period"])
    rows = [ChartRow(label=period_label(figure["period"]), estimate=figure["value"],
                     ci_low=(figure.get("ci") or [None, None])[0], ci_high=(figure.get("ci") or [None, None])[1])
            for figure in figures]
    if not any(row.estimate is not None for row in rows):
        return Markup("")
    percent = indicator.get("kind") == "computed_measure" and not str(indicator.get("measure", "")).startswith(
        "index_")
    index = str(indicator.get("measure", "")).startswith("index_")
    # counts and other entered series get an axis of their own size; shares and indices keep their 0–100 scale
    axis_max = None if percent or index else nice_limit(max(max(row.estimate or 0.0, row.ci_high or 0.0)
                                                                for row in rows))
    return chart_svg(rows, caption_id=caption_id, locale=str(get_locale() or "sv"), percent=percent,
                     axis_max=axis_max)
