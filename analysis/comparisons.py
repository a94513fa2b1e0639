"""Comparisons: differences with z tests, trends, Holm adjustment and association tests.

References
----------
Rao, J. N. K. & Scott, A. J. (1984). On chi-squared tests for multiway contingency tables with cell
    proportions estimated from survey data. Ann. Statist. 12(1).
Holm, S. (1979). A simple sequentially rejective multiple test procedure. Scand. J. Statist. 6.
Lumley, T. R package survey: ``svychisq`` (``R/surveychisq.R``), ``svycontrast``.
STATISTICS.md §5 and §7.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import special

from .cells import design_from_rows, encode_cells, moments_from_rows
from .errors import InputError
from .intervals import Z_95
from .variance import CellDesign, CellMoments, linearised_covariance, linearised_variance

__all__ = [
    "AssociationTest",
    "Difference",
    "difference",
    "domain_difference",
    "holm",
    "pearson_or_fisher",
    "rao_scott",
    "rao_scott_from_covariance",
    "trend",
    "two_sided_p",
]


@dataclass(frozen=True, slots=True)
class Difference:
    """A difference of two estimates with its normal-theory test.

    Attributes
    ----------
    difference, se : float
    ci_low, ci_high : float
        difference ± z·SE.
    statistic : float
        z = difference / SE (NaN when SE is 0 or undefined).
    p_value : float
        Two-sided normal p-value.
    """

    difference: float
    se: float
    ci_low: float
    ci_high: float
    statistic: float
    p_value: float


@dataclass(frozen=True, slots=True)
class AssociationTest:
    """Result of an association test for a table.

    Attributes
    ----------
    method : str
        "rao_scott_f", "rao_scott_chisq", "pearson" or "fisher".
    statistic : float
        F (Rao–Scott second order), adjusted χ² (first order), Pearson χ², or the odds ratio (Fisher).
    p_value : float
    df : tuple of float
        (d₀, d₀ν) for F, (dof,) for χ², () for Fisher.
    pearson : float
        The unadjusted Pearson X² (for Rao–Scott: of the weighted table rescaled to N).
    """

    method: str
    statistic: float
    p_value: float
    df: tuple[float, ...]
    pearson: float = float("nan")


def two_sided_p(z):
    """Two-sided normal p-value 2·Φ(−|z|) (NaN stays NaN)."""
    return 2 * special.ndtr(-np.abs(np.asarray(z, dtype=float)))  # = scipy.stats.norm.sf


def difference(estimate: float, se: float, *, confidence: float = 0.95) -> Difference:
    """z test and normal interval for a difference with known SE."""
    q = Z_95 if confidence == 0.95 else float(special.ndtri(0.5 + confidence / 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = estimate / se if se > 0 else float("nan")
    return Difference(difference=float(estimate), se=float(se), ci_low=float(estimate - q * se),
                      ci_high=float(estimate + q * se), statistic=float(z), p_value=float(two_sided_p(z)))


def trend(estimate_now: float, se_now: float, estimate_before: float, se_before: float, *,
          confidence: float = 0.95) -> Difference:
    r"""Trend between two independent waves: Δ = p̂₂ − p̂₁, SE = √(SE₁² + SE₂²), z = Δ/SE.

    References
    ----------
    STATISTICS.md §7 (example 0.30 → 0.26: SE 0.0269072481, p 0.1371236); equals one stacked
    design with strata = wave × area and R ``svycontrast``.
    """
    return difference(estimate_now - estimate_before, float(np.hypot(se_now, se_before)), confidence=confidence)


def domain_difference(y, domain_1, domain_2, *, weights=None, strata=None, valid=None, input_weights=None,
                      calibration=None, population=None, confidence: float = 0.95) -> Difference:
    r"""Difference p̂₁ − p̂₂ of two domains of the same sample, covariance included.

    The score of the difference, z_i⁽¹⁾ − z_i⁽²⁾, enters the stratified variance (STATISTICS §5.3), so
    overlapping strata (women vs men across areas, an area vs the rest) are handled.

    References
    ----------
    R ``svycontrast(svyby(~y, ~g, des, svymean, covmat=TRUE), c(1, -1))``.
    """
    y = np.asarray(y, dtype=float)
    n = y.size
    valid = ~np.isnan(y) if valid is None else np.asarray(valid, dtype=bool)
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    strata = np.zeros(n, dtype=int) if strata is None else np.asarray(strata)
    d1, d2 = np.asarray(domain_1, dtype=bool), np.asarray(domain_2, dtype=bool)
    keys = [d1.astype(int), d2.astype(int)] + [np.asarray(c) for c in (calibration or ())]
    cell, cell_stratum, uniq = encode_cells(strata, keys)
    first = np.empty(cell_stratum.size, dtype=np.intp)
    first[cell] = np.arange(n)
    cal = [uniq[:, 3 + j] for j in range(len(calibration))] if calibration else None
    pop = None
    if population is not None:
        pop = np.zeros(cell_stratum.max() + 1)
        pop[cell_stratum[cell]] = np.asarray(population, dtype=float)
    design = design_from_rows(cell, cell_stratum, w, input_weights=input_weights, calibration=cal, population=pop)
    mom = moments_from_rows(cell, cell_stratum.size, np.nan_to_num(y), valid, w, input_weights)
    mem = np.vstack([d1[first], d2[first]]).astype(float)
    est, se = contrast_of_domains(design, mom, mem, np.array([1.0, -1.0]))
    return difference(float(est[0]), float(se[0]), confidence=confidence)


def contrast_of_domains(design: CellDesign, moments: CellMoments, membership: np.ndarray, coef: np.ndarray,
                        projection=None) -> tuple[np.ndarray, np.ndarray]:
    """Linear contrasts Σ_k coef_jk p̂_k of domain means and their linearised SEs.

    Parameters
    ----------
    membership : ndarray (K, C)
        Domain membership of cells.
    coef : ndarray (J, K) or (K,)
        Contrast coefficients.

    Returns
    -------
    estimate, se : ndarray (J,)
    """
    mem = np.atleast_2d(np.asarray(membership, dtype=float))
    coef = np.atleast_2d(np.asarray(coef, dtype=float))
    wbase = mem @ moments.wv
    with np.errstate(divide="ignore", invalid="ignore"):
        p = (mem @ moments.wy) / wbase
        a_dom = np.where(wbase[:, None] > 0, mem / wbase[:, None], 0.0)
    b_dom = a_dom * np.nan_to_num(p)[:, None]
    est = coef @ p
    var = linearised_variance(design, moments, coef @ a_dom, coef @ b_dom, projection=projection)
    return est, np.sqrt(np.maximum(var, 0.0))


def holm(p_values: Sequence[float]) -> np.ndarray:
    r"""Holm step-down adjusted p-values, p̃₍k₎ = max_{j≤k} min(1, (m − j + 1) p₍j₎). NaN entries are skipped.

    References
    ----------
    Holm (1979); equals R ``p.adjust(p, "holm")`` and statsmodels ``multipletests(method="holm")``.
    """
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    q = p[ok]
    m = q.size
    if m == 0:
        return out
    order = np.argsort(q, kind="stable")
    adj = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * q[order]))
    res = np.empty(m)
    res[order] = adj
    out[ok] = res
    return out


def pearson_or_fisher(table, *, min_expected: float = 5.0) -> AssociationTest:
    """Unweighted association test: Pearson χ² without Yates, or Fisher's exact test (2×2) when an
    expected count is below ``min_expected``.

    Raises
    ------
    InputError
        Small expected counts in a table larger than 2×2 (collapse categories first: scipy's r×c
        Fisher test is a Monte Carlo approximation).

    References
    ----------
    R ``chisq.test(correct=FALSE)``, ``fisher.test``; STATISTICS.md §5.1 (Yates pitfall).
    """
    t = np.asarray(table, dtype=float)
    t = t[t.sum(axis=1) > 0][:, t.sum(axis=0) > 0]
    if t.ndim != 2 or min(t.shape) < 2:
        raise InputError("an association test needs at least two non-empty rows and columns")
    from scipy import stats  # only here: importing scipy.stats costs half a second of every `trygg analyse`

    expected = np.outer(t.sum(axis=1), t.sum(axis=0)) / t.sum()
    if (expected < min_expected).any():
        if t.shape != (2, 2):
            raise InputError("expected counts under 5 in a table larger than 2x2: collapse categories")
        res = stats.fisher_exact(t.astype(int), alternative="two-sided")
        return AssociationTest(method="fisher", statistic=float(res.statistic), p_value=float(res.pvalue), df=())
    chi2, p, dof, _ = stats.chi2_contingency(t, correction=False)
    return AssociationTest(method="pearson", statistic=float(chi2), p_value=float(p), df=(float(dof),),
                           pearson=float(chi2))


def rao_scott_from_covariance(p: np.ndarray, cov: np.ndarray, n_rows: int, n_cols: int, n: float,
                              design_df: float) -> tuple[AssociationTest, AssociationTest]:
    r"""Rao–Scott first- and second-order corrections from cell proportions and their covariance.

    Parameters
    ----------
    p : ndarray (r·c,)
        Weighted cell proportions, row index varying fastest.
    cov : ndarray (r·c, r·c)
        Their linearised covariance.
    n : float
        N, the unweighted number of observations the table is rescaled to.
    design_df : float
        ν = #PSU − #strata.

    Returns
    -------
    second_order, first_order : AssociationTest
        F = X²/tr Δ with d₀ = (tr Δ)²/tr Δ², p from F(d₀, d₀ν) at X²/mean(diag Δ) (as R does);
        and X²/mean(diag Δ) against χ²_{(r−1)(c−1)}.

    References
    ----------
    Rao & Scott (1984); R survey ``svychisq`` (``R/surveychisq.R``).
    """
    r, c = n_rows, n_cols
    pt = p.reshape(c, r).T  # rows x cols
    pr, pc = pt.sum(axis=1), pt.sum(axis=0)
    expected = np.outer(pr, pc)
    with np.errstate(divide="ignore", invalid="ignore"):
        x2 = n * float(np.nansum(np.where(expected > 0, (pt - expected) ** 2 / expected, 0.0)))
    rows = np.tile(np.arange(r), c)
    cols = np.repeat(np.arange(c), r)
    x1 = np.column_stack([np.ones(r * c)] + [(rows == i).astype(float) for i in range(1, r)]
                         + [(cols == j).astype(float) for j in range(1, c)])
    x2m = np.column_stack([((rows == i) & (cols == j)).astype(float) for j in range(1, c) for i in range(1, r)])
    beta, *_ = np.linalg.lstsq(x1, x2m, rcond=None)
    cmat = x2m - x1 @ beta
    with np.errstate(divide="ignore"):
        idv = np.where(p == 0, 0.0, 1.0 / np.where(p == 0, 1.0, p))
    denom = cmat.T @ (idv[:, None] * cmat) / n
    numer = cmat.T @ (idv[:, None] * cov * idv[None, :]) @ cmat
    delta = np.linalg.solve(denom, numer)
    tr = float(np.trace(delta))
    d0 = tr * tr / float(np.trace(delta @ delta))
    mean_eig = tr / delta.shape[0]
    first = x2 / mean_eig
    second = AssociationTest(method="rao_scott_f", statistic=x2 / tr,
                             p_value=float(special.fdtrc(d0, d0 * design_df, x2 / tr)), df=(d0, d0 * design_df),
                             pearson=x2)
    chisq = AssociationTest(method="rao_scott_chisq", statistic=first,
                            p_value=float(special.chdtrc(delta.shape[0], first)), df=(float(delta.shape[0]),),
                            pearson=x2)
    return second, chisq


def rao_scott(row, col, *, weights=None, strata=None, input_weights=None, calibration=None,
              n: float | None = None, design_df: float | None = None) -> tuple[AssociationTest, AssociationTest]:
    """Rao–Scott tests of independence of two categorical variables in weighted survey data.

    Pass valid respondents only (rows where both variables are answered); with calibrated
    weights pass all rows and mark the unanswered with ``None``/NaN in ``row`` or ``col``.

    Parameters
    ----------
    row, col : array_like (n,)
        Categories; None or NaN = not answered (outside the table, kept for the variance).
    weights, strata, input_weights, calibration
        As :func:`analysis.weighted_share`.
    n, design_df : float, optional
        N and ν; default the answered respondents and N − H (R uses the rows of the design it is
        given; pass them to reproduce R on a subset of a calibrated design).

    Returns
    -------
    second_order, first_order : AssociationTest

    References
    ----------
    Rao & Scott (1984); R ``svychisq(~row+col, design, statistic="F" | "Chisq")``.
    """
    row = np.asarray(row, dtype=object)
    col = np.asarray(col, dtype=object)
    size = row.size
    answered = np.array([not _missing(a) and not _missing(b) for a, b in zip(row, col, strict=True)])
    w = np.ones(size) if weights is None else np.asarray(weights, dtype=float)
    strata = np.zeros(size, dtype=int) if strata is None else np.asarray(strata)
    rlev = sorted({str(v) for v in row[answered]})
    clev = sorted({str(v) for v in col[answered]})
    ri = np.array([rlev.index(str(v)) if ok else -1 for v, ok in zip(row, answered, strict=True)])
    ci = np.array([clev.index(str(v)) if ok else -1 for v, ok in zip(col, answered, strict=True)])
    k_of_row = np.where(answered, ci * len(rlev) + ri, -1)
    keys = [k_of_row] + [np.asarray(c) for c in (calibration or ())]
    cell, cell_stratum, uniq = encode_cells(strata, keys)
    first = np.empty(cell_stratum.size, dtype=np.intp)
    first[cell] = np.arange(size)
    cal = [uniq[:, 2 + j] for j in range(len(calibration))] if calibration else None
    design = design_from_rows(cell, cell_stratum, w, input_weights=input_weights, calibration=cal)
    mom = moments_from_rows(cell, cell_stratum.size, np.ones(size), answered, w, input_weights)
    kk = len(rlev) * len(clev)
    cell_k = k_of_row[first]
    mem = (cell_k[None, :] == np.arange(kk)[:, None]).astype(float)
    wtot = float(mom.wv.sum())
    p = (mem @ mom.wv) / wtot
    a = mem / wtot
    b = np.broadcast_to((p / wtot)[:, None] * (cell_k >= 0)[None, :], a.shape)
    cov = linearised_covariance(design, mom, a, b)
    n_obs = float(answered.sum()) if n is None else float(n)
    if design_df is None:
        design_df = n_obs - len(set(strata[answered].tolist()))
    return rao_scott_from_covariance(p, cov, len(rlev), len(clev), n_obs, design_df)


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and np.isnan(v)) or v == ""
