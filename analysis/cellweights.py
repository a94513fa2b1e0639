"""Cell-level weights for the pipeline: design, post-stratified, raked (with trimming), or given.

With design, post-stratified and raked weights the weight is constant within each area × gender ×
age-band cell, so weights, diagnostics and the calibration design for the GREG variance are all
computed on the cell grid, never on the rows.

References
----------
STATISTICS.md §3 (weights) and §4 (variance after calibration).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .cells import treatment_coding
from .data import Population, Responses
from .errors import ConvergenceError, InputError, WeightingError
from .grid import DIMENSIONS, Grid
from .variance import CellDesign
from .weighting import WeightDiagnostics, ipf_cells, trim_weights, weight_diagnostics

__all__ = ["WEIGHTINGS", "CellWeights", "WeightingInfo", "cell_weights"]

WEIGHTINGS = ("none", "given", "design", "poststrat", "raking")


@dataclass(frozen=True, slots=True)
class WeightingInfo:
    """How the weights were made, with diagnostics of the final weights."""

    method: str
    iterations: int
    converged: bool
    diagnostics: WeightDiagnostics | None
    max_deviation: float | None = None
    diagnostics_before_trim: WeightDiagnostics | None = None
    trim_rounds: int = 0


@dataclass(slots=True)
class CellWeights:
    """Weights of one data set on its cell grid, with the variance design that goes with them."""

    method: str
    cell_w: np.ndarray | None         # final weight per cell (constant-in-cell methods)
    cell_d: np.ndarray | None         # input weight per cell (calibrated methods)
    row_w: np.ndarray | None          # row weights ("given")
    design: CellDesign
    info: WeightingInfo


def _row_of(grid: Grid, cell_mask: np.ndarray) -> int:
    """1-based row of the first respondent in one of the masked cells."""
    return int(np.argmax(cell_mask[grid.cell])) + 1


def _check_cover(resp: Responses, grid: Grid, pop: Population, dims: Sequence[str]) -> None:
    """Every respondent's category must be in the population table; report the first row that is not."""
    labels = {"area": grid.areas, "gender": grid.genders, "age_band": grid.bands}
    coords = {"area": grid.ca, "gender": grid.cg, "age_band": grid.cb}
    for d in dims:
        missing = np.array([lab not in pop.margins[d] for lab in labels[d]])
        bad_cells = missing[coords[d]] & (grid.n_rows > 0)
        if bad_cells.any():
            row = _row_of(grid, bad_cells)
            lab = labels[d][coords[d][grid.cell[row - 1]]]
            what = f"{d} is blank and the population table has no blank {d}" if lab == "" else \
                f"{d} {lab!r} is not in the population table"
            raise InputError(what, row=row, column=d, source=resp.source)


