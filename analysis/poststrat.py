"""Post-stratification cells: checking that a population table covers the respondents' cells, the post-stratified
weights, and the collapsing of post-strata below a minimum (gender within an area × age band first, then the
neighbouring age band of the same area; an area still below it is refused by name). Used by
:func:`analysis.cellweights.cell_weights`, whose documentation states the rules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from .data import Population, Responses
from .errors import InputError, WeightingError
from .grid import Grid


def first_row_of(grid: Grid, cell_mask: np.ndarray) -> int:
    """1-based row of the first respondent in one of the masked cells."""
    return int(np.argmax(cell_mask[grid.cell])) + 1


def check_cover(resp: Responses, grid: Grid, pop: Population, dims: Sequence[str]) -> None:
    """Every respondent's known category must be in the population table; report the first row that is not."""
    labels = {"area": grid.areas, "gender": grid.genders, "age_band": grid.bands}
    coords = {"area": grid.ca, "gender": grid.cg, "age_band": grid.cb}
    for d in dims:
        missing = np.array([lab not in pop.margins[d] and lab != "" for lab in labels[d]])  # blank: unknown
        bad_cells = missing[coords[d]] & (grid.n_rows > 0)
        if bad_cells.any():
            row = first_row_of(grid, bad_cells)
            lab = labels[d][coords[d][grid.cell[row - 1]]]
            what = f"{d} is blank and the population table has no blank {d}" if lab == "" else \
                f"{d} {lab!r} is not in the population table"
            raise InputError(what, row=row, column=d, source=resp.source)


def poststratified_weights(resp: Responses, grid: Grid, pop: Population, outside: Mapping[str, np.ndarray],
                    min_poststratum: int = 0) -> tuple[np.ndarray, np.ndarray, tuple]:
    """Post-stratified cell weights, the calibration class of each cell and the collapsed post-strata.

    Other genders get the mean adjustment of their area × age-band cell; register cells below
    ``min_poststratum`` respondents are collapsed by the module docstring's rule.
    """
    if pop.cells is None:
        raise InputError("--weighting poststrat needs area × gender × age_band cells in the population table",
                         source="population")
    n_c = grid.n_rows
    unknown = (outside["area"][grid.ca] | outside["age_band"][grid.cb]) & (n_c > 0)
    if unknown.any():
        raise InputError(f"--weighting poststrat needs every respondent's area and age band; "
                         f"{int(n_c[unknown].sum())} respondent(s) lack one (use --weighting raking)",
                         row=first_row_of(grid, unknown), column="area" if outside["area"][grid.ca][unknown].any()
                         else "age_band", source=resp.source)
    check_cover(resp, grid, pop, ("area", "age_band"))
    reg = ~outside["gender"][grid.cg]
    big_nc = np.array([pop.cells.get((grid.areas[a], grid.genders[g], grid.bands[b]), np.nan)
                       for a, g, b in zip(grid.ca, grid.cg, grid.cb, strict=True)])
    uncovered = (n_c > 0) & np.isnan(big_nc) & reg
    if uncovered.any():
        c = int(np.argmax(uncovered))
        raise InputError(f"cell {grid.areas[grid.ca[c]]}/{grid.genders[grid.cg[c]]}/{grid.bands[grid.cb[c]]} "
                         "is not in the population table", row=first_row_of(grid, np.arange(grid.size) == c),
                         column="age_band", source=resp.source)
    hb = grid.ca * len(grid.bands) + grid.cb
    size = len(grid.areas) * len(grid.bands)
    n_hb = np.bincount(hb, weights=n_c, minlength=size)
    others = np.bincount(hb, weights=n_c * ~reg, minlength=size)
    with np.errstate(divide="ignore", invalid="ignore"):
        kept = np.where(n_hb > 0, 1 - others / n_hb, 1.0)  # the register's share of each area × age band
    count = {(grid.areas[a], grid.genders[g], grid.bands[b]): float(n)
             for a, g, b, n, r in zip(grid.ca, grid.cg, grid.cb, n_c, reg, strict=True) if r}
    group_of, collapsed = _collapse(pop, count, grid.bands, min_poststratum)
    empty = [k for k, v in pop.cells.items() if v > 0 and
             sum(count.get(c, 0.0) for c in group_of if group_of[c] == group_of[k]) == 0]
    if empty:
        raise WeightingError(f"post-stratum {'/'.join(empty[0])} has population {pop.cells[empty[0]]:g} but no "
                             "respondents; collapse cells (--min-poststratum) or use --weighting raking")
    names = sorted(set(group_of.values()))
    idx = {name: i for i, name in enumerate(names)}
    band_pos = {b: i for i, b in enumerate(grid.bands)}
    area_pos = {a: i for i, a in enumerate(grid.areas)}
    target = np.zeros(len(names))
    for key, big in pop.cells.items():  # N_c (1 − s_hb), summed over each (collapsed) post-stratum
        a, _, b = key
        share = kept[area_pos[a] * len(grid.bands) + band_pos[b]] if a in area_pos and b in band_pos else 1.0
        target[idx[group_of[key]]] += big * share
    cls = np.array([idx[group_of[(grid.areas[a], grid.genders[g], grid.bands[b])]] if r
                    and (grid.areas[a], grid.genders[g], grid.bands[b]) in group_of else -1
                    for a, g, b, r in zip(grid.ca, grid.cg, grid.cb, reg, strict=True)])
    n_cls = np.bincount(cls[cls >= 0], weights=n_c[cls >= 0], minlength=len(names))
    big_hb = np.bincount(hb, weights=np.where(reg, np.nan_to_num(big_nc), 0.0), minlength=size)
    with np.errstate(divide="ignore", invalid="ignore"):
        w_reg = np.where(cls >= 0, (target / np.where(n_cls > 0, n_cls, 1))[np.maximum(cls, 0)], 0.0)
        # d is constant within an area, so the others' design-weighted share of the cell is their count share
        w_other = np.where(n_hb[hb] > 0, big_hb[hb] / n_hb[hb], 0.0)
    w_c = np.where(n_c > 0, np.where(reg, w_reg, w_other), 0.0)
    # calibration classes: the collapsed post-strata; every other cell (other genders, empty cells) its own
    classes = np.where(cls >= 0, cls, len(names) + np.arange(grid.size))
    _, classes = np.unique(classes, return_inverse=True)
    return w_c, classes.astype(np.int64), collapsed


