"""Differences, trends, Holm, Rao–Scott and unweighted tests against R and hand-worked examples."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from analysis.comparisons import domain_difference, holm, pearson_or_fisher, rao_scott, trend
from analysis.errors import InputError
from analysis.weighting import rake

RTOL = 1e-9
CAL = ("area", "gender", "age_band")


@pytest.fixture(scope="module")
def raked_w(survey):
    targets = []
    for dim in CAL:
        t: dict[str, int] = {}
        for r in survey["population_rows"]:
            t[r[dim]] = t.get(r[dim], 0) + int(r["population"])
        targets.append(t)
    return rake(survey["d"], [survey[c] for c in CAL], targets, tol=1e-12).weights


@pytest.mark.parametrize("design", ["fixed", "raked"])
def test_gender_gap_and_area_vs_rest_equal_r_svycontrast(survey, oracle, raked_w, design):
    kw = {"weights": survey["w"], "strata": survey["area"]} if design == "fixed" else {
        "weights": raked_w, "strata": survey["area"], "input_weights": survey["d"],
        "calibration": [survey[c] for c in CAL]}
    y, g, a = survey["y_unsafe"], survey["gender"], survey["area"]
    cases = {"gap.total": (g == "kvinna", g == "man"),
             "gap.area=B": ((a == "B") & (g == "kvinna"), (a == "B") & (g == "man"))}
    for area in "ABCD":
        cases[f"vsrest.area={area}"] = (a == area, a != area)
    for key, (d1, d2) in cases.items():
        res = domain_difference(y, d1, d2, **kw)
        assert_allclose(res.difference, oracle(f"{design}.{key}.diff"), rtol=RTOL)
        assert_allclose(res.se, oracle(f"{design}.{key}.se"), rtol=RTOL)
        assert_allclose(res.statistic, res.difference / res.se, rtol=1e-15)


def test_rao_scott_fixed_weights_equal_r_svychisq(survey, oracle):
    for dim in ("gender", "area"):
        f, chisq = rao_scott(survey["y_unsafe"], survey[dim], weights=survey["w"], strata=survey["area"])
        key = f"rs.fixed.unsafe_{dim}"
        assert_allclose([f.statistic, f.df[0], f.df[1]],
                        [oracle(f"{key}.F.statistic"), oracle(f"{key}.F.ndf"), oracle(f"{key}.F.ddf")], rtol=RTOL)
        assert_allclose(f.p_value, oracle(f"{key}.F.p"), rtol=1e-6 if oracle(f"{key}.F.p") < 1e-10 else RTOL)
        assert_allclose(chisq.pearson, oracle(f"{key}.Chisq.statistic"), rtol=RTOL)
        assert_allclose(chisq.p_value, oracle(f"{key}.Chisq.p"), rtol=RTOL)


def test_rao_scott_raked_equal_r_with_r_row_convention(survey, oracle, raked_w):
    """R's subset of a calibrated design keeps all rows, so its N and ν count every respondent."""
    n = len(survey["area"])
    f, chisq = rao_scott(survey["y_unsafe"], survey["age_band"], weights=raked_w, strata=survey["area"],
                         input_weights=survey["d"], calibration=[survey[c] for c in CAL], n=n, design_df=n - 4)
    key = "rs.raked.unsafe_age"
    assert_allclose([f.statistic, f.p_value, f.df[0]],
                    [oracle(f"{key}.F.statistic"), oracle(f"{key}.F.p"), oracle(f"{key}.F.ndf")], rtol=RTOL)
    assert_allclose([chisq.pearson, chisq.p_value], [oracle(f"{key}.Chisq.statistic"), oracle(f"{key}.Chisq.p")],
                    rtol=RTOL)


def test_holm_equals_r_p_adjust(oracle):
    p = [0.004, 0.010, 0.035, 0.042, 0.200, 0.0001, 0.9]
    assert_allclose(holm(p), oracle.series("holm"), rtol=RTOL)


def test_holm_hand_worked_and_nan():
    assert_allclose(holm([0.004, 0.010, 0.035, 0.042, 0.200]), [0.02, 0.04, 0.105, 0.105, 0.2], rtol=1e-12)
    got = holm([0.01, np.nan, 0.04])
    assert np.isnan(got[1])
    assert_allclose(got[[0, 2]], [0.02, 0.04], rtol=1e-12)


def test_trend_hand_worked_statistics_md_7():
    res = trend(0.26, 0.020, 0.30, 0.018)
    assert_allclose(res.difference, -0.04, rtol=1e-12)
    # STATISTICS.md prints these rounded to 10 and 7 decimals: compare to half a unit in the last place
    assert_allclose(res.se, 0.0269072481, rtol=0, atol=5e-11)
    assert_allclose(res.statistic, -1.4865883, rtol=0, atol=5e-8)
    assert_allclose(res.p_value, 0.1371236, rtol=0, atol=5e-8)
    assert_allclose([res.ci_low, res.ci_high], [-0.0927372, 0.0127372], rtol=0, atol=5e-8)


def test_pearson_without_yates_equals_r(oracle):
    res = pearson_or_fisher([[30, 70], [45, 55]])
    assert res.method == "pearson"
    assert_allclose(res.statistic, oracle("chisq.2x2.statistic"), rtol=RTOL)
    assert_allclose(res.statistic, 4.8, rtol=1e-12)
    assert_allclose(res.p_value, oracle("chisq.2x2.p"), rtol=RTOL)


def test_pearson_r_by_c_on_survey_data(survey, oracle):
    y = survey["y_unsafe"]
    ok = ~np.isnan(y)
    table = [[int(((survey["area"] == a) & ok & (y == v)).sum()) for v in (0.0, 1.0)] for a in "ABCD"]
    res = pearson_or_fisher(table)
    assert_allclose([res.statistic, res.p_value],
                    [oracle("chisq.area_unsafe.statistic"), oracle("chisq.area_unsafe.p")], rtol=RTOL)


def test_fisher_when_expected_below_five(oracle):
    res = pearson_or_fisher([[2, 8], [7, 3]])
    assert res.method == "fisher"
    assert_allclose(res.p_value, oracle("fisher.2x2.p"), rtol=RTOL)
    assert_allclose(res.p_value, 0.0697785187, rtol=0, atol=5e-11)


def test_fisher_on_survey_data(survey, oracle):
    y, g = survey["y_robbery"], survey["gender"]
    table = [[int(((g == s) & (y == v)).sum()) for v in (0.0, 1.0)] for s in ("kvinna", "man")]
    res = pearson_or_fisher(table, min_expected=1e9)  # force Fisher on a real 2x2 table
    assert res.method == "fisher"
    assert_allclose(res.p_value, oracle("fisher.robbery_gender.p"), rtol=RTOL)


def test_small_expected_in_large_table_is_refused():
    with pytest.raises(InputError, match="collapse"):
        pearson_or_fisher([[1, 2, 3], [4, 1, 2]])
