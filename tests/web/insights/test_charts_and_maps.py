"""Server-drawn charts and maps: valid, self-contained SVG that draws exactly the published figures."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from types import SimpleNamespace

import pytest
from flask import Flask

from analysis.report import EstimateRow
from survey_app.insights.charts import ChartRow, chart_rows, chart_svg
from survey_app.insights.maps import MapValue, areas_without_geometry, map_svg

SVG = "{http://www.w3.org/2000/svg}"
ROWS = [ChartRow("Centrum", 0.234, 0.201, 0.27), ChartRow("Norrby", None), ChartRow("Kyrkbyn", 0.41, 0.30, 0.52, True),
        ChartRow("Bruksområdet", 0.95, 0.90, 0.99), ChartRow("Strandängen", None)]


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 (our own output)


def _external_references(svg: str) -> list[str]:
    return [r for r in re.findall(r'(?:href|src)\s*=\s*"([^"]*)"', svg) if not r.startswith("#")] + \
        re.findall(r"url\((?!#)[^)]*\)", svg) + re.findall(r"<!DOCTYPE|<\?xml|@import", svg)


def _bars(root: ET.Element) -> list[ET.Element]:
    """Filled rectangles drawn in the axes: patch 1 is the figure's backdrop, 2 the axes'; spines are open lines."""
    patches = [g for g in root.iter(f"{SVG}g") if re.fullmatch(r"[\w-]+-patch_\d+", g.get("id", ""))][2:]
    paths = [g.find(f"{SVG}path") for g in patches]
    return [p for p in paths if p is not None and p.get("d", "").rstrip().endswith("z")]


def test_chart_is_valid_self_contained_svg_with_one_bar_per_published_row() -> None:
    svg = str(chart_svg(ROWS, caption_id="t1", few_answers="få svar"))
    root = _parse(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "t1"
    assert _external_references(svg) == []
    assert "style=" not in svg  # the CSP allows no inline styles: presentation attributes only
    assert "<style" not in svg
    assert len(_bars(root)) == 3  # the published rows; the bars' backdrop and frame are patches 1 and 2
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert "23,4\u00a0%" in texts  # as the tables write it: a no-break space before the sign
    assert "Kyrkbyn (få svar)" in texts
    assert not any("Norrby" in t or "Strandängen" in t for t in texts)  # hidden rows are not drawn at all


def test_chart_ids_are_unique_per_chart_and_the_output_is_deterministic() -> None:
    one = str(chart_svg(ROWS, caption_id="t1"))
    assert one == str(chart_svg(ROWS, caption_id="t1"))
    other = str(chart_svg(ROWS, caption_id="t2"))
    ids_one = set(re.findall(r' id="([^"]+)"', one))
    ids_other = set(re.findall(r' id="([^"]+)"', other))
    assert ids_one
    assert ids_one.isdisjoint(ids_other)
    for reference in re.findall(r'href="#([^"]+)"|url\(#([^)]+)\)', one):
        assert next(r for r in reference if r) in ids_one


def test_chart_in_english_and_for_an_index() -> None:
    svg = str(chart_svg([ChartRow("Women", 62.5, 60.0, 65.0)], caption_id="t3", locale="en", percent=False))
    texts = ["".join(t.itertext()) for t in _parse(svg).iter(f"{SVG}text")]
    assert "62.5" in texts
    assert "100" in texts
    shares = str(chart_svg([ChartRow("Women", 0.234, 0.2, 0.27)], caption_id="t4", locale="en"))
    assert "23.4%" in ["".join(t.itertext()) for t in _parse(shares).iter(f"{SVG}text")]  # as the English tables


def test_chart_rows_take_the_analysis_rows() -> None:
    rows = [EstimateRow("share_unsafe", (("area", "norr"),), 120, 0.25, 0.03, 0.2, 0.3, "wilson", False, "",
                        uncertain=False),
            EstimateRow("share_unsafe", (("area", "soder"),), None, None, None, None, None, "wilson", True, "U")]
    got = chart_rows(rows, lambda r: dict(r.group)["area"].title())
    assert got == [ChartRow("Norr", 0.25, 0.2, 0.3, False), ChartRow("Soder", None, None, None, False)]


def _square(x: float, y: float) -> dict:
    return {"type": "Polygon", "coordinates": [[[x, y], [x + 0.02, y], [x + 0.02, y + 0.01], [x, y + 0.01], [x, y]]]}


AREAS = [
    SimpleNamespace(code="centrum", name="Centrum", geometry=_square(14.50, 59.30)),
    SimpleNamespace(code="norrby", name="Norrby", geometry=_square(14.52, 59.30)),
    SimpleNamespace(code="kyrkbyn", name="Kyrkbyn", geometry={"type": "MultiPolygon", "coordinates": [
        _square(14.50, 59.31)["coordinates"], _square(14.53, 59.31)["coordinates"]]}),
    SimpleNamespace(code="bruket", name="Bruket", geometry=None),
    SimpleNamespace(code="trasig", name="Trasig", geometry={"type": "Polygon", "coordinates": [[["a", 1]]]}),
]


def test_map_colours_areas_hatches_hidden_ones_and_lists_those_without_geometry(app: Flask) -> None:
    values = {"centrum": MapValue(0.23), "norrby": MapValue(None, "U"), "kyrkbyn": MapValue(0.31)}
    with app.test_request_context("/?lang=sv"):
        svg = str(map_svg(AREAS, values, caption_id="karta"))
    root = _parse(svg)
    assert root.get("aria-labelledby") == "karta"
    assert _external_references(svg) == []
    paths = list(root.iter(f"{SVG}path"))
    assert len(paths) == 3
    fills = {p.find(f"{SVG}title").text.split(":")[0]: p.get("fill") for p in paths}  # type: ignore[union-attr]
    assert fills["Norrby"] == "url(#karta-hidden)"
    assert fills["Centrum"] != fills["Kyrkbyn"]
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert "Centrum23,0\u00a0%" in texts
    assert "NorrbyU" in texts
    assert "23,0\u00a0% – 24,6\u00a0%" in texts  # the legend's classes with numbers
    assert [a.name for a in areas_without_geometry(AREAS)] == ["Bruket", "Trasig"]


def test_map_without_any_geometry_is_empty(app: Flask) -> None:
    with app.test_request_context("/"):
        assert str(map_svg(AREAS[3:], {}, caption_id="karta")) == ""


@pytest.mark.parametrize("geometry", [None, {}, {"type": "Point", "coordinates": [14.5, 59.3]},
                                      {"type": "Polygon", "coordinates": [[[14.5, 59.3], [14.6, 59.3]]]}])
def test_geometry_that_draws_no_area_counts_as_missing(geometry: object) -> None:
    area = SimpleNamespace(code="x", name="X", geometry=geometry)
    assert areas_without_geometry([area]) == [area]


def test_a_chart_stays_plain_svg_after_weasyprint_has_been_imported() -> None:
    """WeasyPrint's import drops ElementTree's default SVG prefix; the charts must still write <svg>, not <ns0:svg>."""
    import xml.etree.ElementTree as ET

    import weasyprint.pdf.metadata  # noqa: F401

    from survey_app.insights.charts import SVG_NS, ChartRow, chart_svg

    ET.register_namespace("svgx", SVG_NS)  # and whatever else another library may do to the prefix
    svg = str(chart_svg((ChartRow("Norr", 0.25, 0.2, 0.3),), caption_id="weasy-caption", locale="sv"))
    assert svg.startswith("<svg ")
    assert "ns0:" not in svg
    assert "svgx:" not in svg


def test_a_count_indicator_gets_an_axis_of_its_size_and_whole_numbers(app: Flask) -> None:
    """Police counts per tertial: 250 and 310 would have run off a 0–100 axis and read "310,0"."""
    from survey_app.promises.charts import indicator_chart

    indicator = {"kind": "entered_count", "figures": [{"period": "2026-T1", "value": 250.0},
                                                      {"period": "2026-T2", "value": 310.0}]}
    with app.test_request_context("/"):
        svg = str(indicator_chart(indicator, "c1"))
    texts = ["".join(t.itertext()) for t in _parse(svg).iter(f"{SVG}text")]
    assert "310" in texts
    assert "250" in texts
    assert not any(t.endswith(",0") and t[:-2].isdigit() for t in texts)
    assert "500" in texts  # the axis reaches the next nice limit above the largest count
