"""Suppression (hand-worked tables), index and problem level, measure parsing."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from analysis.disclosure import (
    complementary_suppression,
    precision_flag,
    precision_symbol,
    primary_suppression,
    suppress_table,
)
from analysis.errors import InputError, MeasureError
from analysis.index import cronbach_alpha, default_min_valid, person_index, problem_level
from analysis.measures import Measure, parse_measure


def test_statistics_8_example():
    """Rows A-C, age groups 1-4; primary A2, B2; complementary A3, B3; stable."""
    table = np.array([[12, 3, 9, 15], [8, 2, 7, 11], [14, 9, 10, 16]])
    mask = suppress_table(table)
    want = np.zeros((4, 5), dtype=bool)
    want[0, 1] = want[1, 1] = want[0, 2] = want[1, 2] = True
    assert (mask == want).all()


def test_single_suppressed_cell_in_a_line_gets_a_partner():
    res = complementary_suppression({"total": 40, "a": 3, "b": 20, "c": 17}, [["total", "a", "b", "c"]])
    assert res.primary == {"a"}
    assert res.secondary == {"c"}


def test_zero_cells_are_not_sensitive_and_not_chosen():
    res = complementary_suppression({"t": 30, "a": 0, "b": 4, "c": 26}, [["t", "a", "b", "c"]])
    assert res.primary == {"b"}
    assert res.secondary == {"c"}
    assert list(primary_suppression([0, 1, 4, 5])) == [False, True, True, False]
    assert list(primary_suppression([0, 1, 4, 5], min_cell=3)) == [False, True, False, False]


def test_linked_lines_propagate():
    """b is forced by line 1; line 2 then holds one suppressed entry and needs a second."""
    counts = {"t": 50, "a": 2, "b": 10, "c": 38, "b1": 6, "b2": 4}
    lines = [["t", "a", "b", "c"], ["b", "b1", "b2"]]
    res = complementary_suppression(counts, lines)
    assert res.suppressed == {"a", "b", "b2"}


def test_precision_symbols():
    assert list(precision_symbol([5, 29, 30, 49, 50])) == ["..", "..", "", "", ""]
    assert list(precision_flag([5, 29, 30, 49, 50])) == [False, False, True, True, False]


def test_person_index_and_default_min_valid():
    assert default_min_valid(4) == 3
    assert default_min_valid(6) == 5
    s = np.array([[0, 100, np.nan, 50], [0, np.nan, np.nan, 100], [np.nan] * 4])
    got = person_index(s)
    assert_allclose(got[0], 50.0)
    assert np.isnan(got[1])
    assert np.isnan(got[2])


def test_cronbach_alpha_hand_formula(survey, oracle):
    res = cronbach_alpha(survey["scores"])
    assert_allclose(res.alpha, oracle("alpha.worry"), rtol=1e-9)
    assert res.n_complete == oracle("alpha.worry.n")
    # rescaling the items does not change alpha
    assert_allclose(cronbach_alpha(survey["scores"] / 100 * 3 + 1).alpha, res.alpha, rtol=1e-12)


def test_problem_level_standards_example():
    lv = problem_level(100, 420, (0.05, 0.10, 0.30, 0.40, 0.50, 0.60))
    assert lv.level == 2
    assert_allclose([lv.ci_low, lv.ci_high], [0.1981, 0.2818], atol=5e-5)
    assert not lv.uncertain
    wide = problem_level(3, 10, (0.05, 0.10, 0.30, 0.40, 0.50, 0.60))
    assert wide.uncertain
    assert wide.level_low < wide.level_high
    with pytest.raises(InputError):
        problem_level(1, 10, (0.1, 0.2, 0.3))


def test_parse_measure():
    m = parse_measure("otrygg=trygg_kvall:3,4/1,2,3,4")
    assert (m.name, m.item, m.counted, m.base, m.kind) == ("otrygg", "trygg_kvall", ("3", "4"), ("1", "2", "3", "4"),
                                                          "share")


@pytest.mark.parametrize("text", ["otrygg", "otrygg=item", "otrygg=item:3/", "=item:1/1", "x=i:5/1,2",
                                  "x=i:1,1/1,2", "x y=i:1/1"])
def test_malformed_measure(text):
    with pytest.raises(MeasureError, match="--measure"):
        parse_measure(text)


def test_measure_validation():
    with pytest.raises(MeasureError):
        Measure("x", "share", "i", counted=("a",), base=("b",))
    with pytest.raises(MeasureError):
        Measure("x", "index", None, items=("a",), scores=(("a", 1.0),))
    with pytest.raises(MeasureError):
        Measure("x", "other", None)
