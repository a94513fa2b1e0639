"""Population by area, gender and age from a CSV: Trygg's own template, or the file SCB's Statistikdatabasen exports.

The two differ only in shape. The template is long (``area;year;gender;age_band;population``); SCB's table
"Folkmängden per region efter ålder och kön" is wide, with one column per year (``"region","ålder","kön","2024"``),
regions like ``1883 Karlskoga`` or DeSO codes ``1883C1010``, and ages in one-year classes (``17 år``, ``100+ år``) or
bands (``10-14 år``). Both are read into Trygg's age bands (analysis/bands.py): a class inside one band is added to
it; a class that crosses a band's edge is shared between the bands by its number of one-year ages (an estimate, which
the result page states); ages under 12 are not surveyed and are left out.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from analysis.bands import DEFAULT_AGE_BANDS
from survey_app.admin.import_files import FileRejected, Problems, csv_rows, decode, header_key, region_code

MAX_ROWS = 3_000_000  # SCB's national DeSO table in one-year ages is about 1.3 million rows
LOWEST_SURVEYED_AGE = DEFAULT_AGE_BANDS[0].low

AREA_HEADERS = {"area", "område", "omrade", "region", "kod", "code", "deso", "regso"}
GENDER_HEADERS = {"gender", "kön", "kon", "sex"}
AGE_HEADERS = {"age band", "age", "ålder", "alder", "åldersgrupp", "åldersklass", "age group"}
POPULATION_HEADERS = {"population", "folkmängd", "folkmangd", "antal", "value", "värde"}
YEAR_HEADERS = {"year", "år", "ar", "år (31 dec)"}
TOTALS = {"totalt", "total", "samtliga", "totalt ålder", "totalt kön", "båda könen", "alla", "all"}
GENDERS = {
    "woman": "woman", "women": "woman", "kvinna": "woman", "kvinnor": "woman", "k": "woman", "female": "woman",
    "f": "woman", "2": "woman",
    "man": "man", "men": "man", "män": "man", "m": "man", "male": "man", "1": "man",
}
_YEAR_COLUMN = re.compile(r"(?:^|\D)((?:19|20)\d\d)$")
_AGE = re.compile(r"^(\d{1,3})(?:\s*[-–]\s*(\d{1,3})|\s*(\+))?$")


@dataclass
class PopulationFile:
    """What a population file holds, in Trygg's bands: (region code, year, gender, band) -> persons (a share of a
    class that crosses a band's edge may be fractional until the import rounds the sums)."""

    cells: dict[tuple[str, int, str, str], float] = field(default_factory=dict)
    layout: str = "template"
    rows: int = 0
    years: list[int] = field(default_factory=list)
    classes_shared: int = 0  # age classes that crossed a band's edge and were shared by their one-year ages
    under_surveyed_age: float = 0.0  # persons under 12, left out
    totals_skipped: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    region_rows: dict[str, int] = field(default_factory=dict)  # first line of each region, for messages


def age_class(text: str) -> tuple[int, int | None] | None:
    """``"17 år"`` -> (17, 17), ``"10-14 år"`` -> (10, 14), ``"100+ år"`` -> (100, None), ``"25-44"`` -> (25, 44)."""
    cleaned = text.lower().replace("år", "").replace("years", "").strip()
    match = _AGE.match(cleaned)
    if match is None:
        return None
    low = int(match.group(1))
    if match.group(3):
        return low, None
    high = int(match.group(2)) if match.group(2) else low
    return (low, high) if high >= low else None


def band_shares(low: int, high: int | None) -> dict[str, float] | None:
    """The share of an age class that falls in each Trygg band (ages under 12 under the key ""), by one-year ages.

    None for an open class (``65+``) that starts below the top band: it cannot be shared without knowing the ages.
    """
    top = DEFAULT_AGE_BANDS[-1]
    if high is None:
        return {top.label: 1.0} if low >= top.low else None
    shares: dict[str, float] = defaultdict(float)
    width = high - low + 1
    for age in range(low, high + 1):
        band = next((b.label for b in DEFAULT_AGE_BANDS if b.contains(age)), "")
        shares[band] += 1 / width
    return dict(shares)


def _count(text: str) -> int | None:
    cleaned = text.replace("\u00a0", "").replace(" ", "")
    if cleaned in {"-", "–", "—"}:  # SCB's symbol for zero
        return 0
    return int(cleaned) if cleaned.isdigit() else None


