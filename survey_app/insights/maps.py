"""A map of the areas coloured by a measure, as inline SVG drawn from the areas' GeoJSON (no tiles, no requests).

The areas' geometries (`Area.geometry`, a GeoJSON Polygon or MultiPolygon in longitude/latitude) are projected
equirectangularly around the municipality's mean latitude, which at a municipality's scale is as good as any
projection. Each area is filled by its class of the measure and carries its figure as text, so colour never
carries the meaning alone; a hidden figure (suppressed or too few answers) is hatched and labelled with its
symbol, and the legend gives the classes with numbers. Areas without geometry are not drawn: the page lists
them (:func:`areas_without_geometry`). The table of the figures per area is the text alternative.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from xml.sax.saxutils import escape, quoteattr

from babel.numbers import format_decimal
from flask_babel import gettext as _
from markupsafe import Markup

from survey_app.insights.charts import percent_text

__all__ = ["MapValue", "areas_without_geometry", "map_svg"]

WIDTH = 600.0
PAD = 10.0
CLASSES = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")  # ColorBrewer Blues, light to dark
NO_FIGURE = "#f2f2f2"
INK = "#1a1a1a"

Ring = list[tuple[float, float]]


class AreaLike(Protocol):
    code: str
    name: str
    geometry: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class MapValue:
    """An area's figure: ``estimate`` None with a ``symbol`` (U, ..) when hidden."""

    estimate: float | None
    symbol: str = ""


def _polygons(geometry: Mapping[str, Any] | None) -> list[list[Ring]]:
    """The polygons (outer ring, then holes) of a GeoJSON Polygon or MultiPolygon; [] for anything else."""
    if not geometry:
        return []
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    polygons: list[Any]
    try:
        if kind == "Polygon":
            polygons = [coordinates]
        elif kind == "MultiPolygon":
            polygons = list(coordinates or [])
        else:
            return []
        out = [[[(float(p[0]), float(p[1])) for p in ring] for ring in polygon] for polygon in polygons]
    except (TypeError, ValueError, IndexError):
        return []
    return [p for p in out if p and len(p[0]) >= 3 and all(math.isfinite(v) for ring in p for pt in ring for v in pt)]


def areas_without_geometry(areas: Iterable[AreaLike]) -> list[AreaLike]:
    return [a for a in areas if not _polygons(a.geometry)]


def _ring_area_centroid(ring: Ring) -> tuple[float, float, float]:
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if abs(area) < 1e-15:
        xs, ys = zip(*ring, strict=True)
        return 0.0, sum(xs) / len(xs), sum(ys) / len(ys)
    return abs(area) / 2, cx / (3 * area), cy / (3 * area)


def _text(value: float, *, percent: bool, locale: str) -> str:
    return percent_text(value, locale) if percent else format_decimal(value, "#,##0.0", locale=locale)


def _breaks(values: Sequence[float]) -> list[float]:
    """Five classes of equal width from the smallest to the largest figure shown."""
    low, high = min(values), max(values)
    if high - low < 1e-12:
        return [low, high]
    return [low + (high - low) * i / len(CLASSES) for i in range(len(CLASSES) + 1)]


def _class_of(value: float, breaks: Sequence[float]) -> int:
    for i in range(len(breaks) - 1):
        if value <= breaks[i + 1]:
            return i
    return len(breaks) - 2


