"""The results pages of a wave with answers show what `run_analysis` publishes, in Swedish number format, and refuse
bad URLs: the tests that only read, on the result waves built once per backend (conftest.py).

Expected figures come from calling `analysis.report.run_analysis` on the wave's data directly and from counting rows
in the database, and are formatted here by hand (decimal comma, no-break spaces), never by the app's own code.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator

import numpy as np
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey_app.demo import EXAMPLE_CUTPOINTS
from survey_app.models import Area, AreaPopulation, Response
from tests.web.client import log_in
from tests.web.insights.test_charts_and_maps import _bars, _external_references, _parse
from tests.web.insights.test_pages import analysed, count, estimate, page, pct, pp, shown
from tests.web.insights.waves import EARLIER_SLUG, NOW_SLUG, Waves, row_named, survey_by_slug, tables


@pytest.fixture
def app(shared_waves_app: Flask) -> Flask:
    return shared_waves_app


@pytest.fixture
def staff_db(shared_waves_db: Session) -> Iterator[Session]:
    yield shared_waves_db
    shared_waves_db.rollback()  # no read transaction left open


@pytest.fixture
def waves() -> Waves:
    return Waves(NOW_SLUG, EARLIER_SLUG)


@pytest.fixture
def analyst(shared_analyst: FlaskClient) -> FlaskClient:
    return shared_analyst

def test_the_wave_list_counts_responses_against_the_population(waves, analyst, staff_db: Session) -> None:
    html = page(analyst, "/analys/")
    survey = survey_by_slug(staff_db, NOW_SLUG)
    responses = staff_db.scalar(select(func.count()).select_from(Response).where(Response.survey_id == survey.id))
    # the adult questionnaire asks 16 and older: every band but 12-15
    population = staff_db.scalar(select(func.sum(AreaPopulation.population)).where(AreaPopulation.age_band != "12-15"))
    row = row_named(tables(html)["table0"], "Trygghetsenkät 2026")
    assert row[3:] == [count(responses), count(population), pct(responses / population)]
    assert "Öppen" in row[2]
    assert "Stängd" in row_named(tables(html)["table0"], "Trygghetsenkät 2025")[2]


def test_overview_shows_run_analysis_figures_with_the_problem_level_beside_them(app, waves, analyst) -> None:
    html = page(analyst, f"/analys/{NOW_SLUG}")  # raking is the default: every area has population figures
    expected = analysed(app, NOW_SLUG, "raking")
    found = tables(html)
    unsafe = estimate(expected, "share_unsafe")
    assert unsafe.estimate is not None
    row = row_named(found["headline"], "Andel som känner sig otrygga ute ensamma sent en kväll i bostadsområdet "
                                       "(eller avstår av oro)")
    assert row[1:4] == shown(unsafe)
    level = sum(unsafe.estimate > c for c in EXAMPLE_CUTPOINTS)  # STANDARDS §3.3: cut-points exceeded
    assert row[4].startswith(f"nivå {level}")
    assert ("osäker nivå" in row[4]) == (unsafe.level_uncertain is True)
    assert row_named(found["headline"], "Andel utsatta för misshandel")[4] == "problemnivå ej konfigurerad"
    assert "är ett exempel (5, 10, 30, 40, 50 och 60 %)" in html
    centrum = estimate(expected, "share_unsafe", (("area", "centrum"),))
    areas_row = row_named(found["headline-areas"], "Andel som känner sig otrygga ute ensamma sent en kväll i "
                                                   "bostadsområdet (eller avstår av oro)")
    header = found["headline-areas"][0]
    assert areas_row[header.index("Centrum")] == f"{shown(centrum)[1]} {shown(centrum)[2]}"
    diagnostics = expected.weighting.diagnostics
    assert diagnostics is not None
    assert f"Effektivt antal svarande (Kish): {count(round(diagnostics.n_eff_kish))} av {count(diagnostics.n)}" in html
    assert "Så läser du tabellen" in html


def test_who_answered_and_the_r_indicator_by_hand(waves, analyst, staff_db: Session) -> None:
    html = page(analyst, f"/analys/{NOW_SLUG}?weighting=none")
    survey = survey_by_slug(staff_db, NOW_SLUG)
    rows = staff_db.execute(select(Response.area_code, Response.gender, Response.age_band)
                            .where(Response.survey_id == survey.id)).all()
    population = {(area, p.gender, p.age_band): p.population
                  for area, p in staff_db.execute(select(Area.code, AreaPopulation).join(AreaPopulation.area))
                  if p.age_band != "12-15"}
    # over the cells of the finest table the page shows with no hidden count (area × age band, then area × gender,
    # ...): respondents of the cell (any gender for area × age band) against its population
    found = tables(html)
    dims = next(d for table_id, d in (("who-area-age", (0, 2)), ("who-area-gender", (0, 1)), ("who-age", (2,)),
                                      ("who-area", (0,)), ("who-gender", (1,)))
                if all(row[len(d)] != "U" for row in found[table_id][1:]))
    pop_cell: Counter = Counter()
    for key, value in population.items():
        pop_cell[tuple(key[i] for i in dims)] += value
    n = Counter(tuple(r[i] for i in dims) for r in rows)
    big_n = np.array([pop_cell[k] for k in pop_cell], dtype=float)
    rho = np.array([n.get(k, 0) for k in pop_cell]) / big_n
    mean = sum(n.get(k, 0) for k in pop_cell) / big_n.sum()
    s = math.sqrt(float((big_n * (rho - mean) ** 2).sum()) / (big_n.sum() - 1))  # Schouten et al. 2009, eq. 2.2
    assert f"R-indikatorn är {1 - 2 * s:.2f}".replace(".", ",") in html
    assert f"variationskoefficient är {s / mean:.2f}".replace(".", ",") in html
    norrby_n = sum(1 for r in rows if r[0] == "norrby")
    norrby_population = sum(v for (a, _, _), v in population.items() if a == "norrby")
    assert row_named(tables(html)["who-area"], "Norrby")[1:] == [count(norrby_n), count(norrby_population),
                                                                  pct(norrby_n / norrby_population)]


def test_area_by_gender_table_shows_every_published_figure_and_symbols_for_the_rest(app, waves, analyst) -> None:
    html = page(analyst, f"/analys/{NOW_SLUG}/tabell?measure=share_unsafe&by=area_gender&weighting=none")
    expected = analysed(app, NOW_SLUG, "none")
    table = tables(html)["breakdown"]
    names = {"bruket": "Bruksområdet", "centrum": "Centrum", "kyrkbyn": "Kyrkbyn", "norrby": "Norrby",
             "ostra-kvarn": "Östra Kvarnen", "strandangen": "Strandängen"}
    genders = {"woman": "Kvinnor", "man": "Män", "other": "Annat kön", "no_answer": "Kön ej angivet"}
    rows = [r for r in expected.measures
            if r.measure == "share_unsafe" and [d for d, _ in r.group] == ["area", "gender"]]
    assert rows
    assert any(r.suppressed for r in rows)  # the test must see the symbols
    for r in rows:
        area, gender = r.group[0][1], r.group[1][1]
        assert row_named(table, names[area], genders[gender])[2:5] == shown(r), r.group
    assert row_named(table, "Hela kommunen")[1:4] == shown(estimate(expected, "share_unsafe"))
    assert "U" in html
    assert "Ingen viktning" in html
    # the chart beside the table: one bar per published row, labelled by the table's caption, nothing from outside
    svg = html[html.index("<svg"):html.index("</svg>") + 6]
    assert 'aria-labelledby="breakdown-caption"' in svg
    assert _external_references(svg) == []
    published = [r for r in rows if r.estimate is not None]
    assert len(_bars(_parse(svg))) == len(published)
    # the downloads of this very table, with the page's options
    assert f"/analys/{NOW_SLUG}/export/excel-sv/omraden-kon.csv?weighting=none" in html


def test_gender_gap_per_area_with_the_holm_adjusted_verdict_in_words(app, waves, analyst) -> None:
    html = page(analyst, f"/analys/{NOW_SLUG}/kon?measure=share_unsafe&weighting=raking")
    expected = analysed(app, NOW_SLUG, "raking")
    gaps = [c for c in expected.comparisons if c.measure == "share_unsafe" and c.kind == "gender_gap"]
    table = tables(html)["gender-gap-areas"]
    checked = 0
    for c in gaps:
        if not c.group or c.group[0][0] != "area" or c.group[0][1] == "":
            continue
        row = next(r for r in table[1:] if r[0] not in ("",) and c.group[0][1] in _codes_of(r[0]))
        if c.difference is None:
            assert row[3:] == ["–", "–", "Redovisas inte: en grupp är skyddad eller har för få svar."]
            continue
        assert c.ci_low is not None
        assert c.ci_high is not None
        verdict = "Skillnaden är statistiskt säkerställd." if c.significant else \
            "Skillnaden är inte statistiskt säkerställd."
        assert row[3:] == [pp(c.difference), f"{pp(c.ci_low)} – {pp(c.ci_high)}", verdict]
        checked += 1
    assert checked >= 3
    whole = next(c for c in gaps if c.group == ())
    assert whole.difference is not None
    assert row_named(tables(html)["gender-gap"], "Andel som känner sig otrygga ute ensamma sent en kväll i "
                                                 "bostadsområdet (eller avstår av oro)")[3] == pp(whole.difference)


def _codes_of(name: str) -> set[str]:
    return {"Bruksområdet": {"bruket"}, "Centrum": {"centrum"}, "Kyrkbyn": {"kyrkbyn"}, "Norrby": {"norrby"},
            "Östra Kvarnen": {"ostra-kvarn"}, "Strandängen": {"strandangen"}}.get(name, set())


def test_children_view_shows_the_under_18_groups(app, waves, analyst) -> None:
    html = page(analyst, f"/analys/{NOW_SLUG}/barn?measure=share_unsafe&weighting=none")
    expected = analysed(app, NOW_SLUG, "none")
    table = tables(html)["children-detail"]
    for group, label in (((("age_group", "under_18"),), "Under 18 år"),
                         ((("age_group", "under_18"), ("gender", "woman")), "Under 18 år, Kvinnor"),
                         ((("age_group", "18_plus"),), "18 år och äldre")):
        assert row_named(table, label)[1:4] == shown(estimate(expected, "share_unsafe", group))


def test_trend_against_the_earlier_wave(app, waves, analyst) -> None:
    html = page(analyst, f"/analys/{NOW_SLUG}/trend?measure=share_unsafe&weighting=none&compare={EARLIER_SLUG}")
    expected = analysed(app, NOW_SLUG, "none", compare=EARLIER_SLUG)
    trend = next(c for c in expected.comparisons if c.measure == "share_unsafe" and c.kind == "trend" and not c.group)
    assert trend.difference is not None
    assert trend.ci_low is not None
    assert trend.ci_high is not None
    assert trend.difference < 0  # the earlier wave was made less safe
    row = row_named(tables(html)["trend"], "Andel som känner sig otrygga ute ensamma sent en kväll i bostadsområdet "
                                          "(eller avstår av oro)")
    verdict = "Skillnaden är statistiskt säkerställd." if trend.significant else \
        "Skillnaden är inte statistiskt säkerställd."
    assert row[3:] == [pp(trend.difference), f"{pp(trend.ci_low)} – {pp(trend.ci_high)}", verdict]
    norrby = next(c for c in expected.comparisons if c.measure == "share_unsafe" and c.kind == "trend"
                  and c.group == (("area", "norrby"),))
    assert norrby.difference is not None
    assert row_named(tables(html)["trend-areas"], "Norrby")[2] == pp(norrby.difference)
    # without a choice the newest earlier wave of the same questionnaire is the comparison
    assert pp(trend.difference) in page(analyst, f"/analys/{NOW_SLUG}/trend?weighting=none")


def test_english_pages_use_english_number_conventions(app, waves, analyst) -> None:
    html = page(analyst, f"/analys/{NOW_SLUG}/tabell?measure=share_unsafe&by=area&weighting=none&lang=en")
    whole = estimate(analysed(app, NOW_SLUG, "none"), "share_unsafe")
    assert whole.estimate is not None
    assert row_named(tables(html)["breakdown"], "The whole municipality")[2] == f"{whole.estimate * 100:.1f}%"
    assert "How to read the table" in html
    # the language links keep the page's state
    assert "measure=share_unsafe&amp;by=area&amp;weighting=none&amp;lang=sv" in html


@pytest.mark.parametrize(("path", "status", "message"), [
    ("/analys/finns-inte", 404, "Det finns ingen enkätomgång med den adressen."),
    ("/analys/finns-inte/tabell", 404, "Det finns ingen enkätomgång med den adressen."),
    (f"/analys/{NOW_SLUG}/tabell?measure=share_nothing", 400, "Omgångens enkät har inget mått med det namnet."),
    (f"/analys/{NOW_SLUG}/tabell?by=kommun", 400, "Det finns ingen sådan indelning."),
    (f"/analys/{NOW_SLUG}?weighting=magic", 400, "Det finns ingen sådan viktning."),
    (f"/analys/{NOW_SLUG}/trend?compare=finns-inte", 400, "Det finns ingen tidigare omgång med samma enkät"),
    # kept in every page's links and downloads, so refused on every page, not only the trend
    (f"/analys/{NOW_SLUG}/kon?compare=finns-inte", 400, "Det finns ingen tidigare omgång med samma enkät"),
    (f"/analys/{NOW_SLUG}?compare=finns-inte", 400, "Det finns ingen tidigare omgång med samma enkät"),
    ("/analys/problemniva/share_nothing", 404, "Ingen inläst enkät har ett andelsmått med det namnet."),
])
def test_bad_values_in_the_url_get_a_swedish_message_and_a_4xx(waves, app, staff_db, path, status, message) -> None:
    client = app.test_client()
    log_in(client, "chef@kommun.se")
    assert message in page(client, path, status)


def test_facilitators_read_results_but_not_the_cut_point_form(app, waves, staff_db: Session) -> None:
    client = app.test_client()
    log_in(client, "fa@kommun.se")
    assert client.get("/analys/").status_code == 200
    assert client.get("/analys/problemniva").status_code == 403
    assert app.test_client().get(f"/analys/{NOW_SLUG}").status_code == 302


def test_post_stratification_without_every_area_known_gets_a_message(app, waves, analyst) -> None:
    html = page(analyst, f"/analys/{NOW_SLUG}/tabell?weighting=poststrat")  # 1 % of the demo answers "vet inte"
    assert "Efterstratifiering kräver till exempel att alla svarande har område och åldersgrupp" in html
    assert "Teknisk förklaring (på engelska)" in html
    assert "breakdown" not in tables(html)

