"""Confidence intervals for proportions, unweighted and design-based.

All functions are vectorised: they accept scalars or numpy arrays and return arrays (or floats for
scalar input). Bounds that cannot be computed (no valid answers, df <= 0) are NaN.

References
----------
Wilson, E. B. (1927). Probable inference, the law of succession, and statistical inference. JASA 22.
Clopper, C. J. & Pearson, E. S. (1934). The use of confidence or fiducial limits. Biometrika 26.
Brown, L. D., Cai, T. T. & DasGupta, A. (2001). Interval estimation for a binomial proportion. Stat. Sci. 16.
Korn, E. L. & Graubard, B. I. (1998). Confidence intervals for proportions with small expected numbers of
    positive counts estimated from survey data. Survey Methodology 24(2).
Franco, C., Little, R. J. A., Louis, T. A. & Slud, E. V. (2019). Comparative study of confidence intervals
    for proportions in complex sample surveys. JSSAM 7(3).
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np
from scipy import special

__all__ = [
    "Z_95",
    "CIMethod",
    "clopper_pearson_interval",
    "korn_graubard_interval",
    "logit_interval",
    "margin_of_error",
    "modified_wilson_interval",
    "wald_interval",
    "wilson_interval",
]

#: Two-sided 95 % normal quantile, z_{0.975}.
Z_95 = 1.959963984540054


class CIMethod(StrEnum):
    """Interval methods. ``WILSON`` and ``CLOPPER_PEARSON`` are the unweighted ones."""

    WILSON = "wilson"
    CLOPPER_PEARSON = "clopper_pearson"
    MODIFIED_WILSON = "modified_wilson"
    KORN_GRAUBARD = "korn_graubard"
    LOGIT = "logit"
    WALD = "wald"


def _out(a):
    a = np.asarray(a, dtype=float)
    return a.item() if a.ndim == 0 else a


def _quantile(confidence: float) -> float:
    return float(special.ndtri(0.5 + confidence / 2)) if confidence != 0.95 else Z_95


def _wilson(p, n, q):
    """Wilson score bounds for proportion p on n trials with quantile q (arrays broadcast)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        q2n = q * q / n
        centre = (p + q2n / 2) / (1 + q2n)
        half = q / (1 + q2n) * np.sqrt(p * (1 - p) / n + q2n / (4 * n))
        low, high = centre - half, centre + half
    low = np.where(p <= 0, 0.0, low)
    high = np.where(p >= 1, 1.0, high)
    return low, high