def map_svg(areas: Sequence[AreaLike], values: Mapping[str, MapValue], *, caption_id: str, locale: str = "sv",
            percent: bool = True) -> Markup:
    """The choropleth of ``areas`` (those with geometry) by ``values`` (area code -> figure), with its legend.

    Empty markup when no area has a geometry. Labelled by the table caption ``caption_id``.
    """
    drawn = [(a, _polygons(a.geometry)) for a in areas]
    drawn = [(a, p) for a, p in drawn if p]
    if not drawn:
        return Markup("")
    points = [pt for _, polygons in drawn for polygon in polygons for ring in polygon for pt in ring]
    lat0 = math.radians(sum(lat for _, lat in points) / len(points))
    k = math.cos(lat0)
    xs = [lon * k for lon, _ in points]
    ys = [-lat for _, lat in points]
    span = max(max(xs) - min(xs), max(ys) - min(ys), 1e-9)
    scale = (WIDTH - 2 * PAD) / max(max(xs) - min(xs), span * 0.2)
    height = (max(ys) - min(ys)) * scale + 2 * PAD

    def project(lon: float, lat: float) -> tuple[float, float]:
        return PAD + (lon * k - min(xs)) * scale, PAD + (-lat - min(ys)) * scale

    shown = [v.estimate for a, _ in drawn if (v := values.get(a.code)) is not None and v.estimate is not None]
    breaks = _breaks(shown) if shown else []
    hatch = f"{caption_id}-hidden"
    parts: list[str] = [
        f'<defs><pattern id={quoteattr(hatch)} patternUnits="userSpaceOnUse" width="8" height="8" '
        f'patternTransform="rotate(45)"><rect width="8" height="8" fill="#ffffff"/>'
        f'<line x1="0" y1="0" x2="0" y2="8" stroke="{INK}" stroke-width="2"/></pattern></defs>'
    ]
    labels: list[str] = []
    for area, polygons in drawn:
        value = values.get(area.code)
        if value is None:
            fill, text = NO_FIGURE, "–"
        elif value.estimate is None:
            fill, text = f"url(#{hatch})", value.symbol or "U"
        else:
            fill = CLASSES[_class_of(value.estimate, breaks)]
            text = _text(value.estimate, percent=percent, locale=locale)
        path = " ".join(
            "M " + " L ".join(f"{x:.1f} {y:.1f}" for x, y in (project(*pt) for pt in ring)) + " Z"
            for polygon in polygons for ring in polygon)
        parts.append(f'<path d="{path}" fill="{fill}" fill-rule="evenodd" stroke="{INK}" stroke-width="1">'
                     f"<title>{escape(area.name)}: {escape(text)}</title></path>")
        _, cx, cy = max((_ring_area_centroid(polygon[0]) for polygon in polygons), key=lambda c: c[0])
        x, y = project(cx, cy)
        labels.append(f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="middle" font-size="12" fill="{INK}" '
                      f'stroke="#ffffff" stroke-width="3" paint-order="stroke">'
                      f'<tspan x="{x:.1f}" dy="-0.2em">{escape(area.name)}</tspan>'
                      f'<tspan x="{x:.1f}" dy="1.2em" font-weight="bold">{escape(text)}</tspan></text>')
    parts += labels
    legend, legend_height = _legend(breaks, hatch, top=height + 6, percent=percent, locale=locale)
    parts.append(legend)
    total = height + 6 + legend_height
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH:.0f} {total:.1f}" class="map" role="img" '
           f'aria-labelledby={quoteattr(caption_id)} focusable="false" font-family="sans-serif">'
           + "".join(parts) + "</svg>")
    return Markup(svg)  # noqa: S704 (every text in it went through escape or quoteattr)


def _legend(breaks: Sequence[float], hatch: str, *, top: float, percent: bool, locale: str) -> tuple[str, float]:
    rows: list[tuple[str, str]] = []
    if len(breaks) == 2:
        rows.append((CLASSES[2], _text(breaks[0], percent=percent, locale=locale)))
    else:
        for i in range(len(breaks) - 1):
            rows.append((CLASSES[i], f"{_text(breaks[i], percent=percent, locale=locale)} – "
                                     f"{_text(breaks[i + 1], percent=percent, locale=locale)}"))
    rows.append((f"url(#{hatch})", _("Hidden: too few answers (U or ..)")))
    rows.append((NO_FIGURE, _("No figure")))
    out = []
    for i, (fill, text) in enumerate(rows):
        y = top + i * 22
        out.append(f'<rect x="{PAD}" y="{y:.1f}" width="28" height="16" fill="{fill}" stroke="{INK}"/>'
                   f'<text x="{PAD + 36}" y="{y + 12.5:.1f}" font-size="13" fill="{INK}">{escape(text)}</text>')
    return "".join(out), len(rows) * 22
