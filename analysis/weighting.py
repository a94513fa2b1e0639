"""Design weights, post-stratification, raking, trimming and weight diagnostics.

Functions take row-level arrays and return new arrays; results are frozen dataclasses. Raking is
done on the table of cells (unique combinations of the margins), which is exact because every
raking factor is constant within such a cell.

Respondents outside a register table's categories (another gender, no answer or a blank gender; an
unknown area; a blank age band) are weighted in :mod:`analysis.cellweights`: each such category keeps
its design-weighted share s of the population N as a margin level of its own (target N·s), and the
register's categories share the rest (targets T·(1 − Σs)). The weights still sum to N and meet every
area and age-band total; women's and men's totals become the register's times (1 − s), in the
register's ratio. With post-stratification this gives the others the mean adjustment of their area ×
age-band cell. The functions here then rake to those margins as to any others.

References
----------
Deming, W. E. & Stephan, F. F. (1940). On a least squares adjustment of a sampled frequency table when
    the expected marginal totals are known. Ann. Math. Stat. 11 (iterative proportional fitting).
Valliant, R. & Dever, J. A. (2018). *Survey Weights: A Step-by-Step Guide to Calculation*, Stata Press
    (diagnostics, Kish effective n, p. 71).
Lumley, T. R package survey: ``postStratify``, ``rake``, ``calibrate(calfun="raking")``,
    ``trimWeights(strict=TRUE)`` (``R/grake.R``).
STATISTICS.md §3.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .errors import ConvergenceError, InputError, WeightingError

__all__ = [
    "RakingResult",
    "WeightDiagnostics",
    "design_weights",
    "poststratify",
    "rake",
    "rake_and_trim",
    "trim_weights",
    "weight_diagnostics",
]


@dataclass(frozen=True, slots=True)
class WeightDiagnostics:
    """Summary of a weight vector (Valliant & Dever 2018).

    ``cv`` uses the population standard deviation, so ``deff_kish = 1 + cv²``.
    """

    n: int
    sum_w: float
    min: float
    max: float
    max_min_ratio: float
    cv: float
    n_eff_kish: float
    deff_kish: float


@dataclass(frozen=True, slots=True)
class RakingResult:
    """Result of :func:`rake` or :func:`rake_and_trim`.

    Attributes
    ----------
    weights : ndarray
        Final weights per row.
    iterations : int
        Full passes over all margins (summed over re-rakes when trimming).
    converged : bool
        Always True (non-convergence raises :class:`~analysis.errors.ConvergenceError`).
    max_deviation : float
        max over margins and categories of |Σw / T − 1| after the last pass.
    diagnostics : WeightDiagnostics
        Of the final weights.
    diagnostics_before_trim : WeightDiagnostics or None
        Of the raked weights before the first trimming.
    trim_rounds : int
        Trim → re-rake rounds (0 without trimming).
    """

    weights: np.ndarray
    iterations: int
    converged: bool
    max_deviation: float
    diagnostics: WeightDiagnostics
    diagnostics_before_trim: WeightDiagnostics | None = None
    trim_rounds: int = 0


def weight_diagnostics(weights) -> WeightDiagnostics:
    """n, Σw, min, max, max/min, CV, Kish n_eff = (Σw)²/Σw² and deff = n Σw²/(Σw)²."""
    w = np.asarray(weights, dtype=float)
    s, s2 = float(w.sum()), float((w * w).sum())
    mean = s / w.size
    cv = float(np.sqrt(max(s2 / w.size - mean * mean, 0.0)) / mean) if w.size else float("nan")
    lo, hi = (float(w.min()), float(w.max())) if w.size else (float("nan"), float("nan"))
    return WeightDiagnostics(n=int(w.size), sum_w=s, min=lo, max=hi, max_min_ratio=hi / lo if lo > 0 else float("inf"),
                             cv=cv, n_eff_kish=s * s / s2 if s2 > 0 else float("nan"),
                             deff_kish=w.size * s2 / (s * s) if s > 0 else float("nan"))


def _levels(values, targets: Mapping, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Level index of each row and the target vector, checking coverage both ways."""
    keys = list(targets)
    index = {k: i for i, k in enumerate(keys)}
    values = np.asarray(values, dtype=object)
    uniq, inv = np.unique(values.astype(str), return_inverse=True)
    lut = np.empty(uniq.size, dtype=np.intp)
    for j, u in enumerate(uniq):
        if u not in index:
            row = int(np.argmax(inv.ravel() == j)) + 1
            raise WeightingError(f"row {row}, column {name!r}: value {u!r} is not in the population table")
        lut[j] = index[u]
    tot = np.array([float(targets[k]) for k in keys])
    if np.any(~np.isfinite(tot)) or np.any(tot < 0):
        raise WeightingError(f"population totals for {name!r} must be finite and non-negative")
    return lut[inv.ravel()], tot


