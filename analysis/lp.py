"""A linear program solved many times with changing objectives and row bounds, kept warm in HiGHS.

Disclosure control (:mod:`analysis.protection`) minimises and maximises one published group after another
over the same constraints, and switches equations off and on as groups are suppressed or published again.
``scipy.optimize.linprog`` rebuilds and presolves the model on every call (about 10 ms for a wave of a few
hundred cells); the HiGHS instance that SciPy ships keeps the basis between solves, so that a re-solve after
a changed objective or row bound takes a fraction of a millisecond. That instance is SciPy's private binding
(``scipy.optimize._highspy``, SciPy >= 1.15): when it is missing, the same answers come from ``linprog``.

References
----------
Huangfu, Q. and Hall, J. A. J. (2018). "Parallelizing the dual revised simplex method", *Mathematical
Programming Computation* 10, 119-142 (HiGHS).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import csc_matrix, csr_matrix

__all__ = ["LPSolution", "PointPool", "WarmLP"]

try:  # SciPy's bundled HiGHS binding; private, hence the linprog fallback below
    from scipy.optimize._highspy import _core as _highs  # type: ignore[import-not-found]  # private: no stubs
except ImportError:  # pragma: no cover - depends on the SciPy version
    _highs = None


@dataclass(frozen=True, slots=True)
class LPSolution:
    """``status`` is ``"optimal"``, ``"unbounded"`` or ``"failed"``; ``x`` and ``row_dual`` only when optimal."""

    status: str
    value: float
    x: np.ndarray | None = None
    row_dual: np.ndarray | None = None


class WarmLP:
    """min c·x subject to ``lower <= A x <= upper`` (rows) and x >= 0.

    Parameters
    ----------
    a : array_like or sparse matrix, shape (R, V)
    lower, upper : array_like, shape (R,)
        Row bounds; ``-inf``/``inf`` for none (a row free on both sides constrains nothing).
    fast : bool
        Use the warm HiGHS instance when SciPy ships it (False: always ``linprog``, e.g. to test the fallback).
    """

    def __init__(self, a, lower, upper, *, fast: bool = True) -> None:
        self.a = csr_matrix(a, dtype=float)
        self.lower = np.array(lower, dtype=float)
        self.upper = np.array(upper, dtype=float)
        self.n_cols = self.a.shape[1]
        self._h = None
        if fast and _highs is not None:
            self._h = self._build()

    def _build(self):
        h = _highs._Highs()
        h.setOptionValue("output_flag", False)
        # Re-solves start from the last basis. Suppressing a group frees rows, which keeps that basis primal
        # feasible, and a new objective keeps it feasible too: the primal simplex then needs a few iterations
        # where the dual simplex (HiGHS' default) needed about five times as many, and presolve only rebuilt
        # the model each time (on the demo wave: 2.2x faster disclosure control, the same patterns but for 2 of
        # 560 complementary groups).
        h.setOptionValue("presolve", "off")
        h.setOptionValue("simplex_strategy", 4)
        lp = _highs.HighsLp()
        a = csc_matrix(self.a)
        lp.num_col_, lp.num_row_ = self.n_cols, a.shape[0]
        lp.col_cost_ = np.zeros(self.n_cols)
        lp.col_lower_ = np.zeros(self.n_cols)
        lp.col_upper_ = np.full(self.n_cols, _highs.kHighsInf)
        lp.row_lower_ = np.where(np.isfinite(self.lower), self.lower, -_highs.kHighsInf)
        lp.row_upper_ = np.where(np.isfinite(self.upper), self.upper, _highs.kHighsInf)
        lp.a_matrix_.format_ = _highs.MatrixFormat.kColwise
        lp.a_matrix_.start_ = a.indptr
        lp.a_matrix_.index_ = a.indices
        lp.a_matrix_.value_ = a.data
        if h.passModel(lp) != _highs.HighsStatus.kOk:  # pragma: no cover - a malformed model is a bug
            return None
        self._cols = np.arange(self.n_cols, dtype=np.int32)
        return h

    def set_rows(self, rows, lower, upper) -> None:
        """Change the bounds of some rows (``-inf``/``inf`` switch a side off)."""
        rows = np.atleast_1d(np.asarray(rows, dtype=np.int64))
        if rows.size == 0:
            return
        self.lower[rows] = lower
        self.upper[rows] = upper
        if self._h is not None:
            inf = _highs.kHighsInf
            lo = np.where(np.isfinite(self.lower[rows]), self.lower[rows], -inf)
            hi = np.where(np.isfinite(self.upper[rows]), self.upper[rows], inf)
            for r, a, b in zip(rows.tolist(), lo.tolist(), hi.tolist(), strict=True):
                self._h.changeRowBounds(r, a, b)

    def minimise(self, cost) -> LPSolution:
        """Solve with objective ``cost`` (maximise by passing ``-cost``), from the last solve's basis."""
        cost = np.asarray(cost, dtype=float)
        if self._h is None:
            return self._linprog(cost)
        h = self._h
        h.changeColsCost(self.n_cols, self._cols, cost)
        h.run()
        status = h.getModelStatus()
        if status == _highs.HighsModelStatus.kOptimal:
            sol = h.getSolution()
            x = np.asarray(sol.col_value)
            return LPSolution("optimal", float(cost @ x), x, np.asarray(sol.row_dual))
        if status in (_highs.HighsModelStatus.kUnbounded, _highs.HighsModelStatus.kUnboundedOrInfeasible):
            return LPSolution("unbounded", -np.inf)
        # a stale basis can trip the solver on a degenerate model: start once from scratch
        h.clearSolver()
        h.run()
        if h.getModelStatus() == _highs.HighsModelStatus.kOptimal:
            sol = h.getSolution()
            x = np.asarray(sol.col_value)
            return LPSolution("optimal", float(cost @ x), x, np.asarray(sol.row_dual))
        return self._linprog(cost)

    def _linprog(self, cost) -> LPSolution:
        from scipy.optimize import linprog

        eq = np.flatnonzero(np.isfinite(self.lower) & (self.lower == self.upper))
        le = np.flatnonzero(np.isfinite(self.upper) & (self.lower != self.upper))
        ge = np.flatnonzero(np.isfinite(self.lower) & (self.lower != self.upper))
        a_ub = self.a[np.concatenate([le, ge])]
        sign = np.concatenate([np.ones(le.size), -np.ones(ge.size)])
        b_ub = np.concatenate([self.upper[le], self.lower[ge]]) * sign
        # scipy-stubs list dense arrays only, though method="highs" takes sparse matrices (SciPy's documentation)
        res = linprog(  # type: ignore[call-overload]
            cost, A_ub=a_ub.multiply(sign[:, None]).tocsr() if sign.size else None, b_ub=b_ub if sign.size else None,
            A_eq=self.a[eq] if eq.size else None, b_eq=self.lower[eq] if eq.size else None, bounds=(0, None),
            method="highs",
        )
        if res.status == 3:
            return LPSolution("unbounded", -np.inf)
        if res.status != 0:
            return LPSolution("failed", np.nan)
        dual = np.zeros(self.a.shape[0])
        if eq.size:
            dual[eq] = res.eqlin.marginals
        if sign.size:
            dual[np.concatenate([le, ge])] = res.ineqlin.marginals * sign
        return LPSolution("optimal", float(res.fun), np.asarray(res.x), dual)


