"""Charts of a table's estimates, drawn on the server as inline SVG by matplotlib's SVG backend.

One horizontal bar per published row with its 95 % CI as an error bar and the figure written at the bar's end;
hidden rows (suppressed ``U``, too few answers ``..``) are not drawn at all, so no bar can give a hidden figure
away. Meaning never rests on colour: every bar is named on its axis and carries its number, and a figure on few
answers is hatched and marked in its label as well. The table beside the chart is its text alternative: the SVG
has ``role="img"`` and ``aria-labelledby`` pointing to the table's caption.

The output is deterministic (``svg.hashsalt`` fixed, no date or creator in the metadata) and self-contained: text
stays text in a generic font stack (no font files or requests), styles become SVG presentation attributes (the
Content-Security-Policy allows no inline styles), and every id is prefixed with the caption id, so several charts
on one page never share an id. No pyplot: a bare :class:`~matplotlib.figure.Figure` keeps no global state between
requests.
"""

from __future__ import annotations

import io
import math
import re
import textwrap
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import matplotlib
from babel import Locale
from babel.numbers import format_decimal, format_percent
from markupsafe import Markup
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from analysis.report import EstimateRow

__all__ = ["ChartRow", "DifferenceRow", "chart_rows", "chart_svg", "difference_svg", "nice_limit", "percent_text",
           "svg_markup"]

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
BAR_COLOUR = "#1f5f8b"  # 7.0:1 against white
UNCERTAIN_COLOUR = "#ffffff"
INK = "#1a1a1a"
_RC: dict[str, Any] = {
    "svg.hashsalt": "trygg",  # ids from a fixed salt: the same figures give the same bytes
    "svg.fonttype": "none",  # text as <text>, read by screen readers and drawn with the reader's own fonts
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 10,
    "hatch.color": BAR_COLOUR,
    "hatch.linewidth": 1.5,
}
_PRESENTATION = {"fill", "fill-opacity", "stroke", "stroke-width", "stroke-linejoin", "stroke-linecap",
                 "stroke-dasharray", "stroke-dashoffset", "stroke-miterlimit", "stroke-opacity", "opacity",
                 "font-size", "font-family", "font-style", "font-weight", "text-anchor", "clip-path"}

_DRAWING = threading.Lock()

ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", XLINK_NS)


@dataclass(frozen=True, slots=True)
class ChartRow:
    """One row of a table as the chart needs it; ``estimate`` None means hidden (not drawn)."""

    label: str
    estimate: float | None
    ci_low: float | None = None
    ci_high: float | None = None
    uncertain: bool = False


@dataclass(frozen=True, slots=True)
class DifferenceRow:
    """One difference (a gap, a change) with its CI; ``difference`` None means not published (not drawn)."""

    label: str
    difference: float | None
    ci_low: float | None = None
    ci_high: float | None = None
    significant: bool = False


def chart_rows(rows: Iterable[EstimateRow], label: Callable[[EstimateRow], str]) -> list[ChartRow]:
    """The analysis' rows for :func:`chart_svg`, named by ``label`` (an area's name, a gender's word ...)."""
    return [ChartRow(label(r), r.estimate, r.ci_low, r.ci_high, r.uncertain) for r in rows]


def percent_text(value: float, locale: str) -> str:
    """A share as the locale writes a percentage with one decimal, as the tables do (23,8 % / 23.8%)."""
    pattern = Locale.parse(locale).percent_formats[None].pattern.replace("#,##0", "#,##0.0", 1)
    return format_percent(value, pattern, locale=locale)


def _value_text(value: float, *, percent: bool, locale: str, whole: bool = False) -> str:
    if percent:
        return percent_text(value, locale)
    return format_decimal(value, "#,##0" if whole else "#,##0.0", locale=locale)


def _wrapped(label: str) -> str:
    return "\n".join(textwrap.wrap(label, 42)) or label


def _height(labels: Sequence[str]) -> float:
    """Inches: a row per label, taller for a label wrapped on several lines (10 pt text needs ~0.17 in a line)."""
    row = max((max(0.38, 0.17 * (label.count("\n") + 1) + 0.08) for label in labels), default=0.38)
    return 0.9 + row * max(len(labels), 1)  # the rows are evenly spaced: each as tall as the tallest label needs


