"""Area boundaries from GeoJSON or a GeoPackage, checked with shapely and stored as GeoJSON in longitude/latitude.

SCB publishes DeSO and RegSO boundaries in SWEREF 99 TM (EPSG:3006); pyproj (with the PROJ database in its wheel,
so nothing is downloaded) turns any EPSG coordinate system into the longitude/latitude the maps draw
(survey_app/insights/maps.py). A GeoPackage is an SQLite database whose geometries are standard WKB behind a short
header, so the standard library's sqlite3 and shapely read it without GDAL (which fiona and pyogrio need).
"""

from __future__ import annotations

import json
import re
import sqlite3
import struct
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from survey_app.admin.import_files import FileRejected, Problem, Problems, decode, region_code

CODE_PROPERTIES = ("code", "kod", "desokod", "deso", "regsokod", "regsokod_2025", "deso_2025", "omradeskod",
                   "områdeskod", "kommunkod")
NAME_PROPERTIES = ("name", "namn", "regsonamn", "regso", "omrade", "område", "kommunnamn")
MAX_FEATURES = 20_000  # SCB's national DeSO file has about 6 200
PRECISION = 1e-6  # degrees: about 10 cm, finer than any boundary SCB draws
GEOPACKAGE_MAGIC = b"SQLite format 3\x00"


@dataclass(frozen=True, slots=True)
class Feature:
    code: str
    name: str | None
    geometry: BaseGeometry
    label: str  # how a message names it: "nr 3 (1883C1010)"


def _property(properties: dict[str, Any], names: Iterable[str]) -> str | None:
    lowered = {str(k).lower(): v for k, v in properties.items()}
    for name in names:
        value = lowered.get(name)
        if value not in (None, ""):
            return str(value).strip()
    return None


def _transformer(epsg: int | None, *, file: str) -> Transformer | None:
    if epsg in (None, 4326):
        return None
    try:
        return Transformer.from_crs(CRS.from_epsg(epsg), CRS.from_epsg(4326), always_xy=True)
    except CRSError:
        raise FileRejected([Problem("crs_unknown", file, value=f"EPSG:{epsg}")]) from None


def _epsg_of_geojson(document: dict[str, Any], *, file: str) -> int | None:
    """The EPSG code in the (pre-RFC 7946) ``crs`` member, as SCB and QGIS still write it; None for WGS 84."""
    name = str(((document.get("crs") or {}).get("properties") or {}).get("name") or "")
    if not name or "CRS84" in name.upper():
        return None
    match = re.search(r"EPSG:{1,2}(\d+)$", name.upper())
    if match is None:
        raise FileRejected([Problem("crs_unknown", file, value=name[:100])])
    return int(match.group(1))


def _checked(geometry: BaseGeometry, transformer: Transformer | None, label: str,
             problems: Problems) -> BaseGeometry | None:
    if geometry.geom_type not in ("Polygon", "MultiPolygon"):
        problems.add("geometry_type", feature=label, value=geometry.geom_type)
        return None
    if geometry.is_empty:
        problems.add("geometry_missing", feature=label)
        return None
    if not geometry.is_valid:
        problems.add("geometry_invalid", feature=label, detail=shapely.is_valid_reason(geometry))
        return None
    if transformer is not None:
        geometry = shapely.transform(geometry, lambda xy: _transform(transformer, xy))
    lon_low, lat_low, lon_high, lat_high = geometry.bounds
    if not (-180 <= lon_low <= lon_high <= 180 and -90 <= lat_low <= lat_high <= 90):
        problems.add("coordinates_not_degrees", feature=label)
        return None
    return shapely.set_precision(geometry, PRECISION)


def _transform(transformer: Transformer, xy: Any) -> Any:
    x, y = transformer.transform(xy[:, 0], xy[:, 1])
    xy[:, 0], xy[:, 1] = x, y
    return xy


def read_geojson(data: bytes, *, file: str = "geojson") -> list[Feature]:
    """The features of a GeoJSON FeatureCollection (or one Feature), each with a code, valid (multi)polygons."""
    try:
        document = json.loads(decode(data, file=file))
    except json.JSONDecodeError as error:
        raise FileRejected([Problem("json_broken", file, row=error.lineno, detail=error.msg)]) from None
    except RecursionError:  # arrays nested thousands deep: hostile, not a map
        raise FileRejected([Problem("json_broken", file, detail="nesting")]) from None
    if not isinstance(document, dict) or document.get("type") not in ("FeatureCollection", "Feature"):
        raise FileRejected([Problem("not_feature_collection", file)])
    features = document.get("features") if document["type"] == "FeatureCollection" else [document]
    if not isinstance(features, list) or not features:
        raise FileRejected([Problem("empty", file)])
    if len(features) > MAX_FEATURES:
        raise FileRejected([Problem("too_many_features", file, value=str(len(features)))])
    transformer = _transformer(_epsg_of_geojson(document, file=file), file=file)
    problems = Problems(file)
    raw: list[tuple[str, str | None, BaseGeometry | None, str]] = []
    for number, feature in enumerate(features, start=1):
        properties = feature.get("properties") if isinstance(feature, dict) else None
        properties = properties if isinstance(properties, dict) else {}
        code = _property(properties, CODE_PROPERTIES)
        label = f"nr {number}" + (f" ({code})" if code else "")
        if not code:
            problems.add("feature_without_code", feature=label)
            continue
        geometry_json = feature.get("geometry") if isinstance(feature, dict) else None
        if not geometry_json:
            problems.add("geometry_missing", feature=label)
            continue
        try:
            geometry = shape(geometry_json)
        except (ValueError, TypeError, AttributeError, KeyError, IndexError, RecursionError,
                shapely.errors.GEOSException):
            problems.add("geometry_unreadable", feature=label)
            continue
        raw.append((code, _property(properties, NAME_PROPERTIES), geometry, label))
    return _features(raw, transformer, problems)


