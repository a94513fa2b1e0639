"""The complete default analysis: weights, all measures, all breakdowns, CIs, comparisons, suppression.

Every breakdown (total, area, gender, age band, area × gender, area × age band, the child-rights
groups) is a union of area × gender × age-band cells, so one pass over the rows builds per-cell
counts of every answer code, and everything else is arithmetic on arrays of cells
(:mod:`analysis.variance`). With design, post-stratified or raked weights the weight is constant
within a cell, so no weighted pass over the rows is needed at all.

References
----------
STATISTICS.md §2–§8; STANDARDS.md §3.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
from collections.abc import Sequence
from types import MappingProxyType

import numpy as np

from . import comparisons as cmp
from .cellweights import WeightingInfo, cell_weights
from .data import UNKNOWN_AREA, Population, Responses
from .disclosure import SYMBOL_NOT_SHOWN, SYMBOL_SUPPRESSED
from .errors import InputError, MeasureError
from .estimators import estimate_domains
from .grid import DIMENSIONS, Group, build_grid, domains
from .index import cronbach_alpha, problem_levels
from .intervals import Z_95, CIMethod, clopper_pearson_interval, korn_graubard_interval
from .measureprotection import PatternStore
from .measurestats import index_moments, index_values, rao_scott_cells, share_moments
from .protection import ProtectionRule
from .rows import DEFF_FLAG, FLAGS, MEN, WOMEN, AnalysisResult, ComparisonRow, EstimateRow, holm_family
from .wavesuppression import shown_groups, suppress_wave, withhold_associations

__all__ = ["FLAGS", "MEN", "WOMEN", "AnalysisResult", "ComparisonRow", "EstimateRow", "WeightingInfo", "run_analysis"]

# ----------------------------------------------------------------------------------------------
# ----------------------------------------------------------------------------------------------
def run_analysis(responses: Responses, measures: Sequence, *, weighting: str | None = None,
                 population: Population | None = None, by: Sequence[str] = DIMENSIONS, min_cell: int = 5,
                 min_n_share: int = 30, flag_n_below: int = 50, compare: Responses | None = None,
                 ci_method: CIMethod | str | None = None, tol: float = 1e-10, max_iter: int = 1000,
                 lonely: str = "adjust", trim_ratio: float | None = None, fpc: bool = False,
                 min_poststratum: int = 20, compare_population: Population | None = None,
                 patterns: PatternStore | None = None, compare_patterns: PatternStore | None = None) -> AnalysisResult:
    """Run the full analysis of issue 4 on respondent data.

    Parameters
    ----------
    responses : Responses
    measures : sequence of Measure or ``analysis.instrument.MeasureDef``
    weighting : {"none", "given", "design", "poststrat", "raking"}, optional
        Default "given" when the data has a weight column, else "none".
    population : Population, optional
        Needed for design, poststrat and raking.
    by : sequence of {"area", "gender", "age_band"}
        Breakdown dimensions; area is also crossed with each other dimension.
    min_cell : int
        Primary suppression threshold (0 < n < min_cell).
    min_n_share, flag_n_below : int
        Precision rule: estimates with n < min_n_share are not shown (``..``), n < flag_n_below are
        flagged ``U``.
    compare : Responses, optional
        The other wave for trends (RESPONSES minus OTHER), weighted the same way.
    ci_method : CIMethod, optional
        Default modified Wilson (weighted) or Wilson (unweighted).
    tol, max_iter : float, int
        Raking convergence (max relative margin misfit after a full pass) and iteration cap.
    lonely : {"adjust", "certainty", "fail"}
        Areas (strata) with a single respondent, as R ``options(survey.lonely.psu=...)``: "adjust"
        (default; centred at the grand mean, conservative), "certainty" (no variance contribution) or
        "fail" (an :class:`InputError` naming the areas). Rows touching such an area carry the flag
        ``lonely_stratum``; the areas are in ``weighting.lonely_strata`` (:mod:`analysis.cellweights`).
    trim_ratio : float, optional
        Raking only: cap the raked weights at r × their median (typically 3–5), re-rake, repeat until
        both the margins and the cap hold (STATISTICS §3); diagnostics before trimming are kept.
    fpc : bool
        Finite population correction (1 − n_h/N_h) with N_h from ``population`` (required).
    min_poststratum : int
        Post-stratification: cells with fewer respondents are collapsed (rule in
        :mod:`analysis.cellweights`); 0 collapses nothing.
    compare_population : Population, optional
        The population of the other wave (``compare``), for its weights; default ``population``.
    patterns, compare_patterns : PatternStore, optional
        Suppression patterns found before for this wave / the other wave, by the digest of what they protect
        (:mod:`analysis.measureprotection`): the same figures, without searching again.

    Returns
    -------
    AnalysisResult

    Notes
    -----
    * Groups: the total ``()``, each ``by`` dimension, area crossed with each other dimension, and,
      when the age bands separate children (12–17) from adults, ``age_group`` = ``under_18`` /
      ``18_plus`` and under-18 by gender.
    * Unweighted shares get Wilson intervals and SE √(p̂(1−p̂)/n); their comparisons use the same
      stratified linearisation as weighted data with all weights 1.
    * Comparisons (gender gap = women − men, with women ``kvinna``/``woman`` and men ``man``; each area
      against the rest; the trend, RESPONSES minus OTHER) use z = difference / SE with two-sided normal
      p-values and Holm within each family (measure, kind, breakdown level: the total; the areas;
      the area × gender cells; the under-18 group; ... — :func:`holm_family`); a comparison is not published when a
      group it involves is suppressed or below the precision rule.
    * Weighted association tests are Rao–Scott second-order F (N = valid answers, ν = N − H);
      unweighted ones Pearson χ² without Yates, or Fisher for 2 × 2 tables with an expected count < 5.
    """
    bad = [d for d in by if d not in DIMENSIONS]
    if bad:
        raise InputError(f"unknown --by dimension {bad[0]!r}")
    by = [d for d in DIMENSIONS if d in by]
    names = [m.name for m in measures]
    if len(set(names)) != len(names):
        raise MeasureError("measure names must be unique")
    if not measures:
        raise MeasureError("no measures: give --measure or a questionnaire with measures")
    if weighting is None:
        weighting = "given" if responses.weight is not None else "none"
    if min_n_share < 0 or flag_n_below < 0 or min_poststratum < 0:
        raise InputError("min_n_share, flag_n_below and min_poststratum cannot be negative")
    opts = {"ci_method": ci_method, "tol": tol, "max_iter": max_iter, "lonely": lonely, "trim_ratio": trim_ratio,
            "fpc": fpc, "min_poststratum": min_poststratum, "patterns": (patterns, compare_patterns)}
    with _single_threaded_blas():
        return _run(responses, measures, weighting, population, by, min_cell, min_n_share, flag_n_below, compare,
                    compare_population if compare_population is not None else population, opts)


def _single_threaded_blas():
    """The matrices here are small (domains × cells): threaded BLAS only adds synchronisation cost, which
    on a loaded 2-core machine was 70× the work itself (8 ms instead of 0.1 ms per product)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # optional: without it the results are the same, only slower on busy machines
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def _run(responses, measures, weighting, population, by, min_cell, min_n_share, flag_n_below, compare,
         compare_population, opts) -> AnalysisResult:
    stores = opts.pop("patterns")
    now = _analyse_wave(responses, measures, weighting, population, by, **opts)
    before = None
    if compare is not None:
        before = _analyse_wave(compare, measures, weighting, compare_population, by, **opts)
    rows: list[EstimateRow] = []
    comps: list[ComparisonRow] = []
    assoc: list[dict] = []
    info: list[dict] = []
    rule = ProtectionRule(min_cell=min_cell)
    sup_summary = {"min_cell": min_cell, "min_n_share": min_n_share, "flag_n_below": flag_n_below,
                   "primary": 0, "secondary": 0, "precision_hidden": 0, "protection_ratio": rule.ratio,
                   "protection_min_width": rule.width, "rule": "0 < n < min_cell; complementary cells until an "
                   "attacker solving all tables of the wave as a linear program cannot narrow a suppressed n below "
                   "(1 ± ratio)·n or below min_width, nor pin its counted or uncounted answers (cheapest first, "
                   "inner cells before margins, never the total); n < min_n_share: share not shown (precision)"}
    now_sup = suppress_wave(now, rule, min_n_share, stores[0])
    before_sup = suppress_wave(before, rule, min_n_share, stores[1]) if before else None
    for measure in measures:
        wave = now[measure.name]
        shown = _publish(measure, wave, now_sup[measure.name], min_n_share, flag_n_below, rows, sup_summary)
        comps += _comparisons(measure, wave, shown, before[measure.name] if before else None,
                              before_shown=shown_groups(before[measure.name], before_sup[measure.name], min_n_share)
                              if before and before_sup else None)
        assoc += withhold_associations(wave["assoc"], now_sup[measure.name])
        info.append(wave["info"])
    return AnalysisResult(measures=tuple(rows), comparisons=tuple(comps), weighting=_first(now)["weighting"],
                          suppression=MappingProxyType(sup_summary), associations=tuple(assoc),
                          measure_info=tuple(info))


