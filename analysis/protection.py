"""Secondary suppression with a guaranteed protection interval, checked by linear programming.

An attacker who sees every table of a wave together knows that each published group (the total, an area,
a gender, area × age band, the children …) is a union of the finest cells area × gender × age band (blank
gender and blank age are categories of their own), and that every cell holds a non-negative number of
valid answers ``n`` and of counted answers ``k ≤ n``. Each published ``n`` is a linear equation in the
cells, and so is each published share (``k = p·n``). Solving that system as a linear program gives, for a
suppressed group, the range of values consistent with everything published. :func:`protect` adds
complementary suppressions until, for every primary (sensitive) group,

* its ``n`` can lie anywhere in ``[(1 − ratio)·n, (1 + ratio)·n]`` and the range is at least ``min_width``
  wide (default ±50 % and ``min_cell``): nobody can tell the group is below the threshold;
* its ``k`` and ``n − k`` are not pinned to one value (the range is at least 1 wide), so a 0 % or 100 % on a
  small base stays hidden — unless a published share of a group that contains it is itself 0 % or 100 %,
  which says the same of a group large enough to publish.

Only primary groups get the guarantee; complementary ones are hidden to protect them, not for themselves.
Measures with different bases (valid answers of different items) share no linear relation, so each base
is protected on its own; measures on the same base share one suppression pattern.

Method: start from the line heuristic (:func:`analysis.disclosure.complementary_suppression`), then
repeat: minimise and maximise each unprotected quantity with HiGHS; for every primary group that fails,
suppress the smallest unsuppressed group in a line with it (for a ``k`` failure one with counted answers,
for ``n − k`` one with uncounted ones), close the lines again. Suppressing more only removes equations, so a
group once protected stays protected and is not checked again. The LP is the continuous relaxation: its
range contains the integer one, as in τ-Argus' protection-level check (Hundepool et al. 2024, §4.3).

References
----------
Hundepool, A. et al. (2024). *Handbook on Statistical Disclosure Control*, 2nd ed., ch. 4; de Wolf, P.-P.
(2002) "HiTaS"; Langsrud, Ø. (2024) GaussSuppression (R package, Statistics Norway).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np

from .disclosure import SuppressionResult, complementary_suppression

__all__ = ["ProtectionRule", "PublishedCounts", "feasible_range", "protect", "protect_measures"]

_EPS = 1e-7


@dataclass(frozen=True, slots=True)
class ProtectionRule:
    """Primary threshold and protection interval (see the module docstring)."""

    min_cell: int = 5
    ratio: float = 0.5
    min_width: float | None = None

    @property
    def width(self) -> float:
        return float(self.min_cell if self.min_width is None else self.min_width)


@dataclass(frozen=True, slots=True)
class PublishedCounts:
    """Groups published together (all tables of a wave a user can see at once) on one base.

    Attributes
    ----------
    keys : tuple of hashable
        One key per group.
    membership : ndarray of bool, shape (G, C)
        Which finest cells make up each group.
    n : ndarray of int, shape (G,)
        Valid answers per group (published unless suppressed).
    counted : ndarray of int, shape (M, G), optional
        Counted answers per group for each share measure on this base.
    share_shown : ndarray of bool, shape (G,), optional
        Where a share is published when the group is not suppressed (the precision rule hides the rest).
    """

    keys: tuple
    membership: np.ndarray
    n: np.ndarray
    counted: np.ndarray | None = None
    share_shown: np.ndarray | None = None


class _Program:
    """The attacker's LP for one measure: variables n_c then k_c (when counted) per finest cell."""

    def __init__(self, tables: PublishedCounts, suppressed: set[int], measure: int | None) -> None:
        from scipy.sparse import csr_matrix, hstack, identity

        mem = tables.membership.astype(float)
        c = mem.shape[1]
        shown = np.array([g not in suppressed for g in range(len(tables.keys))], dtype=bool)
        self.has_k = measure is not None
        self.mem = mem
        if self.has_k:
            with_share = shown & tables.share_shown
            zeros = np.zeros((int(shown.sum()), c))
            rows = [np.hstack([mem[shown], zeros]), np.hstack([np.zeros((int(with_share.sum()), c)), mem[with_share]])]
            self.a_eq = csr_matrix(np.vstack(rows))
            self.b_eq = np.concatenate([tables.n[shown], tables.counted[measure][with_share]]).astype(float)
            self.a_ub = hstack([-identity(c), identity(c)], format="csr")
            self.b_ub = np.zeros(c)
        else:
            self.a_eq = csr_matrix(mem[shown])
            self.b_eq = tables.n[shown].astype(float)
            self.a_ub = self.b_ub = None

    def objective(self, g: int, quantity: str) -> np.ndarray:
        m = self.mem[g]
        if not self.has_k:
            return m.copy()
        z = np.zeros_like(m)
        return {"n": np.concatenate([m, z]), "k": np.concatenate([z, m]), "n-k": np.concatenate([m, -m])}[quantity]

    def range(self, g: int, quantity: str) -> tuple[float, float]:
        from scipy.optimize import linprog

        obj = self.objective(g, quantity)
        out = []
        for sign in (1.0, -1.0):
            res = linprog(sign * obj, A_ub=self.a_ub, b_ub=self.b_ub, A_eq=self.a_eq, b_eq=self.b_eq,
                          bounds=(0, None), method="highs")
            if res.status == 3:
                out.append(np.inf)
            elif res.status == 0:
                out.append(sign * res.fun)
            else:  # the published figures are consistent by construction; treat a solver failure as no protection
                return (0.0, 0.0)
        return out[0], out[1]


