"""Columnar respondent data and population tables, checked, with errors that name row and column.

The web app and the command line both build a :class:`Responses` (dictionary-encoded columns) and,
when weighting, a :class:`Population`; :func:`analysis.report.run_analysis` takes them.
Rows are numbered from 1 for the first data row (the header is row 0; in a CSV file row r is
line r + 1).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from .bands import DEFAULT_AGE_BANDS as _BANDS
from .errors import InputError

__all__ = [
    "CHILD_UPPER_AGE",
    "DEFAULT_AGE_BANDS",
    "UNKNOWN_AREA",
    "Column",
    "InputQuality",
    "Population",
    "Responses",
    "ValueReport",
    "age_band_bounds",
    "band_ages",
    "encode",
    "population_from_rows",
]

#: Default age bands (STANDARDS §3.4) as (label, lowest age, highest age or None), from :mod:`analysis.bands`.
DEFAULT_AGE_BANDS: tuple[tuple[str, int, int | None], ...] = tuple((b.label, b.low, b.high) for b in _BANDS)
#: Children are 12–17 (barn = under 18).
CHILD_UPPER_AGE = 17
#: The area label of respondents whose area is not known (blank, "vet inte"): they count in the total only.
UNKNOWN_AREA = ""


@dataclass(frozen=True, slots=True)
class Column:
    """A dictionary-encoded text column: ``labels[codes[i]]`` is row i's value ("" = blank)."""

    codes: np.ndarray
    labels: tuple[str, ...]

    def first_row(self, label: str) -> int:
        """1-based row of the first occurrence of ``label``."""
        return int(np.argmax(self.codes == self.labels.index(label))) + 1

    def values(self) -> np.ndarray:
        return np.asarray(self.labels, dtype=object)[self.codes]


def encode(values: Sequence, *, blank_is: str = "") -> Column:
    """Dictionary-encode a sequence of strings (None → blank)."""
    arr = np.asarray([blank_is if v is None else str(v) for v in values], dtype=object)
    labels, codes = np.unique(arr.astype(str), return_inverse=True)
    return Column(codes=codes.ravel().astype(np.int32), labels=tuple(str(x) for x in labels))


@dataclass(frozen=True, slots=True)
class ValueReport:
    """Values a reader did not recognise in one column: how many rows, the first row, the values."""

    rows: int
    first_row: int
    values: tuple[str, ...]   # the most frequent first, at most ten


@dataclass(frozen=True, slots=True)
class InputQuality:
    """What a reader normalised and what it could not recognise (:mod:`analysis.normalise`).

    Attributes
    ----------
    normalised_codes : mapping item -> rows
        Answer codes rewritten to a known code (``3.0`` -> ``3``, `` 3`` -> ``3``, case).
    unrecognised_codes : mapping item -> ValueReport
        Values that are not answer codes of the item: they are outside every base.
    normalised_gender : int
        Rows whose gender was written in another form of woman, man, other or no answer.
    unrecognised_gender : ValueReport or None
        Genders that are none of these: kept as written, as their own group.
    """

    normalised_codes: Mapping[str, int] = field(default_factory=dict)
    unrecognised_codes: Mapping[str, ValueReport] = field(default_factory=dict)
    normalised_gender: int = 0
    unrecognised_gender: ValueReport | None = None


@dataclass(frozen=True, slots=True)
class Responses:
    """Respondent data: background columns and item columns, all dictionary-encoded.

    Attributes
    ----------
    area, gender, age_band : Column
    items : mapping of item code -> Column
    weight : ndarray or None
        Final weight per row (the ``weight`` column).
    source : str
        Name used in error messages (e.g. the file name).
    quality : InputQuality
        What the reader normalised or did not recognise.

    A respondent whose area is :data:`UNKNOWN_AREA` counts in the total and the gender and age
    breakdowns, never as an area of its own.
    """

    area: Column
    gender: Column
    age_band: Column
    items: Mapping[str, Column]
    weight: np.ndarray | None = None
    source: str = "responses"
    quality: InputQuality = field(default_factory=InputQuality)
    n: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "n", int(self.area.codes.size))

    @property
    def unknown_area(self) -> int:
        """Respondents whose area is not known."""
        if UNKNOWN_AREA not in self.area.labels:
            return 0
        return int(np.count_nonzero(self.area.codes == self.area.labels.index(UNKNOWN_AREA)))

    @classmethod
    def from_columns(cls, columns: Mapping[str, Sequence], *, source: str = "responses",
                     bands: Sequence[tuple[str, int, int | None]] = DEFAULT_AGE_BANDS) -> Responses:
        """Build from plain columns (lists or arrays of strings; ``age`` numbers or blank)."""
        for col in ("area", "gender"):
            if col not in columns:
                raise InputError("required column is missing", row=0, column=col, source=source)
        if "age_band" in columns:
            band = encode(columns["age_band"])
        elif "age" in columns:
            band = band_ages(columns["age"], bands=bands, source=source)
        else:
            raise InputError("needs a column 'age' or 'age_band'", row=0, column="age", source=source)
        weight = None
        if "weight" in columns:
            weight = parse_weights(columns["weight"], source=source)
        skip = {"area", "gender", "age", "age_band", "weight"}
        items = {k: encode(v) for k, v in columns.items() if k not in skip}
        return cls(area=encode(columns["area"]), gender=encode(columns["gender"]), age_band=band, items=items,
                   weight=weight, source=source)


