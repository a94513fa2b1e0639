"""The R-indicator and CV of response propensities against a hand computation (Schouten et al. 2009, eq. 2.2)."""

from __future__ import annotations

import math

import pytest

from analysis.errors import InputError
from analysis.representativeness import representativeness


def test_three_cells_by_hand() -> None:
    # N = (100, 200, 100), n = (10, 40, 30): rates 0.1, 0.2, 0.3, overall 80/400 = 0.2.
    # Σ N_c (ρ_c − ρ̄)² = 100·0.1² + 200·0² + 100·0.1² = 2, so S² = 2 / 399.
    result = representativeness([10, 40, 30], [100, 200, 100])
    s = math.sqrt(2 / 399)
    assert result.mean_propensity == pytest.approx(0.2, rel=1e-15)
    assert result.sd_propensity == pytest.approx(s, rel=1e-12)
    assert result.sd_propensity == pytest.approx(0.0707992, abs=1e-7)
    assert result.r_indicator == pytest.approx(1 - 2 * s, rel=1e-12)
    assert result.r_indicator == pytest.approx(0.8584016, abs=1e-7)
    assert result.cv == pytest.approx(s / 0.2, rel=1e-12)
    assert result.respondents == 80
    assert result.population == 400
    assert result.cells == 3


def test_equal_rates_are_fully_representative_and_empty_cells_are_left_out() -> None:
    result = representativeness([5, 10, 0], [50, 100, 0])
    assert result.r_indicator == 1.0
    assert result.cv == 0.0
    assert result.cells == 2


def test_the_same_persons_as_individual_propensities() -> None:
    # Every person of cell c has propensity n_c / N_c: the sample SD over the 7 persons equals S.
    persons = [1 / 3] * 3 + [3 / 4] * 4
    mean = sum(persons) / 7
    s = math.sqrt(sum((p - mean) ** 2 for p in persons) / 6)
    result = representativeness([1, 3], [3, 4])
    assert result.sd_propensity == pytest.approx(s, rel=1e-12)
    assert result.mean_propensity == pytest.approx(4 / 7, rel=1e-15)


@pytest.mark.parametrize(("n", "big_n"), [([1, 2], [3]), ([-1], [4]), ([1], [0]), ([0], [1])])
def test_refuses_impossible_input(n, big_n) -> None:
    with pytest.raises(InputError):
        representativeness(n, big_n)
