"""Domain shares, means, SEs, df and CIs against R survey 4.1 (results/oracles.csv)."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from analysis import weighted_mean, weighted_share
from analysis.intervals import CIMethod

from .conftest import domain_masks

RTOL = 1e-9


def _close(got, want, atol=0.0):
    assert_allclose(got, want, rtol=RTOL, atol=atol)


@pytest.mark.parametrize(("outcome", "key"), [("y_unsafe", "unsafe"), ("y_robbery", "robbery")])
def test_fixed_weight_domains(survey, oracle, outcome, key):
    checked = 0
    for name, mask in domain_masks(survey).items():
        prefix = f"fixed.{key}.{name}"
        if f"{prefix}.est" not in oracle:
            continue
        est = weighted_share(survey[outcome], weights=survey["w"], strata=survey["area"], domain=mask)
        _close(est.estimate, oracle(f"{prefix}.est"), atol=1e-12)
        _close(est.se, oracle(f"{prefix}.se"), atol=1e-12)
        assert est.n == oracle(f"{prefix}.n")
        assert est.df == oracle(f"{prefix}.df")
        if f"{prefix}.mwilson.low" in oracle:
            _close([est.ci_low, est.ci_high], [oracle(f"{prefix}.mwilson.low"), oracle(f"{prefix}.mwilson.high")],
                   atol=1e-12)
        if f"{prefix}.kg.low" in oracle:
            kg = weighted_share(survey[outcome], weights=survey["w"], strata=survey["area"], domain=mask,
                                ci_method=CIMethod.KORN_GRAUBARD)
            _close([kg.ci_low, kg.ci_high], [oracle(f"{prefix}.kg.low"), oracle(f"{prefix}.kg.high")])
            lg = weighted_share(survey[outcome], weights=survey["w"], strata=survey["area"], domain=mask,
                                ci_method="logit")
            _close([lg.ci_low, lg.ci_high], [oracle(f"{prefix}.logit.low"), oracle(f"{prefix}.logit.high")])
        if f"{prefix}.wald.low" in oracle:
            wd = weighted_share(survey[outcome], weights=survey["w"], strata=survey["area"], domain=mask,
                                ci_method="wald")
            _close([wd.ci_low, wd.ci_high], [oracle(f"{prefix}.wald.low"), oracle(f"{prefix}.wald.high")],
                   atol=1e-12)
        checked += 1
    assert checked >= 20


def test_fpc_domains(survey, oracle):
    for name, mask in domain_masks(survey).items():
        prefix = f"fpc.unsafe.{name}"
        est = weighted_share(survey["y_unsafe"], weights=survey["w"], strata=survey["area"], domain=mask,
                             population=survey["Nh"])
        _close(est.se, oracle(f"{prefix}.se"), atol=1e-12)


def test_index_means(survey, oracle):
    for name, mask in domain_masks(survey).items():
        prefix = f"fixed.idx.{name}"
        est = weighted_mean(survey["idx"], weights=survey["w"], strata=survey["area"], domain=mask)
        _close(est.estimate, oracle(f"{prefix}.est"))
        _close(est.se, oracle(f"{prefix}.se"), atol=1e-12)
        assert est.df == oracle(f"{prefix}.df")


def test_zero_share_domain_has_interval_from_kish_n(survey, oracle):
    """Area D has no robbery victims: p = 0, V = 0, modified Wilson with Kish n (R formula applied)."""
    mask = survey["area"] == "D"
    est = weighted_share(survey["y_robbery"], weights=survey["w"], strata=survey["area"], domain=mask)
    assert est.estimate == 0.0
    assert est.se == 0.0
    assert est.ci_low == 0.0
    _close(est.ci_high, oracle("fixed.robbery.area=D.mwilson.high"))
    assert "variance_zero" in est.flags


def test_one_respondent_domain(survey, oracle):
    """Area C has one 'annan' respondent: df = 0, no interval, SE from R."""
    mask = (survey["area"] == "C") & (survey["gender"] == "annan")
    est = weighted_share(survey["y_unsafe"], weights=survey["w"], strata=survey["area"], domain=mask)
    assert est.n == oracle("fixed.unsafe.area=C&gender=annan.n") == 1
    assert est.df == 0
    assert np.isnan(est.ci_low)
    assert np.isnan(est.ci_high)
    _close(est.se, oracle("fixed.unsafe.area=C&gender=annan.se"), atol=1e-12)