def feasible_range(tables: PublishedCounts, suppressed: Sequence[Hashable], key: Hashable, quantity: str = "n", *,
                   measure: int | None = None) -> tuple[float, float]:
    """Range of ``n``, ``k`` or ``n-k`` of group ``key`` given everything not suppressed (LP relaxation).

    ``measure`` selects a row of ``tables.counted`` (needed for ``k`` and ``n-k``).
    """
    pos = {k: i for i, k in enumerate(tables.keys)}
    prog = _Program(tables, {pos[k] for k in suppressed}, measure)
    return prog.range(pos[key], quantity)


def _protected(tables: PublishedCounts, rule: ProtectionRule, g: int, quantity: str, measure: int | None,
               lo: float, hi: float, suppressed: set[int]) -> bool:
    if quantity == "n":
        v = float(tables.n[g])
        return (lo <= (1 - rule.ratio) * v + _EPS and hi >= (1 + rule.ratio) * v - _EPS
                and hi - lo >= rule.width - _EPS)
    if hi - lo >= 1 - _EPS:
        return True
    k_all = tables.counted[measure]
    value = k_all if quantity == "k" else tables.n - k_all
    inside = ~(tables.membership[g] & ~tables.membership).any(axis=1)  # groups that contain g
    for h in np.flatnonzero(inside):
        if h not in suppressed and tables.share_shown[h] and value[h] == 0 and h != g:
            return True
    return False


