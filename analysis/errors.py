"""The one exception hierarchy of the :mod:`analysis` package.

Every error the package raises on purpose is an :class:`AnalysisError`, so callers (the web app,
the command line) can catch one class and show its message; anything else is a bug.
"""

from __future__ import annotations

__all__ = [
    "AnalysisError",
    "ConvergenceError",
    "DesignError",
    "InputError",
    "MeasureError",
    "WeightingError",
]


class AnalysisError(Exception):
    """Base class of all errors raised by :mod:`analysis`."""


class InputError(AnalysisError):
    """Bad input data, located by row and column where possible.

    Parameters
    ----------
    message : str
        What is wrong, in words an analyst understands.
    row : int, optional
        1-based data row (the header is row 0, so data row r is line r + 1 of a CSV file).
    column : str, optional
        The column involved.
    source : str, optional
        The file or table the row belongs to.
    """

    def __init__(self, message: str, *, row: int | None = None, column: str | None = None,
                 source: str | None = None) -> None:
        self.row = row
        self.column = column
        self.source = source
        where = []
        if source:
            where.append(source)
        if row is not None:
            where.append(f"row {row} (line {row + 1})" if source and row > 0 else f"row {row}")
        if column is not None:
            where.append(f"column {column!r}")
        super().__init__(f"{', '.join(where)}: {message}" if where else message)
        self.message = message


class MeasureError(AnalysisError):
    """A measure definition is malformed or refers to codes that do not exist."""


class DesignError(AnalysisError):
    """The sampling design does not allow the requested computation (e.g. a singular calibration)."""


class WeightingError(AnalysisError):
    """Weights cannot be computed: margins disagree, a population cell is empty, a cell is uncovered."""


class ConvergenceError(WeightingError):
    """Raking (iterative proportional fitting) did not converge within the iteration limit.

    Attributes
    ----------
    iterations : int
        Full passes over all margins that were made.
    max_deviation : float
        Largest relative margin misfit after the last pass.
    """

    def __init__(self, message: str, *, iterations: int, max_deviation: float) -> None:
        super().__init__(message)
        self.iterations = iterations
        self.max_deviation = max_deviation
