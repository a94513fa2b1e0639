"""Who answered: respondents against the population by area, gender, age band, area × gender and area × age band,
with primary and complementary suppression over all five tables together.

The five tables, the number of responses and the count of respondents outside the population table are published
on one page, and each is a sum of the finest cells area × gender × age band (an unknown area, another gender and a
blank age band being cells of their own). Hiding a count below the threshold is not enough: the area's total minus
its other age bands gives it back. :func:`analysis.protection.protect` chooses the complementary cells, so that an
attacker who solves every published count as a linear program cannot narrow a hidden one below its protection
interval (DESIGN.md's data rules). The pattern depends only on the counts, so it is cached by them: a new response
gives other counts and a new pattern at once.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from sqlalchemy.orm import Session

from analysis.errors import AnalysisError
from analysis.protection import ProtectionRule, PublishedCounts, protect
from analysis.representativeness import Representativeness, representativeness
from survey_app.insights.results import (
    MIN_CELL,
    UNDER_REPRESENTED,
    Cell,
    areas_without_population,
    wave_population,
)
from survey_app.insights.service import WaveInput, wave_input
from survey_app.models import Survey

__all__ = ["TABLE_DIMENSIONS", "Participation", "participation", "protected_counts"]

# the dimensions (indices into a respondent's key area, gender, age band) of each published table
TABLE_DIMENSIONS: dict[str, tuple[int, ...]] = {
    "area": (0,), "gender": (1,), "age_band": (2,), "area_gender": (0, 1), "area_age_band": (0, 2),
}
logger = logging.getLogger(__name__)
TOTAL = ("total",)
OUTSIDE = ("outside",)

Key = tuple[str, str, str]


@dataclass(frozen=True, slots=True)
class Participation:
    """Who answered: respondents against the population in the five tables.

    ``outside_population`` (respondents of a gender, area or age band the population table does not count) is
    None when it is hidden like a small cell. ``representativeness_table`` names the table whose cells the
    representativeness measures are computed from (see :func:`published_representativeness`).
    """

    respondents: int
    population: float | None
    tables: Mapping[str, tuple[Cell, ...]]
    representativeness: Representativeness | None
    areas_without_population: tuple[str, ...]
    outside_population: int | None
    representativeness_table: str | None = None

    @property
    def rate(self) -> float | None:
        return self.respondents / self.population if self.population else None

    def under_represented(self, cell: Cell) -> bool:
        """The group answered at under UNDER_REPRESENTED times the overall rate of the population table's cells."""
        rate = cell.rate
        if rate is None or self.representativeness is None:
            return False
        return rate < UNDER_REPRESENTED * self.representativeness.mean_propensity


def participation(session: Session, survey: Survey, data: WaveInput | None = None) -> Participation:
    """Respondents against the population in the five tables, with every count that could reveal a group of fewer
    than MIN_CELL respondents hidden (None)."""
    data = data or wave_input(session, survey)
    missing = tuple(areas_without_population(session, survey))
    if data.responses is None:
        return Participation(0, wave_population(session, survey), {}, None, missing, 0)
    resp = data.responses
    keys: list[Key] = list(zip((str(a) for a in resp.area.values()), (str(g) for g in resp.gender.values()),
                               (str(b) for b in resp.age_band.values()), strict=True))
    cells = dict(data.population.cells or {}) if data.population is not None else {}
    areas = [a.code for a in survey.areas]
    genders = ["woman", "man", *sorted({g for _, g, _ in keys} - {"woman", "man"})]
    bands = sorted({b for _, _, b in cells} | {b for _, _, b in keys if b}, key=_band_order)
    levels = {"area": [areas], "gender": [genders], "age_band": [bands], "area_gender": [areas, ["woman", "man"]],
              "area_age_band": [areas, bands]}
    counted = Counter(keys)
    inside = sum(n for k, n in counted.items() if k in cells)
    hidden = protected_counts(tuple(sorted(counted.items())), tuple(sorted(cells)),
                              tuple((name, tuple(tuple(level) for level in levels[name])) for name in TABLE_DIMENSIONS))

    def table(name: str) -> tuple[Cell, ...]:
        dims = TABLE_DIMENSIONS[name]
        count = Counter(tuple(k[d] for d in dims) for k in keys)
        pop: dict[tuple[str, ...], float] = {}
        for key, n in cells.items():
            part = tuple(key[d] for d in dims)
            pop[part] = pop.get(part, 0.0) + n
        return tuple(Cell(combo, None if (name, combo) in hidden else count.get(combo, 0),
                          pop.get(combo) if cells else None) for combo in _product(levels[name]))

    published = {name: table(name) for name in TABLE_DIMENSIONS}
    indicator, source = published_representativeness(published) if cells else (None, None)
    outside = resp.n - inside if cells else 0
    return Participation(resp.n, float(sum(cells.values())) if cells else None,
                         published, indicator, missing, None if OUTSIDE in hidden else outside, source)


