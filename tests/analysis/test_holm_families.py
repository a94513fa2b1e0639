"""Holm families as an analyst reads them: per (measure, kind) × breakdown level, checked by hand."""

from __future__ import annotations

import numpy as np
from numpy.testing import assert_allclose

from analysis.data import Responses
from analysis.measures import Measure
from analysis.report import run_analysis

MEASURE = Measure("x", "share", "q", counted=("1",), base=("1", "2"))


def _wave(share_by_area: dict[str, float], n: int = 120, seed: int = 0) -> Responses:
    """n respondents per area, half women; the counted share is exact per area and gender (no randomness)."""
    cols: dict[str, list] = {"area": [], "gender": [], "age_band": [], "q": []}
    for a, p in share_by_area.items():
        for gender in ("kvinna", "man"):
            k = round(p * n / 2) + (seed if gender == "kvinna" else 0)
            for i in range(n // 2):
                cols["area"].append(a)
                cols["gender"].append(gender)
                cols["age_band"].append("25-34" if i % 2 else "35-44")
                cols["q"].append("1" if i < k else "2")
    return Responses.from_columns(cols)


def _hand_holm(p: list[float]) -> list[float]:
    """Holm (1979) written out: sort, multiply the j-th smallest by m − j + 1, running maximum, cap at 1."""
    m = len(p)
    order = sorted(range(m), key=lambda i: p[i])
    out = [0.0] * m
    running = 0.0
    for j, i in enumerate(order):
        running = max(running, min(1.0, (m - j) * p[i]))
        out[i] = running
    return out


def test_each_breakdown_level_is_its_own_holm_family():
    now = _wave({"A": 0.55, "B": 0.5, "C": 0.45, "D": 0.4}, seed=6)
    before = _wave({"A": 0.45, "B": 0.45, "C": 0.45, "D": 0.42})
    res = run_analysis(now, [MEASURE], compare=before, by=("area", "gender"), min_cell=1, min_n_share=0)
    trends = [c for c in res.comparisons if c.kind == "trend"]
    total = next(c for c in trends if c.group == ())
    # the total is alone in its family: its adjusted p-value is its p-value (today's main multiplies it by
    # the number of every trend of every breakdown)
    assert total.p_value is not None
    assert total.p_adjusted == total.p_value
    levels = {tuple(k for k, _ in c.group) for c in trends}
    assert levels == {(), ("area",), ("gender",), ("area", "gender")}
    for level in levels:
        fam = [c for c in trends if tuple(k for k, _ in c.group) == level]
        assert_allclose([c.p_adjusted for c in fam], _hand_holm([c.p_value for c in fam]), rtol=1e-12)
        assert all(c.significant == (c.p_adjusted < 0.05) for c in fam)
    areas = [c for c in trends if tuple(k for k, _ in c.group) == ("area",)]
    assert len(areas) == 4
    # gender gaps: the total's gap alone, the four areas' gaps one family
    gaps = [c for c in res.comparisons if c.kind == "gender_gap"]
    gap_total = next(c for c in gaps if c.group == ())
    assert gap_total.p_adjusted == gap_total.p_value
    by_area = [c for c in gaps if c.group != ()]
    assert len(by_area) == 4
    assert_allclose([c.p_adjusted for c in by_area], _hand_holm([c.p_value for c in by_area]), rtol=1e-12)


def test_a_significant_total_trend_is_not_diluted_by_the_cells():
    """The issue's case: a municipality-wide trend with p ≈ 0.002 stays significant among many cell trends."""
    now = _wave(dict.fromkeys("ABCDEFGH", 0.5), n=100)
    before = _wave(dict.fromkeys("ABCDEFGH", 0.43), n=100)
    res = run_analysis(now, [MEASURE], compare=before, by=("area", "gender"), min_cell=1, min_n_share=0)
    total = next(c for c in res.comparisons if c.kind == "trend" and c.group == ())
    assert total.p_value < 0.05
    assert total.significant
    n_trends = sum(c.kind == "trend" and c.p_value is not None for c in res.comparisons)
    assert n_trends > 20
    assert min(1.0, n_trends * total.p_value) > 0.05  # what one family over every breakdown made of it
    assert np.isfinite(total.p_adjusted)