def _first(now):
    return next(iter(now.values()))


def _analyse_wave(resp, measures, weighting, population, by, *, ci_method, tol, max_iter, lonely, trim_ratio, fpc,
                  min_poststratum) -> dict:
    grid = build_grid(resp)
    wts = cell_weights(resp, grid, weighting, population, tol=tol, max_iter=max_iter, lonely=lonely,
                       trim_ratio=trim_ratio, fpc=fpc, min_poststratum=min_poststratum)
    weighted = weighting != "none"
    doms = domains(grid, by)
    groups = [g for g, _ in doms]
    membership = np.array([m for _, m in doms], dtype=float)
    q = wts.design.projection()
    cache: dict = {}
    out = {}
    for measure in measures:
        minfo: dict = {"measure": measure.name, "kind": measure.kind}
        if measure.kind == "share":
            mom = share_moments(measure, resp, grid, wts, cache)
            est = estimate_domains(wts.design, mom, membership, weighted=weighted, ci_method=ci_method,
                                   projection=q)
            minfo.update(item=measure.item, counted=list(measure.counted), base=list(measure.base))
        else:
            values, scores = index_values(measure, resp)
            mom = index_moments(values, grid, wts)
            est = estimate_domains(wts.design, mom, membership, kind="mean", projection=q)
            alpha = cronbach_alpha(scores)
            minfo.update(items=list(measure.items), alpha=None if math.isnan(alpha.alpha) else alpha.alpha,
                         alpha_n=alpha.n_complete)
        assoc = []
        if measure.kind == "share":
            coords = {"area": grid.ca, "gender": grid.cg, "age_band": grid.cb}
            sizes = {"area": len(grid.areas), "gender": len(grid.genders), "age_band": len(grid.bands)}
            for d in by:
                # respondents of an unknown area are in the totals only, never a column of the area test:
                # the test runs on the subpopulation of known areas (their scores are zero, as for a domain)
                dmom = _known_area_moments(mom, grid) if d == "area" and UNKNOWN_AREA in grid.areas else mom
                assoc.append(_association(measure.name, d, wts, dmom, coords[d], sizes[d], weighted))
        lonely = wts.design.lonely_strata()
        out[measure.name] = {"lonely_cells": np.isin(wts.design.stratum, lonely) if lonely.size else None,
                             "groups": groups, "membership": membership, "est": est, "mom": mom, "grid": grid,
                             "design": wts.design, "q": q, "weighted": weighted, "weighting": wts.info,
                             "info": minfo, "assoc": [a for a in assoc if a is not None], "measure": measure}
    return out