# the tables whose cells may carry the representativeness measures, the finest first
REPRESENTATIVENESS_TABLES = ("area_age_band", "area_gender", "age_band", "area", "gender")


def published_representativeness(tables: Mapping[str, Sequence[Cell]]) -> tuple[Representativeness | None, str | None]:
    """The R-indicator and CV of response propensities over the cells of the finest table that hides nothing.

    Over the finest cells area × gender × age band, S(ρ) is a quadratic equation in counts the page hides
    (S² = (Σ n_c²/N_c − n²/N) / (N − 1), with the population N_c of every cell public), on top of the linear ones the
    tables publish; the CV is S over the published overall rate, so the two figures are one equation, not two. Over
    the cells of a published table with no hidden count, both are functions of figures the page shows (each cell's
    respondents and population) and tell an attacker nothing new. The propensity model is then that table's cells
    (area × age band, say) instead of the saturated one; the page names the table. None when every table hides a
    count or none can be computed.
    """
    for name in REPRESENTATIVENESS_TABLES:
        cells = tables.get(name, ())
        if not cells or any(c.respondents is None for c in cells):
            continue
        try:
            counts = [int(c.respondents or 0) for c in cells]
            return representativeness(counts, [c.population or 0.0 for c in cells]), name
        except AnalysisError:
            continue
    return None, None


@lru_cache(maxsize=64)
def protected_counts(counted: tuple[tuple[Key, int], ...], population_cells: tuple[Key, ...],
                     tables: tuple[tuple[str, tuple[tuple[str, ...], ...]], ...]) -> frozenset:
    """The (table, key) of every published count to hide: primary (0 < n < MIN_CELL) and complementary.

    ``counted`` is respondents per finest cell, ``population_cells`` the cells the population table counts
    (respondents outside them are published as one number, (``"outside"``,)), ``tables`` each table's levels.
    """
    n_cell = dict(counted)
    finest = sorted(set(n_cell) | set(population_cells))
    column = {cell: i for i, cell in enumerate(finest)}
    groups: list[tuple] = [TOTAL]
    rows: list[np.ndarray] = [np.ones(len(finest), dtype=bool)]
    lines: list[list[tuple]] = []
    for name, levels in tables:
        dims = TABLE_DIMENSIONS[name]
        members: dict[tuple[str, ...], np.ndarray] = {}
        for combo in _product(levels):
            members[combo] = np.array([tuple(cell[d] for d in dims) == combo for cell in finest], dtype=bool)
            groups.append((name, combo))
            rows.append(members[combo])
        if len(dims) == 1:
            lines.append([TOTAL, *((name, combo) for combo in members)])
        else:  # each first-dimension category against its parts: the area's total from the one-way table
            first = next(n for n, d in TABLE_DIMENSIONS.items() if d == dims[:1])
            for head in levels[0]:
                lines.append([(first, (head,)), *((name, c) for c in members if c[0] == head)])
    if population_cells:
        inside = set(population_cells)
        groups.append(OUTSIDE)
        rows.append(np.array([cell not in inside for cell in finest], dtype=bool))
    membership = np.vstack(rows)
    n = np.array([sum(n_cell.get(cell, 0) for cell in finest if row[column[cell]]) for row in membership],
                 dtype=np.int64)
    if not np.any((n > 0) & (n < MIN_CELL)):
        return frozenset()  # nothing to protect (and protect() cannot start from no primary group)
    try:
        result = protect(PublishedCounts(tuple(groups), membership, n), rule=ProtectionRule(min_cell=MIN_CELL),
                         lines=lines)
    except (AnalysisError, ArithmeticError, ValueError) as error:
        # no proven pattern: publish the number of responses alone rather than risk a small group (or a 500)
        logger.warning("who answered: suppression failed (%s); only the total is shown", error)
        return frozenset(g for g, count in zip(groups, n, strict=True) if g != TOTAL and count > 0)
    return frozenset(result.suppressed)


def _product(levels: Sequence[Sequence[str]]) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = [()]
    for level in levels:
        out = [(*prefix, value) for prefix in out for value in level]
    return out


def _band_order(band: str) -> tuple[int, str]:
    digits = "".join(ch for ch in band.split("-")[0] if ch.isdigit())
    return (int(digits) if digits else 999, band)
