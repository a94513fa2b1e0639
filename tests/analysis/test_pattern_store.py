"""Suppression patterns kept by the digest of what they protect (analysis.measureprotection).

A stored pattern must be used exactly when the counts, groups, rule and code are the ones it was found for: the
figures with a store are compared with a run without one, and a store that returns a pattern for other counts is
caught by the digest, not by trust.
"""

from __future__ import annotations

import numpy as np
import pytest

import analysis.measureprotection as measureprotection
from analysis.data import Responses
from analysis.measureprotection import MemoryPatternStore, pattern_digest
from analysis.measures import Measure
from analysis.protection import ProtectionRule, PublishedCounts
from analysis.report import run_analysis

from .attacker import attack, protection_failures, true_counts
from .test_disclosure_attack import seeded_wave

MEASURES = (Measure("x", "share", "q", counted=("1",), base=("1", "2")),
            Measure("y", "share", "q", counted=("2",), base=("1", "2", "3")))


def wave(seed: int) -> dict:
    cols = seeded_wave(seed)
    rng = np.random.default_rng(seed + 1000)
    cols["q"] = [q if rng.random() > 0.05 else "3" for q in cols["q"]]  # "vet ej": links x and y on item q
    return cols


def symbols(result) -> dict:
    return {(r.measure, r.group): (r.symbol, r.n, r.estimate) for r in result.measures}


def test_a_second_analysis_takes_every_pattern_from_the_store_and_publishes_the_same(monkeypatch) -> None:
    cols = wave(24)
    fresh = run_analysis(Responses.from_columns(cols), list(MEASURES))
    assert any(row.symbol == "U" for row in fresh.measures)
    store = MemoryPatternStore()
    first = run_analysis(Responses.from_columns(cols), list(MEASURES), patterns=store)
    assert store.patterns, "the patterns found were not saved"
    assert symbols(first) == symbols(fresh)

    def no_search(*args, **kwargs):
        raise AssertionError("searched again although the pattern was stored")

    monkeypatch.setattr(measureprotection, "protect", no_search)
    again = run_analysis(Responses.from_columns(cols), list(MEASURES), patterns=store, weighting="none")
    assert symbols(again) == symbols(fresh)


def test_one_more_response_is_protected_afresh_and_the_attacker_still_fails() -> None:
    cols = wave(2)
    store = MemoryPatternStore()
    run_analysis(Responses.from_columns(cols), list(MEASURES), patterns=store)
    before = set(store.patterns)
    for column, value in (("area", "A0"), ("gender", "annan"), ("age", "15"), ("q", "1")):
        cols[column].append(value)  # a respondent in a small cell: its counts change
    published = run_analysis(Responses.from_columns(cols), list(MEASURES), patterns=store)
    assert set(store.patterns) - before, "the new counts were answered from a pattern of the old ones"
    fresh = run_analysis(Responses.from_columns(cols), list(MEASURES))
    assert symbols(published) == symbols(fresh)
    intervals, pinned = attack(published.to_dict())
    assert pinned == []
    for m in MEASURES:
        assert protection_failures([iv for iv in intervals if iv.measure == m.name], true_counts(cols, m),
                                   published.to_dict()) == []


def _tables(n: list[int], counted: list[int]) -> PublishedCounts:
    membership = np.array([[1, 1, 1, 1], [1, 1, 0, 0], [0, 0, 1, 1], [1, 0, 1, 0], [0, 1, 0, 1]], dtype=bool)
    return PublishedCounts(("t", "a", "b", "c", "d"), membership, np.array(n), np.array([counted]),
                           np.array(n) >= 30)


@pytest.mark.parametrize("change", ["n", "counted", "rule", "lines", "keys"])
def test_the_digest_changes_with_anything_the_pattern_depends_on(change: str) -> None:
    base = _tables([40, 3, 37, 20, 20], [10, 1, 9, 5, 5])
    rule, lines = ProtectionRule(), [("t", "a", "b")]
    digest = pattern_digest(base, rule, lines)
    assert pattern_digest(_tables([40, 3, 37, 20, 20], [10, 1, 9, 5, 5]), ProtectionRule(), [("t", "a", "b")]) \
        == digest
    other = {
        "n": (_tables([41, 4, 37, 21, 20], [10, 1, 9, 5, 5]), rule, lines),
        "counted": (_tables([40, 3, 37, 20, 20], [10, 2, 8, 5, 5]), rule, lines),
        "rule": (base, ProtectionRule(min_cell=3), lines),
        "lines": (base, rule, [("t", "c", "d")]),
        "keys": (PublishedCounts(("t", "a", "b", "d", "c"), base.membership, base.n, base.counted, base.share_shown),
                 rule, lines),
    }[change]
    assert pattern_digest(*other) != digest
