"""Weights and post-calibration SEs against R survey (calibrate, rake, postStratify, trimWeights)."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from analysis import weighted_mean, weighted_share
from analysis.errors import ConvergenceError, WeightingError
from analysis.weighting import design_weights, poststratify, rake, rake_and_trim, trim_weights, weight_diagnostics

from .conftest import domain_masks

RTOL = 1e-9


def _margins(survey):
    pop = survey["population_rows"]
    targets = []
    for dim in ("area", "gender", "age_band"):
        t: dict[str, float] = {}
        for r in pop:
            t[r[dim]] = t.get(r[dim], 0) + int(r["population"])
        targets.append(t)
    return [survey["area"], survey["gender"], survey["age_band"]], targets


@pytest.fixture(scope="module")
def raked(survey):
    margins, targets = _margins(survey)
    return rake(survey["d"], margins, targets, names=["area", "gender", "age_band"], tol=1e-12)


def test_design_weights(survey):
    d = design_weights(survey["area"], survey["n_pop"])
    assert_allclose(d, survey["d"], rtol=1e-15)
    assert_allclose(d.sum(), sum(survey["n_pop"].values()), rtol=1e-12)


def test_raked_weights_equal_r_calibrate_and_rake(survey, oracle, raked):
    assert_allclose(raked.weights, oracle.series("raked.weight"), rtol=RTOL)
    assert_allclose(raked.weights, oracle.series("rake.weight"), rtol=RTOL)
    assert raked.converged
    assert raked.max_deviation < 1e-12
    assert raked.iterations > 1


def test_raked_greg_se_equal_r_calibrate(survey, oracle, raked):
    calibration = [survey["area"], survey["gender"], survey["age_band"]]
    for name, mask in domain_masks(survey).items():
        for outcome, key, fn in (("y_unsafe", "unsafe", weighted_share), ("idx", "idx", weighted_mean)):
            prefix = f"raked.{key}.{name}"
            est = fn(survey[outcome], weights=raked.weights, strata=survey["area"], domain=mask,
                     input_weights=survey["d"], calibration=calibration)
            assert_allclose(est.estimate, oracle(f"{prefix}.est"), rtol=RTOL)
            assert_allclose(est.se, oracle(f"{prefix}.se"), rtol=RTOL, atol=1e-12)
            assert est.df == oracle(f"{prefix}.df")


def test_fixed_weight_se_differs_from_greg(survey, oracle, raked):
    """Ignoring the calibration gives a different SE: the GREG test above can fail."""
    est = weighted_share(survey["y_unsafe"], weights=raked.weights, strata=survey["area"])
    assert abs(est.se / oracle("raked.unsafe.total.se") - 1) > 1e-3


def test_poststratification_weights_and_se(survey, oracle):
    cells = np.array([f"{a}|{b}" for a, b in zip(survey["area"], survey["age_band"], strict=True)])
    totals: dict[str, int] = {}
    for r in survey["population_rows"]:
        k = f"{r['area']}|{r['age_band']}"
        totals[k] = totals.get(k, 0) + int(r["population"])
    w = poststratify(survey["d"], cells, totals)
    assert_allclose(w, oracle.series("ps.weight"), rtol=RTOL)
    for name, mask in domain_masks(survey).items():
        prefix = f"ps.unsafe.{name}"
        if f"{prefix}.se" not in oracle:
            continue
        est = weighted_share(survey["y_unsafe"], weights=w, strata=survey["area"], domain=mask,
                             input_weights=survey["d"], calibration=[cells])
        assert_allclose(est.estimate, oracle(f"{prefix}.est"), rtol=RTOL)
        assert_allclose(est.se, oracle(f"{prefix}.se"), rtol=RTOL)


def test_trim_weights_equal_r_strict(oracle):
    w = oracle.series("raked.weight")
    got = trim_weights(w, lower=oracle("trim.lower"), upper=oracle("trim.upper"))
    assert_allclose(got, oracle.series("trim.weight"), rtol=RTOL)
    assert_allclose(got.sum(), w.sum(), rtol=1e-12)


def test_trim_then_rerake_meets_margins_and_bounds(survey, raked):
    margins, targets = _margins(survey)
    upper = float(np.quantile(raked.weights, 0.9))
    assert raked.weights.max() > upper * 1.01
    res = rake_and_trim(survey["d"], margins, targets, upper=upper, tol=1e-12)
    assert res.trim_rounds >= 1
    assert res.weights.max() <= upper * (1 + 1e-6)
    for m, t in zip(margins, targets, strict=True):
        for k, total in t.items():
            assert_allclose(res.weights[m == k].sum(), total, rtol=1e-10)
    assert res.diagnostics_before_trim.max > res.diagnostics.max


def test_weight_diagnostics_hand_worked():
    diag = weight_diagnostics([1.0, 2.0, 3.0, 6.0])
    assert (diag.sum_w, diag.min, diag.max, diag.max_min_ratio) == (12, 1, 6, 6)
    # mean 3, population variance (4 + 1 + 0 + 9)/4 = 3.5
    assert_allclose(diag.cv, np.sqrt(3.5) / 3, rtol=1e-15)
    assert_allclose(diag.n_eff_kish, 144 / 50, rtol=1e-15)
    assert_allclose(diag.deff_kish, 1 + diag.cv ** 2, rtol=1e-14)


def test_margins_that_disagree_raise():
    with pytest.raises(WeightingError, match="margins disagree"):
        rake(np.ones(4), [["a", "a", "b", "b"], ["x", "y", "x", "y"]], [{"a": 5, "b": 5}, {"x": 5, "y": 6}])


def test_empty_raking_cell_raises():
    with pytest.raises(WeightingError, match="no respondents"):
        rake(np.ones(4), [["a", "a", "b", "b"], ["x", "x", "x", "x"]], [{"a": 5, "b": 5}, {"x": 5, "y": 5}])


def test_uncovered_value_raises_with_row():
    with pytest.raises(WeightingError, match=r"row 3, column 'gender'"):
        rake(np.ones(3), [["a", "a", "b"], ["x", "y", "z"]], [{"a": 2, "b": 1}, {"x": 1, "y": 2}],
             names=["area", "gender"])


def test_empty_cell_with_feasible_margins_converges():
    """A zero cell (b, y) is allowed when a solution with that zero pattern exists."""
    res = rake(np.ones(6), [["a", "a", "a", "b", "b", "b"], ["x", "y", "y", "x", "x", "x"]],
               [{"a": 30, "b": 20}, {"x": 35, "y": 15}], tol=1e-12)
    w = res.weights
    assert_allclose([w[:3].sum(), w[3:].sum(), w[[0, 3, 4, 5]].sum()], [30, 20, 35], rtol=1e-12)


def test_non_convergence_raises():
    """Only the cells (a, x) and (b, y) have respondents: a = x and b = y cannot both hold."""
    with pytest.raises(ConvergenceError) as info:
        rake(np.ones(4), [["a", "a", "b", "b"], ["x", "x", "y", "y"]], [{"a": 6, "b": 4}, {"x": 5, "y": 5}],
             max_iter=50)
    assert info.value.iterations == 50
    assert info.value.max_deviation > 0.1


def test_trim_with_counts_equals_trimming_the_units(oracle):
    """Grouped trimming equals R's strict trimming of the expanded units."""
    w = oracle.series("raked.weight")
    values, counts = np.unique(w, return_counts=True)
    got = trim_weights(values, lower=oracle("trim.lower"), upper=oracle("trim.upper"), counts=counts)
    want = oracle.series("trim.weight")
    assert_allclose(np.repeat(got, counts), want[np.argsort(w, kind="stable")], rtol=RTOL)


