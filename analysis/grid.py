"""The area × gender × age-band cell grid and the breakdowns (domains) built from it.

Every published group — the total, each dimension, area × each other dimension and the child-rights
groups — is a union of cells of this grid; :func:`domains` gives each group's cell membership and
:func:`suppression_lines` the lines of groups that add up (for complementary suppression).

References
----------
STANDARDS.md §3.4 (breakdowns, age bands, barnrättsperspektiv); STATISTICS.md §8.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .data import CHILD_UPPER_AGE, Responses, age_band_bounds

__all__ = ["DIMENSIONS", "Grid", "Group", "build_grid", "child_bands", "domains", "suppression_lines"]

DIMENSIONS = ("area", "gender", "age_band")
Group = tuple[tuple[str, str], ...]


@dataclass(slots=True)
class Grid:
    """The area × gender × age-band cell grid of one data set."""

    areas: list[str]
    genders: list[str]
    bands: list[str]
    cell: np.ndarray                 # per row
    n_rows: np.ndarray               # per cell
    ca: np.ndarray = field(init=False)
    cg: np.ndarray = field(init=False)
    cb: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        g, b = len(self.genders), len(self.bands)
        idx = np.arange(len(self.areas) * g * b)
        self.ca, self.cg, self.cb = idx // (g * b), (idx // b) % g, idx % b

    @property
    def size(self) -> int:
        return self.n_rows.size


def _band_order(labels: Sequence[str]) -> list[str]:
    def key(lab):
        bounds = age_band_bounds(lab)
        return (0, bounds[0], lab) if bounds else (1, 0, lab)
    return sorted(labels, key=key)


def _remap(col, order: list[str]) -> np.ndarray:
    pos = {lab: i for i, lab in enumerate(order)}
    lut = np.array([pos[lab] for lab in col.labels], dtype=np.int64)
    return lut[col.codes]


def build_grid(resp: Responses) -> Grid:
    """Map rows to cells: areas sorted, genders sorted with blank last, age bands in age order."""
    areas = sorted(resp.area.labels)
    genders = sorted(resp.gender.labels, key=lambda s: (s == "", s))
    bands = _band_order(resp.age_band.labels)
    g, b = len(genders), len(bands)
    cell = (_remap(resp.area, areas) * g + _remap(resp.gender, genders)) * b + _remap(resp.age_band, bands)
    return Grid(areas, genders, bands, cell, np.bincount(cell, minlength=len(areas) * g * b).astype(float))



def domains(grid: Grid, by: Sequence[str]) -> list[tuple[Group, np.ndarray]]:
    """(group, cell membership) for the total, each dimension, area × other dimensions, child groups."""
    coords = {"area": (grid.ca, grid.areas), "gender": (grid.cg, grid.genders), "age_band": (grid.cb, grid.bands)}
    out: list[tuple[Group, np.ndarray]] = [((), np.ones(grid.size, dtype=bool))]
    for d in by:
        idx, labs = coords[d]
        out += [(((d, lab),), idx == i) for i, lab in enumerate(labs)]
    if "area" in by:
        for d in by:
            if d == "area":
                continue
            idx, labs = coords[d]
            for a, alab in enumerate(grid.areas):
                out += [((("area", alab), (d, lab)), (grid.ca == a) & (idx == i)) for i, lab in enumerate(labs)]
    child = child_bands(grid.bands)
    if child is not None:
        is_child = child[grid.cb]
        out.append(((("age_group", "under_18"),), is_child))
        out.append(((("age_group", "18_plus"),), ~is_child & _known_band(grid)))
        for i, lab in enumerate(grid.genders):
            out.append(((("age_group", "under_18"), ("gender", lab)), is_child & (grid.cg == i)))
    return out


def _known_band(grid: Grid) -> np.ndarray:
    known = np.array([age_band_bounds(b) is not None for b in grid.bands])
    return known[grid.cb]


def child_bands(bands: Sequence[str]) -> np.ndarray | None:
    """Per band: True = under 18, False = adult; None when a band straddles 18 or no band is a child band."""
    flags = []
    for b in bands:
        bounds = age_band_bounds(b)
        if bounds is None:
            flags.append(False)
            continue
        lo, hi = bounds
        if hi is not None and hi <= CHILD_UPPER_AGE:
            flags.append(True)
        elif lo > CHILD_UPPER_AGE:
            flags.append(False)
        else:
            return None
    return np.array(flags) if any(flags) else None


def suppression_lines(groups: list[Group], by: Sequence[str], grid: Grid) -> list[list[Group]]:
    """Lines of entries that add up (for complementary suppression), rows before columns."""
    present = set(groups)
    labs = {"area": grid.areas, "gender": grid.genders, "age_band": grid.bands}
    lines: list[list[Group]] = []
    if "area" in by:
        for d in by:
            if d == "area":
                continue
            for a in grid.areas:
                lines.append([(("area", a),)] + [(("area", a), (d, v)) for v in labs[d]])
            for v in labs[d]:
                lines.append([((d, v),)] + [(("area", a), (d, v)) for a in grid.areas])
    for d in by:
        lines.append([()] + [((d, v),) for v in labs[d]])
    child = child_bands(grid.bands)
    if child is not None:
        u18 = (("age_group", "under_18"),)
        lines.append([u18] + [(("age_group", "under_18"), ("gender", g)) for g in grid.genders])
        lines.append([u18, *((("age_band", b),) for b, c in zip(grid.bands, child, strict=True) if c)])
        lines.append([(("age_group", "18_plus"),), *((("age_band", b),) for b, c in
                                                     zip(grid.bands, child, strict=True) if not c)])
        # ages outside the bands (blank) belong to neither child group: they are a part of the total's line
        unknown = [(("age_band", b),) for b in grid.bands if age_band_bounds(b) is None]
        lines.append([(), u18, (("age_group", "18_plus"),), *unknown])
    return [[g for g in line if g in present] for line in lines]