def _known_area_moments(mom, grid):
    """The moments restricted to respondents of a known area (a domain: the others keep zero scores)."""
    keep = (np.array(grid.areas, dtype=object)[grid.ca] != UNKNOWN_AREA).astype(float)
    fields = ("n_valid", "y_count", "wv", "wy", "w2v", "w2_css", "dv", "dy")
    return dataclasses.replace(mom, **{f: None if getattr(mom, f) is None else getattr(mom, f) * keep
                                       for f in fields})


def _association(name, dim, wts, mom, col_idx, n_cols, weighted):
    try:
        if weighted:
            res = rao_scott_cells(wts.design, mom, col_idx, n_cols)
        else:
            n1 = np.bincount(col_idx, weights=mom.y_count, minlength=n_cols)
            n0 = np.bincount(col_idx, weights=mom.n_valid, minlength=n_cols) - n1
            res = cmp.pearson_or_fisher(np.column_stack([n0, n1]))
    except InputError as exc:
        return {"measure": name, "by": dim, "method": "none", "statistic": None, "p_value": None, "df": [],
                "note": str(exc)}
    except np.linalg.LinAlgError:
        res = None
    if res is None:
        return None
    out = {"measure": name, "by": dim, "method": res.method, "statistic": res.statistic, "p_value": res.p_value,
           "df": list(res.df)}
    if not math.isfinite(res.statistic):
        out["statistic"] = None
        out["note"] = ("odds ratio infinite: the 2 × 2 table has a zero cell (the p-value is exact)"
                       if res.method == "fisher" else "statistic not defined")
    return out