def _features(raw: list[tuple[str, str | None, BaseGeometry | None, str]], transformer: Transformer | None,
              problems: Problems) -> list[Feature]:
    result: list[Feature] = []
    first: dict[str, str] = {}
    for code, name, geometry, label in raw:
        key = region_code(code)
        if key in first:
            problems.add("duplicate_feature", feature=label, detail=first[key])
            continue
        first[key] = label
        checked = _checked(geometry, transformer, label, problems) if geometry is not None else None
        if geometry is None:
            problems.add("geometry_missing", feature=label)
        if checked is not None:
            result.append(Feature(code=key, name=name, geometry=checked, label=label))
    problems.raise_if_any()
    return result


def _gpkg_wkb(blob: bytes) -> bytes:
    """The WKB inside a GeoPackage geometry blob (header: "GP", version, flags, srs id, envelope)."""
    if blob[:2] != b"GP":
        raise ValueError("not a GeoPackage geometry")
    flags = blob[3]
    envelope = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}.get((flags >> 1) & 0b111)
    if envelope is None:
        raise ValueError("unknown envelope")
    struct.unpack("<i" if flags & 1 else ">i", blob[4:8])  # the srs id, read from gpkg_geometry_columns instead
    return blob[8 + envelope:]


def read_geopackage(data: bytes, *, file: str = "geopackage") -> list[Feature]:
    """The features of a GeoPackage's first feature table, read with sqlite3 (read-only) and shapely."""
    if not data.startswith(GEOPACKAGE_MAGIC):
        raise FileRejected([Problem("not_geopackage", file)])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "upload.gpkg")
        path.write_bytes(data)
        try:
            connection = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
        except sqlite3.Error:
            raise FileRejected([Problem("not_geopackage", file)]) from None
        try:
            return _read_gpkg(connection, file)
        except sqlite3.Error:
            raise FileRejected([Problem("not_geopackage", file)]) from None
        finally:
            connection.close()


def _read_gpkg(connection: sqlite3.Connection, file: str) -> list[Feature]:
    found = connection.execute(
        "SELECT c.table_name, c.column_name, s.organization, s.organization_coordsys_id "
        "FROM gpkg_geometry_columns c JOIN gpkg_spatial_ref_sys s ON s.srs_id = c.srs_id "
        "JOIN gpkg_contents t ON t.table_name = c.table_name WHERE t.data_type = 'features' "
        "ORDER BY c.table_name LIMIT 1").fetchone()
    if found is None:
        raise FileRejected([Problem("not_geopackage", file)])
    table, geometry_column, organization, coordsys = found
    epsg = int(coordsys) if str(organization).upper() == "EPSG" else None
    transformer = _transformer(epsg, file=file)
    quoted = '"' + str(table).replace('"', '""') + '"'
    count = connection.execute(f"SELECT COUNT(*) FROM {quoted}").fetchone()[0]  # noqa: S608 -- the name is quoted
    if count > MAX_FEATURES:
        raise FileRejected([Problem("too_many_features", file, value=str(count))])
    cursor = connection.execute(f"SELECT * FROM {quoted}")  # noqa: S608 -- the name is quoted
    names = [d[0] for d in cursor.description]
    problems = Problems(file)
    raw: list[tuple[str, str | None, BaseGeometry | None, str]] = []
    for number, values in enumerate(cursor, start=1):
        row = dict(zip(names, values, strict=True))
        blob = row.pop(geometry_column, None)
        code = _property(row, CODE_PROPERTIES)
        label = f"nr {number}" + (f" ({code})" if code else "")
        if not code:
            problems.add("feature_without_code", feature=label)
            continue
        geometry = None
        if blob:
            try:
                geometry = shapely.from_wkb(_gpkg_wkb(bytes(blob)))
            except (ValueError, IndexError, shapely.errors.GEOSException):
                problems.add("geometry_unreadable", feature=label)
                continue
        raw.append((code, _property(row, NAME_PROPERTIES), geometry, label))
    if not raw and not problems.found:
        problems.add("empty")
    return _features(raw, transformer, problems)


def read_boundaries(data: bytes, *, file: str) -> list[Feature]:
    """GeoJSON or GeoPackage, told apart by the file's first bytes."""
    if data.startswith(GEOPACKAGE_MAGIC):
        return read_geopackage(data, file=file)
    return read_geojson(data, file=file)


def merged(geometries: list[BaseGeometry]) -> dict[str, Any]:
    """The union of several areas' boundaries as a GeoJSON geometry (lists, not tuples, as JSON stores it)."""
    union = shapely.set_precision(shapely.union_all(geometries), PRECISION)
    return json.loads(json.dumps(mapping(union)))