def wilson_interval(x, n, *, confidence: float = 0.95):
    r"""Wilson score interval for x successes in n trials (unweighted data).

    .. math:: \frac{\hat p + z^2/2n}{1 + z^2/n} \pm \frac{z}{1+z^2/n}\sqrt{\frac{\hat p(1-\hat p)}{n}
              + \frac{z^2}{4n^2}}

    Parameters
    ----------
    x, n : array_like
        Successes and trials; n = 0 gives NaN bounds.
    confidence : float
        Two-sided confidence level.

    Returns
    -------
    low, high : ndarray or float
        Bounds; exactly 0 when x = 0 and exactly 1 when x = n.

    References
    ----------
    Wilson (1927); Brown, Cai & DasGupta (2001). Equals ``scipy.stats.binomtest(x, n).proportion_ci(
    method="wilson")`` and R ``prop.test(x, n, correct=FALSE)$conf.int``.
    """
    x = np.asarray(x, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n
    low, high = _wilson(p, n, _quantile(confidence))
    bad = n <= 0
    return _out(np.where(bad, np.nan, low)), _out(np.where(bad, np.nan, high))


def clopper_pearson_interval(x, n, *, confidence: float = 0.95):
    r"""Clopper–Pearson ("exact") interval for x successes in n trials.

    lower = Beta^{-1}(α/2; x, n−x+1) (0 if x = 0), upper = Beta^{-1}(1−α/2; x+1, n−x) (1 if x = n).

    References
    ----------
    Clopper & Pearson (1934). Equals R ``binom.test(x, n)$conf.int`` and statsmodels
    ``proportion_confint(method="beta")``.
    """
    x = np.asarray(x, dtype=float)
    n = np.asarray(n, dtype=float)
    a = 1 - confidence
    with np.errstate(divide="ignore", invalid="ignore"):
        low = np.where(x <= 0, 0.0, special.betaincinv(np.maximum(x, 1e-300), n - x + 1, a / 2))
        high = np.where(x >= n, 1.0, special.betaincinv(x + 1, np.maximum(n - x, 1e-300), 1 - a / 2))
    bad = n <= 0
    return _out(np.where(bad, np.nan, low)), _out(np.where(bad, np.nan, high))


def _t(df, confidence):
    df = np.asarray(df, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.where(df > 0, special.stdtrit(np.where(df > 0, df, 1.0), 0.5 + confidence / 2), np.nan)


def modified_wilson_interval(p, variance, df, n_kish, *, confidence: float = 0.95):
    r"""Modified Wilson interval for a design-based proportion (the platform default).

    The Wilson formula with the design effective sample size :math:`n^* = \hat p(1-\hat p)/\hat V`
    (not capped) in place of n and the quantile :math:`t_{df}` in place of z. When p̂ is 0 or 1 the
    variance is 0 and the Kish effective n, :math:`(\sum w)^2/\sum w^2`, is used instead.

    Parameters
    ----------
    p, variance : array_like
        Estimate and its linearised variance.
    df : array_like
        Design degrees of freedom, n_D − H_D. df <= 0 gives NaN bounds.
    n_kish : array_like
        Kish effective n of the domain's valid answers (fallback at p̂ ∈ {0, 1}).

    References
    ----------
    Franco, Little, Louis & Slud (2019); Kott & Carr (1997); SAS SURVEYFREQ ``CL(TYPE=WILSON)``.
    STATISTICS.md §2.3 item 4.
    """
    p = np.asarray(p, dtype=float)
    v = np.asarray(variance, dtype=float)
    edge = (p <= 0) | (p >= 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        n_star = np.where(edge, np.asarray(n_kish, dtype=float), p * (1 - p) / v)
    low, high = _wilson(p, n_star, _t(df, confidence))
    bad = ~np.isfinite(n_star) | ~(np.asarray(df, dtype=float) > 0) | np.isnan(p)
    return _out(np.where(bad, np.nan, low)), _out(np.where(bad, np.nan, high))


def korn_graubard_interval(p, variance, n, df, n_kish=None, *, confidence: float = 0.95):
    r"""Korn–Graubard (1998) interval, exactly as R ``svyciprop(method="beta")``.

    .. math:: n^* = \frac{\hat p(1-\hat p)}{\hat V}\Bigl(\frac{t_{n-1,\alpha/2}}{t_{df,\alpha/2}}\Bigr)^2,
        \quad [\,B^{-1}(\alpha/2; n^*\hat p, n^*(1-\hat p)+1),\; B^{-1}(1-\alpha/2; n^*\hat p+1, n^*(1-\hat p))\,]

    n* is not capped (as in R). At p̂ ∈ {0, 1}, where R returns NaN, the Kish effective n (times the
    same t ratio) is used when given, giving [0, u] or [l, 1].

    Parameters
    ----------
    p, variance : array_like
        Estimate and linearised variance.
    n : array_like
        Valid respondents in the domain (R's ``nrow`` of the subset design).
    df : array_like
        Design degrees of freedom.
    n_kish : array_like, optional
        Fallback effective n at p̂ ∈ {0, 1}.

    References
    ----------
    Korn & Graubard (1998); R survey ``R/svyttest.R`` (``svyciprop``).
    """
    p = np.asarray(p, dtype=float)
    v = np.asarray(variance, dtype=float)
    a = 1 - confidence
    n = np.asarray(n, dtype=float)
    df = np.asarray(df, dtype=float)
    ok = (df > 0) & (n > 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(ok, (special.stdtrit(np.where(ok, n - 1, 1.0), a / 2)
                              / special.stdtrit(np.where(ok, df, 1.0), a / 2)) ** 2, np.nan)
        edge = (p <= 0) | (p >= 1)
        base = np.where(edge, np.nan if n_kish is None else np.asarray(n_kish, dtype=float), p * (1 - p) / v)
        n_star = base * ratio
        a1 = np.maximum(n_star * p, 1e-300)
        b2 = np.maximum(n_star * (1 - p), 1e-300)
        low = np.where(p <= 0, 0.0, special.betaincinv(a1, n_star * (1 - p) + 1, a / 2))
        high = np.where(p >= 1, 1.0, special.betaincinv(n_star * p + 1, b2, 1 - a / 2))
    bad = ~np.isfinite(n_star) | ~ok
    return _out(np.where(bad, np.nan, low)), _out(np.where(bad, np.nan, high))


def wald_interval(p, se, df=None, *, confidence: float = 0.95):
    """Symmetric interval p̂ ± q·SE with q = z (df None or inf) or t_df ("felmarginal" with z).

    References
    ----------
    SCB, Barn-ULF beskrivning av statistiken §2.2; R ``confint(svymean(...), df=...)``.
    """
    p = np.asarray(p, dtype=float)
    se = np.asarray(se, dtype=float)
    q: float | np.ndarray
    if df is None:
        q = _quantile(confidence)
    else:
        df = np.asarray(df, dtype=float)
        infinite = np.isinf(df)
        q = np.where(infinite, _quantile(confidence), _t(np.where(infinite, 1.0, df), confidence))
    return _out(p - q * se), _out(p + q * se)


def margin_of_error(se, *, confidence: float = 0.95):
    """SCB-style margin of error ("felmarginal"), z·SE with z = 1.959963984540054 at 95 %."""
    return _out(_quantile(confidence) * np.asarray(se, dtype=float))


def logit_interval(p, se, df, *, confidence: float = 0.95):
    r"""Logit-t interval, expit(logit p̂ ± t_df·SE/(p̂(1−p̂))) = R ``svyciprop(method="xlogit")``.

    Undefined (NaN) for p̂ ∈ {0, 1}.
    """
    p = np.asarray(p, dtype=float)
    se = np.asarray(se, dtype=float)
    t = _t(df, confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        lg = special.logit(p)
        h = t * se / (p * (1 - p))
        low, high = special.expit(lg - h), special.expit(lg + h)
    bad = (p <= 0) | (p >= 1) | np.isnan(t)
    return _out(np.where(bad, np.nan, low)), _out(np.where(bad, np.nan, high))
