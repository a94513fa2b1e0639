"""Age bands (STANDARDS §3.4): the default set, the NTU-comparable set, and which bands are children."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["CHILD_BANDS", "DEFAULT_AGE_BANDS", "NTU_AGE_BANDS", "AgeBand", "age_band"]


@dataclass(frozen=True, slots=True)
class AgeBand:
    """A closed age interval ``[low, high]`` in whole years; ``high`` is None for an open top band."""

    label: str
    low: int
    high: int | None

    def contains(self, age: int) -> bool:
        return age >= self.low and (self.high is None or age <= self.high)


DEFAULT_AGE_BANDS: tuple[AgeBand, ...] = (
    AgeBand("12-15", 12, 15),
    AgeBand("16-17", 16, 17),
    AgeBand("18-24", 18, 24),
    AgeBand("25-44", 25, 44),
    AgeBand("45-64", 45, 64),
    AgeBand("65-74", 65, 74),
    AgeBand("75+", 75, None),
)
"""Default bands; barn (under 18) are 12-17."""

NTU_AGE_BANDS: tuple[AgeBand, ...] = (
    AgeBand("16-24", 16, 24),
    AgeBand("25-44", 25, 44),
    AgeBand("45-64", 45, 64),
    AgeBand("65-84", 65, 84),
)
"""NTU-comparable alternative; 85+ falls outside (noted in tables)."""

CHILD_BANDS: frozenset[str] = frozenset({"12-15", "16-17"})


def age_band(age: int | None, bands: Sequence[AgeBand] = DEFAULT_AGE_BANDS) -> str | None:
    """The label of the band holding ``age``, or None when the age is missing or outside every band."""
    if age is None:
        return None
    for band in bands:
        if band.contains(age):
            return band.label
    return None
