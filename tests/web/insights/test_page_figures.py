"""Every results table has its chart beside it, and the area views their map: drawn from exactly the figures the
analysis publishes (`run_analysis`, called here directly), with nothing drawn for a hidden figure."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey_app.insights.charts import DifferenceRow, difference_svg
from survey_app.models import Area
from tests.factories import make_staff
from tests.web.client import log_in
from tests.web.insights.test_charts_and_maps import SVG, _bars, _external_references, _parse
from tests.web.insights.test_pages import analysed, page
from tests.web.insights.waves import EARLIER_SLUG, MEASURES, NOW_SLUG, Waves, make_result_waves, tables


@pytest.fixture
def waves(staff_db: Session, tmp_path: Path) -> Waves:
    return make_result_waves(staff_db, tmp_path)


@pytest.fixture
def analyst(app: Flask, staff_db: Session) -> FlaskClient:
    make_staff(staff_db, "analyst", email="analys@kommun.se")
    staff_db.commit()
    client = app.test_client()
    assert log_in(client, "analys@kommun.se").status_code == 302
    return client


def svgs(html: str, caption_id: str) -> list[str]:
    """The inline SVGs labelled by one caption, in page order."""
    return re.findall(rf'<svg[^>]*aria-labelledby="{re.escape(caption_id)}"[^>]*>.*?</svg>', html, flags=re.S)


def drawn_bars(svg: str) -> int:
    """Bars in the axes, not the legend's sample patches."""
    root = _parse(svg)
    in_legend = {id(p) for g in root.iter(f"{SVG}g") if re.search(r"-legend_\d+$", g.get("id", ""))
                 for p in g.iter(f"{SVG}path")}
    return sum(1 for bar in _bars(root) if id(bar) not in in_legend)


def texts(svg: str) -> list[str]:
    return ["".join(t.itertext()) for t in _parse(svg).iter(f"{SVG}text")]


def test_difference_chart_draws_published_differences_and_says_significance_in_words() -> None:
    rows = [DifferenceRow("Centrum", 0.052, 0.02, 0.084, True), DifferenceRow("Norrby", None),
            DifferenceRow("Kyrkbyn", -0.031, -0.09, 0.028, False)]
    svg = str(difference_svg(rows, caption_id="gap", unit="Procentenheter", significant="Säkerställd",
                             not_significant="Inte säkerställd"))
    assert _parse(svg).get("aria-labelledby") == "gap"
    assert _external_references(svg) == []
    assert "style=" not in svg
    assert drawn_bars(svg) == 2
    words = texts(svg)
    assert "+5,2" in words
    assert "−3,1" in words
    assert not any("Norrby" in t for t in words)
    assert "Säkerställd" in words
    assert "Inte säkerställd" in words
    assert str(difference_svg([DifferenceRow("Norrby", None)], caption_id="gap")) == ""


def test_overview_charts_beside_who_answered_and_the_headline_table(
        shared_waves_app: Flask, shared_analyst: FlaskClient) -> None:
    app, analyst = shared_waves_app, shared_analyst  # the result waves built once: these tests only read
    html = page(analyst, f"/analys/{NOW_SLUG}?weighting=none")
    found = tables(html)
    for table_id in ("who-area", "who-gender", "who-age", "who-area-gender", "who-area-age"):
        charts = svgs(html, f"{table_id}-caption")
        assert len(charts) == 1, table_id
        first_value = 2 if table_id in ("who-area-gender", "who-area-age") else 1
        published = [row for row in found[table_id][1:] if row[first_value] != "U" and "%" in row[-1]]
        assert drawn_bars(charts[0]) == len(published), table_id
        assert _external_references(charts[0]) == []
    expected = analysed(app, NOW_SLUG, "none")
    whole = [r for r in expected.measures if r.group == () and r.measure in MEASURES]
    headline = svgs(html, "headline-caption")
    assert sum(drawn_bars(svg) for svg in headline) == sum(r.estimate is not None for r in whole)


