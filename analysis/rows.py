"""What an analysis returns: its rows (:class:`EstimateRow`, :class:`ComparisonRow`), the whole
:class:`AnalysisResult` with its JSON-ready form, and the flags and Holm families the rows carry.

:func:`analysis.report.run_analysis` makes them; :mod:`analysis.tables` and the web app read them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .cellweights import WeightingInfo
from .grid import Group
from .numbers import clean
from .weighting import WeightDiagnostics

#: Flags on estimate and comparison rows: code -> what it means (why a figure is absent or needs care).
FLAGS = {
    "estimate_0_or_1": "the share is 0 or 1: its SE is 0, the interval uses the Kish effective n",
    "kish_fallback": "the interval uses the Kish effective n instead of the design-based n* (p̂ at 0 or 1)",
    "no_df": "no degrees of freedom (as many strata as answers): no interval",
    "no_variance": "the variance cannot be estimated: no SE, interval or margin of error",
    "lonely_stratum": "answers in an area with a single respondent, handled by the lonely-stratum rule",
    "extreme_weights": "the weights make the Kish design effect of this group exceed the limit (see deff_kish)",
    "suppressed": "not shown: disclosure control (U)",
    "below_precision": "not shown: fewer valid answers than the precision rule (..)",
    "group_not_shown": "not tested: a group it compares is not shown",
    "no_test": "not tested: no variance of the difference (SE 0 or undefined)",
}
DEFF_FLAG = 2.0  # flag a weighted estimate whose Kish design effect exceeds this (n_eff below half of n)

WOMEN = ("kvinna", "woman")
MEN = ("man",)


@dataclass(frozen=True, slots=True)
class EstimateRow:
    """One published estimate. Hidden figures are None (suppressed, or n below the precision rule)."""

    measure: str
    group: Group
    n: int | None
    estimate: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    ci_method: str
    suppressed: bool
    symbol: str
    df: int | None = None
    margin_of_error: float | None = None
    level: int | None = None
    level_ci: tuple[float, float] | None = None
    level_uncertain: bool | None = None
    uncertain: bool = False  # shown, but on few answers (30-49 by default): flag it beside the figure
    flags: tuple[str, ...] = ()  # codes of :data:`FLAGS`: why a figure is absent or needs care
    deff_kish: float | None = None  # n / Kish n_eff of the domain's valid answers (weighted data)


@dataclass(frozen=True, slots=True)
class ComparisonRow:
    """A difference with its z test; numbers are None when either side is not published."""

    measure: str
    kind: str
    group: Group
    difference: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    statistic: float | None
    p_value: float | None
    p_adjusted: float | None
    significant: bool
    flags: tuple[str, ...] = ()  # codes of :data:`FLAGS`: why it is not published or has no test


@dataclass(frozen=True, slots=True)
class AnalysisResult:
    """Everything the command line prints and the web app shows."""

    measures: tuple[EstimateRow, ...]
    comparisons: tuple[ComparisonRow, ...]
    weighting: WeightingInfo
    suppression: Mapping[str, object]
    associations: tuple[Mapping[str, object], ...] = ()
    measure_info: tuple[Mapping[str, object], ...] = ()

    def to_dict(self) -> dict:
        """JSON-ready dictionary in the command-line contract's layout.

        Every number passes through :func:`analysis.numbers.clean`: NaN and infinities become ``None`` (JSON
        ``null``), numpy scalars Python numbers; a figure that could not be computed carries its reason in
        ``flags`` (:data:`FLAGS`).
        """
        w = self.weighting
        rows: list[dict] = []
        for r in self.measures:
            row: dict[str, object] = {
                "measure": r.measure, "group": dict(r.group), "n": r.n, "estimate": r.estimate, "se": r.se,
                "ci_low": r.ci_low, "ci_high": r.ci_high, "ci_method": r.ci_method, "suppressed": r.suppressed,
                "symbol": r.symbol, "uncertain": r.uncertain, "df": r.df, "margin_of_error": r.margin_of_error,
                "flags": list(r.flags), "deff_kish": r.deff_kish}
            if r.level is not None or r.level_ci is not None:
                row.update(level=r.level, level_ci=list(r.level_ci) if r.level_ci else None,
                           level_uncertain=r.level_uncertain)
            rows.append(row)
        return clean({
            "measures": rows,
            "comparisons": [{
                "measure": c.measure, "kind": c.kind, "group": dict(c.group), "difference": c.difference,
                "se": c.se, "ci_low": c.ci_low, "ci_high": c.ci_high, "statistic": c.statistic,
                "p_value": c.p_value, "p_adjusted": c.p_adjusted, "significant": c.significant,
                "holm_family": "/".join(holm_family(c)[2]) or "total", "flags": list(c.flags),
            } for c in self.comparisons],
            "weighting": {
                "method": w.method, "iterations": w.iterations, "converged": w.converged,
                "diagnostics": {} if w.diagnostics is None else {
                    **_diag_dict(w.diagnostics), "max_margin_deviation": w.max_deviation},
                **({"trim_rounds": w.trim_rounds, "diagnostics_before_trim": _diag_dict(w.diagnostics_before_trim)}
                   if w.diagnostics_before_trim is not None else {}),
                "lonely": w.lonely, "lonely_strata": list(w.lonely_strata), "fpc": w.fpc,
                "collapsed_poststrata": [{"poststratum": name, "cells": list(cells)} for name, cells in w.collapsed],
            },
            "suppression": dict(self.suppression),
            "associations": [dict(a) for a in self.associations],
            "measure_info": [dict(m) for m in self.measure_info],
        })


def _diag_dict(d: WeightDiagnostics) -> dict:
    return {"n": d.n, "sum_w": d.sum_w, "min": d.min, "max": d.max, "max_min_ratio": d.max_min_ratio, "cv": d.cv,
            "n_eff_kish": d.n_eff_kish, "deff_kish": d.deff_kish}


def holm_family(row: ComparisonRow) -> tuple[str, str, tuple[str, ...]]:
    """The Holm family of a comparison: (measure, kind, breakdown level).

    The breakdown level is the tuple of dimensions of the comparison's group: ``()`` for the total,
    ``("area",)`` for the areas, ``("area", "gender")`` for area × gender cells, ``("age_group",)`` for the
    under-18 group, and so on. An analyst reads one level at a time ("is the municipality's trend real?",
    "which areas differ?"), so the multiple-testing correction runs over the tests of one level of one
    measure and kind, not over every breakdown at once: a municipality-wide trend is one test in its own
    family and is not diluted by the dozens of area × gender cells.
    """
    return (row.measure, row.kind, tuple(k for k, _ in row.group))
