"""What an admin reads about a refused file: each problem in a sentence naming the file, row and column or feature."""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from survey_app.admin.import_files import Problem

WHAT = {
    "not_text": _l("The file is not a text file (CSV)."),
    "empty": _l("The file holds no rows."),
    "csv_broken": _l("The CSV file cannot be read (a quotation mark is not closed, or a cell is far too long)."),
    "missing_column": _l("A column %(column)s is missing from the header."),
    "blank": _l("The cell is empty."),
    "duplicate_key": _l("%(value)s is here a second time (first on row %(detail)s)."),
    "too_many_rows": _l("The file has too many rows."),
    "population_header": _l("No header with the columns region (or area), age and gender was found in the first "
                            "five rows."),
    "year_needed": _l("The file has no year column: state the year the figures refer to."),
    "year_not_in_file": _l("The file has no column for the year %(value)s."),
    "year_unreadable": _l("%(value)s is not a year."),
    "gender_unknown": _l("%(value)s is not a gender Trygg knows (kvinnor, män, woman, man or totalt)."),
    "age_unreadable": _l("%(value)s is not an age or an age band (for example 17 år, 10-14 år, 100+ år)."),
    "age_open_class": _l("The open age class %(value)s starts below 75 and cannot be shared between Trygg's age "
                         "bands. Export one-year ages or closed bands."),
    "not_a_count": _l("%(value)s is not a whole number of persons."),
    "area_unknown": _l("There is no area with the code %(value)s in Trygg. Import the areas first, or correct the "
                       "code."),
    "area_code_invalid": _l("%(value)s cannot be a Trygg area code (lower-case letters a–z, digits, - and _)."),
    "nothing_for_trygg_areas": _l("No row of the file belongs to one of Trygg's areas."),
    "json_broken": _l("The file is not valid JSON (%(detail)s)."),
    "not_feature_collection": _l("The file is not a GeoJSON FeatureCollection."),
    "too_many_features": _l("The file has %(value)s features, more than Trygg imports at once."),
    "crs_unknown": _l("The coordinate system %(value)s is unknown."),
    "feature_without_code": _l("The feature has no code property (code, kod, desokod or regsokod)."),
    "geometry_missing": _l("The feature has no geometry."),
    "geometry_unreadable": _l("The feature's geometry cannot be read."),
    "geometry_type": _l("The geometry is a %(value)s; an area needs a Polygon or MultiPolygon."),
    "geometry_invalid": _l("The geometry is invalid: %(detail)s."),
    "coordinates_not_degrees": _l("The coordinates are not longitude and latitude, and the file names no coordinate "
                                  "system (SCB's files are in SWEREF 99 TM: add \"crs\" EPSG:3006)."),
    "duplicate_feature": _l("The code is used by an earlier feature too (%(detail)s)."),
    "not_geopackage": _l("The file is not a GeoPackage with a feature table."),
    "file_too_large": _l("The file is too large."),
}


def describe(problem: Problem) -> str:
    """``"befolkning.csv, rad 4, kolumn ”kön”: x är inget kön …"``."""
    what = gettext(str(WHAT.get(problem.code, problem.code)), value=problem.value or "", detail=problem.detail or "",
                   column=problem.column or "")
    if problem.feature:
        where = gettext("%(file)s, feature %(feature)s", file=problem.file, feature=problem.feature)
    elif problem.row and problem.column:
        where = gettext("%(file)s, row %(row)s, column “%(column)s”", file=problem.file, row=problem.row,
                        column=problem.column)
    elif problem.row:
        where = gettext("%(file)s, row %(row)s", file=problem.file, row=problem.row)
    else:
        where = problem.file
    return f"{where}: {what}"
