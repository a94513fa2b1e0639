"""The lägesbild's charts, from the same code as the pages: survey shares with their CIs as the results pages draw
them (insights/charts.py), indicator series as the promises and the återkoppling page draw them (promises/charts.py).
Each chart stands beside its table, which is its text alternative; hidden figures (U, ..) are not drawn."""

from __future__ import annotations

from typing import Any

from flask_babel import get_locale
from markupsafe import Markup

from survey_app.insights.charts import ChartRow, chart_svg
from survey_app.promises.charts import indicator_chart


def survey_chart(rows: list[dict[str, Any]], labels: dict[str, str], caption_id: str) -> Markup:
    """A bar per measure of the table (its share with the 95 % CI); nothing when no figure can be shown."""
    drawn = [ChartRow(label=labels.get(row["measure"], row["measure"]), estimate=row.get("value"),
                      ci_low=(row.get("ci") or [None, None])[0], ci_high=(row.get("ci") or [None, None])[1])
             for row in rows]
    if not any(row.estimate is not None for row in drawn):
        return Markup("")
    return chart_svg(drawn, caption_id=caption_id, locale=str(get_locale() or "sv"), percent=True)


def series_chart(series: dict[str, Any], caption_id: str) -> Markup:
    """An indicator series' values per period, as a promise's indicator is drawn."""
    return indicator_chart({"kind": "entered_count", "figures": [
        {"period": code, "value": value} for code, value in series["values"]]}, caption_id)
