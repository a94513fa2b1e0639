"""The attacker's linear programs of disclosure control (:mod:`analysis.protection`), with their witness points.

An attacker who reads every table of a wave knows each published ``n`` (and ``k`` where a share is shown) as a linear
equation in the finest cells; :class:`Attacker` keeps those equations in warm HiGHS models (:class:`analysis.lp.WarmLP`)
and answers, for one quantity of one group, whether its feasible range meets the protection interval, and if not,
which published equations bind it. :class:`LinkedAttacker` does the same for shares on one item with different bases.
Both are the machinery of :func:`analysis.protection.protect`, not a public API.
"""

from __future__ import annotations

import numpy as np

from .lp import PointPool, WarmLP
from .protectiontables import QUANTITIES, LinkedCounts, ProtectionRule, PublishedCounts

__all__ = ["EPS", "Attacker", "LinkedAttacker"]

EPS = 1e-6


class Attacker:
    """The attacker's LPs on one base and a pool of witness points per LP.

    Per share measure one LP with variables ``k_c`` (counted) and ``u_c = n_c − k_c`` (not counted) per
    finest cell, both >= 0: rows ``Σ (k + u) = n`` per published group and ``Σ k = K`` per published share.
    Its range of ``n`` can be narrower than with the ``n`` equations alone, so ``n`` is checked there; a base
    with no share measure (an index: only ``n`` is published) has one LP in ``n_c``. Every LP solution is a
    point consistent with everything published: it stays in the pool while it agrees with the published
    groups, and gives every quantity of every group a value the attacker cannot rule out.
    """

    def __init__(self, tables: PublishedCounts, rule: ProtectionRule, fast: bool) -> None:
        mem = np.asarray(tables.membership, dtype=bool)
        self.rule = rule
        self.mem = mem.astype(float)
        self.g_count, self.c = mem.shape
        self.n = np.asarray(tables.n, dtype=float)
        self.k = np.zeros((0, self.g_count)) if tables.counted is None else np.asarray(tables.counted, dtype=float)
        self.shown = (np.zeros(self.g_count, dtype=bool) if tables.share_shown is None
                      else np.asarray(tables.share_shown, dtype=bool))
        size = mem.sum(axis=1)
        inter = self.mem @ self.mem.T  # inter[h, o] = cells shared by h and o
        self.contains = (inter == size[None, :]) & (size[None, :] > 0)  # contains[h, o]: o ⊆ h
        np.fill_diagonal(self.contains, False)
        strict = self.contains & (size[None, :] < size[:, None])
        self.tier = strict.any(axis=1).astype(int)  # 0 = inner, 1 = margin
        # the grand total (and any group covering every cell) is never a complementary suppression
        self.eligible = (self.n > 0) & (size < self.c)
        self.overlap = inter > 0
        self.models: dict[int | None, WarmLP] = {}
        if self.k.shape[0] == 0:
            self.models[None] = WarmLP(self.mem, self.n, self.n, fast=fast)
        for m in range(self.k.shape[0]):
            a = np.block([[self.mem, self.mem], [self.mem, np.zeros_like(self.mem)]])
            lower = np.concatenate([self.n, np.where(self.shown, self.k[m], -np.inf)])
            upper = np.concatenate([self.n, np.where(self.shown, self.k[m], np.inf)])
            self.models[m] = WarmLP(a, lower, upper, fast=fast)
        self.pool: dict[int | None, PointPool] = {}
        self.column: dict[tuple, int] = {}
        self.unbounded: dict[tuple, bool] = {}
        self.lp_calls = 0

    def quantities(self, primary) -> list[tuple[int, str, int | None]]:
        """The quantities to protect; sets up the witness pools for them."""
        todo = [(g, q, m) for m in self.models for g in sorted(primary) for q in (("n",) if m is None else QUANTITIES)]
        for m in self.models:
            mine = [t for t in todo if t[2] == m]
            self.column.update({t: i for i, t in enumerate(mine)})
            self.pool[m] = PointPool(np.column_stack([self.objective(*t) for t in mine]))
        return todo

    # --- the published state ---------------------------------------------------------------------------
    def suppress(self, groups) -> None:
        groups = np.asarray(sorted(groups), dtype=np.int64)
        for m, model in self.models.items():
            model.set_rows(groups if m is None else np.concatenate([groups, groups + self.g_count]),
                           -np.inf, np.inf)

    def publish(self, h: int) -> None:
        """Publish group ``h`` again; pool points that disagree with it are replaced by mixtures that agree.

        Two points consistent with everything else, on either side of the new equation, mix (convexly) into
        one on it: the mixture keeps most of the extreme point's value when its partner lies far on the
        other side.
        """
        row = self.mem[h]
        tol = EPS * max(1.0, self.n[h])
        z = np.zeros_like(row)
        for m, model in self.models.items():
            model.set_rows([h], self.n[h], self.n[h])
            eqs = [(row, self.n[h])] if m is None else [(np.concatenate([row, row]), self.n[h])]
            if m is not None and self.shown[h]:
                model.set_rows([h + self.g_count], self.k[m, h], self.k[m, h])
                eqs.append((np.concatenate([row, z]), self.k[m, h]))
            self.pool[m] = self.pool[m].restrict(eqs, tol)
        self.unbounded.clear()

    def snapshot(self) -> tuple:
        return dict(self.pool), dict(self.unbounded)

    def restore(self, saved: tuple) -> None:
        """Back to a state with fewer published groups: every point found since stays consistent."""
        pool, unbounded = saved
        self.pool = {m: p.union(self.pool[m]) for m, p in pool.items()}
        self.unbounded = unbounded

    # --- one quantity ----------------------------------------------------------------------------------
    def true_value(self, g: int, q: str, m: int | None) -> float:
        if q == "n":
            return float(self.n[g])
        return float(self.k[m, g] if q == "k" else self.n[g] - self.k[m, g])

    def objective(self, g: int, q: str, m: int | None) -> np.ndarray:
        row = self.mem[g]
        if m is None:
            return row
        z = np.zeros_like(row)
        return np.concatenate({"n": [row, row], "k": [row, z], "n-k": [z, row]}[q])

    def exempt(self, g: int, q: str, m: int | None, sup: set[int]) -> bool:
        """A published share of 0 % (``k``) or 100 % (``n − k``) on a group containing ``g`` says it already."""
        if q == "n":
            return False
        value = self.k[m] if q == "k" else self.n - self.k[m]
        return any(h not in sup and self.shown[h] and value[h] == 0 for h in np.flatnonzero(self.contains[:, g]))

    def _range(self, g: int, q: str, m: int | None) -> tuple[float, float]:
        t = self.true_value(g, q, m)
        seen = self.pool[m].value_range(self.column[(g, q, m)])
        lo, hi = (t, t) if seen is None else (min(t, seen[0]), max(t, seen[1]))
        if self.unbounded.get((g, q, m)):
            hi = np.inf
        return lo, hi

    def _meets(self, q: str, t: float, lo: float, hi: float) -> tuple[bool, bool, bool]:
        """(protected, lower bound short, upper bound short)."""
        if q == "n":
            r = self.rule.ratio
            narrow = hi - lo < self.rule.width - EPS
            down = lo > (1 - r) * t + EPS or (narrow and lo > EPS)
            up = hi < (1 + r) * t - EPS or narrow
        else:
            narrow = hi - lo < 1 - EPS
            down, up = narrow and lo > EPS, narrow
        return not (down or up), down, up

    def pool_protects(self, g: int, q: str, m: int | None) -> bool:
        """Whether the witness points alone show quantity ``q`` of group ``g`` protected (no LP)."""
        return self._meets(q, self.true_value(g, q, m), *self._range(g, q, m))[0]

    def evaluate(self, g: int, q: str, m: int | None) -> tuple[bool, set[int]]:
        """Whether quantity ``q`` of group ``g`` is protected; if not, the groups whose equations bind it."""
        t = self.true_value(g, q, m)
        obj = self.objective(g, q, m)
        ok, down, up = self._meets(q, t, *self._range(g, q, m))
        if ok:
            return True, set()
        binding: set[int] = set()
        for short, sign in ((down, 1.0), (up, -1.0)):
            if not short:
                continue
            self.lp_calls += 1
            sol = self.models[m].minimise(sign * obj)
            if sol.status == "optimal" and sol.x is not None and sol.row_dual is not None:
                self.pool[m] = self.pool[m].add(sol.x)
                rows = np.flatnonzero(np.abs(sol.row_dual) > 1e-9)
                binding |= set((rows % self.g_count).tolist())
            elif sol.status == "unbounded" and sign < 0:
                self.unbounded[(g, q, m)] = True
        ok, _, _ = self._meets(q, t, *self._range(g, q, m))
        return ok, (set() if ok else binding)

    def cost(self, h: int) -> tuple:
        return (int(self.tier[h]), float(self.n[h]), h)

    def primary(self) -> set[int]:
        """Groups below the primary threshold (0 < n < min_cell)."""
        return set(np.flatnonzero((self.n > 0) & (self.n < self.rule.min_cell)).tolist())