def _publish(measure, wave, res, min_n_share, flag_n_below, rows, summary) -> dict:
    est = wave["est"]
    groups = wave["groups"]
    counts = {g: int(n) for g, n in zip(groups, est.n, strict=True)}
    summary["primary"] += len(res.primary)
    summary["secondary"] += len(res.secondary)
    cut = getattr(measure, "cutpoints", None)
    levels = None
    if cut and measure.kind == "share":
        if wave["weighted"]:
            kg_low, kg_high = korn_graubard_interval(est.estimate, est.variance, est.n, est.df, est.n_eff_kish)
            lci = (np.atleast_1d(kg_low), np.atleast_1d(kg_high))
        else:
            cp_low, cp_high = clopper_pearson_interval(est.count, est.n)
            lci = (np.atleast_1d(cp_low), np.atleast_1d(cp_high))
        levels = (problem_levels(est.estimate, cut), problem_levels(lci[0], cut), problem_levels(lci[1], cut), lci)
    shown = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        deff = est.n / est.n_eff_kish
    for k, g in ((k, g) for k, g in enumerate(groups) if ("area", UNKNOWN_AREA) not in g):  # in lines, unpublished
        n = counts[g]
        if g in res.suppressed:
            rows.append(EstimateRow(measure.name, g, None, None, None, None, None, est.ci_method.value, True,
                                    SYMBOL_SUPPRESSED, flags=("suppressed",)))
            shown[g] = False
            continue
        if n < min_n_share:
            summary["precision_hidden"] += 1
            rows.append(EstimateRow(measure.name, g, n, None, None, None, None, est.ci_method.value, False,
                                    SYMBOL_NOT_SHOWN, flags=("below_precision",)))
            shown[g] = False
            continue
        shown[g] = True
        level: int | None = None
        level_ci: tuple[float, float] | None = None
        level_uncertain: bool | None = None
        if levels is not None:
            lo, hi = int(levels[1][k]), int(levels[2][k])
            level, level_ci = int(levels[0][k]), (float(levels[3][0][k]), float(levels[3][1][k]))
            level_uncertain = lo != hi
        rows.append(EstimateRow(
            measure.name, g, n, _f(est.estimate[k]), _f(est.se[k]), _f(est.ci_low[k]), _f(est.ci_high[k]),
            est.ci_method.value, False, "", int(est.df[k]),
            _f(1.959963984540054 * est.se[k]), uncertain=n < flag_n_below,
            level=level, level_ci=level_ci, level_uncertain=level_uncertain,
            flags=_row_flags(measure, wave, k), deff_kish=_f(deff[k]) if wave["weighted"] else None))
    return shown


def _row_flags(measure, wave, k: int) -> tuple[str, ...]:
    """Why figure k is absent or needs care (codes of :data:`FLAGS`), from what the estimators computed."""
    est = wave["est"]
    out = []
    p = float(est.estimate[k])
    if measure.kind == "share" and p in (0.0, 1.0):
        out.append("estimate_0_or_1")
        if wave["weighted"] and est.ci_method in (CIMethod.MODIFIED_WILSON, CIMethod.KORN_GRAUBARD):
            out.append("kish_fallback")
    if est.df[k] <= 0:
        out.append("no_df")
    if not math.isfinite(float(est.se[k])):
        out.append("no_variance")
    if wave["lonely_cells"] is not None and (wave["membership"][k] * wave["mom"].n_valid)[wave["lonely_cells"]].any():
        out.append("lonely_stratum")
    if wave["weighted"] and est.n[k] > 0 and est.n[k] / est.n_eff_kish[k] > DEFF_FLAG:
        out.append("extreme_weights")
    return tuple(out)


def _f(x) -> float | None:
    x = float(x)
    return x if math.isfinite(x) else None


