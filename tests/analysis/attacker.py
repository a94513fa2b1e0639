"""An attacker who solves everything a wave publishes as a linear program (test code, not analysis).

It reads only what ``trygg analyse`` publishes (``AnalysisResult.to_dict()``): per measure, every group's
``n`` and, where shown, its share; and the association tests. It knows the structure everyone knows: each
group is a union of the finest cells area × gender × age band (blank gender and blank age are categories of
their own), and which bands are children. Unknowns: per finest cell, the valid answers ``n`` and the counted
ones ``k`` (0 <= k <= n). Each published ``n`` is an equality; each shown unweighted share ``p`` gives
``k = round(p·n)``. For every suppressed (``U``) group it then minimises and maximises its ``n``, ``k`` and
``n − k`` with HiGHS. For an association test published on a dimension with exactly two ``U`` categories it
also enumerates the integer tables the LP allows and keeps those that reproduce the published statistic and
p-value (the Fisher leak).

The attacker is written independently of :mod:`analysis.protection` so that it can catch that module's
mistakes; it is deliberately simple and slow.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import csr_matrix

from analysis.comparisons import pearson_or_fisher
from analysis.errors import InputError
from analysis.grid import child_bands

QUANTITIES = ("n", "k", "n-k")


@dataclass(frozen=True)
class Interval:
    measure: str
    group: tuple
    quantity: str
    low: float
    high: float


def _key(group: dict) -> tuple:
    return tuple(sorted(group.items()))


class WaveAttack:
    """The LP of one measure of a published wave."""

    def __init__(self, published: dict, measure: str, *, weighted: bool = False) -> None:
        rows = [r for r in published["measures"] if r["measure"] == measure]
        self.measure = measure
        self.rows = {_key(r["group"]): r for r in rows}
        self.areas = sorted({r["group"]["area"] for r in rows if "area" in r["group"]})
        if published.get("data_quality", {}).get("unknown_area", 0) > 0:
            self.areas.append(None)  # respondents of an unknown area: in the totals, in no published area
        self.genders = sorted({r["group"]["gender"] for r in rows if "gender" in r["group"]})
        self.bands = sorted({r["group"]["age_band"] for r in rows if "age_band" in r["group"]})
        child = child_bands(self.bands) if self.bands else None
        self.child = dict(zip(self.bands, child, strict=True)) if child is not None else {}
        self.cells = list(itertools.product(self.areas or [None], self.genders or [None], self.bands or [None]))
        self.index = {c: i for i, c in enumerate(self.cells)}
        eq_rows, eq_rhs = [], []
        c = len(self.cells)
        for key, r in self.rows.items():
            if r["n"] is None:
                continue
            m = self.membership(dict(key))
            eq_rows.append(np.concatenate([m, np.zeros(c)]))
            eq_rhs.append(r["n"])
            if r["estimate"] is not None and not weighted:
                eq_rows.append(np.concatenate([np.zeros(c), m]))
                eq_rhs.append(round(r["estimate"] * r["n"]))
        self.a_eq = csr_matrix(np.array(eq_rows)) if eq_rows else None
        self.b_eq = np.array(eq_rhs, dtype=float) if eq_rows else None
        # k_c - n_c <= 0
        self.a_ub = csr_matrix(np.hstack([-np.eye(c), np.eye(c)]))
        self.b_ub = np.zeros(c)

    def membership(self, group: dict) -> np.ndarray:
        out = np.zeros(len(self.cells))
        for i, (a, g, b) in enumerate(self.cells):
            ok = True
            for dim, value in group.items():
                if dim == "area":
                    ok &= a == value
                elif dim == "gender":
                    ok &= g == value
                elif dim == "age_band":
                    ok &= b == value
                elif dim == "age_group":
                    is_child = self.child.get(b, False)
                    known = b in self.child and b != ""
                    ok &= is_child if value == "under_18" else (known and not is_child)
            out[i] = ok
        return out

    def bounds(self, group: tuple, quantity: str) -> tuple[float, float]:
        m = self.membership(dict(group))
        z = np.zeros_like(m)
        obj = {"n": np.concatenate([m, z]), "k": np.concatenate([z, m]), "n-k": np.concatenate([m, -m])}[quantity]
        out = []
        for sign in (1, -1):
            res = linprog(sign * obj, A_ub=self.a_ub, b_ub=self.b_ub, A_eq=self.a_eq, b_eq=self.b_eq,
                          bounds=(0, None), method="highs")
            if res.status == 3:  # unbounded
                out.append(math.inf)
                continue
            assert res.status == 0, res.message
            out.append(sign * res.fun)
        return out[0], out[1]

    def suppressed(self) -> list[tuple]:
        return [k for k, r in self.rows.items() if r["symbol"] == "U"]

    def intervals(self) -> list[Interval]:
        out = []
        for key in self.suppressed():
            for q in QUANTITIES:
                lo, hi = self.bounds(key, q)
                out.append(Interval(self.measure, key, q, lo, hi))
        return out

    def association_solutions(self, association: dict) -> list[tuple] | None:
        """Integer (n, k) of the two suppressed categories that reproduce a published test, or None."""
        dim = association["by"]
        if association.get("p_value") is None:
            return None
        cats = [k for k in self.rows if len(k) == 1 and k[0][0] == dim]
        hidden = [k for k in cats if self.rows[k]["symbol"] == "U"]
        if len(hidden) != 2 or any(self.rows[k]["estimate"] is None for k in cats if k not in hidden):
            return None
        total = self.rows[()]
        if total["estimate"] is None:
            return None
        known = {k: (self.rows[k]["n"], round(self.rows[k]["estimate"] * self.rows[k]["n"])) for k in cats
                 if k not in hidden}
        rest_n = total["n"] - sum(v[0] for v in known.values())
        rest_k = round(total["estimate"] * total["n"]) - sum(v[1] for v in known.values())
        lo, hi = self.bounds(hidden[0], "n")
        found = []
        for n1 in range(max(0, math.floor(lo)), min(rest_n, math.ceil(hi)) + 1):
            for k1 in range(0, n1 + 1):
                n2, k2 = rest_n - n1, rest_k - k1
                if k2 < 0 or k2 > n2:
                    continue
                table = [(n - k, k) for n, k in [*known.values(), (n1, k1), (n2, k2)]]
                try:
                    t = pearson_or_fisher(np.array(table, dtype=float))
                except (InputError, ValueError):
                    continue
                if t.method == association["method"] and math.isclose(t.statistic, association["statistic"],
                                                                      rel_tol=1e-9, abs_tol=1e-12) and \
                        math.isclose(t.p_value, association["p_value"], rel_tol=1e-9, abs_tol=1e-15):
                    found.append((n1, k1))
        return found


class ItemAttack(WaveAttack):
    """The joint LP of every share defined on one item (e.g. two shares with nested bases).

    Unknowns: per finest cell, the answers of each *atom* — a set of answer codes that every measure on the
    item treats alike (in or out of its base, counted or not). Each measure's ``n`` and ``k`` are sums of
    atoms, so the published figures of all of them constrain the same unknowns: a share with a wider base
    can pin what a narrower one suppresses.
    """

    def __init__(self, published: dict, infos: list[dict], *, weighted: bool = False) -> None:
        names = [i["measure"] for i in infos]
        super().__init__(published, names[0], weighted=weighted)
        self.names = names
        codes = sorted({c for i in infos for c in i["base"]})
        signature: dict[tuple, list[str]] = {}
        for code in codes:
            sig = tuple((code in i["base"], code in i["counted"]) for i in infos)
            signature.setdefault(sig, []).append(code)
        self.atoms = list(signature)
        c, a = len(self.cells), len(self.atoms)
        self.size = c * a
        eq_rows, eq_rhs = [], []
        self.by_measure = {}
        for j, info in enumerate(infos):
            in_base = np.array([sig[j][0] for sig in self.atoms], dtype=float)
            in_count = np.array([sig[j][1] for sig in self.atoms], dtype=float)
            self.by_measure[info["measure"]] = (in_base, in_count)
            for r in published["measures"]:
                if r["measure"] != info["measure"] or r["n"] is None:
                    continue
                m = self.membership(r["group"])
                eq_rows.append(np.kron(m, in_base))
                eq_rhs.append(r["n"])
                if r["estimate"] is not None and not weighted:
                    eq_rows.append(np.kron(m, in_count))
                    eq_rhs.append(round(r["estimate"] * r["n"]))
        self.a_eq = csr_matrix(np.array(eq_rows)) if eq_rows else None
        self.b_eq = np.array(eq_rhs, dtype=float) if eq_rows else None
        self.a_ub = None
        self.b_ub = None
        self.current = names[0]
        self.rows_of = {name: {_key(r["group"]): r for r in published["measures"] if r["measure"] == name}
                        for name in names}

    def bounds(self, group: tuple, quantity: str) -> tuple[float, float]:
        m = self.membership(dict(group))
        in_base, in_count = self.by_measure[self.current]
        weights = {"n": in_base, "k": in_count, "n-k": in_base - in_count}[quantity]
        obj = np.kron(m, weights)
        out = []
        for sign in (1, -1):
            res = linprog(sign * obj, A_eq=self.a_eq, b_eq=self.b_eq, bounds=(0, None), method="highs")
            if res.status == 3:
                out.append(math.inf)
                continue
            assert res.status == 0, res.message
            out.append(sign * res.fun)
        return out[0], out[1]

    def intervals(self) -> list[Interval]:
        out = []
        for name in self.names:
            self.current = name
            for key, r in self.rows_of[name].items():
                if r["symbol"] != "U":
                    continue
                for q in QUANTITIES:
                    lo, hi = self.bounds(key, q)
                    out.append(Interval(name, key, q, lo, hi))
        return out


def shared_items(published: dict) -> list[list[dict]]:
    """The share measures grouped by item, for items that carry more than one share."""
    by_item: dict[str, list[dict]] = {}
    for info in published.get("measure_info", []):
        if info.get("kind") == "share":
            by_item.setdefault(info["item"], []).append(info)
    return [infos for infos in by_item.values() if len(infos) > 1]


def attack(published: dict, *, weighted: bool = False, joint: bool = True) -> tuple[list[Interval], list[tuple]]:
    """All intervals of all suppressed groups, and the associations that pin a suppressed category.

    With ``joint`` the shares on one item are also attacked together (:class:`ItemAttack`); a group's
    interval is then the narrower of the two attacks.
    """
    intervals: list[Interval] = []
    pinned: list[tuple] = []
    if joint:
        for infos in shared_items(published):
            intervals += ItemAttack(published, infos, weighted=weighted).intervals()
    index = {i["measure"] for i in published.get("measure_info", []) if i.get("kind") != "share"}
    for measure in sorted({r["measure"] for r in published["measures"]}):
        # an index publishes a mean (0-100), not a share: only its n is a count
        wave = WaveAttack(published, measure, weighted=weighted or measure in index)
        intervals += wave.intervals()
        for assoc in published.get("associations", []):
            if assoc["measure"] != measure:
                continue
            sols = wave.association_solutions(assoc)
            if sols is not None and len(sols) == 1:
                pinned.append((measure, assoc["by"], sols[0]))
    return intervals, pinned


def true_counts(columns: dict, measure) -> dict[tuple, tuple[int, int]]:
    """(n, k) of every group, counted from the raw columns (area, gender, age_band or age, the item)."""
    from analysis.data import Responses
    from analysis.grid import build_grid, domains

    resp = Responses.from_columns(columns)
    grid = build_grid(resp)
    item = resp.items[measure.item]
    labels = np.array(item.labels, dtype=object)[item.codes]
    valid = np.isin(labels, measure.base)
    counted = np.isin(labels, measure.counted)
    n_cell = np.bincount(grid.cell, weights=valid, minlength=grid.size)
    k_cell = np.bincount(grid.cell, weights=counted, minlength=grid.size)
    out = {}
    for group, member in domains(grid, ("area", "gender", "age_band")):
        out[tuple(sorted(group))] = (int(n_cell[member].sum()), int(k_cell[member].sum()))
    return out


def protection_failures(intervals: list[Interval], truth: dict, published: dict, *, min_cell: int = 5,
                        ratio: float = 0.5, min_width: float | None = None) -> list[tuple]:
    """Primary (0 < n < min_cell) cells whose interval is narrower than the protection rule.

    ``n`` must satisfy low <= (1 − ratio)·n, high >= (1 + ratio)·n and high − low >= min_width (default
    min_cell); ``k`` and ``n − k`` must not be pinned (high − low >= 1), unless a published share of a group
    that contains the cell is 0 % or 100 %, which tells the same thing of a group large enough to publish.
    """
    width = min_cell if min_width is None else min_width
    shares = {(r["measure"], _key(r["group"])): r["estimate"] for r in published["measures"]
              if r["estimate"] is not None}
    bad = []
    for iv in intervals:
        n, k = truth[iv.group]
        if not 0 < n < min_cell:
            continue
        if iv.quantity == "n":
            ok = (iv.low <= (1 - ratio) * n + 1e-6 and iv.high >= (1 + ratio) * n - 1e-6
                  and iv.high - iv.low >= width - 1e-6)
        else:
            extreme = 0.0 if iv.quantity == "k" else 1.0
            known = any(p == extreme and m == iv.measure and set(g) <= set(iv.group)
                        for (m, g), p in shares.items())
            ok = known or iv.high - iv.low >= 1 - 1e-6
        if not ok:
            bad.append((iv, n, k))
    return bad
