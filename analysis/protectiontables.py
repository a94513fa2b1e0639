"""The inputs of disclosure control (:mod:`analysis.protection`): the rule, and the groups published on one base.

Kept apart from the search (:mod:`analysis.protection`) and the attacker's linear programs (:mod:`analysis.lpattack`),
which both read them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["QUANTITIES", "LinkedCounts", "ProtectionRule", "PublishedCounts"]

QUANTITIES = ("n", "k", "n-k")


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

