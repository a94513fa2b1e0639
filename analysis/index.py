"""Index measures (0–100), Cronbach's alpha and the police-style problem level 0–6.

References
----------
Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests. Psychometrika 16(3).
Polisen Trelleborg (2019), "trygghetsmätning": problem level 0–6 ("ett lågt index är alltså bättre").
STANDARDS.md §3.3; STATISTICS.md §6.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .errors import InputError
from .intervals import clopper_pearson_interval

__all__ = [
    "AlphaResult",
    "ProblemLevel",
    "cronbach_alpha",
    "default_min_valid",
    "person_index",
    "problem_level",
    "problem_levels",
]


def default_min_valid(n_items: int) -> int:
    """Default minimum of valid items for a person score: ceil(3/4 · items) (STANDARDS §3.3)."""
    return math.ceil(0.75 * n_items)


def person_index(item_scores, *, min_valid: int | None = None) -> np.ndarray:
    """Person index = mean of valid item scores (0–100) when at least ``min_valid`` are valid, else NaN.

    Parameters
    ----------
    item_scores : array_like (n, J)
        Item scores with NaN for missing ("vet ej", blank).
    min_valid : int, optional
        Default ceil(3/4 · J) (3 of 4).
    """
    s = np.asarray(item_scores, dtype=float)
    if s.ndim != 2:
        raise InputError("item scores must be a 2-D array (respondents x items)")
    k = default_min_valid(s.shape[1]) if min_valid is None else int(min_valid)
    valid = ~np.isnan(s)
    nv = valid.sum(axis=1)
    total = np.where(valid, s, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where((nv >= k) & (nv > 0), total / nv, np.nan)


@dataclass(frozen=True, slots=True)
class AlphaResult:
    """Cronbach's alpha with the number of complete cases and items."""

    alpha: float
    n_complete: int
    n_items: int


def cronbach_alpha(items, *, weights=None) -> AlphaResult:
    r"""Cronbach's α on complete cases: α = K/(K−1) · (1 − Σ_j var(x_j) / var(Σ_j x_j)).

    Parameters
    ----------
    items : array_like (n, K)
        Item values (raw codes or scores; a linear rescaling does not change α), NaN = missing.
    weights : array_like (n,), optional
        Survey weights: weighted variances, as R ``svycralpha``.

    References
    ----------
    Cronbach (1951); ``pingouin.cronbach_alpha``; R survey ``svycralpha``.
    """
    x = np.asarray(items, dtype=float)
    if x.ndim != 2 or x.shape[1] < 2:
        raise InputError("Cronbach's alpha needs at least two items")
    ok = ~np.isnan(x).any(axis=1)
    x = x[ok]
    k = x.shape[1]
    if x.shape[0] < 2:
        return AlphaResult(alpha=float("nan"), n_complete=int(x.shape[0]), n_items=k)
    w = np.ones(x.shape[0]) if weights is None else np.asarray(weights, dtype=float)[ok]

    def var(v):
        m = np.average(v, weights=w)
        return float(np.average((v - m) ** 2, weights=w))

    item_var = sum(var(x[:, j]) for j in range(k))
    total_var = var(x.sum(axis=1))
    alpha = k / (k - 1) * (1 - item_var / total_var) if total_var > 0 else float("nan")
    return AlphaResult(alpha=float(alpha), n_complete=int(x.shape[0]), n_items=k)


def problem_levels(share, cutpoints: Sequence[float]) -> np.ndarray:
    """Level 0–6 = the number of cut-points the share exceeds (vectorised; NaN share → −1)."""
    cp = np.asarray(cutpoints, dtype=float)
    if cp.size != 6 or np.any(np.diff(cp) <= 0) or cp[0] < 0 or cp[-1] > 1:
        raise InputError("problem level needs 6 strictly increasing cut-points in [0, 1]")
    p = np.asarray(share, dtype=float)
    lv = (p[..., None] > cp).sum(axis=-1)
    return np.where(np.isnan(p), -1, lv)


@dataclass(frozen=True, slots=True)
class ProblemLevel:
    """A problem level, always with its share, n and Clopper–Pearson CI beside it (STANDARDS §3.3).

    Attributes
    ----------
    level : int
        0 (närmast obefintligt) … 6 (alarmerande); level 2 is the "normal value for Sweden".
    share, n, ci_low, ci_high : float, int, float, float
        The problem share (counted / n) and its Clopper–Pearson 95 % interval.
    level_low, level_high : int
        Levels of the CI bounds.
    uncertain : bool
        The CI spans more than one level ("osäker nivå").
    """

    level: int
    share: float
    n: int
    ci_low: float
    ci_high: float
    level_low: int
    level_high: int
    uncertain: bool


def problem_level(counted: int, n: int, cutpoints: Sequence[float], *, confidence: float = 0.95) -> ProblemLevel:
    """Police-style problem level from a share and configured cut-points, with its Clopper–Pearson CI.

    Example (STANDARDS §3.3, not a default): cut-points 5/10/30/40/50/60 % put 100 of 420 (23.8 %,
    CI 19.8–28.2 %) at level 2.
    """
    if n <= 0:
        raise InputError("problem level needs at least one valid answer")
    p = counted / n
    low, high = clopper_pearson_interval(counted, n, confidence=confidence)
    lv, lo, hi = (int(v) for v in problem_levels([p, low, high], cutpoints))
    return ProblemLevel(level=lv, share=p, n=int(n), ci_low=float(low), ci_high=float(high), level_low=lo,
                        level_high=hi, uncertain=lo != hi)
