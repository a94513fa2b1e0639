"""Importing areas and population into Trygg, and correcting population by hand. Services: they flush, never commit.

A dry run computes exactly what an import would change and changes nothing. Every change is audited.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from shapely.geometry.base import BaseGeometry
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from analysis.bands import DEFAULT_AGE_BANDS
from survey_app import audit
from survey_app.admin.geo import Feature, merged
from survey_app.admin.import_files import FileRejected, Mapping, Problem
from survey_app.admin.population_files import PopulationFile
from survey_app.errors import ServiceError
from survey_app.models import Area, AreaPopulation, StaffUser, Survey

POPULATION_GENDERS = ("woman", "man")
AREA_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


@dataclass
class AreaChange:
    code: str
    name: str
    action: str  # "create", "update", "unchanged"
    parts: int  # statistical areas merged into it


@dataclass
class AreaImport:
    changes: list[AreaChange] = field(default_factory=list)
    skipped: int = 0  # features outside the mapping
    unmapped_targets: list[str] = field(default_factory=list)  # mapped areas with no feature in the file
    dry_run: bool = True


def _areas_by_code(session: Session) -> dict[str, Area]:
    return {a.code: a for a in session.scalars(select(Area))}


def import_areas(session: Session, features: list[Feature], mapping: Mapping | None, *, actor: StaffUser | None,
                 dry_run: bool, file: str, actor_label: str | None = None) -> AreaImport:
    """Create or update areas from boundaries; with a mapping, each Trygg area is the union of its parts."""
    result = AreaImport(dry_run=dry_run)
    parts: dict[str, list[BaseGeometry]] = defaultdict(list)
    names: dict[str, str] = {}
    problems: list[Problem] = []
    for feature in features:
        target = mapping.area_of.get(feature.code) if mapping else feature.code
        if target is None:
            result.skipped += 1
            continue
        if not AREA_CODE.match(target):
            problems.append(Problem("area_code_invalid", file, feature=feature.label, value=target))
            continue
        parts[target].append(feature.geometry)
        if mapping is None and feature.name:
            names.setdefault(target, feature.name[:200])
    if problems:
        raise FileRejected(problems)
    if mapping is not None:
        names.update(mapping.name_of)
        result.unmapped_targets = sorted(mapping.targets() - parts.keys())
    existing = _areas_by_code(session)
    for code in sorted(parts):
        geometry = merged(parts[code])
        area = existing.get(code)
        name = names.get(code) or (area.name if area else code)
        if area is None:
            action = "create"
        elif area.geometry != geometry or area.name != name:
            action = "update"
        else:
            action = "unchanged"
        result.changes.append(AreaChange(code=code, name=name, action=action, parts=len(parts[code])))
        if dry_run or action == "unchanged":
            continue
        if area is None:
            area = Area(code=code, name=name)
            session.add(area)
        area.name, area.geometry = name, geometry
    if not dry_run:
        session.flush()
        audit.record(session, actor=actor, actor_label=actor_label, action="areas.import", target_type="areas",
                     details={
            "file": file[:200], "created": [c.code for c in result.changes if c.action == "create"],
            "updated": [c.code for c in result.changes if c.action == "update"], "skipped_features": result.skipped})
    return result


@dataclass
class PopulationChange:
    code: str
    name: str
    year: int
    before: int | None  # total before; None: the area had no figures for the year
    after: int
    cells_changed: int


@dataclass
class PopulationImport:
    changes: list[PopulationChange] = field(default_factory=list)
    source: PopulationFile | None = None
    rows_outside_mapping: int = 0
    dry_run: bool = True

    @property
    def estimated(self) -> bool:
        return bool(self.source and self.source.classes_shared)


def _rounded(cells: dict[tuple[str, str], float]) -> dict[tuple[str, str], int]:
    return {key: round(value) for key, value in cells.items()}


def import_population(session: Session, source: PopulationFile, mapping: Mapping | None, *,
                      actor: StaffUser | None, dry_run: bool, file: str,
                      actor_label: str | None = None) -> PopulationImport:
    """Replace each area's figures for each year in the file with the file's (summed over the mapped parts)."""
    result = PopulationImport(source=source, dry_run=dry_run)
    existing = _areas_by_code(session)
    problems: list[Problem] = []
    summed: dict[tuple[str, int], dict[tuple[str, str], float]] = defaultdict(lambda: defaultdict(float))
    outside: set[str] = set()
    for (region, year, gender, band), persons in source.cells.items():
        target = mapping.area_of.get(region) if mapping else region
        if target is None:
            outside.add(region)
            continue
        if target not in existing:
            if mapping is not None:
                problems.append(Problem("area_unknown", mapping.file, row=mapping.row_of.get(target), column="område",
                                        value=target))
            else:
                problems.append(Problem("area_unknown", file, row=source.region_rows.get(region), column="region",
                                        value=region))
            continue
        summed[(target, year)][(gender, band)] += persons
    if problems:
        unique = list({(p.row, p.value): p for p in problems}.values())
        raise FileRejected(sorted(unique, key=lambda p: p.row or 0)[:20])
    if not summed:
        raise FileRejected([Problem("nothing_for_trygg_areas", file)])
    result.rows_outside_mapping = sum(1 for r in source.region_rows if r in outside)
    for (code, year), cells in sorted(summed.items()):
        area = existing[code]
        new = _rounded(cells)
        old = {(p.gender, p.age_band): p.population for p in _cells(session, area.id, year)}
        changed = sum(1 for key in new.keys() | old.keys() if new.get(key) != old.get(key))
        result.changes.append(PopulationChange(code=code, name=area.name, year=year,
                                               before=sum(old.values()) if old else None, after=sum(new.values()),
                                               cells_changed=changed))
        if not dry_run and changed:
            _replace(session, area, year, new)
    if not dry_run:
        audit.record(session, actor=actor, actor_label=actor_label, action="population.import", target_type="areas",
                     details={
            "file": file[:200], "layout": source.layout, "years": source.years,
            "areas": sorted({c.code for c in result.changes if c.cells_changed}),
            "estimated_classes": source.classes_shared})
    return result


def _cells(session: Session, area_id: int, year: int) -> list[AreaPopulation]:
    return list(session.scalars(select(AreaPopulation).where(AreaPopulation.area_id == area_id,
                                                             AreaPopulation.year == year)))


def _replace(session: Session, area: Area, year: int, cells: dict[tuple[str, str], int]) -> None:
    session.execute(delete(AreaPopulation).where(AreaPopulation.area_id == area.id, AreaPopulation.year == year))
    session.add_all(AreaPopulation(area_id=area.id, year=year, gender=gender, age_band=band, population=n)
                    for (gender, band), n in sorted(cells.items()))
    session.flush()
    session.expire(area, ["population"])


def population_grid(session: Session, area: Area, year: int) -> dict[tuple[str, str], int]:
    return {(p.gender, p.age_band): p.population for p in _cells(session, area.id, year)}


def save_population(session: Session, area: Area, year: int, cells: dict[tuple[str, str], int | None], *,
                    actor: StaffUser) -> bool:
    """The population form: the figures of one area and year; a blank cell has no figure. Audited with before/after."""
    if not 1900 <= year <= 2200:
        raise ServiceError("year_out_of_range", "year")
    bands = {b.label for b in DEFAULT_AGE_BANDS}
    if any(g not in POPULATION_GENDERS or b not in bands for g, b in cells):
        raise ServiceError("unknown_cell", "year")
    if any(n is not None and n < 0 for n in cells.values()):
        raise ServiceError("negative", "year")
    new = {key: n for key, n in cells.items() if n is not None}
    old = population_grid(session, area, year)
    if new == old:
        return False
    _replace(session, area, year, new)
    changes: dict[str, Any] = {f"{g}/{b}": [old.get((g, b)), new.get((g, b))]
                               for g, b in sorted(old.keys() | new.keys()) if old.get((g, b)) != new.get((g, b))}
    audit.record(session, actor=actor, action="population.update", target_type="area", target_id=area.id,
                 details={"year": year, "changes": changes})
    return True


def set_wave_population_year(session: Session, survey: Survey, year: int | None, *,
                             actor: StaffUser | None) -> bool:
    """Which year's population the wave is weighted to (None: each area's latest); audited, and the wave's
    cached analyses are dropped (its data version rises)."""
    if survey.population_year == year:
        return False
    before = survey.population_year
    survey.population_year = year
    survey.data_version = (survey.data_version or 0) + 1
    session.flush()
    audit.record(session, actor=actor, action="survey.population_year", target_type="survey", target_id=survey.id,
                 details={"before": before, "after": year})
    return True
