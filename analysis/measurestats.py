"""Per-cell sufficient statistics of one measure, and the Rao–Scott test on them.

One pass over the rows per item: a bincount of (cell, answer code) gives the counts (and, with row
weights, Σw and Σw²) from which every share's :class:`~analysis.variance.CellMoments` follow; an
index needs its person scores first (STATISTICS §6).

References
----------
STATISTICS.md §2.2, §5.2, §6.
"""

from __future__ import annotations

import numpy as np

from . import comparisons as cmp
from .cells import moments_from_cells, moments_from_rows
from .cellweights import CellWeights
from .data import Responses
from .errors import InputError
from .grid import Grid
from .index import person_index
from .measures import score_lookup, share_lookup
from .variance import CellMoments, linearised_covariance

__all__ = ["index_moments", "index_values", "item_counts", "rao_scott_cells", "share_moments"]


def item_counts(resp: Responses, grid: Grid, item: str, row_w: np.ndarray | None):
    """Counts per (cell, answer code) of one item column, with Σw and Σw² when rows carry weights."""
    col = resp.items[item]
    k = len(col.labels)
    idx = grid.cell * k + col.codes
    counts = np.bincount(idx, minlength=grid.size * k).reshape(grid.size, k).astype(float)
    if row_w is None:
        return col, counts, None, None
    w1 = np.bincount(idx, weights=row_w, minlength=grid.size * k).reshape(grid.size, k)
    w2 = np.bincount(idx, weights=row_w * row_w, minlength=grid.size * k).reshape(grid.size, k)
    return col, counts, w1, w2


def share_moments(measure, resp, grid, wts: CellWeights, cache) -> CellMoments:
    """:class:`CellMoments` of a share (counted / base codes) from the cached item counts."""
    if measure.item not in resp.items:
        raise InputError(f"measure {measure.name!r} reads column {measure.item!r}, which is not in the data",
                         row=0, column=measure.item, source=resp.source)
    if measure.item not in cache:
        cache[measure.item] = item_counts(resp, grid, measure.item, wts.row_w)
    col, counts, w1, w2 = cache[measure.item]
    valid, y = share_lookup(measure, list(col.labels))
    vf, yf = valid.astype(float), (valid & y).astype(float)
    n_valid, y_count = counts @ vf, counts @ yf
    if w1 is None:
        return moments_from_cells(n_valid, y_count, wts.cell_w, cell_input_weight=wts.cell_d)
    w2v, w2y = w2 @ vf, w2 @ yf
    with np.errstate(divide="ignore", invalid="ignore"):
        m = np.where(w2v > 0, w2y / w2v, 0.0)
    css = w2y * (1 - m) ** 2 + (w2v - w2y) * m * m
    return CellMoments(n_valid=n_valid, y_count=y_count, wv=w1 @ vf, wy=w1 @ yf, w2v=w2v, w2_mean=m, w2_css=css)


def index_values(measure, resp: Responses) -> tuple[np.ndarray, np.ndarray]:
    """Person index (0–100, NaN when too few valid items) and the item-score matrix (STANDARDS §3.3)."""
    cols = []
    for it in measure.items:
        if it not in resp.items:
            raise InputError(f"index {measure.name!r} reads column {it!r}, which is not in the data", row=0,
                             column=it, source=resp.source)
        col = resp.items[it]
        cols.append(score_lookup(measure, list(col.labels))[col.codes])
    scores = np.column_stack(cols)
    return person_index(scores, min_valid=measure.min_valid), scores


def index_moments(values: np.ndarray, grid: Grid, wts: CellWeights) -> CellMoments:
    """:class:`CellMoments` of the person index (two passes: cell means, then centred squares)."""
    v = ~np.isnan(values)
    y = np.where(v, values, 0.0)
    c = grid.cell
    size = grid.size
    if wts.row_w is not None:
        return moments_from_rows(c, size, y, v, wts.row_w)
    n_valid = np.bincount(c, weights=v.astype(float), minlength=size)
    total = np.bincount(c, weights=y, minlength=size)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(n_valid > 0, total / n_valid, 0.0)
    dev = np.where(v, y - mean[c], 0.0)
    css = np.bincount(c, weights=dev * dev, minlength=size)
    return moments_from_cells(n_valid, total, wts.cell_w, y_css=css, cell_input_weight=wts.cell_d)


def rao_scott_cells(design, mom: CellMoments, col_idx: np.ndarray, n_cols: int):
    """Rao–Scott second-order F of a 0/1 outcome against a cell classification (None if degenerate).

    Table cells are (outcome, column) with the outcome index varying fastest; each cell indicator is
    linear in y within a grid cell, so its score coefficients follow from the column membership.
    """
    """Rao–Scott test of a 0/1 outcome against a cell-level classification (STATISTICS §5.2)."""
    colsum = np.bincount(col_idx, weights=mom.n_valid, minlength=n_cols)
    keep = np.nonzero(colsum > 0)[0]
    ycount = mom.y_count.sum()
    if keep.size < 2 or ycount <= 0 or ycount >= mom.n_valid.sum():
        return None
    colmem = (col_idx[None, :] == keep[:, None]).astype(float)
    wtot = float(mom.wv.sum())
    p1 = colmem @ mom.wy / wtot
    p0 = colmem @ mom.wv / wtot - p1
    k = 2 * keep.size
    a = np.empty((k, col_idx.size))
    b = np.empty((k, col_idx.size))
    p = np.empty(k)
    p[0::2], p[1::2] = p0, p1
    a[0::2], a[1::2] = -colmem / wtot, colmem / wtot
    b[0::2] = (p0[:, None] - colmem) / wtot
    b[1::2] = np.broadcast_to(p1[:, None] / wtot, colmem.shape)
    cov = linearised_covariance(design, mom, a, b)
    n = float(mom.n_valid.sum())
    strata = np.bincount(design.stratum, weights=mom.n_valid, minlength=design.n_strata)
    second, _ = cmp.rao_scott_from_covariance(p, cov, 2, keep.size, n, n - int((strata > 0).sum()))
    return second