def design_weights(strata, population: Mapping) -> np.ndarray:
    """Design weights d_i = N_h / n_h (stratified SRS; response-homogeneity groups = strata).

    Parameters
    ----------
    strata : array_like (n,)
        Stratum (area) of each respondent.
    population : mapping
        Stratum -> N_h. Every stratum in the data must be present.

    References
    ----------
    Särndal, Swensson & Wretman (1992) §3.7; STATISTICS.md §3.
    """
    idx, tot = _levels(strata, {str(k): v for k, v in population.items()}, "area")
    n_h = np.bincount(idx, minlength=tot.size)
    return (tot / np.where(n_h > 0, n_h, 1))[idx]


def poststratify(weights, cells, totals: Mapping) -> np.ndarray:
    """Post-stratified weights w_i = d_i · N_g / Σ_{j∈g} d_j.

    Parameters
    ----------
    weights : array_like (n,)
        Input weights d.
    cells : array_like (n,)
        Post-stratum of each row (e.g. "area|gender|age_band").
    totals : mapping
        Post-stratum -> N_g. A post-stratum with population but no respondents is an error.

    References
    ----------
    Holt, D. & Smith, T. M. F. (1979) JRSS A 142; R ``postStratify``.
    """
    d = np.asarray(weights, dtype=float)
    idx, tot = _levels(cells, {str(k): v for k, v in totals.items()}, "cell")
    dsum = np.bincount(idx, weights=d, minlength=tot.size)
    empty = (dsum <= 0) & (tot > 0)
    if empty.any():
        names = [str(k) for k, e in zip(totals, empty, strict=True) if e]
        raise WeightingError(f"post-stratum {names[0]!r} has population but no respondents; collapse cells or rake")
    return d * (tot / np.where(dsum > 0, dsum, 1))[idx]


def _check_totals(tots: Sequence[np.ndarray], names: Sequence[str], rtol: float = 1e-9) -> None:
    sums = [float(t.sum()) for t in tots]
    for name, s in zip(names[1:], sums[1:], strict=True):
        if abs(s - sums[0]) > rtol * max(abs(sums[0]), 1.0):
            raise WeightingError(f"margins disagree: {names[0]!r} totals {sums[0]:.12g} but {name!r} totals {s:.12g}")


def ipf_cells(cell_totals: np.ndarray, cell_levels: np.ndarray, targets: Sequence[np.ndarray], *,
              names: Sequence[str] | None = None, tol: float = 1e-10, max_iter: int = 1000
              ) -> tuple[np.ndarray, int, float]:
    """Iterative proportional fitting on a table of cells.

    Parameters
    ----------
    cell_totals : ndarray (C,)
        Σ of the input weights per cell.
    cell_levels : ndarray of int (C, M)
        Level of each cell in each of the M margins.
    targets : sequence of M arrays
        Target totals per level.

    Returns
    -------
    factor : ndarray (C,)
        Adjustment factor per cell (fitted / initial; 1 for empty cells).
    iterations : int
    max_deviation : float

    Raises
    ------
    WeightingError
        Margin totals disagree, or a level with a positive target has no respondents.
    ConvergenceError
        Not converged (max |Σw/T − 1| ≥ tol after a full pass) within ``max_iter`` passes.
    """
    names = list(names or [f"margin{j}" for j in range(len(targets))])
    _check_totals(targets, names)
    t = np.asarray(cell_totals, dtype=float).copy()
    t0 = t.copy()
    for j, tgt in enumerate(targets):
        have = np.bincount(cell_levels[:, j], weights=t, minlength=tgt.size)
        missing = (have <= 0) & (tgt > 0)
        if missing.any():
            raise WeightingError(f"margin {names[j]!r}: level #{int(np.argmax(missing))} has population "
                                 f"{tgt[missing][0]:.12g} but no respondents (empty raking cell)")
    dev = np.inf
    for it in range(1, max_iter + 1):
        for j, tgt in enumerate(targets):
            s = np.bincount(cell_levels[:, j], weights=t, minlength=tgt.size)
            with np.errstate(divide="ignore", invalid="ignore"):
                f = np.where(s > 0, tgt / s, 1.0)
            t *= f[cell_levels[:, j]]
        dev = 0.0
        for j, tgt in enumerate(targets):
            s = np.bincount(cell_levels[:, j], weights=t, minlength=tgt.size)
            pos = tgt > 0
            dev = max(dev, float(np.max(np.abs(s[pos] / tgt[pos] - 1), initial=0.0)),
                      float(np.max(s[~pos], initial=0.0)))
        if dev < tol:
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.where(t0 > 0, t / t0, 1.0), it, dev
    raise ConvergenceError(f"raking did not converge in {max_iter} iterations (max margin deviation {dev:.3g}); "
                           "the margins cannot be met with the respondents' cells", iterations=max_iter,
                           max_deviation=dev)