def cell_weights(resp: Responses, grid: Grid, method: str, pop: Population | None, *, tol: float, max_iter: int,
                 lonely: str, trim_ratio: float | None = None) -> CellWeights:
    """Weights for ``method`` ("none", "given", "design", "poststrat", "raking") and their :class:`CellDesign`.

    design: d = N_h / n_h, fixed-weight linearisation; poststrat: d · N_c / Σ_c d, variance with the
    cells as calibration classes; raking: IPF from d to the area, gender and age-band margins (optionally
    capped at ``trim_ratio`` × median and re-raked), GREG variance on the three margins (STATISTICS §3–4).

    Raises
    ------
    InputError
        A respondent's category is not in the population table (row and column named), or the table
        lacks what the method needs.
    WeightingError, ConvergenceError
        Margins disagree, a population category has no respondents, raking does not converge.
    """
    h = len(grid.areas)
    before, rounds = None, 0
    if trim_ratio is not None and (method != "raking" or not trim_ratio > 1):
        raise InputError("trimming needs --weighting raking and a ratio above 1")
    n_c = grid.n_rows
    if method not in WEIGHTINGS:
        raise InputError(f"unknown weighting {method!r}; use one of none, design, poststrat, raking")
    if method == "given":
        if resp.weight is None:
            raise InputError("no weight column", column="weight", source=resp.source)
        w = resp.weight
        w_sum = np.bincount(grid.cell, weights=w, minlength=grid.size)
        w2_sum = np.bincount(grid.cell, weights=w * w, minlength=grid.size)
        design = CellDesign(stratum=grid.ca, n_strata=h, n_rows=n_c, w_sum=w_sum, w2_sum=w2_sum, lonely=lonely)
        return CellWeights(method, None, None, w, design, WeightingInfo("given", 0, True, _diag_rows(w)))
    if method == "none":
        ones = np.ones(grid.size)
        design = CellDesign(stratum=grid.ca, n_strata=h, n_rows=n_c, w_sum=n_c, w2_sum=n_c, lonely=lonely)
        return CellWeights(method, ones, None, None, design, WeightingInfo("none", 0, True, None))
    if pop is None:
        raise InputError(f"--weighting {method} needs a population table (--population)")
    if not pop.margins["area"]:
        raise InputError("the population table has no area totals", column="area", source="population")
    _check_cover(resp, grid, pop, ("area",))
    n_h = np.bincount(grid.ca, weights=n_c, minlength=h)
    big_n = np.array([pop.margins["area"][a] for a in grid.areas])
    d_h = big_n / np.where(n_h > 0, n_h, 1)
    d_c = d_h[grid.ca]
    if method == "design":
        w_c, info_it, dev = d_c, 0, None
        design = _cell_design(grid, w_c, lonely)
    elif method == "poststrat":
        if pop.cells is None:
            raise InputError("--weighting poststrat needs area × gender × age_band cells in the population table",
                             source="population")
        _check_cover(resp, grid, pop, DIMENSIONS)
        big_nc = np.array([pop.cells.get((grid.areas[a], grid.genders[g], grid.bands[b]), np.nan)
                           for a, g, b in zip(grid.ca, grid.cg, grid.cb, strict=True)])
        uncovered = (n_c > 0) & np.isnan(big_nc)
        if uncovered.any():
            c = int(np.argmax(uncovered))
            raise InputError(f"cell {grid.areas[grid.ca[c]]}/{grid.genders[grid.cg[c]]}/{grid.bands[grid.cb[c]]} "
                             "is not in the population table", row=_row_of(grid, np.arange(grid.size) == c),
                             column="age_band", source=resp.source)
        empty = [k for k, v in pop.cells.items() if v > 0 and k not in _present_cells(grid)]
        if empty:
            raise WeightingError(f"post-stratum {'/'.join(empty[0])} has population {pop.cells[empty[0]]:g} but no "
                                 "respondents; collapse cells or use --weighting raking")
        w_c = np.where(n_c > 0, np.nan_to_num(big_nc) / np.where(n_c > 0, n_c, 1), 0.0)
        info_it, dev = 0, 0.0
        design = _cell_design(grid, w_c, lonely, d_c=d_c, partition=True)
    else:  # raking
        _check_cover(resp, grid, pop, DIMENSIONS)
        levels = np.column_stack([grid.ca, grid.cg, grid.cb])
        targets = [_margin_vector(pop.margins[d], labs, d) for d, labs in
                   zip(DIMENSIONS, (grid.areas, grid.genders, grid.bands), strict=True)]
        factor, info_it, dev = ipf_cells(d_c * n_c, levels, targets, names=list(DIMENSIONS), tol=tol,
                                         max_iter=max_iter)
        w_c = d_c * factor
        if trim_ratio is not None:
            before = _diag_cells(w_c, n_c)
            w_c, more, dev, rounds = _trim_and_rerake(w_c, n_c, levels, targets, trim_ratio, tol, max_iter)
            info_it += more
        # after trimming the final weights are still constant within cells; the GREG residual keeps the
        # design weights as input weights (the usual approximation for a trimmed calibration)
        design = _cell_design(grid, w_c, lonely, d_c=d_c, calibration=(grid.ca, grid.cg, grid.cb))
    info = WeightingInfo(method, info_it, True, _diag_cells(w_c, n_c), dev, before, rounds)
    return CellWeights(method, w_c, d_c if method in ("poststrat", "raking") else None, None, design, info)


