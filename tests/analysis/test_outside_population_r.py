"""Weighting respondents outside the population table (unknown area, other or blank gender) against R.

The oracle is results/oracles_outside.csv, written by make_oracles_outside.R: the method coded in R from
its description, with ``calibrate(calfun="raking")`` and ``postStratify`` doing the weighting.
"""

from __future__ import annotations

import csv

import numpy as np
import pytest
from numpy.testing import assert_allclose

from analysis.cellweights import cell_weights
from analysis.data import Responses, population_from_rows
from analysis.grid import build_grid
from analysis.measures import Measure
from analysis.report import run_analysis

from .conftest import RESULTS, UNSAFE_BASE, UNSAFE_COUNTED, Oracle

RTOL = 1e-9
UNSAFE = Measure("share_unsafe", "share", "unsafe_evening", counted=UNSAFE_COUNTED, base=UNSAFE_BASE)


@pytest.fixture(scope="module")
def r():
    return Oracle(RESULTS / "oracles_outside.csv")


@pytest.fixture(scope="module")
def data():
    """responses.csv with the changes make_oracles_outside.R makes, and the women/men register table."""
    with open(RESULTS / "responses.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for i in range(0, len(rows), 41):
        rows[i]["area"] = ""
    for i in range(1, len(rows), 37):
        rows[i]["gender"] = ""
    with open(RESULTS / "population_women_men.csv", encoding="utf-8") as fh:
        pop = population_from_rows(list(csv.DictReader(fh)))
    return rows, pop


def _responses(rows):
    cols = {k: [r[k] for r in rows] for k in ("area", "gender", "age_band", "unsafe_evening")}
    return Responses.from_columns(cols)


def _row_weights(resp, pop, method):
    grid = build_grid(resp)
    wts = cell_weights(resp, grid, method, pop, tol=1e-12, max_iter=1000, lonely="fail")
    return wts.cell_w[grid.cell], wts.info


def _rows_by_group(result):
    return {tuple(sorted(dict(r.group).items())): r for r in result.measures}


def test_raked_weights_equal_r(data, r):
    rows, pop = data
    resp = _responses(rows)
    assert resp.unknown_area == r("n.unknown_area")
    w, info = _row_weights(resp, pop, "raking")
    assert_allclose(w, r.series("raked.weight"), rtol=RTOL)
    assert_allclose(w.sum(), sum(pop.margins["area"].values()), rtol=1e-12)  # the total is kept
    areas = np.array([x["area"] for x in rows])
    for a in ("A", "B", "C", "D"):
        assert_allclose(w[areas == a].sum(), r(f"raked.area_sum.{a}"), rtol=RTOL)
    assert dict(info.outside_population) == {"area": r("n.unknown_area"), "gender": r("n.outside_gender"),
                                             "age_band": 0}


def test_raked_estimates_equal_r(data, r):
    rows, pop = data
    res = run_analysis(_responses(rows), [UNSAFE], weighting="raking", population=pop, tol=1e-12,
                       min_cell=1, min_n_share=1)
    got = _rows_by_group(res)
    for key, group in (("total", ()), ("area=A", (("area", "A"),)), ("gender=kvinna", (("gender", "kvinna"),)),
                       ("gender=annan", (("gender", "annan"),))):
        row = got[group]
        assert_allclose([row.estimate, row.se], [r(f"raked.unsafe.{key}.est"), r(f"raked.unsafe.{key}.se")],
                        rtol=RTOL)
    assert (("area", ""),) not in got  # the unknown area is in the total only


def test_poststratified_others_get_the_mean_adjustment_of_their_cell(data, r):
    rows, pop = data
    known = [x for x in rows if x["area"]]
    w, info = _row_weights(_responses(known), pop, "poststrat")
    assert_allclose(w, r.series("ps.weight"), rtol=RTOL)
    assert info.outside_population == {"gender": r("n.outside_gender") - sum(
        1 for x in rows if not x["area"] and x["gender"] not in ("kvinna", "man"))}
    res = run_analysis(_responses(known), [UNSAFE], weighting="poststrat", population=pop, min_cell=1,
                       min_n_share=1, min_poststratum=0)  # R post-stratifies every cell as it is
    total = _rows_by_group(res)[()]
    assert_allclose([total.estimate, total.se], [r("ps.unsafe.total.est"), r("ps.unsafe.total.se")], rtol=RTOL)


def test_poststrat_with_an_unknown_area_asks_for_raking(data):
    rows, pop = data
    with pytest.raises(Exception, match="use --weighting raking") as info:
        _row_weights(_responses(rows), pop, "poststrat")
    assert info.value.row == 1


def test_design_weights_keep_the_unknown_areas_share(data, r):
    rows, pop = data
    w, info = _row_weights(_responses(rows), pop, "design")
    assert_allclose(w.sum(), r("design.sum"), rtol=1e-12)
    n, unknown = len(rows), [not x["area"] for x in rows]
    assert_allclose(w[unknown], r("design.sum") / n, rtol=1e-12)
    assert info.outside_population == {"area": r("n.unknown_area")}
