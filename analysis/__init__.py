"""Perceived-safety measures with design-based statistics (pure Python: numpy, scipy, pyarrow).

The package never imports the web app, Flask or SQLAlchemy: callers pass columns of data.

Modules
-------
estimators   domain shares and means, Taylor SEs, df, CIs (:func:`weighted_share`, :func:`unweighted_share`)
intervals    Wilson, Clopper–Pearson, modified Wilson, Korn–Graubard, logit, Wald
weighting    design weights, post-stratification, raking (IPF), trimming, diagnostics
comparisons  differences with covariance, trends, Holm, Rao–Scott, Pearson/Fisher
index        0–100 indices, Cronbach's alpha, the problem level 0–6
disclosure   primary and complementary suppression, the precision rule, SCB symbols
representativeness  the R-indicator and CV of response propensities from register cells
measures     measure definitions (shares, indices) and ``--measure`` parsing
data         respondent columns and population tables, with row/column errors
readers      responses and population CSV files as exported (BOM, ``;`` and decimal comma, encodings)
normalise    answer codes, gender and area as people write them, mapped to the codes used here
report       the complete analysis of a data set (:func:`report.run_analysis`), built on
             grid (cells and breakdowns), cellweights (weights per cell), measurestats (per-cell sums)
cli          ``trygg analyse``
variance     the per-cell linearisation engine everything above uses; cells builds its inputs from rows
"""

from .comparisons import Difference, domain_difference, holm, pearson_or_fisher, rao_scott, trend
from .errors import AnalysisError, ConvergenceError, DesignError, InputError, MeasureError, WeightingError
from .estimators import ShareEstimate, estimate_domains, unweighted_share, weighted_mean, weighted_share
from .intervals import CIMethod
from .measures import Measure, parse_measure
from .weighting import design_weights, poststratify, rake, rake_and_trim, trim_weights, weight_diagnostics

__all__ = [
    "AnalysisError",
    "CIMethod",
    "ConvergenceError",
    "DesignError",
    "Difference",
    "InputError",
    "Measure",
    "MeasureError",
    "ShareEstimate",
    "WeightingError",
    "design_weights",
    "domain_difference",
    "estimate_domains",
    "holm",
    "parse_measure",
    "pearson_or_fisher",
    "poststratify",
    "rake",
    "rake_and_trim",
    "rao_scott",
    "trend",
    "trim_weights",
    "unweighted_share",
    "weight_diagnostics",
    "weighted_mean",
    "weighted_share",
]
