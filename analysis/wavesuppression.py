"""Disclosure control of one analysed wave: every measure's groups protected together (:mod:`analysis.protection`).

The published tables of a wave — total, area, gender, age band, area × gender, area × age band and the
child-rights groups of every measure — are protected as one set, so that an attacker who reads them all at
once and solves them as a linear program cannot narrow a suppressed count below its protection interval.
An association test on a dimension with a suppressed category is withheld: its statistic and p-value are
non-linear equations in the hidden counts (a Fisher test on two areas pinned the small area exactly).
"""

from __future__ import annotations

import numpy as np

from .disclosure import SuppressionResult
from .grid import DIMENSIONS, suppression_lines
from .measureprotection import PatternStore, protect_measures
from .protection import ProtectionRule

__all__ = ["shown_groups", "suppress_wave", "withhold_associations"]


def suppress_wave(waves: dict, rule: ProtectionRule, min_n_share: int,
                  store: PatternStore | None = None) -> dict[str, SuppressionResult]:
    """Suppression of every measure of one wave (``report._analyse_wave`` output), protected together.

    The counts protected are unweighted, so the pattern is the same under every weighting; ``store`` keeps patterns
    found before (:class:`analysis.measureprotection.PatternStore`).
    """
    wave = next(iter(waves.values()))
    by = [d for d in DIMENSIONS if any(len(g) == 1 and g[0][0] == d for g in wave["groups"])]
    n = {name: np.asarray(w["est"].n) for name, w in waves.items()}
    counted = {name: (np.rint(w["est"].count).astype(np.int64) if w["measure"].kind == "share" else None)
               for name, w in waves.items()}
    items = {name: (w["measure"].item, tuple(w["measure"].base), tuple(w["measure"].counted))
             for name, w in waves.items() if w["measure"].kind == "share"}
    return protect_measures(wave["groups"], wave["membership"] > 0, n, counted, rule=rule, min_n_share=min_n_share,
                            lines=suppression_lines(wave["groups"], by, wave["grid"]), items=items,
                            store=store)


def withhold_associations(assoc: list, res: SuppressionResult) -> list:
    """Association tests, with those on a dimension that has a suppressed category emptied."""
    out = []
    for a in assoc:
        if any(len(g) == 1 and g[0][0] == a["by"] for g in res.suppressed):
            a = {"measure": a["measure"], "by": a["by"], "method": "none", "statistic": None, "p_value": None,
                 "df": [], "note": "suppressed category"}
        out.append(a)
    return out


def shown_groups(wave: dict, res: SuppressionResult, min_n_share: int) -> dict:
    """Group -> whether its share is published (not suppressed, and n at least ``min_n_share``)."""
    return {g: (g not in res.suppressed and int(n) >= min_n_share)
            for g, n in zip(wave["groups"], wave["est"].n, strict=True)}