def read_population(data: bytes, *, file: str = "population", year: int | None = None) -> PopulationFile:
    """Read a population CSV in either layout; raise FileRejected naming each bad row and column."""
    problems = Problems(file)
    rows = csv_rows(decode(data, file=file), file=file)
    header: list[str] = []
    header_line = 0
    for line, cells in rows:  # SCB puts a title line or two above the header
        found = {header_key(c) for c in cells}
        if found & AGE_HEADERS and found & GENDER_HEADERS:
            header, header_line = cells, line
            break
        if line >= 5:
            break
    if not header:
        problems.add("population_header", row=1)
        problems.raise_if_any()
    keys = [header_key(h) for h in header]

    def column(names: set[str]) -> int | None:
        return next((i for i, k in enumerate(keys) if k in names), None)

    area, gender, age = column(AREA_HEADERS), column(GENDER_HEADERS), column(AGE_HEADERS)
    population, year_column = column(POPULATION_HEADERS), column(YEAR_HEADERS)
    used = {i for i in (area, gender, age, population, year_column) if i is not None}
    wide = {} if population is not None else {
        i: int(m.group(1)) for i, k in enumerate(keys) if i not in used and (m := _YEAR_COLUMN.search(k))}
    result = PopulationFile(layout="template" if population is not None else "scb")
    result.ignored_columns = [header[i] for i in range(len(header)) if i not in used and i not in wide]
    if area is None:
        problems.add("missing_column", row=header_line, column="region")
    if population is None and not wide:
        problems.add("missing_column", row=header_line, column="population")
    if population is not None and year_column is None and year is None:
        problems.add("year_needed", row=header_line, column="year")
    if year is not None and wide and year not in wide.values():
        problems.add("year_not_in_file", row=header_line, value=str(year))
    problems.raise_if_any()
    if area is None or gender is None or age is None:  # the header was found by its gender and age columns
        raise FileRejected(problems.found)

    seen: dict[tuple[str, int, str, str], int] = {}
    for line, raw in rows:
        if line - header_line > MAX_ROWS:
            problems.add("too_many_rows", row=line)
        cells = raw + [""] * (len(header) - len(raw))
        if len(raw) == 1 and len(header) > 1:  # SCB's footnotes below the table: one cell of prose
            continue
        result.rows += 1
        region = region_code(cells[area])
        gender_text, age_text = cells[gender].strip(), cells[age].strip()
        if header_key(gender_text) in TOTALS or header_key(age_text) in TOTALS or header_key(region) in TOTALS:
            result.totals_skipped += 1
            continue
        ok = True
        if not region:
            problems.add("blank", row=line, column=header[area])
            ok = False
        code = GENDERS.get(header_key(gender_text))
        if code is None:
            problems.add("gender_unknown", row=line, column=header[gender], value=gender_text)
            ok = False
        klass = age_class(age_text)
        shares = band_shares(*klass) if klass else None
        if klass is None:
            problems.add("age_unreadable", row=line, column=header[age], value=age_text)
            ok = False
        elif shares is None:
            problems.add("age_open_class", row=line, column=header[age], value=age_text)
            ok = False
        counts: dict[int, int] = {}
        if population is not None:
            row_year = year
            if year_column is not None:
                year_text = cells[year_column].strip()
                row_year = int(year_text) if year_text.isdigit() and 1900 <= int(year_text) <= 2200 else None
                if row_year is None:
                    problems.add("year_unreadable", row=line, column=header[year_column], value=year_text)
                    ok = False
                elif year is not None and row_year != year:
                    continue
            value = _count(cells[population])
            if value is None:
                problems.add("not_a_count", row=line, column=header[population], value=cells[population])
                ok = False
            elif row_year is not None:
                counts[row_year] = value
        else:
            for i, column_year in wide.items():
                if year is not None and column_year != year:
                    continue
                value = _count(cells[i])
                if value is None:
                    problems.add("not_a_count", row=line, column=header[i], value=cells[i])
                    ok = False
                else:
                    counts[column_year] = value
        if not ok or code is None or shares is None:
            continue
        result.region_rows.setdefault(region, line)
        if len([b for b in shares if b]) > 1 or ("" in shares and len(shares) > 1):
            result.classes_shared += 1
        for row_year, value in counts.items():
            for band, share in shares.items():
                if not band:
                    result.under_surveyed_age += value * share
                    continue
                key = (region, row_year, code, band)
                origin = (region, row_year, code, age_text.lower())
                if origin in seen:
                    problems.add("duplicate_key", row=line, column=header[area], value=cells[area],
                                 detail=str(seen[origin]))
                    break
                result.cells[key] = result.cells.get(key, 0.0) + value * share
            else:
                seen[(region, row_year, code, age_text.lower())] = line
    if result.rows == 0:
        problems.add("empty")
    problems.raise_if_any()
    result.years = sorted({y for _, y, _, _ in result.cells})
    return result
