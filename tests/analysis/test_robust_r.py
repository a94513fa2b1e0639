"""Issue 9's remaining cases against R (results/oracles_robust.csv, written by make_oracles_robust.R).

Lonely strata under ``survey.lonely.psu`` "certainty" and "adjust" (fixed weights, with the finite
population correction, and raked), the Rao–Scott test by area on the known areas only, collapsed post-strata,
and the finite population correction in the pipeline.
"""

from __future__ import annotations

import csv

import pytest
from numpy.testing import assert_allclose

from analysis.cellweights import cell_weights
from analysis.data import Responses, population_from_rows
from analysis.errors import InputError
from analysis.grid import build_grid
from analysis.measures import Measure
from analysis.report import run_analysis

from .conftest import RESULTS, UNSAFE_BASE, UNSAFE_COUNTED, Oracle

RTOL = 1e-9
UNSAFE = Measure("unsafe", "share", "unsafe_evening", counted=UNSAFE_COUNTED, base=UNSAFE_BASE)


@pytest.fixture(scope="module")
def r():
    return Oracle(RESULTS / "oracles_robust.csv")


@pytest.fixture(scope="module")
def rows():
    with open(RESULTS / "responses.csv", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def pop_rows():
    with open(RESULTS / "population.csv", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _weights(rows, pop_rows):
    """w = N_h / n_h × w_factor, as make_oracles_robust.R (on the full data set)."""
    n_pop: dict[str, float] = {}
    for p in pop_rows:
        n_pop[p["area"]] = n_pop.get(p["area"], 0.0) + float(p["population"])
    n_h: dict[str, int] = {}
    for x in rows:
        n_h[x["area"]] = n_h.get(x["area"], 0) + 1
    return [n_pop[x["area"]] / n_h[x["area"]] * float(x["w_factor"]) for x in rows]


def _responses(rows, weights=None, area=None):
    cols = {k: [x[k] for x in rows] for k in ("area", "gender", "age_band", "unsafe_evening")}
    if area is not None:
        cols["area"] = area
    if weights is not None:
        cols["weight"] = weights
    return Responses.from_columns(cols, source="responses.csv")


def _name(group) -> str:
    return "&".join(f"{k}={v}" for k, v in group) or "total"


def _lonely(rows, pop_rows):
    """Area D cut to its first respondent (a lonely stratum), with the full data's weights."""
    w = _weights(rows, pop_rows)
    first_d = next(i for i, x in enumerate(rows) if x["area"] == "D")
    keep = [i for i, x in enumerate(rows) if x["area"] != "D" or i == first_d]
    return [rows[i] for i in keep], [w[i] for i in keep]


def _check(result, r, prefix, *, at_least):
    checked = 0
    for row in result.measures:
        key = f"{prefix}.{_name(row.group)}"
        if f"{key}.se" not in r:
            continue
        assert_allclose([row.estimate, row.se], [r(f"{key}.est"), r(f"{key}.se")], rtol=RTOL, atol=1e-12)
        assert row.df == r(f"{key}.df")
        checked += 1
    assert checked >= at_least
    return checked


@pytest.mark.parametrize("option", ["certainty", "adjust"])
def test_lonely_stratum_with_fixed_weights_equals_r(rows, pop_rows, r, option):
    lon, w = _lonely(rows, pop_rows)
    res = run_analysis(_responses(lon, w), [UNSAFE], by=("area", "gender"), lonely=option, min_cell=1,
                       min_n_share=0)
    _check(res, r, f"lonely.{option}", at_least=15)
    assert res.weighting.lonely == option
    assert res.weighting.lonely_strata == ("D",)
    flagged = {_name(x.group) for x in res.measures if "lonely_stratum" in x.flags}
    d = next(x for x in lon if x["area"] == "D")
    assert d["gender"] == r.text("lonely.D.gender")
    g = d["gender"]
    child = d["age_band"] == "12-17"
    want = {"total", "area=D", f"gender={g}", f"area=D&gender={g}", f"age_group={'under_18' if child else '18_plus'}"}
    if child:
        want.add(f"age_group=under_18&gender={g}")
    assert flagged == want
    assert res.to_dict()["weighting"]["lonely_strata"] == ["D"]


def test_adjust_is_wider_than_certainty_and_the_default(rows, pop_rows):
    lon, w = _lonely(rows, pop_rows)
    data = _responses(lon, w)
    default = run_analysis(data, [UNSAFE], by=("area",), min_cell=1, min_n_share=0)
    certain = run_analysis(data, [UNSAFE], by=("area",), lonely="certainty", min_cell=1, min_n_share=0)
    assert default.weighting.lonely == "adjust"
    assert default.measures[0].se > certain.measures[0].se


def test_lonely_fail_names_the_area(rows, pop_rows):
    lon, w = _lonely(rows, pop_rows)
    with pytest.raises(InputError, match=r"single respondent.*: D"):
        run_analysis(_responses(lon, w), [UNSAFE], lonely="fail")


def test_lonely_adjust_with_fpc_equals_r(rows, pop_rows, r):
    lon, w = _lonely(rows, pop_rows)
    # N_h from the population table (area totals), as fpc = ~Nh in R
    res = run_analysis(_responses(lon, w), [UNSAFE], by=("area", "gender"), population=population_from_rows(pop_rows),
                       fpc=True, min_cell=1, min_n_share=0)
    assert res.weighting.fpc is True
    _check(res, r, "lonelyfpc.adjust", at_least=15)


@pytest.mark.parametrize("option", ["certainty", "adjust"])
def test_lonely_stratum_raked_equals_r(rows, pop_rows, r, option):
    lon, _ = _lonely(rows, pop_rows)
    res = run_analysis(_responses(lon), [UNSAFE], by=("area", "gender"), weighting="raking",
                       population=population_from_rows(pop_rows), lonely=option, tol=1e-12, min_cell=1,
                       min_n_share=0)
    _check(res, r, f"lonelyraked.{option}", at_least=15)


def test_fpc_in_the_pipeline_equals_r(survey, oracle, rows, pop_rows):
    """--fpc with the given weights: R svydesign(fpc = ~Nh) (oracles.csv, fpc.*)."""
    res = run_analysis(_responses(rows, list(survey["w"])), [UNSAFE], by=("area", "gender"),
                       population=population_from_rows(pop_rows), fpc=True, min_cell=1, min_n_share=0)
    checked = 0
    for row in res.measures:
        key = f"fpc.unsafe.{_name(row.group)}"
        if f"{key}.se" in oracle:
            assert_allclose([row.estimate, row.se], [oracle(f"{key}.est"), oracle(f"{key}.se")], rtol=RTOL)
            checked += 1
    assert checked >= 10
    with pytest.raises(InputError, match="population"):
        run_analysis(_responses(rows, list(survey["w"])), [UNSAFE], fpc=True)


def test_rao_scott_by_area_leaves_the_unknown_area_out(rows, pop_rows, r):
    w = _weights(rows, pop_rows)
    area = ["" if (i + 1) % 29 == 0 else x["area"] for i, x in enumerate(rows)]
    assert sum(a == "" for a in area) == r("rsknown.unknown")
    res = run_analysis(_responses(rows, w, area=area), [UNSAFE], min_cell=1, min_n_share=0)
    a = next(x for x in res.associations if x["by"] == "area")
    assert a["method"] == "rao_scott_f"
    assert_allclose([a["statistic"], a["p_value"], a["df"][0], a["df"][1]],
                    [r("rsknown.F.statistic"), r("rsknown.F.p"), r("rsknown.F.ndf"), r("rsknown.F.ddf")], rtol=RTOL)


def test_collapsed_poststrata_equal_r(rows, pop_rows, r):
    """Minimum 10: C 12-17 merges its genders, D 12-17 joins D 18-34, D 65+ merges its genders (R by hand)."""
    mine = [x for x in rows if x["gender"] in ("kvinna", "man")]
    pop = population_from_rows([p for p in pop_rows if p["gender"] in ("kvinna", "man")])
    resp = _responses(mine)
    grid = build_grid(resp)
    wts = cell_weights(resp, grid, "poststrat", pop, tol=1e-12, max_iter=100, lonely="adjust", min_poststratum=10)
    assert_allclose(wts.cell_w[grid.cell], r.series("collapse.weight"), rtol=RTOL)
    assert dict(wts.info.collapsed) == {
        "C/12-17": ("C/kvinna/12-17", "C/man/12-17"),
        "D/12-17+18-34": ("D/kvinna/12-17", "D/kvinna/18-34", "D/man/12-17", "D/man/18-34"),
        "D/65+": ("D/kvinna/65+", "D/man/65+"),
    }
    res = run_analysis(resp, [UNSAFE], by=("area", "gender"), weighting="poststrat", population=pop,
                       min_poststratum=10, min_cell=1, min_n_share=0)
    _check(res, r, "collapse", at_least=15)
    assert res.to_dict()["weighting"]["collapsed_poststrata"][0] == {
        "poststratum": "C/12-17", "cells": ["C/kvinna/12-17", "C/man/12-17"]}


def test_an_area_below_the_minimum_is_refused_by_name(rows, pop_rows):
    mine = [x for x in rows if x["gender"] in ("kvinna", "man")]
    pop = population_from_rows([p for p in pop_rows if p["gender"] in ("kvinna", "man")])
    from analysis.errors import WeightingError
    with pytest.raises(WeightingError, match="area 'D' has 60 respondent"):
        run_analysis(_responses(mine), [UNSAFE], weighting="poststrat", population=pop, min_poststratum=61)