def protect(tables: PublishedCounts, *, rule: ProtectionRule = ProtectionRule(),
            lines: Sequence[Sequence[Hashable]] = (), start: Sequence[Hashable] = (),
            max_rounds: int = 10_000) -> SuppressionResult:
    """Primary and complementary suppression that gives every primary group its protection interval.

    Parameters
    ----------
    tables : PublishedCounts
        Every group published together on one base, with their finest-cell membership.
    rule : ProtectionRule
    lines : sequence of sequences of keys
        Lines of groups that add up (a total and its parts); used for the first heuristic pass and to
        choose complementary cells near a failing one. The check itself does not rely on them.
    start : sequence of keys
        Groups to suppress in any case (e.g. already hidden in another publication).

    Returns
    -------
    SuppressionResult
    """
    keys = tables.keys
    pos = {k: i for i, k in enumerate(keys)}
    n = np.asarray(tables.n)
    counts = {k: int(v) for k, v in zip(keys, n, strict=True)}
    first = complementary_suppression(counts, lines, min_cell=rule.min_cell)
    primary = {pos[k] for k in first.primary}
    sup = {pos[k] for k in first.suppressed} | {pos[k] for k in start}
    line_idx = [[pos[k] for k in line if k in pos] for line in lines]
    measures: list[int | None] = list(range(tables.counted.shape[0])) if tables.counted is not None else []
    if not measures:
        measures = [None]
    todo = [(g, q, m) for m in measures for g in sorted(primary) for q in (("n",) if m is None else ("n", "k", "n-k"))]
    for _ in range(max_rounds):
        failing: list[tuple[int, str, int | None]] = []
        recheck = []  # passed only because a containing group shows 0 % or 100 %: that group may go later
        progs: dict = {}
        for g, q, m in todo:
            if m not in progs:
                progs[m] = _Program(tables, sup, m)
            lo, hi = progs[m].range(g, q)
            if not _protected(tables, rule, g, q, m, lo, hi, sup):
                failing.append((g, q, m))
            elif q != "n" and hi - lo < 1 - _EPS:
                recheck.append((g, q, m))
        if not failing:
            break
        added = set()
        for g, q, m in failing:
            pick = _complement(tables, g, q, m, sup | added, line_idx)
            if pick is not None:
                added.add(pick)
        if not added:
            break
        sup |= added
        sup |= _close_lines(n, sup, line_idx)
        todo = failing + recheck
    return SuppressionResult(primary=frozenset(keys[g] for g in primary),
                             secondary=frozenset(keys[g] for g in sup - primary))


def _close_lines(n: np.ndarray, sup: set[int], lines: list[list[int]]) -> set[int]:
    """The line heuristic from a given suppression: no line with exactly one suppressed entry."""
    sup = set(sup)
    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(g in sup for g in line) != 1:
                continue
            cand = [g for g in line if g not in sup and n[g] > 0]
            if cand:
                sup.add(min(cand, key=lambda g: n[g]))
                changed = True
    return sup


def _complement(tables: PublishedCounts, g: int, quantity: str, measure: int | None, sup: set[int],
                lines: list[list[int]]) -> int | None:
    """The smallest unsuppressed group near ``g`` that can hide the failing quantity."""
    n = np.asarray(tables.n)
    if quantity == "k":
        useful = np.asarray(tables.counted[measure]) > 0
    elif quantity == "n-k":
        useful = n - np.asarray(tables.counted[measure]) > 0
    else:
        useful = n > 0
    near = {h for line in lines if g in line for h in line}
    overlap = set(np.flatnonzero((tables.membership & tables.membership[g]).any(axis=1)).tolist())
    for pool in (near, overlap, set(range(len(n)))):
        cand = [h for h in pool if h not in sup and useful[h]]
        if cand:
            return min(cand, key=lambda h: (n[h], h))
    return None


def protect_measures(keys: Sequence[Hashable], membership: np.ndarray, n: dict, counted: dict, *,
                     rule: ProtectionRule = ProtectionRule(), min_n_share: int = 30,
                     lines: Sequence[Sequence[Hashable]] = ()) -> dict:
    """Protect every measure of a wave; measures with the same base share one suppression pattern.

    Parameters
    ----------
    keys, membership : the groups published for each measure and their finest-cell membership.
    n : mapping measure name -> ndarray (G,) of valid answers.
    counted : mapping measure name -> ndarray (G,) of counted answers, or None (an index: only n is shown).
    min_n_share : int
        Shares on fewer valid answers are not published (the precision rule), so they pin nothing.

    Returns
    -------
    dict of measure name -> SuppressionResult
    """
    by_base: dict[bytes, list] = {}
    for name, nn in n.items():
        by_base.setdefault(np.asarray(nn, dtype=np.int64).tobytes(), []).append(name)
    out = {}
    for names in by_base.values():
        nn = np.asarray(n[names[0]], dtype=np.int64)
        shares = [name for name in names if counted.get(name) is not None]
        tables = PublishedCounts(tuple(keys), membership, nn,
                                 np.array([counted[s] for s in shares], dtype=np.int64) if shares else None,
                                 nn >= min_n_share)
        res = protect(tables, rule=rule, lines=lines)
        out.update(dict.fromkeys(names, res))
    return out
