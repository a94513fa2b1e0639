"""Disclosure control of every measure of a wave: measures grouped by what links their counts, each cluster once.

Measures with the same base (the same ``n`` in every group) share one suppression pattern, and shares on the same item
are protected together in one LP over the item's answer atoms (:class:`analysis.protection.LinkedCounts`); everything
else is independent, so each cluster is one call of :func:`analysis.protection.protect`.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Hashable, Mapping, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
import scipy

from .disclosure import SuppressionResult
from .protection import DEFAULT_RULE, LinkedCounts, ProtectionRule, PublishedCounts, protect

__all__ = ["MemoryPatternStore", "PatternStore", "code_fingerprint", "pattern_digest", "protect_measures"]


def protect_measures(keys: Sequence[Hashable], membership: np.ndarray, n: dict, counted: dict, *,
                     rule: ProtectionRule = DEFAULT_RULE, min_n_share: int = 30,
                     lines: Sequence[Sequence[Hashable]] = (), items: dict | None = None,
                     store: PatternStore | None = None) -> dict:
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
    store : PatternStore, optional
        Patterns found before, by :func:`pattern_digest` of each cluster's input: a cluster whose digest is stored
        is not searched again, and the patterns found are saved there.

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
    out: dict = {}
    todo: list[tuple[list, PublishedCounts | LinkedCounts, str]] = []
    for members in clusters.values():
        nn_all = np.array([np.asarray(n[m], dtype=np.int64) for m in members])
        if not ((nn_all > 0) & (nn_all < rule.min_cell)).any():
            out.update(dict.fromkeys(members, SuppressionResult(primary=frozenset(), secondary=frozenset())))
            continue
        if not any(items and m in items and items[m][0] in linked_items for m in members):
            nn = nn_all[0]
            shares = [m for m in members if counted.get(m) is not None]
            tables: PublishedCounts | LinkedCounts = PublishedCounts(
                tuple(keys), membership, nn, np.array([counted[s] for s in shares], dtype=np.int64) if shares else None,
                nn >= min_n_share)
        else:
            tables = _linked_tables(keys, membership, members, n, counted, items or {}, min_n_share)
        todo.append((members, tables, pattern_digest(tables, rule, lines) if store is not None else ""))
    known = store.load([digest for _, _, digest in todo]) if store is not None and todo else {}
    found: dict[str, dict[str, list[int]]] = {}
    for members, tables, digest in todo:
        pattern = known.get(digest) if digest else None
        if pattern is None:
            pattern = _pattern(protect(tables, rule=rule, lines=lines), tables.keys)
            found[digest] = pattern
        out.update(dict.fromkeys(members, SuppressionResult(
            primary=frozenset(tables.keys[g] for g in pattern["primary"]),
            secondary=frozenset(tables.keys[g] for g in pattern["secondary"]))))
    if store is not None and found:
        store.save(found)
    return out


def _pattern(result: SuppressionResult, keys: tuple) -> dict[str, list[int]]:
    pos = {k: i for i, k in enumerate(keys)}
    return {"primary": sorted(pos[k] for k in result.primary), "secondary": sorted(pos[k] for k in result.secondary)}


def pattern_digest(tables: PublishedCounts | LinkedCounts, rule: ProtectionRule,
                   lines: Sequence[Sequence[Hashable]]) -> str:
    """SHA-256 of everything :func:`protect` reads, and of the code that reads it (:func:`code_fingerprint`).

    Two clusters with the same digest get the same pattern, so a stored pattern is valid exactly as long as its
    digest is asked for: a changed count, option or program gives another digest, never a stale pattern.
    """
    h = hashlib.sha256(code_fingerprint().encode())
    h.update(repr((type(tables).__name__, rule, tables.keys, [tuple(line) for line in lines])).encode())
    for name in ("membership", "n", "counted", "share_shown", "base", "count"):
        value = getattr(tables, name, None)
        if value is None:
            h.update(f"|{name}:none".encode())
            continue
        array = np.ascontiguousarray(value, dtype=np.float64)
        h.update(f"|{name}:{array.shape}".encode())
        h.update(array.tobytes())
    return h.hexdigest()


@functools.cache
def code_fingerprint() -> str:
    """The source of disclosure control and the versions of the solvers it calls: the same inputs give the same
    pattern only under the same program, so a stored pattern never outlives the code that found it."""
    h = hashlib.sha256(f"numpy {np.__version__} scipy {scipy.__version__}".encode())
    for module in ("disclosure", "lp", "lpattack", "measureprotection", "protection", "protectiontables"):
        h.update((Path(__file__).with_name(f"{module}.py")).read_bytes())
    return h.hexdigest()


class PatternStore(Protocol):
    """Where finished suppression patterns are kept between analyses, by :func:`pattern_digest`.

    A pattern is ``{"primary": [...], "secondary": [...]}``: indices into the cluster's groups (``keys``), so it is
    plain JSON. A web app keeps them in its database, so that every worker and every page with other options
    (weighting does not change a count) shares them; :class:`MemoryPatternStore` keeps them in a dict.
    """

    def load(self, digests: Sequence[str]) -> Mapping[str, dict[str, list[int]]]:
        """The stored patterns among ``digests`` (missing ones left out)."""
        ...

    def save(self, patterns: Mapping[str, dict[str, list[int]]]) -> None:
        """Keep newly found patterns."""
        ...


class MemoryPatternStore:
    """A :class:`PatternStore` in a dict, e.g. for a notebook that analyses one wave with several options."""

    def __init__(self) -> None:
        self.patterns: dict[str, dict[str, list[int]]] = {}

    def load(self, digests: Sequence[str]) -> Mapping[str, dict[str, list[int]]]:
        return {d: self.patterns[d] for d in digests if d in self.patterns}

    def save(self, patterns: Mapping[str, dict[str, list[int]]]) -> None:
        self.patterns.update(patterns)


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