def rake(weights, margins: Sequence, targets: Sequence[Mapping], *, names: Sequence[str] | None = None,
         tol: float = 1e-10, max_iter: int = 1000) -> RakingResult:
    """Rake (IPF) input weights to one-way population margins.

    repeat over all margins m and categories k: w_i ← w_i · T_mk / Σ_{x_jm = k} w_j, until
    max_{m,k} |Σ_{x_m=k} w / T_mk − 1| < tol after a full pass.

    Parameters
    ----------
    weights : array_like (n,)
        Input (design) weights.
    margins : sequence of array_like (n,)
        Category of each row for each margin (e.g. area, gender, age band).
    targets : sequence of mappings
        Category -> population total, one per margin; all margins must have the same total.
    tol, max_iter : float, int
        Convergence criterion and cap on full passes.

    Raises
    ------
    WeightingError, ConvergenceError

    References
    ----------
    Deming & Stephan (1940); STATISTICS.md §3. Equals R ``rake(control=list(epsilon=...))`` and
    ``calibrate(calfun="raking")`` when both converge tightly.
    """
    d = np.asarray(weights, dtype=float)
    names = list(names or [f"margin{j}" for j in range(len(margins))])
    lev, tgts = [], []
    for m, t, nm in zip(margins, targets, names, strict=True):
        i, tt = _levels(m, {str(k): v for k, v in t.items()}, nm)
        lev.append(i)
        tgts.append(tt)
    stacked = np.column_stack(lev)
    uniq, cell = np.unique(stacked, axis=0, return_inverse=True)
    cell = cell.ravel()
    factor, it, dev = ipf_cells(np.bincount(cell, weights=d, minlength=len(uniq)), uniq, tgts, names=names,
                                tol=tol, max_iter=max_iter)
    w = d * factor[cell]
    return RakingResult(weights=w, iterations=it, converged=True, max_deviation=dev, diagnostics=weight_diagnostics(w))


def trim_weights(weights, *, lower: float = -np.inf, upper: float = np.inf, counts=None,
                 max_iter: int = 1000) -> np.ndarray:
    """Trim weights to [lower, upper], sharing the trimmed amount equally over untrimmed units.

    Repeats while any weight is outside the bounds (R ``trimWeights(strict=TRUE)``). The total is kept.

    Parameters
    ----------
    weights : array_like
        One weight per unit, or per group of ``counts`` units sharing a weight.
    lower, upper : float
        Bounds.
    counts : array_like, optional
        Units per entry (default 1): the result equals trimming the expanded vector of units.

    References
    ----------
    Potter, F. (1990) Proc. Survey Research Methods Section, ASA; R survey ``R/grake.R``.
    """
    w = np.asarray(weights, dtype=float).copy()
    k = np.ones(w.size) if counts is None else np.asarray(counts, dtype=float)
    if lower > upper:
        raise InputError("trimming bounds: lower must not exceed upper")
    for _ in range(max_iter):
        outside = ((w < lower) | (w > upper)) & (k > 0)
        if not outside.any():
            return w
        if k[~outside].sum() <= 0:
            raise WeightingError("every weight is outside the trimming bounds")
        trimmed = np.where(outside, np.clip(w, lower, upper), w)
        excess = float(((trimmed - w) * k).sum())
        trimmed[~outside] -= excess / float(k[~outside].sum())
        w = trimmed
    raise ConvergenceError("trimming did not settle", iterations=max_iter, max_deviation=float("nan"))


def rake_and_trim(weights, margins: Sequence, targets: Sequence[Mapping], *, lower: float = -np.inf,
                  upper: float = np.inf, names: Sequence[str] | None = None, tol: float = 1e-10,
                  max_iter: int = 1000, bound_tol: float = 1e-6, max_rounds: int = 100) -> RakingResult:
    """Rake, then trim → re-rake → repeat until the margins hold and all weights are within bounds.

    Bounds hold to ``bound_tol`` relative after the last re-rake (margins to ``tol``).

    References
    ----------
    STATISTICS.md §3 ("Trimming breaks the margins: trim → re-rake → repeat"); Valliant & Dever (2018) ch. 14.
    """
    first = rake(weights, margins, targets, names=names, tol=tol, max_iter=max_iter)
    w, iters, dev = first.weights, first.iterations, first.max_deviation
    before = first.diagnostics
    rounds = 0
    while (w.max() > upper * (1 + bound_tol)) or (w.min() < lower * (1 - bound_tol)):
        if rounds >= max_rounds:
            raise ConvergenceError(f"trimming and re-raking did not meet bounds [{lower}, {upper}] in {max_rounds} "
                                   "rounds", iterations=iters, max_deviation=dev)
        rounds += 1
        trimmed = trim_weights(w, lower=lower, upper=upper)
        again = rake(trimmed, margins, targets, names=names, tol=tol, max_iter=max_iter)
        w, dev = again.weights, again.max_deviation
        iters += again.iterations
    return RakingResult(weights=w, iterations=iters, converged=True, max_deviation=dev,
                        diagnostics=weight_diagnostics(w), diagnostics_before_trim=before if rounds else None,
                        trim_rounds=rounds)
