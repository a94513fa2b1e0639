"""analysis.protection on hand-worked tables: the attacker's LP, the cost of complements, HiGHS and linprog."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from analysis.protection import ProtectionRule, PublishedCounts, feasible_range, protect

ROWS, COLS = ("A", "B", "C"), ("k", "m", "a")
INNER = np.array([[20, 30, 3], [25, 35, 8], [30, 40, 9]])


def two_way(inner: np.ndarray, counted: np.ndarray | None = None) -> tuple[PublishedCounts, list]:
    """An r × c table published with row and column margins and the total; the finest cells are the inner ones."""
    r, c = inner.shape
    cells = list(itertools.product(range(r), range(c)))
    groups = [((), lambda i, j: True)]
    groups += [((("row", ROWS[a]),), lambda i, j, a=a: i == a) for a in range(r)]
    groups += [((("col", COLS[b]),), lambda i, j, b=b: j == b) for b in range(c)]
    groups += [((("row", ROWS[a]), ("col", COLS[b])), lambda i, j, a=a, b=b: (i, j) == (a, b))
               for a in range(r) for b in range(c)]
    membership = np.array([[f(i, j) for i, j in cells] for _, f in groups])
    n = membership.astype(int) @ inner.ravel()
    k = None if counted is None else (membership.astype(int) @ counted.ravel())[None, :]
    keys = tuple(key for key, _ in groups)
    lines = [[(("row", ROWS[a]),)] + [(("row", ROWS[a]), ("col", COLS[b])) for b in range(c)] for a in range(r)]
    lines += [[(("col", COLS[b]),)] + [(("row", ROWS[a]), ("col", COLS[b])) for a in range(r)] for b in range(c)]
    lines += [[()] + [(("row", x),) for x in ROWS[:r]], [()] + [(("col", x),) for x in COLS[:c]]]
    shown = None if counted is None else np.ones(len(keys), dtype=bool)
    return PublishedCounts(keys, membership, n, k, shown), lines


@pytest.mark.parametrize("fast", [True, False])
def test_cheapest_cycle_of_inner_cells(fast):
    """A × a = 3 is primary. It needs a partner in row A (cheapest A × k, 20) and in column a (B × a, 8), and
    B × k (25) closes the rectangle: cost 53, against 59 through C × a and C × k or more through margins. The
    attacker then has A × a = 3 + t with t in [−3, 8] (A × k = 20 − t, B × a = 8 − t, B × k = 25 + t): [0, 11]
    reaches ±50 % and is 11 ≥ 5 wide. Every margin and the total stay published."""
    tables, lines = two_way(INNER)
    res = protect(tables, lines=lines, fast=fast)
    cell = lambda a, b: (("row", a), ("col", b))  # noqa: E731
    assert res.primary == {cell("A", "a")}
    assert res.secondary == {cell("A", "k"), cell("B", "a"), cell("B", "k")}
    assert feasible_range(tables, res.suppressed, cell("A", "a")) == pytest.approx((0.0, 11.0), abs=1e-9)


@pytest.mark.parametrize("fast", [True, False])
def test_grand_total_is_never_a_complement(fast):
    """Rows A = 3 (primary) and B = 40, one column. Row B's cells are the only partner: A × k and B × k are the
    rows themselves, so a margin must go; the total (43) stays, and A's range is [0, 43]."""
    tables, lines = two_way(np.array([[3], [40]]))
    res = protect(tables, lines=lines, fast=fast)
    assert () not in res.suppressed
    assert (("row", "B"),) in res.secondary
    assert feasible_range(tables, res.suppressed, (("row", "A"),)) == pytest.approx((0.0, 43.0), abs=1e-9)


def test_shares_narrow_the_attackers_range_of_n():
    """Cells x1, x2, x3 with n = 9, 1, 4 and counted k = 8, 0, 0. Published: G = x1 + x2 (n 10, share 80 %) and
    H = x2 + x3 (n 5, share 0 %). From the n's alone x1 lies in [5, 10]; the shares add k2 = k3 = 0, so k1 = 8
    and x1 >= 8: [8, 10]. And x2 falls from [0, 5] to [0, 2], below a 5-wide protection interval."""
    membership = np.array([[1, 1, 0], [0, 1, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]], dtype=bool)
    keys = ("G", "H", "x1", "x2", "x3")
    n = np.array([10, 5, 9, 1, 4])
    counted = np.array([[8, 0, 8, 0, 0]])
    tables = PublishedCounts(keys, membership, n, counted, np.array([True, True, False, False, False]))
    hidden = ["x1", "x2", "x3"]
    assert feasible_range(tables, hidden, "x1") == pytest.approx((5.0, 10.0), abs=1e-9)
    assert feasible_range(tables, hidden, "x1", measure=0) == pytest.approx((8.0, 10.0), abs=1e-9)
    assert feasible_range(tables, hidden, "x2") == pytest.approx((0.0, 5.0), abs=1e-9)
    assert feasible_range(tables, hidden, "x2", measure=0) == pytest.approx((0.0, 2.0), abs=1e-9)
    res = protect(tables, rule=ProtectionRule(min_cell=5))
    assert res.primary == {"x2", "x3"}
    for key, n_true in (("x2", 1), ("x3", 4)):
        lo, hi = feasible_range(tables, res.suppressed, key, measure=0)
        assert lo <= 0.5 * n_true
        assert hi >= 1.5 * n_true
        assert hi - lo >= 5


def test_counted_answers_of_a_primary_cell_are_not_pinned():
    """The 3 × 3 table with every share published and A × a = 3 of 3 counted (100 %): its k must move."""
    counted = np.array([[10, 10, 3], [10, 10, 4], [10, 10, 4]])
    tables, lines = two_way(INNER, counted)
    res = protect(tables, lines=lines)
    cell = (("row", "A"), ("col", "a"))
    assert () not in res.suppressed
    lo, hi = feasible_range(tables, res.suppressed, cell, "n-k", measure=0)
    assert hi - lo >= 1
    lo, hi = feasible_range(tables, res.suppressed, cell, "k", measure=0)
    assert hi - lo >= 1


@pytest.mark.parametrize("fast", [True, False])
def test_a_table_without_small_cells_is_published_whole(fast):
    """No cell below the rule: nothing to protect, nothing suppressed (this once raised from an empty LP)."""
    tables, lines = two_way(np.array([[12, 30], [25, 9]]))
    result = protect(tables, lines=lines, fast=fast)
    assert result.suppressed == frozenset()
