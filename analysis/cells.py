"""Building per-cell sufficient statistics from row-level arrays.

A *cell* is a unique combination of the stratum and any number of further integer keys (gender,
age band, a domain indicator). :func:`encode_cells` maps rows to cells; :func:`design_from_rows`
and :func:`moments_from_rows` make the :class:`~analysis.variance.CellDesign` and
:class:`~analysis.variance.CellMoments` that every estimator in the package works on.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .errors import InputError
from .variance import CellDesign, CellMoments

__all__ = ["design_from_rows", "encode_cells", "moments_from_cells", "moments_from_rows", "treatment_coding"]


def encode_cells(strata: np.ndarray, keys: Sequence[np.ndarray] = ()) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Map rows to the cells defined by (stratum, *keys).

    Returns
    -------
    cell : ndarray of int, shape (n,)
        Cell index of each row (cells sorted by stratum, then keys).
    cell_stratum : ndarray of int, shape (C,)
        Stratum index (0..H-1, in order of the sorted unique stratum codes) of each cell.
    cell_keys : ndarray of int, shape (C, 1 + len(keys))
        The (stratum code, key...) of each cell.
    """
    cols = [np.asarray(strata)] + [np.asarray(k) for k in keys]
    stacked = np.column_stack([np.unique(c, return_inverse=True)[1].ravel() for c in cols])
    uniq, cell = np.unique(stacked, axis=0, return_inverse=True)
    return cell.ravel().astype(np.intp), uniq[:, 0].astype(np.intp), uniq


def treatment_coding(categories: Sequence[np.ndarray]) -> np.ndarray:
    """Model matrix [1, dummies for levels 2..k of each factor] (R ``model.matrix(~a+b+...)``).

    Parameters
    ----------
    categories : sequence of int arrays, each shape (C,)
        Level index (0-based) of each cell for each calibration factor.
    """
    n = np.asarray(categories[0]).size
    cols = [np.ones(n)]
    for cat in categories:
        cat = np.asarray(cat)
        for level in np.unique(cat)[1:]:
            cols.append((cat == level).astype(float))
    return np.column_stack(cols)


def design_from_rows(cell: np.ndarray, cell_stratum: np.ndarray, weights: np.ndarray, *,
                     input_weights: np.ndarray | None = None, calibration: Sequence[np.ndarray] | None = None,
                     cell_partition: bool = False, population: np.ndarray | None = None,
                     lonely: str = "fail") -> CellDesign:
    """Sum the design quantities per cell.

    Parameters
    ----------
    cell, cell_stratum : from :func:`encode_cells`.
    weights : ndarray (n,)
        Final weights.
    input_weights : ndarray (n,), optional
        Weights before calibration (needed with ``calibration`` or ``cell_partition``).
    calibration : sequence of int arrays (C,), optional
        Level of each cell in each raking margin (cells must nest in the margins).
    cell_partition : bool
        Post-stratification: the cells themselves are the calibration classes.
    population : ndarray (H,), optional
        Stratum population sizes for the finite population correction.
    """
    c = cell_stratum.size
    w = np.asarray(weights, dtype=float)
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise InputError("weights must be finite and non-negative", column="weight")
    d_sum = None
    if calibration is not None or cell_partition:
        if input_weights is None:
            raise InputError("calibrated variance needs the input (design) weights")
        d_sum = np.bincount(cell, weights=input_weights, minlength=c)
    return CellDesign(
        stratum=cell_stratum, n_strata=int(cell_stratum.max()) + 1,
        n_rows=np.bincount(cell, minlength=c).astype(float),
        w_sum=np.bincount(cell, weights=w, minlength=c), w2_sum=np.bincount(cell, weights=w * w, minlength=c),
        calibration_x=None if calibration is None else treatment_coding(calibration),
        d_sum=d_sum, population=population, lonely=lonely, cell_partition=cell_partition)


def moments_from_rows(cell: np.ndarray, n_cells: int, y: np.ndarray, valid: np.ndarray, weights: np.ndarray,
                      input_weights: np.ndarray | None = None) -> CellMoments:
    """Per-cell sums of the outcome ``y`` over rows with ``valid`` true (y is ignored elsewhere)."""
    v = np.asarray(valid, dtype=bool)
    y = np.where(v, np.asarray(y, dtype=float), 0.0)
    vf = v.astype(float)
    w = np.asarray(weights, dtype=float)

    def s(x):
        return np.bincount(cell, weights=x, minlength=n_cells)

    wv = w * vf
    w2v = w * wv
    sw2v = s(w2v)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(sw2v > 0, s(w2v * y) / sw2v, 0.0)
    dev = y - mean[cell]
    dv = dy = None
    if input_weights is not None:
        dvf = np.asarray(input_weights, dtype=float) * vf
        dv, dy = s(dvf), s(dvf * y)
    return CellMoments(n_valid=s(vf), y_count=s(vf * y), wv=s(wv), wy=s(wv * y), w2v=sw2v, w2_mean=mean,
                       w2_css=s(w2v * dev * dev), dv=dv, dy=dy)


def moments_from_cells(n_valid, y_count, cell_weight, *, y_css=None, cell_input_weight=None) -> CellMoments:
    """Moments when the weight is constant within each cell (design, post-stratified, raked weights).

    Parameters
    ----------
    n_valid, y_count : ndarray (C,)
        Valid answers and Σ y over them (for a share, the counted answers).
    cell_weight : ndarray (C,)
        The common final weight of the cell's rows.
    y_css : ndarray (C,), optional
        Σ (y − ȳ_c)² over valid answers; default x(n − x)/n, right for 0/1 outcomes.
    cell_input_weight : ndarray (C,), optional
        The common input weight d of the cell's rows (GREG).
    """
    n_valid = np.asarray(n_valid, dtype=float)
    y_count = np.asarray(y_count, dtype=float)
    w = np.asarray(cell_weight, dtype=float)
    w2 = w * w
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(n_valid > 0, y_count / n_valid, 0.0)
        css = (np.where(n_valid > 0, y_count * (n_valid - y_count) / n_valid, 0.0) if y_css is None
               else np.asarray(y_css, dtype=float))
    dv = dy = None
    if cell_input_weight is not None:
        dv, dy = cell_input_weight * n_valid, cell_input_weight * y_count
    return CellMoments(n_valid=n_valid, y_count=y_count, wv=w * n_valid, wy=w * y_count, w2v=w2 * n_valid,
                       w2_mean=mean, w2_css=w2 * css, dv=dv, dy=dy)
