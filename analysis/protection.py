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
is the "vet ej" answers): :func:`analysis.measureprotection.protect_measures` protects them, and the
measures sharing a base with them, together in one LP whose unknowns are the answers of each finest cell in
each *atom* (a set of the item's codes that every such share treats alike), with one suppression pattern
(:class:`LinkedCounts`).

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

import numpy as np

from .disclosure import SuppressionResult
from .lpattack import Attacker, LinkedAttacker
from .protectiontables import QUANTITIES, LinkedCounts, ProtectionRule, PublishedCounts

__all__ = ["DEFAULT_RULE", "LinkedCounts", "ProtectionRule", "PublishedCounts", "feasible_range", "protect"]

DEFAULT_RULE = ProtectionRule()


def protect(tables: PublishedCounts | LinkedCounts, *, rule: ProtectionRule = DEFAULT_RULE,
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
    att = LinkedAttacker(tables, rule, fast) if isinstance(tables, LinkedCounts) else Attacker(tables, rule, fast)
    primary = att.primary()
    if not primary and not start:  # nothing below the rule: everything is published as it is
        return SuppressionResult(primary=frozenset(), secondary=frozenset())
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


def _close_lines(att: Attacker, sup: set[int], lines: list[list[int]]) -> set[int]:
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


def _cheapest(att: Attacker, candidates, sup: set[int]) -> int | None:
    cand = [int(h) for h in candidates if h not in sup and att.eligible[h]]
    return min(cand, key=att.cost) if cand else None


def feasible_range(tables: PublishedCounts, suppressed: Sequence[Hashable], key: Hashable, quantity: str = "n", *,
                   measure: int | None = None) -> tuple[float, float]:
    """Range of ``n``, ``k`` or ``n-k`` of group ``key`` given everything not suppressed (LP relaxation).

    ``measure`` selects a row of ``tables.counted`` (needed for ``k`` and ``n-k``); without it the range of
    ``n`` uses the ``n`` equations alone.
    """
    if quantity not in QUANTITIES or (quantity != "n" and measure is None):
        raise ValueError("quantity must be 'n', or 'k' or 'n-k' with a measure")
    if measure is None:
        tables = PublishedCounts(tables.keys, tables.membership, tables.n)
    pos = {k: i for i, k in enumerate(tables.keys)}
    att = Attacker(tables, ProtectionRule(), fast=True)
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

