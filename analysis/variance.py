"""Taylor-linearised variances from per-cell sufficient statistics.

Every estimate the package publishes is a smooth function of weighted totals over *cells*, the
finest classification used by the design (stratum = area, crossed with gender and age band, and
with any domain indicator). Inside a cell the linearised score of row i is

    z_i = w_i * (v_i * (a_c * y_i - b_c) - e_c)

with per-cell coefficients a_c, b_c (a domain share has a_c = δ_c / Ŵ_D, b_c = δ_c p̂_D / Ŵ_D; a
difference of domains is the difference of such coefficients), v_i the valid-answer indicator,
y_i the outcome and e_c the fitted value of the GREG regression of u on the calibration variables
(zero for fixed weights). The stratified with-replacement variance

    V = Σ_h (1 − f_h) n_h/(n_h − 1) Σ_{i∈h} (z_i − z̄_h)²

therefore needs only per-cell sums: Σw and Σw² over all rows, Σwv, Σwvy, Σw²v, the w²-weighted
mean m_c of y and Σw²v(y − m_c)² over valid answers (and Σd, Σdv, Σdvy of the input weights d for
the GREG step). The centred second moment keeps every variance a sum of non-negative terms. One
pass over the rows builds them; every breakdown, contrast and covariance is then arithmetic on
arrays of cells.

References
----------
Wolter, K. M. (2007). *Introduction to Variance Estimation*, 2nd ed., ch. 6 (Taylor series).
Särndal, Swensson & Wretman (1992). *Model Assisted Survey Sampling*, §6.5–6.6 (GREG residuals).
Lumley, T. R package survey: ``svyrecvar`` (with-replacement one-stage strata, domain zero scores,
``greg_calibration`` residuals), ``calibrate(calfun="raking")``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import DesignError

__all__ = ["CellDesign", "CellMoments", "linearised_covariance", "linearised_variance"]


@dataclass(frozen=True, slots=True)
class CellDesign:
    """Design information per cell.

    Attributes
    ----------
    stratum : ndarray of int, shape (C,)
        Stratum (area) index of each cell, 0..H-1.
    n_strata : int
        H.
    n_rows, w_sum, w2_sum : ndarray, shape (C,)
        Rows, Σ w and Σ w² over all rows of the cell (final weights).
    calibration_x : ndarray, shape (C, p), optional
        Calibration variables (constant within a cell). None for fixed-weight linearisation.
    d_sum : ndarray, shape (C,), optional
        Σ d of the input (pre-calibration) weights; required with ``calibration_x``.
    population : ndarray, shape (H,), optional
        N_h for the finite population correction (1 − n_h/N_h); None = with replacement.
    lonely : {"fail", "certainty", "adjust"}
        A stratum with a single respondent has no variance estimate of its own. "fail": estimates with
        a non-zero score there get NaN variance; "certainty": it contributes 0 (R
        ``options(survey.lonely.psu="certainty")``); "adjust": its score is centred at the grand mean of
        the scores (zero for the linearised ratios and GREG residuals here) instead of its stratum's
        mean, so it contributes (1 − f_h) z², uncentred (R ``survey.lonely.psu="adjust"``, survey 4.1).
    cell_partition : bool
        True when ``calibration_x`` is the full set of cell indicators (post-stratification), in which
        case the GREG fit is the d-weighted cell mean and is computed without a regression.
    classes : ndarray of int, shape (C,), optional
        With ``cell_partition``: the calibration class (collapsed post-stratum) of each cell; the GREG
        fit is then the d-weighted mean of the class. None: every cell is a class of its own.
    """

    stratum: np.ndarray
    n_strata: int
    n_rows: np.ndarray
    w_sum: np.ndarray
    w2_sum: np.ndarray
    calibration_x: np.ndarray | None = None
    d_sum: np.ndarray | None = None
    population: np.ndarray | None = None
    lonely: str = "fail"
    cell_partition: bool = False
    classes: np.ndarray | None = None

    @property
    def n_h(self) -> np.ndarray:
        """Respondents per stratum."""
        return np.bincount(self.stratum, weights=self.n_rows, minlength=self.n_strata)

    def stratum_factor(self) -> np.ndarray:
        """(1 − f_h) n_h/(n_h − 1) per stratum; 0 for strata with fewer than two respondents."""
        n_h = self.n_h
        with np.errstate(divide="ignore", invalid="ignore"):
            c = np.where(n_h > 1, n_h / (n_h - 1), 0.0)
        if self.population is not None:
            c = c * (1 - n_h / np.asarray(self.population, dtype=float))
        return c

    def lonely_factor(self) -> np.ndarray:
        """Per stratum, the weight of its uncentred squared score total: (1 − f_h) for a lonely stratum
        under ``lonely="adjust"``, else 0 (R's ``onestrat``: scale f, no centring)."""
        n_h = self.n_h
        if self.lonely != "adjust":
            return np.zeros(n_h.size)
        f = np.ones(n_h.size) if self.population is None else 1 - n_h / np.asarray(self.population, dtype=float)
        return np.where(n_h == 1, f, 0.0)

    def lonely_strata(self) -> np.ndarray:
        """Indices of the strata with exactly one respondent."""
        return np.nonzero(self.n_h == 1)[0]

    def calibrated(self) -> bool:
        return self.calibration_x is not None or self.cell_partition

    def projection(self) -> np.ndarray | None:
        """Q = (Xᵀ D X)⁻¹ Xᵀ (p × C), so that B = Q uᵈ for cell sums uᵈ = Σ_c d u."""
        if self.calibration_x is None or self.cell_partition:
            return None
        x = self.calibration_x
        gram = x.T @ (_given(self.d_sum, "d_sum")[:, None] * x)
        try:
            return np.linalg.solve(gram, x.T)
        except np.linalg.LinAlgError as exc:  # a calibration category without respondents
            raise DesignError("calibration variables are collinear or a category has no respondents") from exc


@dataclass(frozen=True, slots=True)
class CellMoments:
    """Per-cell sums of one outcome y over valid answers (v = 1).

    Second moments are stored centred on the cell's w²-weighted mean, so that variances are sums of
    non-negative terms (no cancellation when a domain's scores are nearly constant).

    Attributes
    ----------
    n_valid : ndarray (C,)
        Valid answers.
    y_count : ndarray (C,)
        Unweighted Σ v y (the number of "counted" answers for a share).
    wv, wy, w2v : ndarray (C,)
        Σ w v, Σ w v y, Σ w² v.
    w2_mean : ndarray (C,)
        m_c = Σ w² v y / Σ w² v (0 for cells without valid answers).
    w2_css : ndarray (C,)
        Σ w² v (y − m_c)².
    dv, dy : ndarray (C,), optional
        Σ d v and Σ d v y of the input weights (GREG only).
    """

    n_valid: np.ndarray
    y_count: np.ndarray
    wv: np.ndarray
    wy: np.ndarray
    w2v: np.ndarray
    w2_mean: np.ndarray
    w2_css: np.ndarray
    dv: np.ndarray | None = None
    dy: np.ndarray | None = None


def _fitted(design: CellDesign, moments: CellMoments, a: np.ndarray, b: np.ndarray, q) -> np.ndarray | None:
    """GREG fitted values e (K × C) of u = v(a y − b) on the calibration variables, weights d."""
    if not design.calibrated():
        return None
    ud = a * moments.dy - b * moments.dv
    if design.cell_partition:
        d_sum = _given(design.d_sum, "d_sum")
        if design.classes is not None:
            ind = np.zeros((design.classes.size, int(design.classes.max()) + 1))
            ind[np.arange(design.classes.size), design.classes] = 1.0
            ud, d_sum = (ud @ ind)[..., design.classes], (d_sum @ ind)[design.classes]
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(d_sum > 0, ud / d_sum, 0.0)
    return (ud @ q.T) @ _given(design.calibration_x, "calibration_x").T


def _given(part: np.ndarray | None, name: str) -> np.ndarray:
    """A part that a calibrated design must have (``CellDesign`` documents which)."""
    if part is None:
        raise DesignError(f"a calibrated design needs {name}")
    return part


def _strata_matrix(design: CellDesign) -> np.ndarray:
    m = np.zeros((design.stratum.size, design.n_strata))
    m[np.arange(design.stratum.size), design.stratum] = 1.0
    return m


def _parts(design, moments, a, b, q):
    """First-order cell sums S1 (K × C), the shifted score g = a m − b − e, and e (or None)."""
    m = moments
    e = _fitted(design, m, a, b, q)
    s1 = a * m.wy - b * m.wv
    g = a * m.w2_mean - b
    if e is not None:
        s1 = s1 - e * design.w_sum
        g = g - e
    return s1, g, e


def linearised_variance(design: CellDesign, moments: CellMoments, a, b, *, projection=None) -> np.ndarray:
    """Variances of K linearised statistics with per-cell score coefficients.

    Parameters
    ----------
    design : CellDesign
    moments : CellMoments
    a, b : array_like, shape (K, C) or (C,)
        Row score inside cell c is w_i (v_i (a_c y_i − b_c) − e_c).
    projection : ndarray, optional
        ``design.projection()``, passed in to reuse it across calls.

    Returns
    -------
    ndarray, shape (K,)
        V = Σ_h (1 − f_h) n_h/(n_h−1) [Σ_{i∈h} z_i² − (Σ_{i∈h} z_i)²/n_h]; NaN where a lonely stratum
        carries a non-zero score and ``design.lonely == "fail"``.

    Notes
    -----
    Inside a cell, Σ z² = a² Σw²v(y−m)² + (a m − b − e)² Σw²v + e² Σ_{invalid} w², a sum of
    non-negative terms.

    References
    ----------
    Wolter (2007) §6; STATISTICS.md §2.2 and §4 (GREG residual = R ``calibrate(calfun="raking")``).
    """
    a = np.atleast_2d(np.asarray(a, dtype=float))
    b = np.atleast_2d(np.asarray(b, dtype=float))
    q = projection if projection is not None else design.projection()
    m = moments
    s1, g, e = _parts(design, m, a, b, q)
    s2 = a * a * m.w2_css + g * g * m.w2v
    if e is not None:
        s2 = s2 + e * e * np.maximum(design.w2_sum - m.w2v, 0.0)
    hm = _strata_matrix(design)
    s1h = s1 @ hm
    s2h = s2 @ hm
    n_h = design.n_h
    with np.errstate(divide="ignore", invalid="ignore"):
        within = np.maximum(s2h - np.where(n_h > 0, s1h * s1h / n_h, 0.0), 0.0)
    var = within @ design.stratum_factor() + (s1h * s1h) @ design.lonely_factor()
    lonely = n_h == 1
    if design.lonely == "fail" and lonely.any():
        touched = (np.abs(s2h[:, lonely]) > 0).any(axis=1)
        var = np.where(touched, np.nan, var)
    return var


def linearised_covariance(design: CellDesign, moments: CellMoments, a, b) -> np.ndarray:
    """Covariance matrix (K × K) of K linearised statistics; see :func:`linearised_variance`.

    Used for Rao–Scott tests and contrasts between overlapping domains.
    """
    a = np.atleast_2d(np.asarray(a, dtype=float))
    b = np.atleast_2d(np.asarray(b, dtype=float))
    m = moments
    s1, g, e = _parts(design, m, a, b, design.projection())
    c_cell = design.stratum_factor()[design.stratum]
    cross = np.einsum("kc,lc,c->kl", a, a, c_cell * m.w2_css) + np.einsum("kc,lc,c->kl", g, g, c_cell * m.w2v)
    if e is not None:
        cross = cross + np.einsum("kc,lc,c->kl", e, e, c_cell * np.maximum(design.w2_sum - m.w2v, 0.0))
    s1h = s1 @ _strata_matrix(design)
    n_h = design.n_h
    with np.errstate(divide="ignore", invalid="ignore"):
        f = np.where(n_h > 0, design.stratum_factor() / n_h, 0.0)
    return cross - np.einsum("kh,lh,h->kl", s1h, s1h, f - design.lonely_factor())
