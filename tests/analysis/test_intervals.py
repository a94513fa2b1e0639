"""Unweighted and design-based intervals against R, scipy and the hand-worked examples."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import stats

from analysis import intervals as iv
from analysis import unweighted_share, weighted_share
from analysis.errors import InputError

RTOL = 1e-9
CASES = [(30, 100), (0, 12), (12, 12), (100, 420), (1, 1)]


@pytest.mark.parametrize(("x", "n"), CASES)
def test_wilson_and_clopper_pearson_equal_r(oracle, x, n):
    key = f"{x}of{n}"
    low, high = iv.wilson_interval(x, n)
    assert_allclose([low, high], [oracle(f"wilson.{key}.low"), oracle(f"wilson.{key}.high")], rtol=RTOL, atol=1e-12)
    low, high = iv.clopper_pearson_interval(x, n)
    assert_allclose([low, high], [oracle(f"cp.{key}.low"), oracle(f"cp.{key}.high")], rtol=RTOL, atol=1e-12)


@pytest.mark.parametrize(("x", "n"), CASES)
def test_wilson_and_clopper_pearson_equal_scipy_binomtest(x, n):
    res = stats.binomtest(x, n)
    for method, fn in (("wilson", iv.wilson_interval), ("exact", iv.clopper_pearson_interval)):
        want = res.proportion_ci(confidence_level=0.95, method=method)
        # scipy's "exact" solves the beta quantile numerically: ~1e-12 relative (STATISTICS §2.1)
        assert_allclose(fn(x, n), [want.low, want.high], rtol=1e-9 if method == "wilson" else 1e-10, atol=1e-12)


def test_bounds_exact_at_zero_and_one():
    assert iv.wilson_interval(0, 12)[0] == 0.0
    assert iv.wilson_interval(12, 12)[1] == 1.0
    assert iv.clopper_pearson_interval(0, 12)[0] == 0.0
    assert iv.clopper_pearson_interval(12, 12)[1] == 1.0


def test_standards_3_1_share_unsafe_test_case():
    """120 very_safe, 200 fairly_safe, 60 fairly_unsafe, 25 very_unsafe, 15 no_out_fear, 30 no_out_other, 10 blank."""
    answers = (["very_safe"] * 120 + ["fairly_safe"] * 200 + ["fairly_unsafe"] * 60 + ["very_unsafe"] * 25
               + ["no_out_fear"] * 15 + ["no_out_other"] * 30 + [""] * 10)
    counted = {"fairly_unsafe", "very_unsafe", "no_out_fear"}
    for base, want_n, want_pct in (({"very_safe", "fairly_safe"} | counted, 420, (23.81, 19.99, 28.11, 19.81, 28.18)),
                                   ({"very_safe", "fairly_safe", "no_out_other"} | counted, 450,
                                    (22.22, 18.63, 26.29, 18.46, 26.35))):
        x = sum(a in counted for a in answers)
        n = sum(a in base for a in answers)
        assert (x, n) == (100, want_n)
        w = unweighted_share(x, n)
        cp = unweighted_share(x, n, ci_method="clopper_pearson")
        got = np.round(100 * np.array([w.estimate, w.ci_low, w.ci_high, cp.ci_low, cp.ci_high]), 2)
        assert_allclose(got, want_pct, rtol=0, atol=1e-9)
        ref = stats.binomtest(x, n).proportion_ci(method="wilson")
        assert_allclose([w.ci_low, w.ci_high], [ref.low, ref.high], rtol=RTOL)


def test_statistics_2_1_example():
    w = unweighted_share(30, 100)
    assert_allclose([w.ci_low, w.ci_high], [0.2189488529, 0.3958485463], rtol=0, atol=5e-11)
    cp = unweighted_share(30, 100, ci_method="clopper_pearson")
    assert_allclose([cp.ci_low, cp.ci_high], [0.2124064205, 0.3998146762], rtol=0, atol=5e-11)


@pytest.fixture(scope="module")
def worked_example():
    """STATISTICS §2.3: one area, constant weight, n_h = 200, 180 valid, 54 unsafe."""
    y = np.array([1.0] * 54 + [0.0] * 126 + [np.nan] * 20)
    return y


def test_statistics_2_3_worked_example(worked_example):
    y = worked_example
    est = weighted_share(y, weights=np.full(200, 5.0), strata=np.zeros(200))
    assert_allclose(est.estimate, 0.3, rtol=1e-15)
    assert_allclose(est.se, 0.0342422154, rtol=0, atol=5e-11)
    assert est.df == 179
    assert_allclose(est.margin_of_error, 0.0671135089, rtol=0, atol=5e-11)
    table = {"wald": (0.2328864911, 0.3671135089), "logit": (0.2370246771, 0.3715590447),
             "korn_graubard": (0.2339236196, 0.3728328864), "modified_wilson": (0.2372729044, 0.3712387096)}
    for method, want in table.items():
        got = weighted_share(y, weights=np.full(200, 5.0), strata=np.zeros(200), ci_method=method)
        assert_allclose([got.ci_low, got.ci_high], want, rtol=0, atol=5e-11)
    fpc = weighted_share(y, weights=np.full(200, 5.0), strata=np.zeros(200), population=np.full(200, 1000.0))
    assert_allclose(fpc.se, 0.0306271685, rtol=0, atol=5e-11)


def test_kish_wilson_row_of_worked_example():
    low, high = iv.modified_wilson_interval(0.0 + 0.3, 0.3 * 0.7 / 180, np.inf, 180)
    # with n* = 180 and an infinite df the modified Wilson is the plain Wilson on n = 180
    assert_allclose([low, high], [0.2378050125, 0.3705531867], rtol=0, atol=5e-11)


def test_unweighted_share_rejects_bad_input():
    with pytest.raises(InputError):
        unweighted_share(5, 4)
    with pytest.raises(InputError):
        unweighted_share(1, 4, ci_method="korn_graubard")


def test_lonely_stratum_certainty_equals_r_and_fail_gives_nan(survey, oracle):
    keep = (survey["area"] != "D") | (np.arange(len(survey["area"])) == np.argmax(survey["area"] == "D"))
    y, w, a, g = survey["y_unsafe"][keep], survey["w"][keep], survey["area"][keep], survey["gender"][keep]
    for name, dom in (("total", None), ("gender=kvinna", g == "kvinna")):
        est = weighted_share(y, weights=w, strata=a, domain=dom, lonely="certainty")
        assert_allclose(est.se, oracle(f"lonely.unsafe.{name}.se"), rtol=RTOL)
        assert_allclose(est.estimate, oracle(f"lonely.unsafe.{name}.est"), rtol=RTOL)
    failed = weighted_share(y, weights=w, strata=a, lonely="fail")
    assert not np.isnan(y[a == "D"]).all()
    assert np.isnan(failed.se)
    assert "lonely_stratum" in failed.flags
    # a domain that does not touch the lonely stratum keeps its SE
    only_a = weighted_share(y, weights=w, strata=a, domain=a == "A", lonely="fail")
    assert np.isfinite(only_a.se)