def test_pipeline_trim_then_rerake(survey):
    from analysis.data import Responses, population_from_rows
    from analysis.measures import Measure
    from analysis.report import run_analysis

    cols = {k: list(survey[k]) for k in ("area", "gender", "age_band", "unsafe_evening")}
    measure = Measure("u", "share", "unsafe_evening", counted=("very_unsafe",), base=("very_safe", "very_unsafe"))
    pop = population_from_rows(survey["population_rows"])
    data = Responses.from_columns(cols)
    untrimmed = run_analysis(data, [measure], weighting="raking", population=pop)
    median = float(np.median(raked_weights := rake(survey["d"], *_margins(survey), tol=1e-10).weights))
    cap = 1.33 * median  # area A needs a mean weight of 9000/260 = 34.6, so caps below that cannot be met
    assert raked_weights.max() > cap * 1.03
    res = run_analysis(data, [measure], weighting="raking", population=pop, trim_ratio=1.33)
    info = res.weighting
    assert info.trim_rounds >= 1
    assert info.diagnostics_before_trim == untrimmed.weighting.diagnostics
    assert info.diagnostics.max <= cap * (1 + 1e-6)
    assert_allclose(info.diagnostics.sum_w, untrimmed.weighting.diagnostics.sum_w, rtol=1e-10)
    assert info.max_deviation < 1e-10
    assert res.to_dict()["weighting"]["trim_rounds"] == info.trim_rounds
    with pytest.raises(ConvergenceError):
        run_analysis(data, [measure], weighting="raking", population=pop, trim_ratio=1.01)
