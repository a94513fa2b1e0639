"""Disclosure control of every measure of a wave: measures grouped by what links their counts, each cluster once.

Measures with the same base (the same ``n`` in every group) share one suppression pattern, and shares on the same item
are protected together in one LP over the item's answer atoms (:class:`analysis.protection.LinkedCounts`); everything
else is independent, so each cluster is one call of :func:`analysis.protection.protect`.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np

from .disclosure import SuppressionResult
from .protection import DEFAULT_RULE, LinkedCounts, ProtectionRule, PublishedCounts, protect

__all__ = ["protect_measures"]


def protect_measures(keys: Sequence[Hashable], membership: np.ndarray, n: dict, counted: dict, *,
                     rule: ProtectionRule = DEFAULT_RULE, min_n_share: int = 30,
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

