"""What the parser reports: one :class:`InstrumentProblem` per problem, raised together as :class:`InstrumentError`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from analysis.errors import AnalysisError


class InstrumentError(AnalysisError):
    """A questionnaire file is invalid; ``errors`` lists every :class:`InstrumentProblem` found."""

    def __init__(self, errors: Sequence[InstrumentProblem]) -> None:
        self.errors = list(errors)
        head = "; ".join(str(p) for p in self.errors[:5])
        more = f" (and {len(self.errors) - 5} more)" if len(self.errors) > 5 else ""
        super().__init__(f"{len(self.errors)} problem(s) in questionnaire: {head}{more}")


@dataclass(frozen=True, slots=True)
class InstrumentProblem:
    """One problem in a questionnaire file.

    Attributes
    ----------
    file : str
        The file (or source name) the problem is in.
    item : str or None
        The item, grid, page or measure code the problem belongs to; None for file-level problems.
    field : str
        The field, as a dotted path relative to the item (``text.sv``, ``show_if.item``, ``counted``).
    message : str
        What is wrong, for the analyst who edits the file.
    """

    file: str
    item: str | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.item}: " if self.item else ""
        return f"{self.file}: {where}{self.field}: {self.message}"