def parse_weights(values: Sequence, *, source: str = "responses") -> np.ndarray:
    """Weights as floats; blank, non-numeric, negative or infinite values are errors."""
    out = np.empty(len(values))
    for i, v in enumerate(values):
        try:
            x = float(v)
        except (TypeError, ValueError):
            raise InputError(f"weight {v!r} is not a number", row=i + 1, column="weight", source=source) from None
        if not np.isfinite(x) or x < 0:
            raise InputError(f"weight {v!r} must be finite and non-negative", row=i + 1, column="weight",
                             source=source)
        out[i] = x
    return out


def band_ages(ages: Sequence, *, bands: Sequence[tuple[str, int, int | None]] = DEFAULT_AGE_BANDS,
              source: str = "responses") -> Column:
    """Age in whole years -> age band label (blank age -> blank band).

    Raises
    ------
    InputError
        An age that is not a whole number or falls outside every band.
    """
    labels = (*(b[0] for b in bands), "")
    lo = np.array([b[1] for b in bands])
    hi = np.array([b[2] if b[2] is not None else 10**9 for b in bands])
    arr = np.asarray(ages, dtype=object)
    codes = np.empty(arr.size, dtype=np.int32)
    for i, v in enumerate(arr):
        s = "" if v is None else str(v).strip()
        if s == "":
            codes[i] = len(bands)
            continue
        try:
            f = float(s)
        except ValueError:
            raise InputError(f"age {s!r} is not a number", row=i + 1, column="age", source=source) from None
        if not f.is_integer():
            raise InputError(f"age {s!r} is not a whole number of years", row=i + 1, column="age",
                             source=source)
        hit = np.nonzero((lo <= f) & (f <= hi))[0]
        if hit.size == 0:
            raise InputError(f"age {s!r} is outside the age bands ({bands[0][1]} and over)", row=i + 1,
                             column="age", source=source)
        codes[i] = hit[0]
    used = np.unique(codes)
    remap = np.full(len(labels), -1)
    remap[used] = np.arange(used.size)
    return Column(codes=remap[codes].astype(np.int32), labels=tuple(labels[u] for u in used))


def age_band_bounds(label: str) -> tuple[int, int | None] | None:
    """Parse "12-15", "12–15" or "75+" into (low, high); None if not a band."""
    s = label.strip().replace("–", "-").replace(" ", "")
    try:
        if s.endswith("+"):
            return int(s[:-1]), None
        lo, hi = s.split("-")
        return int(lo), int(hi)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class Population:
    """A population table: full area × gender × age_band cells, or one-way margins.

    Attributes
    ----------
    cells : mapping (area, gender, age_band) -> N, or None
    margins : mapping dimension -> (mapping category -> N)
        Always present (summed from the cells when cells are given).
    """

    cells: Mapping[tuple[str, str, str], float] | None
    margins: Mapping[str, Mapping[str, float]]


def population_from_rows(rows: Sequence[Mapping[str, str]], *, source: str = "population") -> Population:
    """Read population rows ``area,gender,age_band,population``.

    Each row is either a cell (all three filled) or a margin (exactly one filled); mixing the two
    forms, duplicates and invalid numbers are errors naming the row.
    """
    cells: dict[tuple[str, str, str], float] = {}
    margins: dict[str, dict[str, float]] = {"area": {}, "gender": {}, "age_band": {}}
    kinds = set()
    dims = ("area", "gender", "age_band")
    for i, r in enumerate(rows, start=1):
        for col in (*dims, "population"):
            if col not in r:
                raise InputError("required column is missing", row=0, column=col, source=source)
        raw = (r["population"] or "").strip()
        try:
            n = float(raw)
        except ValueError:
            raise InputError(f"population {raw!r} is not a number", row=i, column="population",
                             source=source) from None
        if not np.isfinite(n) or n < 0:
            raise InputError(f"population {raw!r} must be finite and non-negative", row=i, column="population",
                             source=source)
        area, gender, band = ((r[d] or "").strip() for d in dims)
        key = (area, gender, band)
        filled = [d for d, k in zip(dims, key, strict=True) if k]
        if len(filled) == 3:
            kinds.add("cells")
            if key in cells:
                raise InputError(f"duplicate cell {'/'.join(key)}", row=i, column="area", source=source)
            cells[key] = n
        elif len(filled) == 1:
            kinds.add("margins")
            d = filled[0]
            k = key[dims.index(d)]
            if k in margins[d]:
                raise InputError(f"duplicate margin {d}={k}", row=i, column=d, source=source)
            margins[d][k] = n
        else:
            raise InputError("fill either all of area, gender, age_band (a cell) or exactly one (a margin)",
                             row=i, column="area", source=source)
        if len(kinds) > 1:
            raise InputError("mixes cell rows and margin rows", row=i, column="area", source=source)
    if "cells" in kinds:
        for (a, g, b), n in cells.items():
            for d, k in (("area", a), ("gender", g), ("age_band", b)):
                margins[d][k] = margins[d].get(k, 0.0) + n
        return Population(cells=cells, margins=margins)
    return Population(cells=None, margins=margins)
