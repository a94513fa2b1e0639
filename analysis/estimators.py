"""Shares and means for domains, unweighted and design-based.

:func:`estimate_domains` is the vectorised workhorse (many domains from one set of cell
statistics); :func:`unweighted_share`, :func:`weighted_share` and :func:`weighted_mean` are the
row-level entry points for one domain.

References
----------
STATISTICS.md §2 (formulas, defaults, edge cases); Wolter (2007) ch. 6; R survey ``svymean``,
``svyciprop``, ``degf``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import intervals as iv
from .cells import design_from_rows, encode_cells, moments_from_rows
from .errors import InputError
from .intervals import CIMethod
from .variance import CellDesign, CellMoments, linearised_variance

__all__ = [
    "DomainEstimates",
    "ShareEstimate",
    "estimate_domains",
    "unweighted_share",
    "weighted_mean",
    "weighted_share",
]


@dataclass(frozen=True, slots=True)
class ShareEstimate:
    """One estimate (a share in [0, 1], or a mean for an index) with its precision.

    Attributes
    ----------
    estimate : float
        p̂ = Σ w v y / Σ w v (NaN when there are no valid answers).
    se : float
        Standard error (Taylor-linearised; for unweighted shares √(p̂(1−p̂)/n)).
    n : int
        Valid answers (unweighted) in the domain.
    count : float
        Unweighted Σ y over valid answers (the numerator count for a share).
    weighted_base : float
        Σ w over valid answers.
    df : int
        Design degrees of freedom n − H_D (n − 1 for unweighted).
    n_eff_kish : float
        (Σ w)² / Σ w² over valid answers.
    ci_low, ci_high : float
        Interval bounds (NaN when undefined).
    ci_method : CIMethod
    margin_of_error : float
        1.959963984540054 · SE ("felmarginal").
    flags : tuple of str
        e.g. ``"variance_zero"`` (p̂ ∈ {0, 1}: Kish n used), ``"lonely_stratum"``, ``"no_df"``.
    """

    estimate: float
    se: float
    n: int
    count: float
    weighted_base: float
    df: int
    n_eff_kish: float
    ci_low: float
    ci_high: float
    ci_method: CIMethod
    margin_of_error: float
    flags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DomainEstimates:
    """Estimates for K domains at once (arrays of shape (K,)); fields as in :class:`ShareEstimate`."""

    estimate: np.ndarray
    variance: np.ndarray
    se: np.ndarray
    n: np.ndarray
    count: np.ndarray
    weighted_base: np.ndarray
    df: np.ndarray
    n_eff_kish: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    ci_method: CIMethod

    def flags(self, k: int) -> tuple[str, ...]:
        """Flags of domain k."""
        out = []
        if self.n[k] > 0 and self.estimate[k] in (0.0, 1.0) and self.ci_method != CIMethod.WILSON:
            out.append("variance_zero")
        if np.isnan(self.variance[k]) and self.n[k] > 0:
            out.append("lonely_stratum")
        if self.df[k] <= 0:
            out.append("no_df")
        return tuple(out)

    def item(self, k: int) -> ShareEstimate:
        """Domain k as a :class:`ShareEstimate`."""
        return ShareEstimate(
            estimate=float(self.estimate[k]), se=float(self.se[k]), n=int(self.n[k]), count=float(self.count[k]),
            weighted_base=float(self.weighted_base[k]), df=int(self.df[k]), n_eff_kish=float(self.n_eff_kish[k]),
            ci_low=float(self.ci_low[k]), ci_high=float(self.ci_high[k]), ci_method=self.ci_method,
            margin_of_error=float(iv.Z_95 * self.se[k]), flags=self.flags(k))


def _strata_presence(design: CellDesign, weighted_valid: np.ndarray) -> np.ndarray:
    """Number of strata with at least one valid answer, per row of ``weighted_valid`` (K × C)."""
    hm = np.zeros((design.stratum.size, design.n_strata))
    hm[np.arange(design.stratum.size), design.stratum] = 1.0
    return ((weighted_valid @ hm) > 0).sum(axis=1)


def estimate_domains(design: CellDesign, moments: CellMoments, membership: np.ndarray, *, kind: str = "share",
                     weighted: bool = True, ci_method: CIMethod | str | None = None, confidence: float = 0.95,
                     projection=None) -> DomainEstimates:
    r"""Estimates, SEs, df and CIs for K domains, each a union of cells.

    Parameters
    ----------
    design, moments : CellDesign, CellMoments
        Cell statistics (:mod:`analysis.cells`).
    membership : ndarray of bool or float, shape (K, C)
        δ_kc = 1 if cell c belongs to domain k.
    kind : {"share", "mean"}
        "share": y ∈ {0, 1}, CI per ``ci_method``; "mean" (an index): Wald-t interval.
    weighted : bool
        False: unweighted share, SE √(p̂(1−p̂)/n), Wilson or Clopper–Pearson interval, df = n − 1.
    ci_method : CIMethod, optional
        Default modified Wilson (weighted) or Wilson (unweighted).
    projection : ndarray, optional
        Precomputed ``design.projection()``.

    Notes
    -----
    Domain estimation: rows outside the domain or without a valid answer keep score 0 in their
    stratum (STATISTICS.md §2.2); df = n_D − H_D with H_D the strata with a valid answer in D
    (R ``degf`` of the subset design).
    """
    mem = np.atleast_2d(np.asarray(membership, dtype=float))
    m = moments
    n = mem @ m.n_valid
    count = mem @ m.y_count
    wbase = mem @ m.wv
    with np.errstate(divide="ignore", invalid="ignore"):
        est = (mem @ m.wy) / wbase
        n_kish = wbase ** 2 / (mem @ m.w2v)
    ci_method = CIMethod(ci_method) if ci_method is not None else (
        CIMethod.MODIFIED_WILSON if weighted else CIMethod.WILSON)
    if kind == "mean":
        ci_method = CIMethod.WALD
    if weighted or kind == "mean":
        with np.errstate(divide="ignore", invalid="ignore"):
            a = np.where(wbase[:, None] > 0, mem / wbase[:, None], 0.0)
        b = a * np.nan_to_num(est)[:, None]
        var = linearised_variance(design, m, a, b, projection=projection)
        var = np.where(n > 0, np.maximum(var, 0.0), np.nan)
        df = n - _strata_presence(design, mem * m.n_valid)
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            var = np.where(n > 0, est * (1 - est) / n, np.nan)
        df = n - 1
    se = np.sqrt(var)
    if kind == "mean":
        low, high = iv.wald_interval(est, se, np.where(df > 0, df, np.nan), confidence=confidence)
        bad = ~(df > 0)
        low, high = np.where(bad, np.nan, low), np.where(bad, np.nan, high)
    elif ci_method == CIMethod.WILSON:
        low, high = iv.wilson_interval(count, n, confidence=confidence) if not weighted else _weighted_only(ci_method)
    elif ci_method == CIMethod.CLOPPER_PEARSON:
        low, high = (iv.clopper_pearson_interval(count, n, confidence=confidence) if not weighted
                     else _weighted_only(ci_method))
    elif not weighted:
        raise InputError(f"interval {ci_method.value!r} needs weighted data; use wilson or clopper_pearson")
    elif ci_method == CIMethod.MODIFIED_WILSON:
        low, high = iv.modified_wilson_interval(est, var, df, n_kish, confidence=confidence)
    elif ci_method == CIMethod.KORN_GRAUBARD:
        low, high = iv.korn_graubard_interval(est, var, n, df, n_kish, confidence=confidence)
    elif ci_method == CIMethod.LOGIT:
        low, high = iv.logit_interval(est, se, df, confidence=confidence)
    else:
        low, high = iv.wald_interval(est, se, confidence=confidence)
    return DomainEstimates(
        estimate=est, variance=var, se=se, n=n.astype(np.int64), count=count, weighted_base=wbase,
        df=df.astype(np.int64), n_eff_kish=n_kish, ci_low=np.atleast_1d(low), ci_high=np.atleast_1d(high),
        ci_method=ci_method)


def _weighted_only(method):
    raise InputError(f"interval {method.value!r} is for unweighted counts; weighted data use modified_wilson, "
                     "korn_graubard, logit or wald")


def unweighted_share(counted: int, base: int, *, ci_method: CIMethod | str = CIMethod.WILSON,
                     confidence: float = 0.95) -> ShareEstimate:
    """Unweighted share x/n with a Wilson (default) or Clopper–Pearson interval.

    Parameters
    ----------
    counted : int
        Answers in the numerator (x).
    base : int
        Valid answers (n).

    References
    ----------
    STATISTICS.md §2.1; STANDARDS.md §3.1 test case (100/420: Wilson 19.99–28.11 %).
    """
    if not 0 <= counted <= base:
        raise InputError(f"counted ({counted}) must be between 0 and base ({base})")
    method = CIMethod(ci_method)
    if method not in (CIMethod.WILSON, CIMethod.CLOPPER_PEARSON):
        raise InputError(f"unweighted shares use wilson or clopper_pearson, not {method.value!r}")
    p = counted / base if base else float("nan")
    fn = iv.wilson_interval if method == CIMethod.WILSON else iv.clopper_pearson_interval
    low, high = fn(counted, base, confidence=confidence)
    se = float(np.sqrt(p * (1 - p) / base)) if base else float("nan")
    return ShareEstimate(estimate=p, se=se, n=base, count=float(counted), weighted_base=float(base), df=base - 1,
                         n_eff_kish=float(base), ci_low=float(low), ci_high=float(high), ci_method=method,
                         margin_of_error=iv.Z_95 * se)


def _row_domain(y, valid, weights, strata, domain, population, input_weights, calibration, lonely):
    y = np.asarray(y, dtype=float)
    nrow = y.size
    valid = ~np.isnan(y) if valid is None else np.asarray(valid, dtype=bool)
    w = np.ones(nrow) if weights is None else np.asarray(weights, dtype=float)
    strata = np.zeros(nrow, dtype=int) if strata is None else np.asarray(strata)
    dom = np.ones(nrow, dtype=bool) if domain is None else np.asarray(domain, dtype=bool)
    for name, arr in (("valid", valid), ("weights", w), ("strata", strata), ("domain", dom)):
        if arr.shape != (nrow,):
            raise InputError(f"{name} must have the same length as y ({nrow})")
    keys = [dom.astype(int)] + [np.asarray(c) for c in (calibration or ())]
    cell, cell_stratum, uniq = encode_cells(strata, keys)
    pop = None
    if population is not None:
        pop_rows = np.asarray(population, dtype=float)
        first = np.zeros(cell_stratum.max() + 1)
        first[cell_stratum[cell]] = pop_rows
        pop = first
    cal = [uniq[:, 2 + j] for j in range(len(calibration))] if calibration else None
    design = design_from_rows(cell, cell_stratum, w, input_weights=input_weights, calibration=cal,
                              population=pop, lonely=lonely)
    moments = moments_from_rows(cell, cell_stratum.size, np.nan_to_num(y), valid, w, input_weights)
    first_row = np.empty(cell_stratum.size, dtype=np.intp)
    first_row[cell] = np.arange(nrow)
    membership = dom[first_row][None, :]
    return design, moments, membership


def weighted_share(y, *, weights=None, strata=None, valid=None, domain=None, population=None, input_weights=None,
                   calibration=None, ci_method: CIMethod | str = CIMethod.MODIFIED_WILSON,
                   confidence: float = 0.95, lonely: str = "fail") -> ShareEstimate:
    r"""Design-based share of a 0/1 outcome in a domain, with Taylor-linearised SE.

    .. math:: \hat p_D = \frac{\sum_i w_i\delta_i v_i y_i}{\sum_i w_i\delta_i v_i},\quad
        z_i = \frac{w_i\delta_i v_i(y_i-\hat p_D)}{\hat W_D},\quad
        \hat V = \sum_h (1-f_h)\frac{n_h}{n_h-1}\sum_{i\in h}(z_i-\bar z_h)^2

    Parameters
    ----------
    y : array_like (n,)
        Outcome 0/1 (NaN = no valid answer, unless ``valid`` is given).
    weights : array_like (n,), optional
        Final weights (default 1).
    strata : array_like (n,), optional
        Stratum (area) of each row; default one stratum.
    valid : array_like of bool (n,), optional
        Valid-answer indicator v_i.
    domain : array_like of bool (n,), optional
        δ_i. Rows outside the domain are kept (score 0): never filter rows before calling.
    population : array_like (n,), optional
        N_h of each row's stratum, for the finite population correction.
    input_weights, calibration : optional
        For calibrated (raked) weights: the weights before calibration and a list of per-row
        category arrays (the margins). The variance then uses GREG residuals (STATISTICS §4).
    ci_method : CIMethod
        modified_wilson (default), korn_graubard, logit or wald.
    lonely : {"fail", "certainty", "adjust"}
        Single-respondent strata (see :class:`~analysis.variance.CellDesign`).

    References
    ----------
    STATISTICS.md §2.2–2.3, §4; R ``svymean(~y, subset(des, !is.na(y) & D))``, ``svyciprop``.
    """
    design, moments, membership = _row_domain(y, valid, weights, strata, domain, population, input_weights,
                                              calibration, lonely)
    return estimate_domains(design, moments, membership, ci_method=ci_method, confidence=confidence).item(0)


def weighted_mean(y, *, weights=None, strata=None, valid=None, domain=None, population=None, input_weights=None,
                  calibration=None, confidence: float = 0.95, lonely: str = "fail") -> ShareEstimate:
    """Design-based mean (e.g. an index 0–100) in a domain, Taylor SE and Wald-t interval (df = n_D − H_D).

    Parameters as :func:`weighted_share`. References: STATISTICS.md §6; R ``svymean``, ``confint(df=degf)``.
    """
    design, moments, membership = _row_domain(y, valid, weights, strata, domain, population, input_weights,
                                              calibration, lonely)
    return estimate_domains(design, moments, membership, kind="mean", confidence=confidence).item(0)
