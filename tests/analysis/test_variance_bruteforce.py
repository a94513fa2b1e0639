"""The per-cell variance engine against a row-by-row implementation of STATISTICS §2.2 and §4.

The reference below works on rows (scores z_i, an explicit weighted least-squares fit for the
GREG residual, the stratified sum of squares) and shares no code with analysis/variance.py.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from analysis import domain_difference, weighted_mean, weighted_share


def _reference_variance(z, strata, population=None):
    v = 0.0
    for h in np.unique(strata):
        zh = z[strata == h]
        n_h = zh.size
        f = 0.0 if population is None else n_h / population[strata == h][0]
        v += (1 - f) * n_h / (n_h - 1) * ((zh - zh.mean()) ** 2).sum()
    return v


def _reference_scores(y, valid, w, domain):
    yy = np.where(valid, y, 0.0)
    dv = (domain & valid).astype(float)
    wd = (w * dv).sum()
    p = (w * dv * yy).sum() / wd
    u = dv * (yy - p) / wd
    return p, u


def _greg(u, d, w, x):
    sw = np.sqrt(d)
    beta, *_ = np.linalg.lstsq(x * sw[:, None], u * sw, rcond=None)
    return w * (u - x @ beta)


def _dummies(*factors):
    cols = [np.ones(factors[0].size)]
    for f in factors:
        cols += [(f == lev).astype(float) for lev in np.unique(f)[1:]]
    return np.column_stack(cols)


@pytest.mark.parametrize("seed", range(6))
def test_fixed_and_greg_variance_equal_row_reference(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(80, 400))
    strata = rng.integers(0, int(rng.integers(2, 7)), n)
    g = rng.integers(0, 3, n)
    b = rng.integers(0, 4, n)
    y = (rng.random(n) < rng.uniform(0.1, 0.9)).astype(float)
    valid = rng.random(n) > 0.15
    d = rng.uniform(1, 20, n)
    domain = (g == 1) | ((b == 2) & (strata == 0))
    pop = np.bincount(strata).astype(float)[strata] * rng.uniform(1.5, 4)
    # fixed weights, with and without fpc
    p, u = _reference_scores(y, valid, d, domain)
    for population in (None, pop):
        got = weighted_share(np.where(valid, y, np.nan), weights=d, strata=strata, domain=domain,
                             population=population)
        assert_allclose(got.estimate, p, rtol=1e-12)
        assert_allclose(got.se ** 2, _reference_variance(d * u, strata, population), rtol=1e-9)
    # calibrated weights (any final weights constant-ratio within calibration cells) with GREG residuals
    w = d * rng.uniform(0.5, 2.0, (3, 4))[g, b]
    p, u = _reference_scores(y, valid, w, domain)
    z = _greg(u, d, w, _dummies(strata, g, b))
    got = weighted_share(np.where(valid, y, np.nan), weights=w, strata=strata, domain=domain, input_weights=d,
                         calibration=[strata, g, b])
    assert_allclose(got.estimate, p, rtol=1e-12)
    assert_allclose(got.se ** 2, _reference_variance(z, strata), rtol=1e-9)


@pytest.mark.parametrize("seed", range(3))
def test_mean_and_difference_equal_row_reference(seed):
    rng = np.random.default_rng(100 + seed)
    n = 300
    strata = rng.integers(0, 4, n)
    y = rng.normal(50, 20, n)
    valid = rng.random(n) > 0.1
    w = rng.uniform(1, 5, n)
    dom1, dom2 = rng.random(n) < 0.4, rng.random(n) < 0.5   # overlapping domains
    p1, u1 = _reference_scores(y, valid, w, dom1)
    p2, u2 = _reference_scores(y, valid, w, dom2)
    got = weighted_mean(np.where(valid, y, np.nan), weights=w, strata=strata, domain=dom1)
    assert_allclose(got.estimate, p1, rtol=1e-12)
    assert_allclose(got.se ** 2, _reference_variance(w * u1, strata), rtol=1e-9)
    diff = domain_difference(np.where(valid, y, np.nan), dom1, dom2, weights=w, strata=strata)
    assert_allclose(diff.difference, p1 - p2, rtol=1e-12)
    assert_allclose(diff.se ** 2, _reference_variance(w * (u1 - u2), strata), rtol=1e-9)