def _comparisons(measure, wave, shown, before, before_shown) -> list[ComparisonRow]:
    groups = wave["groups"]
    pos = {g: i for i, g in enumerate(groups)}
    grid = wave["grid"]
    membership = wave["membership"]
    pairs: list[tuple[str, Group, np.ndarray, np.ndarray, bool]] = []
    women = np.isin(np.array(grid.genders, dtype=object)[grid.cg], WOMEN)
    men = np.isin(np.array(grid.genders, dtype=object)[grid.cg], MEN)
    has_gender = any(len(g) == 1 and g[0][0] == "gender" for g in groups)
    if has_gender and women.any() and men.any():
        scopes: list[tuple[Group, np.ndarray]] = [((), np.ones(grid.size, dtype=bool))]
        if any(len(g) == 2 and g[0][0] == "area" and g[1][0] == "gender" for g in groups):
            scopes += [((("area", a),), grid.ca == i) for i, a in enumerate(grid.areas) if a != UNKNOWN_AREA]
        u18 = (("age_group", "under_18"),)
        if u18 in pos:
            scopes.append((u18, membership[pos[u18]] > 0))
        for g, scope in scopes:
            ok = _gap_shown(g, shown, grid.genders)
            pairs.append(("gender_gap", g, scope & women, scope & men, ok))
    known = [(i, a) for i, a in enumerate(grid.areas) if a != UNKNOWN_AREA]  # the rest is the other known areas
    if any(len(g) == 1 and g[0][0] == "area" for g in groups) and len(known) > 1:
        for i, a in known:
            g = (("area", a),)
            rest_n = sum(int(wave["est"].n[pos[(("area", b),)]]) for _, b in known if b != a)
            pairs.append(("area_vs_rest", g, grid.ca == i, np.isin(grid.ca, [j for j, _ in known if j != i]),
                          shown.get(g, False) and rest_n > 0))
    specs: list[tuple[str, Group, bool]] = []
    diffs: list[np.ndarray] = []
    ses: list[np.ndarray] = []
    if pairs:
        mem = np.vstack([np.vstack([p[2], p[3]]) for p in pairs]).astype(float)
        coef = np.zeros((len(pairs), 2 * len(pairs)))
        coef[np.arange(len(pairs)), 2 * np.arange(len(pairs))] = 1
        coef[np.arange(len(pairs)), 2 * np.arange(len(pairs)) + 1] = -1
        diff, se = cmp.contrast_of_domains(wave["design"], wave["mom"], mem, coef, projection=wave["q"])
        specs += [(kind, g, ok) for kind, g, _, _, ok in pairs]
        diffs.append(diff)
        ses.append(se)
    if before is not None:
        bpos = {g: i for i, g in enumerate(before["groups"])}
        common = [g for g in groups if g in bpos]
        now_at = np.array([pos[g] for g in common], dtype=int)
        before_at = np.array([bpos[g] for g in common], dtype=int)
        e1, e0 = wave["est"], before["est"]
        specs += [("trend", g, shown.get(g, False) and before_shown.get(g, False)) for g in common]
        diffs.append(e1.estimate[now_at] - e0.estimate[before_at])
        ses.append(np.hypot(e1.se[now_at], e0.se[before_at]))  # independent waves: SE = sqrt(SE1^2 + SE2^2)
    if not specs:
        return []
    diff = np.concatenate(diffs)
    se = np.concatenate(ses)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, diff / se, np.nan)
    p = cmp.two_sided_p(z)
    rows = []
    for (kind, g, ok), d, s_, zz, pp in zip(specs, diff, se, z, p, strict=True):
        if not ok:
            rows.append(ComparisonRow(measure.name, kind, g, None, None, None, None, None, None, None, False,
                                      flags=("group_not_shown",)))
        elif not math.isfinite(d) or not math.isfinite(s_):
            rows.append(ComparisonRow(measure.name, kind, g, None, None, None, None, None, None, None, False,
                                      flags=("no_test",)))
        else:
            rows.append(ComparisonRow(measure.name, kind, g, float(d), float(s_), float(d - Z_95 * s_),
                                      float(d + Z_95 * s_), _f(zz), _f(pp), None, False,
                                      flags=() if s_ > 0 else ("no_test",)))
    return _holm_by_family(rows)


def _gap_shown(scope: Group, shown: dict, genders: Sequence[str]) -> bool:
    def key(gender):
        if not scope:
            return (("gender", gender),)
        if scope[0][0] == "area":
            return (scope[0], ("gender", gender))
        return (*scope, ("gender", gender))
    ws = [key(g) for g in genders if g in WOMEN]
    ms = [key(g) for g in genders if g in MEN]
    return all(shown.get(k, False) for k in ws + ms)


def _holm_by_family(rows: list[ComparisonRow]) -> list[ComparisonRow]:
    """Holm's step-down adjustment within each :func:`holm_family`; unpublished comparisons are left out."""
    out = list(rows)
    families: dict[tuple, list[int]] = {}
    for i, r in enumerate(rows):
        families.setdefault(holm_family(r), []).append(i)
    for idx in families.values():
        p = [np.nan if (value := rows[i].p_value) is None else value for i in idx]
        adj = cmp.holm(p)
        for i, a in zip(idx, adj, strict=True):
            if math.isfinite(a):
                out[i] = dataclasses.replace(rows[i], p_adjusted=float(a), significant=bool(a < 0.05))
    return out
