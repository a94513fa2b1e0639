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
             grid (cells and breakdowns), cellweights (weights per cell, lonely strata, the finite
             population correction, collapsed post-strata), measurestats (per-cell sums)
protection   complementary suppression checked by linear programming (shares on one item together)
numbers      the one number cleaner of every output: no NaN or infinity, a reason in ``flags`` instead
cli          ``trygg analyse``
variance     the per-cell linearisation engine everything above uses; cells builds its inputs from rows

Methods in one place
--------------------
* Lonely strata (an area with one respondent): R's ``survey.lonely.psu`` rules ``adjust`` (default),
  ``certainty`` and ``fail``; flagged ``lonely_stratum`` on the rows, areas in ``weighting.lonely_strata``
  (:mod:`analysis.cellweights`).
* Post-strata below ``min_poststratum`` (default 20) respondents are collapsed: genders within the
  area × age band, then the next older age band of the area; an area below the minimum is an error
  (:mod:`analysis.cellweights`).
* Holm families: per measure, kind (gender gap, area vs rest, trend) and breakdown level — the total;
  the areas; the area × gender cells; the age groups; ... (:func:`analysis.report.holm_family`).
* Symbols: ``U`` suppressed, ``..`` too few answers, and in the CSV/XLSX tables ``–`` a true zero and
  ``.`` cannot occur (:mod:`analysis.disclosure`). Row ``flags`` say why a figure is absent or needs care
  (:data:`analysis.report.FLAGS`).
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
