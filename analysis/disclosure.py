"""Statistical disclosure control for published tables (STATISTICS.md §8).

Rules apply to the unweighted respondent counts behind every published cell:

1. primary suppression of counts 0 < n < ``min_cell`` (default 5);
2. complementary (secondary) suppression: every line of cells that add up to a published total
   (a row or column of a table, the categories of one breakdown and their total, linked tables that
   share a total) must hold 0 or at least 2 suppressed entries. Heuristic: scan the lines in order;
   in a line with exactly one suppressed entry suppress its smallest non-zero unsuppressed entry
   (ties: the first); repeat until stable. This alone does **not** protect: a cell on no cycle of
   suppressed cells, or a line that misses a part, lets a linear-programming attacker recover it.
   :func:`analysis.protection.protect` starts from this heuristic (cheapest partner, never the grand
   total), adds cells until the protection interval holds over every table published together, and
   publishes redundant ones again (what ``run_analysis`` does);
3. the precision rule is **not a disclosure rule**: a share with n < ``min_n_share`` (default 30) is
   not shown because it is too uncertain, but its n is published, and its count can often be derived
   exactly from the published shares around it (a total minus its other parts). It hides only the
   estimate's face value. What must stay secret (a small cell, or a 0 %/100 % on a small base) is
   protected by rules 1–2 alone.

Symbols follow SCB practice as STANDARDS.md §6 adopts it: ``U`` = undertryckt uppgift (suppressed
because of disclosure risk, primary or complementary); ``..`` = uppgift inte tillgänglig eller alltför
osäker (the precision rule). The CSV and XLSX tables also use ``–`` (inget finns att redovisa: a true zero,
a share of exactly 0 or a group without respondents) and ``.`` (uppgift kan inte förekomma: the column
does not exist for the row, e.g. the problem level of a measure without cut-points). A figure on
30 ≤ n < 50 answers is shown with a flag, not a symbol (:func:`precision_flag`).

References
----------
Hundepool, A. et al. (2024). *Handbook on Statistical Disclosure Control*, 2nd ed., ch. 4 (secondary
suppression); SCB (2017) "Röjandekontroll – viktig för statistikens kvalitet"; R ``sdcTable``.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = [
    "SYMBOL_IMPOSSIBLE",
    "SYMBOL_NOT_SHOWN",
    "SYMBOL_SUPPRESSED",
    "SYMBOL_ZERO",
    "SuppressionResult",
    "complementary_suppression",
    "precision_flag",
    "precision_symbol",
    "primary_suppression",
    "suppress_table",
]

SYMBOL_ZERO = "–"  # SCB "inget finns att redovisa": a true zero (no answers counted, or no respondents)
SYMBOL_IMPOSSIBLE = "."  # SCB "uppgift kan inte förekomma": the figure does not exist for this row
SYMBOL_NOT_SHOWN = ".."  # too uncertain to publish, or no data
SYMBOL_SUPPRESSED = "U"  # suppressed because of disclosure risk


def primary_suppression(counts, *, min_cell: int = 5) -> np.ndarray:
    """Mask of sensitive counts, 0 < n < min_cell (zeros are not sensitive)."""
    n = np.asarray(counts)
    return (n > 0) & (n < min_cell)


@dataclass(frozen=True, slots=True)
class SuppressionResult:
    """Suppressed entries by key: ``primary`` (sensitive) and ``secondary`` (complementary)."""

    primary: frozenset
    secondary: frozenset

    @property
    def suppressed(self) -> frozenset:
        return self.primary | self.secondary


def complementary_suppression(counts: Mapping[Hashable, int], lines: Sequence[Sequence[Hashable]], *,
                              min_cell: int = 5, max_rounds: int = 1000) -> SuppressionResult:
    """Primary plus complementary suppression over linked lines of a set of tables.

    Parameters
    ----------
    counts : mapping
        Entry key -> unweighted count.
    lines : sequence of sequences of keys
        Each line is a set of entries of which one is the sum of the others (its order is the scan
        order; keys not in ``counts`` are ignored).
    min_cell : int
        Primary threshold.

    Returns
    -------
    SuppressionResult
    """
    primary = {k for k, n in counts.items() if 0 < n < min_cell}
    sup = set(primary)
    for _ in range(max_rounds):
        changed = False
        for line in lines:
            keys = [k for k in line if k in counts]
            if sum(k in sup for k in keys) != 1:
                continue
            cand = [k for k in keys if k not in sup and counts[k] > 0]
            if not cand:
                continue
            best = min(cand, key=lambda k: counts[k])  # min keeps the first on ties
            sup.add(best)
            changed = True
        if not changed:
            break
    return SuppressionResult(primary=frozenset(primary), secondary=frozenset(sup - primary))


def suppress_table(counts, *, min_cell: int = 5) -> np.ndarray:
    """Suppression mask of an r × c table published with row, column and grand totals.

    Parameters
    ----------
    counts : array_like (r, c)
        Interior counts.

    Returns
    -------
    ndarray of bool, shape (r + 1, c + 1)
        Mask of the table augmented with the row totals (last column), column totals (last row)
        and the grand total. Rows are scanned top-down, then columns left-right.
    """
    t = np.asarray(counts)
    r, c = t.shape
    aug = np.zeros((r + 1, c + 1), dtype=t.dtype)
    aug[:r, :c] = t
    aug[:r, c] = t.sum(axis=1)
    aug[r, :c] = t.sum(axis=0)
    aug[r, c] = t.sum()
    entries: dict[Hashable, int] = {(i, j): int(aug[i, j]) for i in range(r + 1) for j in range(c + 1)}
    lines = [[(i, j) for j in range(c + 1)] for i in range(r + 1)] + [[(i, j) for i in range(r + 1)]
                                                                       for j in range(c + 1)]
    res = complementary_suppression(entries, lines, min_cell=min_cell)
    mask = np.zeros(aug.shape, dtype=bool)
    for key in res.suppressed:
        mask[key] = True
    return mask


def precision_symbol(n, *, min_n_share: int = 30) -> np.ndarray:
    """Symbol per estimate from its valid n: ``..`` when n < min_n_share (not shown), else ``""``."""
    n = np.asarray(n)
    return np.where(n < min_n_share, SYMBOL_NOT_SHOWN, "")


def precision_flag(n, *, min_n_share: int = 30, flag_below: int = 50) -> np.ndarray:
    """True where an estimate is shown but rests on few answers (min_n_share <= n < flag_below)."""
    n = np.asarray(n)
    return (n >= min_n_share) & (n < flag_below)