def nice_limit(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 times a power of ten that is at least ``value``."""
    if value <= 0 or not math.isfinite(value):
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 2.5, 5, 10) if step * power >= value - 1e-12)


def chart_svg(rows: Sequence[ChartRow], *, caption_id: str, locale: str = "sv", percent: bool = True,
              few_answers: str = "", axis_max: float | None = None) -> Markup:
    """An SVG bar chart of the published rows with CI error bars (see :func:`_chart_svg`).

    Drawing takes a tenth of a second or more, so the drawings are kept by their inputs (the figures
    themselves, not the wave): other figures give another drawing at once.
    """
    return _chart_svg(tuple(rows), caption_id, locale, percent, few_answers, axis_max)


def difference_svg(rows: Sequence[DifferenceRow], *, caption_id: str, locale: str = "sv", points: bool = True,
                   unit: str = "", significant: str = "", not_significant: str = "") -> Markup:
    """Differences as bars from zero with their CI (see :func:`_difference_svg`); kept like :func:`chart_svg`."""
    return _difference_svg(tuple(rows), caption_id, locale, points, unit, significant, not_significant)


@lru_cache(maxsize=256)
def _chart_svg(rows: tuple[ChartRow, ...], caption_id: str, locale: str, percent: bool, few_answers: str,
               axis_max: float | None) -> Markup:
    """An SVG bar chart of the published rows with CI error bars, labelled by the table caption ``caption_id``.

    ``few_answers`` is the word added to the label of a figure on few answers (e.g. "få svar"), in the page's
    language; ``percent`` draws shares on a 0–100 % axis, else means on a 0–100 axis (the indices);
    ``axis_max`` ends the axis elsewhere (response rates, which are far below 100 %). Empty markup when no row
    is published.
    """
    shown = [r for r in rows if r.estimate is not None and math.isfinite(r.estimate)]
    if not shown:
        return Markup("")
    labels = [_wrapped(f"{r.label} ({few_answers})" if r.uncertain and few_answers else r.label) for r in shown]
    # rc_context changes matplotlib's process-wide settings while it lasts: one chart at a time per process
    with _DRAWING, matplotlib.rc_context(_RC):  # type: ignore[arg-type]  # the stubs type keys as Literals
        figure = Figure(figsize=(6.4, _height(labels)), layout="constrained")
        axes = figure.add_subplot()
        positions = list(range(len(shown)))[::-1]  # the table's first row at the top
        values = [float(r.estimate) for r in shown]  # type: ignore[arg-type]
        low = [max(v - (r.ci_low if r.ci_low is not None else v), 0.0) for v, r in zip(values, shown, strict=True)]
        high = [max((r.ci_high if r.ci_high is not None else v) - v, 0.0) for v, r in zip(values, shown, strict=True)]
        with_ci = any(r.ci_low is not None or r.ci_high is not None for r in shown)
        bars = axes.barh(positions, values, height=0.6, color=[UNCERTAIN_COLOUR if r.uncertain else BAR_COLOUR
                                                               for r in shown],
                         edgecolor=BAR_COLOUR, linewidth=1.0, xerr=[low, high] if with_ci else None,
                         error_kw={"ecolor": INK, "elinewidth": 1.2, "capsize": 3})
        for bar, r in zip(bars, shown, strict=True):
            if r.uncertain:
                bar.set_hatch("///")
        axes.set_yticks(positions, labels)
        axes.set_ylim(-0.6, len(shown) - 0.4)
        top = axis_max if axis_max is not None else 1.0 if percent else 100.0
        axes.set_xlim(0, top * 1.2)  # room right of the scale for the figure written after a full bar
        ticks = [top * i / 5 for i in range(6)]
        axes.set_xticks(ticks, [_value_text(t, percent=percent, locale=locale).replace(",0", "").replace(".0", "")
                                for t in ticks])
        whole = not percent and all(value.is_integer() for value in values)  # counts: 41, not 41,0
        for position, value, r in zip(positions, values, shown, strict=True):
            end = r.ci_high if r.ci_high is not None else value
            axes.text(end + top * 0.015, position, _value_text(value, percent=percent, locale=locale, whole=whole),
                      va="center", ha="left", color=INK)
        _finish(axes)
        return _render(figure, caption_id)


@lru_cache(maxsize=256)
def _difference_svg(rows: tuple[DifferenceRow, ...], caption_id: str, locale: str, points: bool, unit: str,
                    significant: str, not_significant: str) -> Markup:
    """Differences as bars from zero with their CI as error bars, labelled by the table caption ``caption_id``.

    ``points`` writes shares' differences in percentage points (×100), else as they are (index points); ``unit``
    names the axis. A significant difference is a filled bar, another a hatched one, and the legend says so in
    words (``significant``, ``not_significant``): the fill never carries the meaning alone, the table beside it
    says the same in a column. Empty markup when no difference is published.
    """
    shown = [r for r in rows if r.difference is not None and math.isfinite(r.difference)]
    if not shown:
        return Markup("")
    scale = 100.0 if points else 1.0
    labels = [_wrapped(r.label) for r in shown]
    values = [float(r.difference) * scale for r in shown]  # type: ignore[arg-type]
    lows = [(r.ci_low if r.ci_low is not None else r.difference) * scale for r in shown]  # type: ignore[operator]
    highs = [(r.ci_high if r.ci_high is not None else r.difference) * scale for r in shown]  # type: ignore[operator]
    reach = nice_limit(max(abs(v) for v in [*values, *lows, *highs]) or 1.0)
    with _DRAWING, matplotlib.rc_context(_RC):  # type: ignore[arg-type]
        figure = Figure(figsize=(6.4, _height(labels) + (0.9 if significant else 0.3)), layout="constrained")
        axes = figure.add_subplot()
        positions = list(range(len(shown)))[::-1]
        bars = axes.barh(positions, values, height=0.6,
                         color=[BAR_COLOUR if r.significant else UNCERTAIN_COLOUR for r in shown],
                         edgecolor=BAR_COLOUR, linewidth=1.0,
                         xerr=[[max(v - lo, 0.0) for v, lo in zip(values, lows, strict=True)],
                               [max(hi - v, 0.0) for v, hi in zip(values, highs, strict=True)]],
                         error_kw={"ecolor": INK, "elinewidth": 1.2, "capsize": 3})
        for bar, r in zip(bars, shown, strict=True):
            if not r.significant:
                bar.set_hatch("///")
        axes.axvline(0, color=INK, linewidth=1.0)
        axes.set_yticks(positions, labels)
        axes.set_ylim(-0.6, len(shown) - 0.4)
        axes.set_xlim(-reach * 1.45, reach * 1.45)  # room beyond the scale for the figure written at a bar's end
        ticks = [reach * i / 2 for i in range(-2, 3)]
        axes.set_xticks(ticks, [_signed(t, locale, digits=0 if float(t).is_integer() else 1) for t in ticks])
        for position, value, low, high in zip(positions, values, lows, highs, strict=True):
            right = value >= 0
            axes.text((max(high, 0.0) + reach * 0.03) if right else (min(low, 0.0) - reach * 0.03), position,
                      _signed(value, locale, digits=1), va="center", ha="left" if right else "right", color=INK)
        if unit:
            axes.set_xlabel(unit)
        if significant and not_significant:
            figure.legend(handles=[Patch(facecolor=BAR_COLOUR, edgecolor=BAR_COLOUR, label=significant),
                                   Patch(facecolor=UNCERTAIN_COLOUR, edgecolor=BAR_COLOUR, hatch="///",
                                         label=not_significant)],
                          loc="outside lower center", ncols=1, frameon=False)
        _finish(axes)
        return _render(figure, caption_id)


def _signed(value: float, locale: str, digits: int = 0) -> str:
    text = format_decimal(abs(value), "#,##0" + ("." + "0" * digits if digits else ""), locale=locale)
    if abs(value) < 0.5 * 10 ** -digits:
        return text if digits == 0 else "±" + text
    return ("+" if value > 0 else "−") + text


def _finish(axes: Any) -> None:
    axes.spines[["top", "right"]].set_visible(False)
    axes.grid(axis="x", color="#d0d0d0", linewidth=0.6)
    axes.set_axisbelow(True)


def _render(figure: Figure, caption_id: str) -> Markup:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    return svg_markup(buffer.getvalue(), caption_id=caption_id)


def svg_markup(svg: str, *, caption_id: str) -> Markup:
    """SVG text made fit for inline use: no prolog, metadata or styles, ids prefixed, labelled by ``caption_id``."""
    root = ET.fromstring(svg)  # noqa: S314 (our own matplotlib output, not outside input)
    _inline_styles(root)
    for element in list(root.iter()):
        for child in list(element):
            if child.tag in (f"{{{SVG_NS}}}metadata", f"{{{SVG_NS}}}style", f"{{{SVG_NS}}}title"):
                element.remove(child)
    _prefix_ids(root, caption_id)
    root.set("stroke-linejoin", "round")  # the style sheet matplotlib puts in <defs>, as inherited attributes
    root.set("stroke-linecap", "butt")
    for attribute in ("width", "height"):
        root.attrib.pop(attribute, None)
    root.set("class", "chart")
    root.set("role", "img")
    root.set("aria-labelledby", caption_id)
    root.set("focusable", "false")
    # The prefixes are process-wide and other libraries change them (WeasyPrint's import drops the default SVG
    # namespace, after which ElementTree writes <ns0:svg>): name them again right before writing
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    return Markup(ET.tostring(root, encoding="unicode"))  # noqa: S704 (serialised by ElementTree, escaped)


def _inline_styles(root: ET.Element) -> None:
    for element in root.iter():
        style = element.attrib.pop("style", None)
        if not style:
            continue
        for declaration in style.split(";"):
            name, _, value = declaration.partition(":")
            name, value = name.strip(), value.strip()
            if name in _PRESENTATION and value:
                element.set(name, value)


_URL = re.compile(r"url\(#([^)]+)\)")


def _prefix_ids(root: ET.Element, prefix: str) -> None:
    ids = {element.get("id") for element in root.iter() if element.get("id")}
    href = f"{{{XLINK_NS}}}href"
    for element in root.iter():
        if (own := element.get("id")) is not None:
            element.set("id", f"{prefix}-{own}")
        for name, value in list(element.attrib.items()):
            if name in (href, "href") and value.startswith("#") and value[1:] in ids:
                element.set(name, f"#{prefix}-{value[1:]}")
            elif "url(#" in value:
                element.set(name, _URL.sub(lambda m: f"url(#{prefix}-{m.group(1)})" if m.group(1) in ids
                                           else m.group(0), value))
