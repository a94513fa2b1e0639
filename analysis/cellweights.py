"""Cell-level weights for the pipeline: design, post-stratified, raked (with trimming), or given.

With design, post-stratified and raked weights the weight is constant within each area × gender ×
age-band cell, so weights, diagnostics and the calibration design for the GREG variance are all
computed on the cell grid, never on the rows.

Respondents outside the population table's categories
------------------------------------------------------
Register tables (SCB) count everyone as a woman or a man and in a known area and age. Respondents who
answered another gender, no answer or left it blank, whose area is not known (blank, "vet inte") or
whose age band is blank are a sample of that same population, so each such group **keeps its
design-weighted share of the population**, and the register's categories share the rest:

* area: with u = n_unknown / n, known areas get d = N_h (1 − u) / n_h and the unknown-area
  respondents d = N / n (they are a sample of the whole municipality); Σd = N.
* raking: on each margin m, every category ℓ outside the table becomes a level of its own with target
  N · s_ℓ, s_ℓ = Σ_ℓ d / Σ d, and each register category k gets T_mk · (1 − Σ_ℓ s_ℓ). This is ordinary
  raking to fixed margins (so R ``calibrate(calfun="raking")`` with these margins reproduces it), and
  the weights sum to N and meet every area and age-band margin of the table; women and men keep the
  register's ratio but their totals are the register's times (1 − s), since some of the register's
  women and men answered otherwise.
* post-stratification: in each area × age-band cell hb the others keep their share s_hb of the cell's
  design weight; women and men get N_hbg (1 − s_hb). A respondent of another gender thus gets
  N_hb / Σ_hb d times the design weight: the mean adjustment of the women and men of the cell.
  Unknown areas and blank age bands need ``raking``.

For the variance, unknown-area respondents are a stratum of their own; a single one (no variance
estimate) is collapsed into the largest area's stratum. The shares are estimated, yet the variance treats
the extra targets as known (the GREG residuals use
the extra levels as calibration classes); with the small shares of practice the difference is small.

Lonely strata
-------------
A stratum (area) with a single respondent has no variance estimate of its own. ``lonely`` chooses what
happens, as R's ``options(survey.lonely.psu=...)``: ``"adjust"`` (the default) centres its score at the
grand mean (zero for these linearised statistics), so it contributes (1 − f) z² — conservative, and the
SE of every domain touching it stays defined; ``"certainty"`` treats it as taken with certainty
(contributes 0); ``"fail"`` refuses with an error that names the area. The areas concerned are in
``WeightingInfo.lonely_strata`` and every estimate whose domain has answers there is flagged
``lonely_stratum``.

Finite population correction
----------------------------
``fpc=True`` multiplies each stratum's variance by (1 − n_h / N_h), with N_h the area's population from
the population table (for the unknown-area stratum its share of N, as for the design weights).

Collapsing small post-strata
----------------------------
A post-stratum (area × gender × age band cell of the register) with fewer than ``min_poststratum``
respondents gives an unstable weight and, with one respondent, a variance contribution of exactly 0.
Post-stratification therefore collapses cells, within each area, by this rule:

1. in an area × age band where a register gender's cell is below the minimum, the genders are merged:
   the post-stratum is the area × age band;
2. a merged area × age band still below the minimum is merged with the next older age band of the area
   (the next younger one for the oldest band), whole, and so on until the group reaches the minimum;
3. an area whose register respondents together are fewer than the minimum cannot be post-stratified:
   an error names it (use ``--weighting raking`` or a lower ``--min-poststratum``).

Weights are then d · N_P / Σ_P d per collapsed post-stratum P, and the GREG residuals use the collapsed
post-strata as calibration classes. Which cells were merged is in ``WeightingInfo.collapsed``.

References
----------
STATISTICS.md §3 (weights; post-strata of at least 20–30) and §4 (variance after calibration).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from .cells import treatment_coding
from .data import UNKNOWN_AREA, Population, Responses
from .errors import ConvergenceError, InputError, WeightingError
from .grid import DIMENSIONS, Grid
from .poststrat import check_cover, poststratified_weights
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
    outside_population: Mapping[str, int] = field(default_factory=dict)  # per dimension: respondents outside the table
    lonely: str = "adjust"                       # the lonely-stratum rule used
    lonely_strata: tuple[str, ...] = ()           # areas (strata) with a single respondent
    fpc: bool = False                              # finite population correction applied
    collapsed: tuple[tuple[str, tuple[str, ...]], ...] = ()  # post-strata merged: (name, cells "area/gender/band")


@dataclass(slots=True)
class CellWeights:
    """Weights of one data set on its cell grid, with the variance design that goes with them."""

    method: str
    cell_w: np.ndarray | None         # final weight per cell (constant-in-cell methods)
    cell_d: np.ndarray | None         # input weight per cell (calibrated methods)
    row_w: np.ndarray | None          # row weights ("given")
    design: CellDesign
    info: WeightingInfo


LONELY = ("adjust", "certainty", "fail")


def cell_weights(resp: Responses, grid: Grid, method: str, pop: Population | None, *, tol: float, max_iter: int,
                 lonely: str, trim_ratio: float | None = None, fpc: bool = False,
                 min_poststratum: int = 0) -> CellWeights:
    """Weights and their variance design; see :func:`_cell_weights`. Applies the lonely-stratum rule and
    the finite population correction (module docstring)."""
    if lonely not in LONELY:
        raise InputError(f"unknown lonely-stratum rule {lonely!r}; use adjust, certainty or fail")
    if fpc and pop is None:
        raise InputError("the finite population correction (--fpc) needs a population table (--population)")
    out = _cell_weights(resp, grid, method, pop, tol=tol, max_iter=max_iter, lonely=lonely, trim_ratio=trim_ratio,
                        min_poststratum=min_poststratum)
    strata = out.design.lonely_strata()
    names = tuple(_stratum_name(grid, out.design, h) for h in strata)
    if names and lonely == "fail":
        raise InputError(f"{len(names)} area(s) have a single respondent, so no variance can be estimated "
                         f"there: {', '.join(names)} (use --lonely adjust or certainty, or merge the area)",
                         source=resp.source)
    design = out.design
    if fpc and pop is not None:  # checked above
        first_cell = np.arange(len(grid.areas)) * (grid.size // len(grid.areas))
        n_pop = np.bincount(design.stratum[first_cell], weights=_area_population(grid, pop),
                            minlength=design.n_strata)
        if (n_pop < design.n_h).any():
            h = int(np.argmax(n_pop < design.n_h))
            raise InputError(f"--fpc: area {_stratum_name(grid, design, h)!r} has more respondents than its "
                             "population", source="population")
        design = dataclasses.replace(design, population=np.where(n_pop > 0, n_pop, np.inf))
    info = dataclasses.replace(out.info, lonely=lonely, lonely_strata=names, fpc=fpc)
    return CellWeights(out.method, out.cell_w, out.cell_d, out.row_w, design, info)


MAX_WEIGHT = 1e12  # more people than the world has: a weight above this is a data error, not a design


def _check_given_weights(w: np.ndarray, source: str) -> None:
    """Weights that can be used: not all zero, none absurdly large (their squares must not overflow)."""
    if w.size and not (w > 0).any():
        raise InputError("every weight is 0: no respondent counts; check the weight column", column="weight",
                         source=source)
    if w.size and w.max() > MAX_WEIGHT:
        row = int(np.argmax(w > MAX_WEIGHT)) + 1
        raise InputError(f"weight {w[row - 1]:g} is larger than any population ({MAX_WEIGHT:g}); check the weight "
                         "column", row=row, column="weight", source=source)


def _stratum_name(grid: Grid, design: CellDesign, h: int) -> str:
    return grid.areas[h] if h < len(grid.areas) else str(h)


def _area_population(grid: Grid, pop: Population) -> np.ndarray:
    """N per area of the grid: the table's N_a (1 − u), and N u for the unknown area (u its share of respondents)."""
    if not pop.margins["area"]:
        raise InputError("the population table has no area totals", column="area", source="population")
    missing = [a for a in grid.areas if a != UNKNOWN_AREA and a not in pop.margins["area"]]
    if missing:
        raise InputError(f"area {missing[0]!r} is not in the population table", column="area", source="population")
    n_h = np.bincount(grid.ca, weights=grid.n_rows, minlength=len(grid.areas))
    u = n_h[grid.areas.index(UNKNOWN_AREA)] / n_h.sum() if UNKNOWN_AREA in grid.areas else 0.0
    total = float(sum(pop.margins["area"].values()))
    return np.array([total * u if a == UNKNOWN_AREA else pop.margins["area"][a] * (1 - u) for a in grid.areas])


