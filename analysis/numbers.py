"""One number formatter for every output: no NaN or infinity ever reaches JSON, CSV or XLSX.

:func:`clean` walks a result (dicts, lists, tuples, dataclass-free values) and turns numpy scalars into
Python numbers and every NaN or infinity into ``None``. A figure that cannot be computed is therefore
absent (``null`` in JSON, an empty cell in CSV and XLSX) and its row says why in ``flags``
(:data:`analysis.report.FLAGS`) or ``note``; it is never printed as ``nan``/``inf``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

__all__ = ["clean", "finite"]


def finite(x):
    """``x`` as a Python number, or None when it is None, NaN or infinite; other values unchanged."""
    if x is None or isinstance(x, bool):
        return x
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, (float, np.floating)):
        x = float(x)
        return x if math.isfinite(x) else None
    return x


def clean(obj):
    """A copy of ``obj`` with every number passed through :func:`finite` (mappings, lists and tuples walked)."""
    kind = type(obj)  # the plain types first, by identity: a result has tens of thousands of them, and the ABC
    if kind is str or kind is int or kind is bool or obj is None:  # check below costs more than the walk itself
        return obj
    if kind is float:
        return obj if math.isfinite(obj) else None
    if kind is dict:
        return {k: clean(v) for k, v in obj.items()}
    if kind is list or kind is tuple:
        return [clean(v) for v in obj]
    if isinstance(obj, Mapping):
        return {k: clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [clean(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return [clean(v) for v in obj.tolist()]
    if isinstance(obj, np.bool_):
        return bool(obj)
    return finite(obj)