def _collapse(pop: Population, count: Mapping[tuple[str, str, str], float], band_order: Sequence[str],
              minimum: int) -> tuple[dict[tuple[str, str, str], str], tuple]:
    """Post-stratum name of every register cell, and the merged ones (module docstring, "Collapsing")."""
    cells = set(pop.cells or ()) | set(count)
    group_of = {c: "/".join(c) for c in cells}
    if minimum <= 0:
        return group_of, ()
    collapsed = []
    for area in sorted({a for a, _, _ in cells}):
        mine = [c for c in cells if c[0] == area]
        order = {b: i for i, b in enumerate(band_order)}
        bands = sorted({b for _, _, b in mine}, key=lambda b: (order.get(b, len(order)), b))

        def n_of(group: list[str], mine=mine) -> float:
            return sum(count.get(c, 0.0) for c in mine if c[2] in group)

        groups = [[b] for b in bands]
        merged = [any(count.get(c, 0.0) < minimum for c in mine if c[2] == b) for b in bands]
        while True:
            low = [i for i, g in enumerate(groups) if merged[i] and n_of(g) < minimum]
            if not low:
                break
            if len(groups) == 1:
                raise WeightingError(f"area {area!r} has {n_of(groups[0]):g} respondent(s) of the population "
                                     f"table's genders, fewer than the minimum post-stratum ({minimum}); use "
                                     "--weighting raking or a lower --min-poststratum")
            i = low[0]
            j = i + 1 if i + 1 < len(groups) else i - 1
            lo, hi = min(i, j), max(i, j)
            groups[lo:hi + 1] = [groups[lo] + groups[hi]]
            merged[lo:hi + 1] = [True]
        for g, m in zip(groups, merged, strict=True):
            if not m:
                continue
            name = f"{area}/{'+'.join(g)}"
            members = sorted(c for c in mine if c[2] in g)
            for c in members:
                group_of[c] = name
            collapsed.append((name, tuple("/".join(c) for c in members)))
    return group_of, tuple(collapsed)
