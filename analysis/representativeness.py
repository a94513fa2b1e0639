"""How representative the respondents are: the R-indicator and the CV of response propensities.

With a population register by cell (area × gender × age band), the response propensity of everyone in cell c
is estimated by the cell's response rate ρ_c = n_c / N_c. Over the population U (N persons):

    ρ̄ = Σ_c n_c / Σ_c N_c                               (the overall response rate)
    S(ρ) = sqrt( Σ_c N_c (ρ_c − ρ̄)² / (N − 1) )          (the standard deviation of the propensities)
    R(ρ) = 1 − 2 S(ρ)                                     (the R-indicator, 1 = fully representative)
    CV(ρ) = S(ρ) / ρ̄                                      (the coefficient of variation of the propensities)

R ranges from 0 (propensities as unequal as possible) to 1 (everyone equally likely to answer), and CV is the
maximal absolute bias of a respondent mean of a 0/1 variable relative to its SD, over ρ̄ (Schouten et al. 2009,
§3): the lower, the better. Because the register gives every N_c exactly, no propensity model is fitted: the
propensities are the cell rates, the fully saturated model on the register's variables.

References
----------
Schouten, B., Cobben, F. and Bethlehem, J. (2009). Indicators for the representativeness of survey response.
*Survey Methodology* 35(1), 101–113, eq. (2.2) and (3.1).
Schouten, B., Shlomo, N. and Skinner, C. (2011). Indicators for monitoring and improving representativeness of
response. *Journal of Official Statistics* 27(2), 231–253 (the coefficient of variation of propensities).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .errors import InputError

__all__ = ["Representativeness", "representativeness"]


@dataclass(frozen=True, slots=True)
class Representativeness:
    """The R-indicator and CV of cell response propensities, with what they were computed from.

    Attributes
    ----------
    respondents, population : int, float
        Σ n_c and Σ N_c over the cells with population.
    cells : int
        Number of cells with N_c > 0.
    mean_propensity : float
        ρ̄, the overall response rate.
    sd_propensity : float
        S(ρ).
    r_indicator : float
        1 − 2 S(ρ).
    cv : float
        S(ρ) / ρ̄ (NaN when nobody answered).
    """

    respondents: int
    population: float
    cells: int
    mean_propensity: float
    sd_propensity: float
    r_indicator: float
    cv: float


def representativeness(respondents: ArrayLike, population: ArrayLike) -> Representativeness:
    """R-indicator and CV of response propensities from respondents and population per cell.

    Parameters
    ----------
    respondents : array_like of int
        n_c, respondents per cell.
    population : array_like of float
        N_c, population per cell, same order; cells with N_c = 0 are left out (nobody there to answer).

    Returns
    -------
    Representativeness

    Raises
    ------
    InputError
        Lengths differ, a count is negative, respondents sit in a cell with no population, or Σ N_c ≤ 1.

    Notes
    -----
    S(ρ)² = Σ_c N_c (ρ_c − ρ̄)² / (N − 1) with ρ_c = n_c / N_c and ρ̄ = Σ n_c / N (Schouten, Cobben and Bethlehem
    2009, eq. 2.2 with the propensities estimated by the saturated cell model); R = 1 − 2 S; CV = S / ρ̄.
    """
    n = np.asarray(respondents, dtype=float)
    big_n = np.asarray(population, dtype=float)
    if n.shape != big_n.shape or n.ndim != 1:
        raise InputError("respondents and population must be one-dimensional and of the same length")
    if (n < 0).any() or (big_n < 0).any() or not (np.isfinite(n).all() and np.isfinite(big_n).all()):
        raise InputError("counts must be finite and non-negative")
    if ((big_n == 0) & (n > 0)).any():
        raise InputError("respondents in a cell without population")
    keep = big_n > 0
    n, big_n = n[keep], big_n[keep]
    total = float(big_n.sum())
    if total <= 1:
        raise InputError("the population must be larger than one person")
    mean = float(n.sum()) / total
    rho = n / big_n
    sd = math.sqrt(float((big_n * (rho - mean) ** 2).sum()) / (total - 1))
    return Representativeness(respondents=int(n.sum()), population=total, cells=int(keep.sum()),
                              mean_propensity=mean, sd_propensity=sd, r_indicator=1 - 2 * sd,
                              cv=sd / mean if mean > 0 else math.nan)
