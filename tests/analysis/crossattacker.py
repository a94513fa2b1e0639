"""An attacker who reads the "who answered" counts and every results table of a wave together (test code).

It knows what everyone knows: each published group is a union of the finest cells area × gender × age band (an
unknown area, a blank gender and a blank age being categories of their own), and for every cell ``c`` and measure
``m``

    0 <= k_m,c <= n_m,c <= r_c        (counted <= valid answers <= respondents),

where ``r`` are the respondents the who-answered tables count and ``n_m``, ``k_m`` the valid and counted answers the
results tables count. Every published count is an equation: a respondent count on ``r``, a valid ``n`` on ``n_m``, an
unweighted share ``p`` shown with its ``n`` gives ``k_m = round(p·n)``. The inequalities tie the tables together: a
published respondent count caps a hidden ``n``, a published ``n`` is a floor under a hidden respondent count.

For every hidden group it minimises and maximises the hidden count with scipy's HiGHS (one LP over all of them:
respondents and every measure given). Written independently of :mod:`analysis.protection` and
:mod:`analysis.crossprotection`; deliberately plain.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix, csr_matrix, eye, hstack, vstack

from analysis.grid import child_bands

Cell = tuple[str, str, str]
Group = tuple  # ((dimension, value), ...); () is the total


@dataclass(frozen=True)
class Range:
    table: str  # "respondents" or a measure's name
    group: Group
    quantity: str  # "n" (respondents or valid answers), "k" or "n-k"
    low: float
    high: float


def finest_cells(areas: Iterable[str], genders: Iterable[str], bands: Iterable[str]) -> list[Cell]:
    return list(itertools.product(sorted(set(areas)), sorted(set(genders)), sorted(set(bands))))


class CrossAttack:
    """One LP: respondents per cell, then valid and counted answers per cell for each measure."""

    def __init__(self, cells: Sequence[Cell], who: Mapping[Group, int | None], outside: int | None,
                 population_cells: set[Cell], rows: Sequence, *, measures: Sequence[str] | None = None) -> None:
        """``who``: respondent counts by group (None = hidden), the total included; ``rows``: EstimateRow-like
        objects (measure, group, n, estimate; unweighted) of every results table; ``measures`` limits the LP."""
        self.cells = list(cells)
        c = len(self.cells)
        bands = sorted({b for _, _, b in self.cells if b})
        child = child_bands(bands) if bands else None
        self.child = dict(zip(bands, child, strict=True)) if child is not None else {}
        names = sorted({r.measure for r in rows}) if measures is None else list(measures)
        self.measures = names
        self.rows = {(r.measure, tuple(r.group)): r for r in rows if r.measure in names}
        self.who = dict(who)
        self.size = c * (1 + 2 * len(names))  # r, then per measure n and k
        eq, rhs = [], []
        for group, count in self.who.items():
            if count is not None:
                eq.append(self._put(0, self.member(group)))
                rhs.append(count)
        if outside is not None:
            eq.append(self._put(0, np.array([cell not in population_cells for cell in self.cells], dtype=float)))
            rhs.append(outside)
        for (measure, group), r in self.rows.items():
            j = names.index(measure)
            if r.n is None:
                continue
            eq.append(self._put(1 + 2 * j, self.member(group)))
            rhs.append(r.n)
            if r.estimate is not None:
                eq.append(self._put(2 + 2 * j, self.member(group)))
                rhs.append(round(r.estimate * r.n))
        self.a_eq = vstack(eq).tocsr() if eq else None
        self.b_eq = np.array(rhs, dtype=float) if eq else None
        ident = eye(c, format="csr")
        ub = []
        for j in range(len(names)):  # n_m <= r and k_m <= n_m, cell by cell
            blocks = [None] * (1 + 2 * len(names))
            blocks[0], blocks[1 + 2 * j] = -ident, ident
            ub.append(hstack([b if b is not None else csr_matrix((c, c)) for b in blocks]))
            blocks = [None] * (1 + 2 * len(names))
            blocks[1 + 2 * j], blocks[2 + 2 * j] = -ident, ident
            ub.append(hstack([b if b is not None else csr_matrix((c, c)) for b in blocks]))
        self.a_ub = vstack(ub).tocsr() if ub else None
        self.b_ub = np.zeros(self.a_ub.shape[0]) if ub else None

    def _put(self, block: int, member: np.ndarray) -> csr_matrix:
        c = len(self.cells)
        cols = np.flatnonzero(member) + block * c
        return csr_matrix(coo_matrix((np.ones(cols.size), (np.zeros(cols.size, dtype=int), cols)),
                                     shape=(1, self.size)))

    def member(self, group: Group) -> np.ndarray:
        out = np.ones(len(self.cells), dtype=bool)
        for dim, value in group:
            if dim == "area":
                out &= np.array([a == value for a, _, _ in self.cells])
            elif dim == "gender":
                out &= np.array([g == value for _, g, _ in self.cells])
            elif dim == "age_band":
                out &= np.array([b == value for _, _, b in self.cells])
            elif dim == "age_group":
                under = np.array([self.child.get(b, False) for _, _, b in self.cells])
                known = np.array([b in self.child for _, _, b in self.cells])
                out &= under if value == "under_18" else (known & ~under)
            else:
                raise ValueError(dim)
        return out.astype(float)

    def bounds(self, table: str, group: Group, quantity: str = "n") -> tuple[float, float]:
        member = self.member(group)
        if table == "respondents":
            obj = self._put(0, member).toarray().ravel()
        else:
            j = self.measures.index(table)
            n_part = self._put(1 + 2 * j, member).toarray().ravel()
            k_part = self._put(2 + 2 * j, member).toarray().ravel()
            obj = {"n": n_part, "k": k_part, "n-k": n_part - k_part}[quantity]
        out = []
        for sign in (1, -1):
            res = linprog(sign * obj, A_ub=self.a_ub, b_ub=self.b_ub, A_eq=self.a_eq, b_eq=self.b_eq,
                          bounds=(0, None), method="highs")
            if res.status == 3:
                out.append(math.inf)
                continue
            assert res.status == 0, res.message
            out.append(sign * res.fun)
        return out[0], out[1]


def protected(low: float, high: float, n: int, *, min_cell: int = 5, ratio: float = 0.5) -> bool:
    """The rule for a hidden count ``n`` (0 < n < min_cell): its range reaches n/2 and 3n/2 and spans min_cell."""
    return (low <= (1 - ratio) * n + 1e-6 and high >= (1 + ratio) * n - 1e-6
            and high - low >= min_cell - 1e-6)