def _unit_median(w_c: np.ndarray, n_c: np.ndarray) -> float:
    order = np.argsort(w_c)
    cum = np.cumsum(n_c[order])
    return float(w_c[order][np.searchsorted(cum, cum[-1] / 2)])


def _trim_and_rerake(w_c, n_c, levels, targets, ratio, tol, max_iter, bound_tol=1e-6, max_rounds=100):
    """Cap the raked weights at ratio × their median, re-rake, repeat until margins and cap both hold."""
    med = _unit_median(w_c, n_c)
    lower, upper = -np.inf, med * ratio
    iters, dev, rounds = 0, 0.0, 0
    while (w_c[n_c > 0].max() > upper * (1 + bound_tol)) or (w_c[n_c > 0].min() < lower * (1 - bound_tol)):
        if rounds >= max_rounds:
            raise ConvergenceError(f"capping weights at {upper:.4g} and re-raking did not settle in "
                                   f"{max_rounds} rounds", iterations=iters, max_deviation=dev)
        rounds += 1
        t = trim_weights(w_c, lower=lower, upper=upper, counts=n_c)
        factor, it, dev = ipf_cells(t * n_c, levels, targets, names=list(DIMENSIONS), tol=tol, max_iter=max_iter)
        iters += it
        w_c = t * factor
    return w_c, iters, dev, rounds


def _margin_vector(margin: Mapping[str, float], labels: Sequence[str], name: str) -> np.ndarray:
    extra = [k for k, v in margin.items() if k not in labels and v > 0]
    if extra:
        raise WeightingError(f"margin {name}={extra[0]!r} has population {margin[extra[0]]:g} but no respondents "
                             "(empty raking cell)")
    return np.array([margin[lab] for lab in labels])


def _present_cells(grid: Grid) -> set:
    return {(grid.areas[a], grid.genders[g], grid.bands[b])
            for a, g, b, n in zip(grid.ca, grid.cg, grid.cb, grid.n_rows, strict=True) if n > 0}


def _cell_design(grid: Grid, w_c, lonely, *, d_c=None, calibration=None, partition=False) -> CellDesign:
    n_c = grid.n_rows
    x = None
    if calibration is not None:
        present = n_c > 0
        # treatment coding on the levels that occur, so the Gram matrix is invertible
        x = treatment_coding([_dense(c, present) for c in calibration])
    return CellDesign(stratum=grid.ca, n_strata=len(grid.areas), n_rows=n_c, w_sum=w_c * n_c, w2_sum=w_c * w_c * n_c,
                      calibration_x=x, d_sum=None if d_c is None else d_c * n_c, lonely=lonely,
                      cell_partition=partition)


def _dense(levels: np.ndarray, present: np.ndarray) -> np.ndarray:
    """Level codes where levels without respondents are merged into the first level (they carry no weight)."""
    used = np.unique(levels[present])
    out = np.zeros(levels.size, dtype=np.int64)
    for i, u in enumerate(used):
        out[levels == u] = i
    return out


def _diag_cells(w_c: np.ndarray, n_c: np.ndarray) -> WeightDiagnostics:
    present = n_c > 0
    w, n = w_c[present], n_c[present]
    s, s2, nn = float((w * n).sum()), float((w * w * n).sum()), float(n.sum())
    mean = s / nn
    cv = math.sqrt(max(s2 / nn - mean * mean, 0.0)) / mean
    lo, hi = float(w.min()), float(w.max())
    return WeightDiagnostics(n=int(nn), sum_w=s, min=lo, max=hi, max_min_ratio=hi / lo if lo > 0 else math.inf,
                             cv=cv, n_eff_kish=s * s / s2, deff_kish=nn * s2 / (s * s))


def _diag_rows(w: np.ndarray) -> WeightDiagnostics:
    return weight_diagnostics(w)

