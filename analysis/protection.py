"""Secondary suppression with a guaranteed protection interval, checked by linear programming.

An attacker who sees every table of a wave together knows that each published group (the total, an area,
a gender, area × age band, the children …) is a union of the finest cells area × gender × age band (blank
gender and blank age are categories of their own), and that every cell holds a non-negative number of
valid answers ``n`` and of counted answers ``k ≤ n``. Each published ``n`` is a linear equation in the
cells, and so is each published share (``k = p·n``). Solving that system as a linear program gives, for a
suppressed group, the range of values consistent with everything published. :func:`protect` suppresses
complementary groups until, for every primary (sensitive, ``0 < n < min_cell``) group,

* its ``n`` can lie anywhere in ``[(1 − ratio)·n, (1 + ratio)·n]`` and the range is at least ``min_width``
  wide (default ±50 % and ``min_cell``): nobody can tell the group is below the threshold;
* its ``k`` and ``n − k`` range over at least 1, so a 0 % or 100 % on a small base stays hidden — unless a
  published share of a group that contains it is itself 0 % or 100 %, which says the same of a group large
  enough to publish.

Only primary groups get the guarantee; complementary ones are hidden to protect them, not for themselves.
Measures on different items share no linear relation, so each base is protected on its own; measures on the
same base share one suppression pattern and one check of ``n``. Shares on the *same item* are linked even
with different bases or counted codes (a share with "vet ej" in its base and one without: their difference
is the "vet ej" answers): :func:`protect_measures` protects them, and the measures sharing a base with
them, together in one LP whose unknowns are the answers of each finest cell in each *atom* (a set of the
item's codes that every such share treats alike), with one suppression pattern (:class:`LinkedCounts`).

Method (cost = respondents suppressed, as τ-Argus' "minimise the number of respondents suppressed"):

1. suppress the primary groups;
2. for each primary quantity in turn, minimise and maximise it (HiGHS, kept warm: :class:`analysis.lp.WarmLP`).
   While it fails, the optimal dual solution names the published equations that bind the bound: at least
   one of them must be suppressed for the bound to move (Fischetti & Salazar 2001). Suppress the cheapest:
   an inner group (one that contains no other published group: area × gender, area × age band, the
   children by gender) with the fewest answers before any margin; the grand total never — it stays
   published, as SCB and Eurostat practice keeps it;
3. drop redundant complementary groups: try publishing each again, margins first and then the largest,
   and keep it published if every primary group keeps its protection.

The solution points of the LPs are kept as witnesses: a point consistent with everything published that
puts a quantity at its bound. Suppressing more keeps every witness consistent, and publishing a group again
breaks only the witnesses that disagree with its count, so most checks in steps 2-3 need no new LP. The LP
is the continuous relaxation: its range contains the integer one, as in τ-Argus' protection-level check
(Hundepool et al. 2024, §4.3). The heuristic is greedy: the pattern is protected, not proven cheapest.

References
----------
Hundepool, A. et al. (2024). *Handbook on Statistical Disclosure Control*, 2nd ed., ch. 4. Fischetti, M. and
Salazar, J.-J. (2001) "Solving the cell suppression problem on tabular data with linear constraints",
*Management Science* 47(7). Langsrud, Ø. (2024) GaussSuppression (R package, Statistics Norway).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np

from .disclosure import SuppressionResult
from .lp import PointPool, WarmLP

__all__ = ["LinkedCounts", "ProtectionRule", "PublishedCounts", "feasible_range", "protect", "protect_measures"]

_EPS = 1e-6
_QUANTITIES = ("n", "k", "n-k")


@dataclass(frozen=True, slots=True)
class ProtectionRule:
    """Primary threshold and protection interval (see the module docstring).

    Attributes
    ----------
    min_cell : int
        Primary suppression of 0 < n < min_cell.
    ratio : float
        The attacker's range of a primary ``n`` must reach ``(1 − ratio)·n`` and ``(1 + ratio)·n``.
    min_width : float, optional
        ... and be at least this wide (default ``min_cell``).
    """

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


class _Attacker:
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
        todo = [(g, q, m) for m in self.models for g in sorted(primary) for q in (("n",) if m is None else _QUANTITIES)]
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
        tol = _EPS * max(1.0, self.n[h])
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
            narrow = hi - lo < self.rule.width - _EPS
            down = lo > (1 - r) * t + _EPS or (narrow and lo > _EPS)
            up = hi < (1 + r) * t - _EPS or narrow
        else:
            narrow = hi - lo < 1 - _EPS
            down, up = narrow and lo > _EPS, narrow
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


@dataclass(frozen=True, slots=True)
class LinkedCounts:
    """Several measures published together whose counts are linked: shares on one item with different bases
    or counted codes (their ``n`` and ``k`` are sums of the same answers), and the measures that share a
    suppression pattern with them.

    Attributes
    ----------
    keys, membership : as :class:`PublishedCounts` (G groups, C finest cells).
    n : ndarray of int, shape (J, G)
        Valid answers per measure and group.
    counted : ndarray of int, shape (J, G)
        Counted answers (0 for a measure without a share: an index publishes only ``n``).
    share_shown : ndarray of bool, shape (J, G)
        Where a measure's share is published when the group is not suppressed.
    base, count : ndarray of float, shape (J, T)
        Over T *atoms* (sets of answer codes of one item that every measure treats alike): 1 where the atom is
        in the measure's base / counted. Measures on different items use different atoms.
    """

    keys: tuple
    membership: np.ndarray
    n: np.ndarray
    counted: np.ndarray
    share_shown: np.ndarray
    base: np.ndarray
    count: np.ndarray


class _LinkedAttacker(_Attacker):
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
            if 0 < self.nj[j, g] < self.rule.min_cell for q in (_QUANTITIES if bool(self.has_share[j]) else ("n",))]
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
        tol = _EPS * max(1.0, float(self.nj[:, h].max()))
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


def protect(tables: PublishedCounts | LinkedCounts, *, rule: ProtectionRule = ProtectionRule(),
            lines: Sequence[Sequence[Hashable]] = (), start: Sequence[Hashable] = (), fast: bool = True
            ) -> SuppressionResult:
    """Primary and complementary suppression that gives every primary group its protection interval.

    Parameters
    ----------
    tables : PublishedCounts
        Every group published together on one base, with their finest-cell membership.
    rule : ProtectionRule
    lines : sequence of sequences of keys
        Lines of groups that add up (a total and its parts). Optional: they only speed the search up (a first
        pattern with at least two suppressed groups in every line that has one; a primary group left alone in
        a line is derivable, so no LP is needed to see it). The check itself does not rely on them.
    start : sequence of keys
        Groups to suppress in any case (e.g. already hidden in another publication).
    fast : bool
        Keep HiGHS warm between solves (False: ``scipy.optimize.linprog`` for every solve; same result).

    Returns
    -------
    SuppressionResult
        ``primary`` and ``secondary`` keys. The grand total is suppressed only when it is itself primary.
    """
    keys = tables.keys
    pos = {k: i for i, k in enumerate(keys)}
    att = _LinkedAttacker(tables, rule, fast) if isinstance(tables, LinkedCounts) else _Attacker(tables, rule, fast)
    primary = att.primary()
    fixed = primary | {pos[k] for k in start}
    line_idx = [[pos[k] for k in line if k in pos] for line in lines]
    sup = _close_lines(att, set(fixed), line_idx)
    att.suppress(sup)
    todo = att.quantities(primary)
    for _ in range(len(keys) + 1):  # a later suppression can lift an exemption (a containing 0 % share)
        changed = False
        for g, q, m in todo:
            while not att.exempt(g, q, m, sup):
                ok, binding = att.evaluate(g, q, m)
                if ok:
                    break
                pick = _cheapest(att, binding, sup)
                if pick is None:
                    pick = _cheapest(att, np.flatnonzero(att.overlap[g]), sup)
                if pick is None:
                    break  # nothing but the grand total could protect it further
                sup.add(pick)
                att.suppress([pick])
                changed = True
        if not changed:
            break
    for h in sorted(sup - fixed, key=lambda h: (-att.tier[h], -att.n[h], h)):
        if any(sum(o in sup for o in line) == 2 and h in line and (set(line) & sup - {h}) <= primary
               for line in line_idx):
            continue  # publishing it would leave a primary group alone in a line
        saved = att.snapshot()
        sup.discard(h)
        att.publish(h)
        doubt = [t for t in todo if not att.exempt(*t, sup) and not att.pool_protects(*t)]
        near = {g for line in line_idx if h in line for g in line}
        doubt.sort(key=lambda t: t[0] not in near)  # the likeliest to fail first: one failure settles it
        if all(att.evaluate(*t)[0] for t in doubt):
            continue
        sup.add(h)
        att.suppress([h])
        att.restore(saved)
    return SuppressionResult(primary=frozenset(keys[g] for g in primary),
                             secondary=frozenset(keys[g] for g in sup - primary))


def _close_lines(att: _Attacker, sup: set[int], lines: list[list[int]]) -> set[int]:
    """No line with exactly one suppressed group: add its cheapest eligible partner (never the total)."""
    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(g in sup for g in line) == 1:
                pick = _cheapest(att, line, sup)
                if pick is not None:
                    sup.add(pick)
                    changed = True
    return sup


def _cheapest(att: _Attacker, candidates, sup: set[int]) -> int | None:
    cand = [int(h) for h in candidates if h not in sup and att.eligible[h]]
    return min(cand, key=att.cost) if cand else None


def feasible_range(tables: PublishedCounts, suppressed: Sequence[Hashable], key: Hashable, quantity: str = "n", *,
                   measure: int | None = None) -> tuple[float, float]:
    """Range of ``n``, ``k`` or ``n-k`` of group ``key`` given everything not suppressed (LP relaxation).

    ``measure`` selects a row of ``tables.counted`` (needed for ``k`` and ``n-k``); without it the range of
    ``n`` uses the ``n`` equations alone.
    """
    if quantity not in _QUANTITIES or (quantity != "n" and measure is None):
        raise ValueError("quantity must be 'n', or 'k' or 'n-k' with a measure")
    if measure is None:
        tables = PublishedCounts(tables.keys, tables.membership, tables.n)
    pos = {k: i for i, k in enumerate(tables.keys)}
    att = _Attacker(tables, ProtectionRule(), fast=True)
    att.suppress({pos[k] for k in suppressed})
    g = pos[key]
    obj = att.objective(g, quantity, measure)
    model = att.models[measure]
    out = []
    for sign in (1.0, -1.0):
        sol = model.minimise(sign * obj)
        out.append(sign * sol.value if sol.status == "optimal" else (sign * -np.inf if sol.status == "unbounded"
                                                                     else np.nan))
    return out[0], out[1]


def protect_measures(keys: Sequence[Hashable], membership: np.ndarray, n: dict, counted: dict, *,
                     rule: ProtectionRule = ProtectionRule(), min_n_share: int = 30,
                     lines: Sequence[Sequence[Hashable]] = (), items: dict | None = None) -> dict:
    """Protect every measure of a wave; measures with the same base share one suppression pattern.

    Parameters
    ----------
    keys, membership : the groups published for each measure and their finest-cell membership.
    n : mapping measure name -> ndarray (G,) of valid answers.
    counted : mapping measure name -> ndarray (G,) of counted answers, or None (an index: only n is shown).
    min_n_share : int
        Shares on fewer valid answers are not published (the precision rule), so they pin nothing.
    lines : lines of groups that add up (see :func:`protect`).
    items : mapping share name -> (item, base codes, counted codes), optional
        Shares on the same item are linked: their ``n`` and ``k`` are sums of the same answers, so a share with
        a wider base (say, with "vet ej") could pin what a narrower one suppresses. Linked shares, and the
        measures that share a base with them, are protected together in one LP over the item's answer atoms
        (:class:`LinkedCounts`), with one suppression pattern.

    Returns
    -------
    dict of measure name -> SuppressionResult
    """
    names = list(n)
    parent = {name: name for name in names}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    by_base: dict[bytes, list] = {}
    for name, nn in n.items():
        by_base.setdefault(np.asarray(nn, dtype=np.int64).tobytes(), []).append(name)
    for group in by_base.values():
        for other in group[1:]:
            parent[find(other)] = find(group[0])
    by_item: dict[str, list] = {}
    for name, (item, _, _) in (items or {}).items():
        if name in parent and counted.get(name) is not None:
            by_item.setdefault(item, []).append(name)
    linked_items = {item for item, shares in by_item.items() if len(shares) > 1}
    for item in linked_items:
        for other in by_item[item][1:]:
            parent[find(other)] = find(by_item[item][0])
    clusters: dict[str, list] = {}
    for name in names:
        clusters.setdefault(find(name), []).append(name)
    out = {}
    for members in clusters.values():
        nn_all = np.array([np.asarray(n[m], dtype=np.int64) for m in members])
        if not ((nn_all > 0) & (nn_all < rule.min_cell)).any():
            out.update(dict.fromkeys(members, SuppressionResult(primary=frozenset(), secondary=frozenset())))
            continue
        if not any(items and m in items and items[m][0] in linked_items for m in members):
            nn = nn_all[0]
            shares = [m for m in members if counted.get(m) is not None]
            tables = PublishedCounts(tuple(keys), membership, nn,
                                     np.array([counted[s] for s in shares], dtype=np.int64) if shares else None,
                                     nn >= min_n_share)
            out.update(dict.fromkeys(members, protect(tables, rule=rule, lines=lines)))
            continue
        linked = _linked_tables(keys, membership, members, n, counted, items or {}, min_n_share)
        out.update(dict.fromkeys(members, protect(linked, rule=rule, lines=lines)))
    return out


def _linked_tables(keys, membership, members, n, counted, items, min_n_share) -> LinkedCounts:
    """:class:`LinkedCounts` of a cluster: atoms per item from its shares' codes; one atom per other base."""
    atoms: list[tuple] = []
    slot: dict[str, dict[str, int]] = {}
    for item in sorted({items[m][0] for m in members if m in items and counted.get(m) is not None}):
        shares = [m for m in members if m in items and items[m][0] == item and counted.get(m) is not None]
        sig: dict[tuple, int] = {}
        for code in sorted({c for m in shares for c in items[m][1]}):
            key = tuple((code in items[m][1], code in items[m][2]) for m in shares)
            if key not in sig:
                sig[key] = len(atoms)
                atoms.append((item, key))
            slot.setdefault(item, {})[code] = sig[key]
    own: dict[str, list[int]] = {}
    for m in members:
        if m in items and counted.get(m) is not None:
            continue
        own[m] = [len(atoms), len(atoms) + 1]  # counted and not counted (only n for an index)
        atoms += [(m, "k"), (m, "u")]
    t = len(atoms)
    base = np.zeros((len(members), t))
    count = np.zeros((len(members), t))
    for j, m in enumerate(members):
        if m in own:
            base[j, own[m]] = 1.0
            if counted.get(m) is not None:
                count[j, own[m][0]] = 1.0
            continue
        item, base_codes, counted_codes = items[m]
        for code in base_codes:
            base[j, slot[item][code]] = 1.0
        for code in counted_codes:
            count[j, slot[item][code]] = 1.0
    nj = np.array([np.asarray(n[m], dtype=np.int64) for m in members])
    kj = np.array([np.zeros(nj.shape[1], dtype=np.int64) if counted.get(m) is None
                   else np.asarray(counted[m], dtype=np.int64) for m in members])
    shown = np.array([(nj[j] >= min_n_share) & (counted.get(m) is not None) for j, m in enumerate(members)])
    return LinkedCounts(tuple(keys), membership, nj, kj, shown, base, count)
