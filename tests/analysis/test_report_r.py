"""The full pipeline (run_analysis) against R on the oracle data set."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from analysis.data import Responses, population_from_rows
from analysis.measures import Measure
from analysis.report import run_analysis

from .conftest import UNSAFE_BASE, UNSAFE_COUNTED, WORRY_ITEMS, WORRY_SCORE

RTOL = 1e-9
MEASURES = [
    Measure("unsafe", "share", "unsafe_evening", counted=UNSAFE_COUNTED, base=UNSAFE_BASE),
    Measure("idx", "index", None, items=WORRY_ITEMS, scores=tuple(WORRY_SCORE.items())),
]


def _responses(survey, weight=True):
    cols = {k: list(survey[k]) for k in ("area", "gender", "age_band", "unsafe_evening", *WORRY_ITEMS)}
    if weight:
        cols["weight"] = list(survey["w"])
    return Responses.from_columns(cols, source="responses.csv")


def _rname(group) -> str:
    return "&".join(f"{k}={v}" for k, v in group) or "total"


@pytest.fixture(scope="module")
def given(survey):
    return run_analysis(_responses(survey), MEASURES, min_cell=1, min_n_share=0)


@pytest.fixture(scope="module")
def raked(survey):
    return run_analysis(_responses(survey, weight=False), MEASURES, weighting="raking",
                        population=population_from_rows(survey["population_rows"]), min_cell=1, min_n_share=0,
                        tol=1e-12)


@pytest.mark.parametrize(("fixture", "prefix"), [("given", "fixed"), ("raked", "raked")])
def test_every_breakdown_equals_r(request, oracle, fixture, prefix):
    result = request.getfixturevalue(fixture)
    checked = 0
    for row in result.measures:
        key = f"{prefix}.{row.measure}.{_rname(row.group)}"
        if f"{key}.est" not in oracle:
            continue
        assert_allclose(row.estimate, oracle(f"{key}.est"), rtol=RTOL, atol=1e-12)
        assert_allclose(row.se, oracle(f"{key}.se"), rtol=RTOL, atol=1e-12)
        assert row.n == oracle(f"{key}.n")
        assert row.df == oracle(f"{key}.df")
        if f"{key}.mwilson.low" in oracle:
            assert row.ci_method == "modified_wilson"
            assert_allclose([row.ci_low, row.ci_high], [oracle(f"{key}.mwilson.low"), oracle(f"{key}.mwilson.high")],
                            rtol=RTOL, atol=1e-12)
        checked += 1
    assert checked >= 40


@pytest.mark.parametrize(("fixture", "prefix"), [("given", "fixed"), ("raked", "raked")])
def test_gender_gap_and_area_vs_rest_equal_r(request, oracle, fixture, prefix):
    result = request.getfixturevalue(fixture)
    comps = {(c.kind, c.group): c for c in result.comparisons if c.measure == "unsafe"}
    gap = comps[("gender_gap", ())]
    assert_allclose([gap.difference, gap.se], [oracle(f"{prefix}.gap.total.diff"), oracle(f"{prefix}.gap.total.se")],
                    rtol=RTOL)
    gap_b = comps[("gender_gap", (("area", "B"),))]
    assert_allclose([gap_b.difference, gap_b.se],
                    [oracle(f"{prefix}.gap.area=B.diff"), oracle(f"{prefix}.gap.area=B.se")], rtol=RTOL)
    for a in "ABCD":
        c = comps[("area_vs_rest", (("area", a),))]
        assert_allclose([c.difference, c.se],
                        [oracle(f"{prefix}.vsrest.area={a}.diff"), oracle(f"{prefix}.vsrest.area={a}.se")], rtol=RTOL)
    # Holm within the family of the four areas, recomputed by hand
    fam = [comps[("area_vs_rest", (("area", a),))] for a in "ABCD"]
    p = np.array([c.p_value for c in fam])
    order = np.argsort(p)
    want = np.minimum(1, np.maximum.accumulate((4 - np.arange(4)) * p[order]))
    got = np.array([c.p_adjusted for c in fam])[order]
    assert_allclose(got, want, rtol=1e-12)
    assert all(c.significant == (c.p_adjusted < 0.05) for c in fam)


def test_rao_scott_in_pipeline_equals_r(given, oracle):
    assoc = {(a["measure"], a["by"]): a for a in given.associations}
    for dim in ("gender", "area"):
        a = assoc[("unsafe", dim)]
        assert a["method"] == "rao_scott_f"
        key = f"rs.fixed.unsafe_{dim}.F"
        assert_allclose([a["statistic"], a["p_value"], a["df"][0], a["df"][1]],
                        [oracle(f"{key}.statistic"), oracle(f"{key}.p"), oracle(f"{key}.ndf"), oracle(f"{key}.ddf")],
                        rtol=RTOL)


def test_raked_weighting_info(raked):
    w = raked.weighting
    assert w.method == "raking"
    assert w.converged
    assert w.iterations > 1
    assert w.max_deviation < 1e-12
    assert w.diagnostics.n == 640
    assert_allclose(w.diagnostics.sum_w, 16593, rtol=1e-12)


def test_alpha_in_measure_info_equals_r(given, oracle):
    info = {m["measure"]: m for m in given.measure_info}
    assert_allclose(info["idx"]["alpha"], oracle("alpha.worry"), rtol=RTOL)
    assert info["idx"]["alpha_n"] == oracle("alpha.worry.n")


def test_trend_is_responses_minus_other(survey, given):
    """The other wave is the same data with every unsafe answer made safe: the trend equals the estimate."""
    other_cols = {k: list(survey[k]) for k in ("area", "gender", "age_band", *WORRY_ITEMS)}
    other_cols["unsafe_evening"] = ["very_safe" if v in UNSAFE_COUNTED else v for v in survey["unsafe_evening"]]
    other_cols["weight"] = list(survey["w"])
    other = Responses.from_columns(other_cols)
    res = run_analysis(_responses(survey), MEASURES[:1], compare=other, min_cell=1, min_n_share=0)
    trends = {c.group: c for c in res.comparisons if c.kind == "trend"}
    now = {r.group: r for r in res.measures}
    total = trends[()]
    assert_allclose(total.difference, now[()].estimate, rtol=1e-12)
    assert_allclose(total.se, now[()].se, rtol=1e-12)  # the other wave has SE 0


def test_design_weighting_equals_r(survey, oracle):
    """--weighting design: d = N_h / n_h, fixed-weight linearisation (R svydesign(weights = ~d))."""
    res = run_analysis(_responses(survey, weight=False), MEASURES[:1], weighting="design",
                       population=population_from_rows(survey["population_rows"]), min_cell=1, min_n_share=0)
    checked = 0
    for row in res.measures:
        key = f"design.unsafe.{_rname(row.group)}"
        if f"{key}.est" not in oracle:
            continue
        assert_allclose([row.estimate, row.se], [oracle(f"{key}.est"), oracle(f"{key}.se")], rtol=RTOL, atol=1e-12)
        assert row.df == oracle(f"{key}.df")
        if f"{key}.mwilson.low" in oracle:
            assert_allclose([row.ci_low, row.ci_high], [oracle(f"{key}.mwilson.low"), oracle(f"{key}.mwilson.high")],
                            rtol=RTOL, atol=1e-12)
        checked += 1
    assert checked >= 20