class PointPool:
    """Feasible points of an LP kept as certificates, with their values under a fixed set of objectives.

    A point that reaches a bound proves the bound is reachable as long as it satisfies every constraint, so a
    check can often be answered from the pool without a solve. Pools are immutable: each change returns a new
    pool, so an earlier one can be kept and merged back (:meth:`union`). Only points that are extreme under
    some objective are kept.

    Parameters
    ----------
    objectives : ndarray, shape (V, Q)
        One column per objective.
    """

    def __init__(self, objectives: np.ndarray, points: np.ndarray | None = None) -> None:
        self.objectives = objectives
        self.points = np.zeros((0, objectives.shape[0])) if points is None else points
        self.values = self.points @ objectives

    def add(self, x: np.ndarray) -> PointPool:
        return PointPool(self.objectives, np.vstack([self.points, x])).compact()

    def union(self, other: PointPool) -> PointPool:
        return PointPool(self.objectives, np.vstack([self.points, other.points])).compact()

    def value_range(self, col: int) -> tuple[float, float] | None:
        if not len(self.points):
            return None
        v = self.values[:, col]
        return float(v.min()), float(v.max())

    def compact(self) -> PointPool:
        if len(self.points) <= 2 * self.objectives.shape[1]:
            return self
        keep = np.union1d(np.argmin(self.values, axis=0), np.argmax(self.values, axis=0))
        return PointPool(self.objectives, self.points[keep])

    def restrict(self, rows: list[tuple[np.ndarray, float]], tol: float) -> PointPool:
        """The pool under new equality rows ``a·x = b``.

        Points off a single new row are replaced by a convex mixture with the point farthest on its other
        side (feasible for every old constraint, and on the new row); with more rows they are dropped.
        """
        pts = self.points
        res = np.array([pts @ a - b for a, b in rows])
        bad = (np.abs(res) > tol).any(axis=0)
        if not bad.any():
            return self
        out = [pts[~bad]]
        if len(rows) == 1:
            r = res[0]
            up, down = np.flatnonzero(r > tol), np.flatnonzero(r < -tol)
            if up.size and down.size:
                partner = np.where(r[bad] > 0, down[np.argmin(r[down])], up[np.argmax(r[up])])
                ri, rj = np.abs(r[bad])[:, None], np.abs(r[partner])[:, None]
                out.append((rj * pts[bad] + ri * pts[partner]) / (ri + rj))
        return PointPool(self.objectives, np.vstack(out)).compact()