def _cell_weights(resp: Responses, grid: Grid, method: str, pop: Population | None, *, tol: float, max_iter: int,
                  lonely: str, trim_ratio: float | None = None, min_poststratum: int = 0) -> CellWeights:
    """Weights for ``method`` ("none", "given", "design", "poststrat", "raking") and their :class:`CellDesign`.

    design: d = N_h / n_h, fixed-weight linearisation; poststrat: d · N_c / Σ_c d, variance with the
    cells as calibration classes; raking: IPF from d to the area, gender and age-band margins (optionally
    capped at ``trim_ratio`` × median and re-raked), GREG variance on the three margins (STATISTICS §3–4).
    Respondents outside the table's categories keep their design-weighted share (module docstring); how
    many they were is ``info.outside_population``.

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
        _check_given_weights(w, resp.source)
        w_sum = np.bincount(grid.cell, weights=w, minlength=grid.size)
        w2_sum = np.bincount(grid.cell, weights=w * w, minlength=grid.size)
        design = CellDesign(stratum=_strata(grid), n_strata=h, n_rows=n_c, w_sum=w_sum, w2_sum=w2_sum, lonely=lonely)
        return CellWeights(method, None, None, w, design, WeightingInfo("given", 0, True, _diag_rows(w)))
    if method == "none":
        ones = np.ones(grid.size)
        design = CellDesign(stratum=_strata(grid), n_strata=h, n_rows=n_c, w_sum=n_c, w2_sum=n_c, lonely=lonely)
        return CellWeights(method, ones, None, None, design, WeightingInfo("none", 0, True, None))
    if pop is None:
        raise InputError(f"--weighting {method} needs a population table (--population)")
    if not pop.margins["area"]:
        raise InputError("the population table has no area totals", column="area", source="population")
    check_cover(resp, grid, pop, ("area",))
    d_c = _design_weights(grid, pop)
    outside = _outside_levels(grid, pop)
    collapsed: tuple = ()
    if method == "design":
        w_c, info_it, dev = d_c, 0, None
        design = _cell_design(grid, w_c, lonely)
        counted: tuple[str, ...] = ("area",)
    elif method == "poststrat":
        w_c, classes, collapsed = poststratified_weights(resp, grid, pop, outside, min_poststratum)
        info_it, dev = 0, 0.0
        design = dataclasses.replace(_cell_design(grid, w_c, lonely, d_c=d_c, partition=True), classes=classes)
        counted = ("gender",)
    else:  # raking; a gender the table lacks is outside it, a non-blank area or band the table lacks an error
        check_cover(resp, grid, pop, ("area", "age_band"))
        levels = np.column_stack([grid.ca, grid.cg, grid.cb])
        targets = [_margin_vector(pop.margins[d], labs, d, np.bincount(lev, weights=d_c * n_c, minlength=len(labs)),
                                  outside[d])
                   for d, labs, lev in zip(DIMENSIONS, (grid.areas, grid.genders, grid.bands),
                                           (grid.ca, grid.cg, grid.cb), strict=True)]
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
        counted = DIMENSIONS
    coords = {"area": grid.ca, "gender": grid.cg, "age_band": grid.cb}
    outside_n = {d: int(n_c[outside[d][coords[d]]].sum()) for d in counted}
    info = WeightingInfo(method, info_it, True, _diag_cells(w_c, n_c), dev, before, rounds,
                         MappingProxyType(outside_n), collapsed=collapsed if method == "poststrat" else ())
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


def _design_weights(grid: Grid, pop: Population) -> np.ndarray:
    """d = N_h (1 − u) / n_h per cell, and N / n for the unknown area (u = its share of respondents)."""
    n_c = grid.n_rows
    h = len(grid.areas)
    n_h = np.bincount(grid.ca, weights=n_c, minlength=h)
    u = n_h[grid.areas.index(UNKNOWN_AREA)] / n_c.sum() if UNKNOWN_AREA in grid.areas else 0.0
    total = float(sum(pop.margins["area"].values()))
    big_n = np.array([total * u if a == UNKNOWN_AREA else pop.margins["area"][a] * (1 - u) for a in grid.areas])
    return (big_n / np.where(n_h > 0, n_h, 1))[grid.ca]


def _outside_levels(grid: Grid, pop: Population) -> dict[str, np.ndarray]:
    """Per dimension, which levels are outside the population table (unknown area, other genders, blank band)."""
    return {"area": np.array([a == UNKNOWN_AREA for a in grid.areas], dtype=bool),
            "gender": np.array([g not in pop.margins["gender"] for g in grid.genders], dtype=bool),
            "age_band": np.array([b == "" for b in grid.bands], dtype=bool)}


def _margin_vector(margin: Mapping[str, float], labels: Sequence[str], name: str, level_d: np.ndarray,
                   outside: np.ndarray) -> np.ndarray:
    """Targets per level: outside levels keep their design-weighted share s of N, the table's get T (1 − Σs)."""
    extra = [k for k, v in margin.items() if k not in labels and v > 0]
    if extra:
        raise WeightingError(f"margin {name}={extra[0]!r} has population {margin[extra[0]]:g} but no respondents "
                             "(empty raking cell)")
    big_n = float(sum(margin.values()))
    share = level_d / level_d.sum()
    rest = 1.0 - float(share[outside].sum())
    return np.array([big_n * share[i] if outside[i] else margin[lab] * rest for i, lab in enumerate(labels)])


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
    return CellDesign(stratum=_strata(grid), n_strata=len(grid.areas), n_rows=n_c, w_sum=w_c * n_c,
                      w2_sum=w_c * w_c * n_c, calibration_x=x, d_sum=None if d_c is None else d_c * n_c, lonely=lonely,
                      cell_partition=partition)


def _strata(grid: Grid) -> np.ndarray:
    """Variance stratum per cell: the area; respondents of an unknown area are a stratum of their own, or,
    when there is only one of them (no variance estimate), collapsed into the largest area (STATISTICS §2.3)."""
    if UNKNOWN_AREA not in grid.areas:
        return grid.ca
    unknown = grid.areas.index(UNKNOWN_AREA)
    n_h = np.bincount(grid.ca, weights=grid.n_rows, minlength=len(grid.areas))
    if n_h[unknown] != 1 or len(grid.areas) < 2:
        return grid.ca
    n_h[unknown] = -1
    return np.where(grid.ca == unknown, int(np.argmax(n_h)), grid.ca)


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