class LinkedAttacker(Attacker):
    """One LP for linked measures: per finest cell and atom the number of answers, >= 0.

    Rows per measure j and group h: ``Σ base_j · x = n_j`` and, where the share is shown, ``Σ count_j · x = k_j``.
    Suppressing a group frees its rows for every measure (one suppression pattern). The quantities to protect
    are ``n``, ``k`` and ``n − k`` of each measure in each group that is primary *for that measure*.
    """

    def __init__(self, tables: LinkedCounts, rule: ProtectionRule, fast: bool) -> None:
        nj = np.asarray(tables.n, dtype=float)
        super().__init__(PublishedCounts(tables.keys, tables.membership, nj.max(axis=0)), rule, fast)
        self.nj = nj
        self.k = np.asarray(tables.counted, dtype=float)
        self.shown_j = np.asarray(tables.share_shown, dtype=bool)
        self.base = np.asarray(tables.base, dtype=float)
        self.count = np.asarray(tables.count, dtype=float)
        self.j_count = nj.shape[0]
        self.has_share: np.ndarray = np.asarray(self.count.any(axis=1))
        blocks, lower, upper = [], [], []
        for j in range(self.j_count):
            blocks += [np.kron(self.mem, self.base[j]), np.kron(self.mem, self.count[j])]
            lower += [nj[j], np.where(self.shown_j[j], self.k[j], -np.inf)]
            upper += [nj[j], np.where(self.shown_j[j], self.k[j], np.inf)]
        model = WarmLP(np.vstack(blocks), np.concatenate(lower), np.concatenate(upper), fast=fast)
        self.models = dict.fromkeys(range(self.j_count), model)
        self._model = model

    def primary(self) -> set[int]:
        return set(np.flatnonzero(((self.nj > 0) & (self.nj < self.rule.min_cell)).any(axis=0)).tolist())

    def quantities(self, primary) -> list[tuple[int, str, int | None]]:
        todo: list[tuple[int, str, int | None]] = [
            (g, q, j) for j in range(self.j_count) for g in sorted(primary)
            if 0 < self.nj[j, g] < self.rule.min_cell for q in (QUANTITIES if bool(self.has_share[j]) else ("n",))]
        for j in range(self.j_count):
            mine = [t for t in todo if t[2] == j]
            self.column.update({t: i for i, t in enumerate(mine)})
            objectives = [self.objective(*t) for t in mine] or [np.zeros(self.c * self.base.shape[1])]
            self.pool[j] = PointPool(np.column_stack(objectives))
        return todo

    def _rows(self, groups: np.ndarray) -> np.ndarray:
        g = self.g_count
        return np.concatenate([groups + off for j in range(self.j_count) for off in (2 * j * g, (2 * j + 1) * g)])

    def suppress(self, groups) -> None:
        self._model.set_rows(self._rows(np.asarray(sorted(groups), dtype=np.int64)), -np.inf, np.inf)

    def publish(self, h: int) -> None:
        row = self.mem[h]
        tol = EPS * max(1.0, float(self.nj[:, h].max()))
        eqs = []
        g = self.g_count
        for j in range(self.j_count):
            self._model.set_rows([2 * j * g + h], self.nj[j, h], self.nj[j, h])
            eqs.append((np.kron(row, self.base[j]), self.nj[j, h]))
            if self.shown_j[j, h]:
                self._model.set_rows([(2 * j + 1) * g + h], self.k[j, h], self.k[j, h])
                eqs.append((np.kron(row, self.count[j]), self.k[j, h]))
        for key in list(self.pool):
            self.pool[key] = self.pool[key].restrict(eqs, tol)
        self.unbounded.clear()

    def true_value(self, g: int, q: str, m: int | None) -> float:
        j = int(m or 0)
        return float({"n": self.nj[j, g], "k": self.k[j, g], "n-k": self.nj[j, g] - self.k[j, g]}[q])

    def objective(self, g: int, q: str, m: int | None) -> np.ndarray:
        j = int(m or 0)
        weights = {"n": self.base[j], "k": self.count[j], "n-k": self.base[j] - self.count[j]}[q]
        return np.kron(self.mem[g], weights)

    def exempt(self, g: int, q: str, m: int | None, sup: set[int]) -> bool:
        if q == "n":
            return False
        j = int(m or 0)
        value = self.k[j] if q == "k" else self.nj[j] - self.k[j]
        return any(h not in sup and self.shown_j[j, h] and value[h] == 0 for h in np.flatnonzero(self.contains[:, g]))