def test_gender_and_trend_tables_chart_their_published_differences(
        shared_waves_app: Flask, shared_analyst: FlaskClient) -> None:
    app, analyst = shared_waves_app, shared_analyst  # the result waves built once: these tests only read
    gender = page(analyst, f"/analys/{NOW_SLUG}/kon?measure=share_unsafe&weighting=none")
    expected = analysed(app, NOW_SLUG, "none")
    gaps = [c for c in expected.comparisons if c.kind == "gender_gap"]
    whole = [c for c in gaps if c.group == () and c.measure in MEASURES]
    areas = [c for c in gaps if c.measure == "share_unsafe" and [d for d, _ in c.group] == ["area"]]
    assert sum(drawn_bars(s) for s in svgs(gender, "gender-gap-caption")) == sum(c.difference is not None
                                                                                for c in whole)
    assert sum(drawn_bars(s) for s in svgs(gender, "gender-gap-areas-caption")) == sum(c.difference is not None
                                                                                      for c in areas)
    assert "Statistiskt säkerställd (fylld stapel)" in gender
    trend = page(analyst, f"/analys/{NOW_SLUG}/trend?measure=share_unsafe&weighting=none&compare={EARLIER_SLUG}")
    changes = [c for c in analysed(app, NOW_SLUG, "none", EARLIER_SLUG).comparisons if c.kind == "trend"]
    by_area = [c for c in changes if c.measure == "share_unsafe" and [d for d, _ in c.group] == ["area"]]
    assert by_area
    assert sum(drawn_bars(s) for s in svgs(trend, "trend-areas-caption")) == sum(c.difference is not None
                                                                                for c in by_area)
    assert svgs(trend, "trend-caption")


def test_children_detail_chart_draws_only_published_groups(
        shared_waves_app: Flask, shared_analyst: FlaskClient) -> None:
    app, analyst = shared_waves_app, shared_analyst  # the result waves built once: these tests only read
    html = page(analyst, f"/analys/{NOW_SLUG}/barn?measure=share_unsafe&weighting=none")
    expected = analysed(app, NOW_SLUG, "none")
    groups = [r for r in expected.measures if r.measure == "share_unsafe" and r.group and r.group[0][0] == "age_group"]
    published = [r for r in groups if r.estimate is not None]
    assert len(published) < len(groups)  # a hidden group that must not be drawn
    assert sum(drawn_bars(s) for s in svgs(html, "children-detail-caption")) == len(published)


def test_the_map_colours_areas_by_the_chosen_measure_and_lists_those_without_geometry(
        app: Flask, waves, analyst: FlaskClient, staff_db: Session) -> None:
    kyrkbyn = staff_db.scalars(select(Area).where(Area.code == "kyrkbyn")).one()
    kyrkbyn.geometry = None
    staff_db.commit()
    expected = analysed(app, NOW_SLUG, "none")
    for path in (f"/analys/{NOW_SLUG}/tabell?measure=share_trust_police&by=area&weighting=none",
                 f"/analys/{NOW_SLUG}?measure=share_trust_police&weighting=none"):
        html = page(analyst, path)
        maps = svgs(html, "area-map-caption")
        assert len(maps) == 1, path
        assert _external_references(maps[0]) == []
        assert "Karta: Andel som anser att polisen bryr sig om de lokala problemen per område" in html
        assert "Finns inte på kartan (saknar geometri): Kyrkbyn." in html
        root = ET.fromstring(maps[0])  # noqa: S314 (our own page)
        drawn = {p.find(f"{SVG}title").text.split(":")[0]: p for p in root.iter(f"{SVG}path")}  # type: ignore[union-attr]
        assert set(drawn) == {"Bruksområdet", "Centrum", "Norrby", "Strandängen", "Östra Kvarnen"}
        names = {"bruket": "Bruksområdet", "centrum": "Centrum", "norrby": "Norrby", "strandangen": "Strandängen",
                 "ostra-kvarn": "Östra Kvarnen"}
        for row in expected.measures:
            if row.measure != "share_trust_police" or [d for d, _ in row.group] != ["area"]:
                continue
            name = names.get(row.group[0][1])
            if name is None:
                continue
            title = drawn[name].find(f"{SVG}title").text  # type: ignore[union-attr]
            if row.symbol:
                assert drawn[name].get("fill") == "url(#area-map-caption-hidden)"
                assert title == f"{name}: {row.symbol}"
            else:
                assert row.estimate is not None
                assert title == f"{name}: " + f"{row.estimate * 100:.1f}".replace(".", ",") + "\u00a0%"
    assert not svgs(page(analyst, f"/analys/{NOW_SLUG}/tabell?by=gender&weighting=none"), "area-map-caption")
