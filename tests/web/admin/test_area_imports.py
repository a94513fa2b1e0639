"""Areas and population from files: GeoJSON/GeoPackage boundaries merged through a mapping table, SCB's and Trygg's
population CSV summed into Trygg's age bands, a dry run that stores nothing, and bad files refused in Swedish."""

from __future__ import annotations

import io
import json
import sqlite3
import struct

import pytest
import shapely
from shapely.geometry import box
from sqlalchemy import func, select

from survey_app.models import Area, AreaPopulation, AuditEvent, population_of
from tests.factories import make_area, make_staff
from tests.web.client import log_in, token

SQUARE = {"type": "Polygon", "coordinates": [[[14.0, 59.0], [14.1, 59.0], [14.1, 59.1], [14.0, 59.1], [14.0, 59.0]]]}
NEXT_SQUARE = {"type": "Polygon", "coordinates": [[[14.1, 59.0], [14.2, 59.0], [14.2, 59.1], [14.1, 59.1],
                                                   [14.1, 59.0]]]}
BOWTIE = {"type": "Polygon", "coordinates": [[[14.0, 59.0], [14.1, 59.1], [14.1, 59.0], [14.0, 59.1], [14.0, 59.0]]]}
MAPPING = "kod;område;namn\n1883C1010;centrum;Centrum\n1883C1020;centrum;Centrum\n1883C1030;norr;Norr\n"
SCB = ('"Folkmängden per region efter ålder och kön. År 2023-2024"\n\n'
       '"region";"ålder";"kön";"2023";"2024"\n'
       '"1883C1010";"11 år";"män";"10";"12"\n'
       '"1883C1010";"12 år";"män";"20";"22"\n'
       '"1883C1020";"12 år";"män";"5";"6"\n'
       '"1883C1010";"15-19 år";"kvinnor";"50";"55"\n'
       '"1883C1010";"100+ år";"kvinnor";"1";"2"\n'
       '"1883C1010";"totalt ålder";"kvinnor";"999";"999"\n'
       '"0180C1010";"30 år";"män";"70";"80"\n'
       '\n"Fotnot: Folkmängden avser den 31 december."\n')


def _collection(*features: tuple[str, dict], crs: str | None = None) -> bytes:
    document: dict = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"desokod": code}, "geometry": geometry} for code, geometry in features]}
    if crs:
        document["crs"] = {"type": "name", "properties": {"name": crs}}
    return json.dumps(document).encode()


@pytest.fixture
def admin_client(client, staff_db):
    make_staff(staff_db, "admin", email="boss@kommun.se")
    staff_db.commit()
    log_in(client, "boss@kommun.se")
    return client


def _post(client, path: str, files: dict[str, tuple[bytes, str]], action: str = "import", **fields: object):
    data: dict[str, object] = {"csrf_token": token(client, path), "action": action, **fields}
    for name, (content, filename) in files.items():
        data[name] = (io.BytesIO(content), filename)
    return client.post(path, data=data, content_type="multipart/form-data")


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_national_file_through_the_mapping_merges_boundaries_and_leaves_the_rest_out(admin_client, staff_db) -> None:
    geojson = _collection(("1883C1010", SQUARE), ("1883C1020", NEXT_SQUARE), ("1883C1030", SQUARE),
                          ("0180C1010", NEXT_SQUARE))
    response = _post(admin_client, "/admin/omraden/import/granser",
                     {"file": (geojson, "deso.geojson"), "mapping": (MAPPING.encode(), "mappning.csv")})
    assert response.status_code == 200, _text(response)
    centrum = staff_db.scalars(select(Area).where(Area.code == "centrum")).one()
    assert centrum.name == "Centrum"
    merged = shapely.geometry.shape(centrum.geometry)
    assert merged.geom_type == "Polygon"  # the two neighbouring squares became one
    assert merged.area == pytest.approx(box(14.0, 59.0, 14.2, 59.1).area, rel=1e-6)
    assert staff_db.scalar(select(func.count()).select_from(Area)) == 2  # Stockholm's DeSO was left out
    assert "1 område utanför mappningstabellen" in _text(response) or "utanför mappningstabellen" in _text(response)
    assert staff_db.scalars(select(AuditEvent.action).where(AuditEvent.action == "areas.import")).all()


def test_sweref99_tm_coordinates_are_turned_into_longitude_and_latitude(admin_client, staff_db) -> None:
    square = {"type": "Polygon", "coordinates": [[[500000, 6580000], [501000, 6580000], [501000, 6581000],
                                                  [500000, 6581000], [500000, 6580000]]]}
    response = _post(admin_client, "/admin/omraden/import/granser",
                     {"file": (_collection(("norr", square), crs="urn:ogc:def:crs:EPSG::3006"), "a.geojson")})
    assert response.status_code == 200, _text(response)
    lon, lat, _, _ = shapely.geometry.shape(staff_db.scalars(select(Area)).one().geometry).bounds
    assert lon == pytest.approx(15.0, abs=1e-4)  # SWEREF 99 TM's central meridian is 15° E (pyproj's own figure
    assert lat == pytest.approx(59.35875, abs=1e-4)  # for 6 580 000 N, checked against Lantmäteriet's converter)


def _geopackage(tmp_path, rows: list[tuple[str, bytes]]) -> bytes:
    path = tmp_path / "omraden.gpkg"
    connection = sqlite3.connect(path)
    connection.executescript(
        "CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT, srs_id INTEGER PRIMARY KEY, organization TEXT,"
        " organization_coordsys_id INTEGER, definition TEXT);"
        "INSERT INTO gpkg_spatial_ref_sys VALUES ('WGS 84', 4326, 'EPSG', 4326, '');"
        "CREATE TABLE gpkg_contents (table_name TEXT PRIMARY KEY, data_type TEXT);"
        "INSERT INTO gpkg_contents VALUES ('omraden', 'features');"
        "CREATE TABLE gpkg_geometry_columns (table_name TEXT, column_name TEXT, srs_id INTEGER);"
        "INSERT INTO gpkg_geometry_columns VALUES ('omraden', 'geom', 4326);"
        "CREATE TABLE omraden (fid INTEGER PRIMARY KEY, geom BLOB, kod TEXT, namn TEXT);")
    for code, wkb in rows:
        blob = b"GP" + bytes([0, 1]) + struct.pack("<i", 4326) + wkb  # little-endian, no envelope
        connection.execute("INSERT INTO omraden (geom, kod, namn) VALUES (?, ?, ?)", (blob, code, code.title()))
    connection.commit()
    connection.close()
    return path.read_bytes()


def test_a_geopackage_is_read_without_gdal(admin_client, staff_db, tmp_path) -> None:
    data = _geopackage(tmp_path, [("soder", shapely.to_wkb(shapely.geometry.shape(SQUARE)))])
    response = _post(admin_client, "/admin/omraden/import/granser", {"file": (data, "omraden.gpkg")})
    assert response.status_code == 200, _text(response)
    area = staff_db.scalars(select(Area)).one()
    assert (area.code, area.name) == ("soder", "Soder")
    assert shapely.geometry.shape(area.geometry).equals(shapely.geometry.shape(SQUARE))


@pytest.mark.parametrize(("content", "message"), [
    (_collection(("a", SQUARE), ("b", BOWTIE)), "objekt nr 2 (b): Geometrin är ogiltig"),
    (_collection(("a", SQUARE), ("a", NEXT_SQUARE)), "objekt nr 2 (a)"),
    (_collection(("a", {"type": "Point", "coordinates": [14, 59]})), "Polygon eller MultiPolygon"),
    (_collection(("a", {"type": "Polygon", "coordinates": [[[500000, 6580000], [501000, 6580000],
                                                           [501000, 6581000], [500000, 6580000]]]})),
     "inte longitud och latitud"),
    (b'{"type": "FeatureCollection", "features": [', "inte giltig JSON"),
    (b"\x00\x01\x02" * 100, "inte en textfil"),
    (_collection(("a", SQUARE), crs="EPSG:999999"), "okänt"),
])
def test_bad_boundary_files_are_refused_naming_the_feature_and_nothing_is_stored(admin_client, staff_db, content,
                                                                                 message) -> None:
    response = _post(admin_client, "/admin/omraden/import/granser", {"file": (content, "fel.geojson")})
    assert response.status_code == 400
    assert message in _text(response)
    assert staff_db.scalar(select(func.count()).select_from(Area)) == 0


def test_scb_population_through_the_mapping_is_summed_into_trygg_bands_per_year(admin_client, staff_db) -> None:
    make_area(staff_db, "Centrum", code="centrum")
    make_area(staff_db, "Norr", code="norr")
    staff_db.commit()
    response = _post(admin_client, "/admin/omraden/import/befolkning",
                     {"file": (SCB.encode("cp1252"), "scb.csv"), "mapping": (MAPPING.encode(), "mappning.csv")})
    assert response.status_code == 200, _text(response)
    page = _text(response)
    assert "SCB:s tabell" in page
    assert "uppskattningar" in page
    assert "12-15" in page
    centrum = staff_db.scalars(select(Area).where(Area.code == "centrum")).one()
    cells_2024 = {(p.gender, p.age_band): p.population for p in population_of(staff_db, centrum.id, 2024)}
    # 12-year-old boys of both DeSO; 15-19 år shared by one-year ages: 15 -> 12-15, 16-17 -> 16-17, 18-19 -> 18-24
    assert cells_2024 == {("man", "12-15"): 28, ("woman", "12-15"): 11, ("woman", "16-17"): 22,
                          ("woman", "18-24"): 22, ("woman", "75+"): 2}
    assert sum(p.population for p in population_of(staff_db, centrum.id, 2023)) == 25 + 50 + 1
    assert population_of(staff_db, centrum.id, None)[0].year == 2024  # no year: the latest


def test_a_dry_run_shows_the_change_and_stores_nothing(admin_client, staff_db) -> None:
    make_area(staff_db, "Centrum", code="centrum")
    staff_db.commit()
    template = "area;year;gender;age_band;population\ncentrum;2025;woman;25-44;300\ncentrum;2025;man;25-44;290\n"
    response = _post(admin_client, "/admin/omraden/import/befolkning", {"file": (template.encode(), "mall.csv")},
                     action="preview")
    assert response.status_code == 200
    assert "ingenting har sparats" in _text(response).lower()
    assert "590" in _text(response)
    assert staff_db.scalar(select(func.count()).select_from(AreaPopulation)) == 0
    assert not staff_db.scalars(select(AuditEvent).where(AuditEvent.action == "population.import")).all()


@pytest.mark.parametrize(("content", "message"), [
    ("region,ålder,kön,2024\ncentrum,17 år,män,abc\n", "scb.csv, rad 2, kolumn ”2024”"),
    ("region,ålder,kön,2024\ncentrum,17 år,x,5\n", "rad 2, kolumn ”kön”"),
    ("region,ålder,kön,2024\ncentrum,sjutton,män,5\n", "rad 2, kolumn ”ålder”"),
    ("region,ålder,kön,2024\ncentrum,65+ år,män,5\n", "rad 2, kolumn ”ålder”"),
    ("region,ålder,kön,2024\ncentrum,17 år,män,5\ncentrum,17 år,män,6\n", "rad 3, kolumn ”region”"),
    ("region,ålder,kön,2024\nokänt,17 år,män,5\n", "rad 2, kolumn ”region”"),
    ("area,gender,age_band,population\ncentrum,woman,25-44,3\n", "ange året"),
    ("namn,antal\nx,1\n", "rad 1"),
])
def test_bad_population_files_are_refused_naming_row_and_column(admin_client, staff_db, content, message) -> None:
    make_area(staff_db, "Centrum", code="centrum")
    staff_db.commit()
    response = _post(admin_client, "/admin/omraden/import/befolkning", {"file": (content.encode("cp1252"), "scb.csv")})
    assert response.status_code == 400
    assert message in _text(response), _text(response)
    assert staff_db.scalar(select(func.count()).select_from(AreaPopulation)) == 0


def test_a_file_above_the_import_limit_is_refused_with_413(app, admin_client, staff_db) -> None:
    app.config["IMPORT_MAX_BYTES"] = 100 * 1024  # (the default is 64 MB; a body this size stays in memory)
    big = b"region,\xe5lder,k\xf6n,2024\n" + b"centrum,17,m,1\n" * 20_000
    response = _post(admin_client, "/admin/omraden/import/befolkning", {"file": (big, "stor.csv")})
    assert response.status_code == 413
    assert staff_db.scalar(select(func.count()).select_from(AreaPopulation)) == 0


def test_the_population_form_keeps_the_year_and_audits_each_change(admin_client, staff_db) -> None:
    area = make_area(staff_db, "Centrum", code="centrum")
    staff_db.commit()
    path = f"/admin/omraden/{area.id}/befolkning"
    response = admin_client.post(path, data={"csrf_token": token(admin_client, path), "year": "2024",
                                             "cell-woman-25-44": "1 200", "cell-man-25-44": "1100"})
    assert response.status_code == 302
    assert {(p.gender, p.population) for p in population_of(staff_db, area.id, 2024)} == {("woman", 1200),
                                                                                         ("man", 1100)}
    response = admin_client.post(path, data={"csrf_token": token(admin_client, path), "year": "2024",
                                             "cell-woman-25-44": "tolv"})
    assert response.status_code == 400
    assert "helt antal personer" in _text(response)
    event = staff_db.scalars(select(AuditEvent).where(AuditEvent.action == "population.update")).one()
    assert event.details == {"year": 2024, "changes": {"man/25-44": [None, 1100], "woman/25-44": [None, 1200]}}


def test_the_command_line_imports_through_a_mapping_with_a_dry_run_first(app, staff_db, tmp_path) -> None:
    from survey_app.cli import main

    make_area(staff_db, "Centrum", code="centrum")
    make_area(staff_db, "Norr", code="norr")
    staff_db.commit()
    (tmp_path / "scb.csv").write_bytes(SCB.encode("utf-8-sig"))
    (tmp_path / "mappning.csv").write_text(MAPPING, encoding="cp1252")
    (tmp_path / "deso.geojson").write_bytes(_collection(("1883C1010", SQUARE), ("1883C1020", NEXT_SQUARE)))
    runner = app.test_cli_runner()
    dry = runner.invoke(main, ["areas", "import-population", str(tmp_path / "scb.csv"), "--mapping",
                               str(tmp_path / "mappning.csv"), "--year", "2024", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "centrum" in dry.output
    assert "Provkörning" in dry.output
    assert staff_db.scalar(select(func.count()).select_from(AreaPopulation)) == 0
    done = runner.invoke(main, ["areas", "import-population", str(tmp_path / "scb.csv"), "--mapping",
                                str(tmp_path / "mappning.csv"), "--year", "2024"])
    assert done.exit_code == 0, done.output
    assert {p.year for p in staff_db.scalars(select(AreaPopulation))} == {2024}
    shapes = runner.invoke(main, ["areas", "import-geojson", str(tmp_path / "deso.geojson"), "--mapping",
                                  str(tmp_path / "mappning.csv")])
    assert shapes.exit_code == 0, shapes.output
    staff_db.expire_all()
    assert staff_db.scalars(select(Area).where(Area.code == "centrum")).one().geometry["type"] == "Polygon"
    (tmp_path / "fel.csv").write_text("region,ålder,kön,2024\ncentrum,17 år,män,-5\n", encoding="utf-8")
    refused = runner.invoke(main, ["areas", "import-population", str(tmp_path / "fel.csv")])
    assert refused.exit_code == 1
    assert "Ingenting sparades" in refused.output
    assert "fel.csv, rad 2, kolumn ”2024”" in refused.output


def _template(year: int, women: int, men: int) -> bytes:
    rows = [f"{area};{year};{gender};{band};{n}" for area in ("norr", "soder")
            for gender, n in (("woman", women), ("man", men)) for band in ("18-24", "25-44", "45-64")]
    return ("area;year;gender;age_band;population\n" + "\n".join(rows) + "\n").encode()


def test_the_insights_weighting_reads_the_imported_figures(admin_client, staff_db, make_wave) -> None:
    from survey_app.insights.service import wave_input

    survey = make_wave()
    response = _post(admin_client, "/admin/omraden/import/befolkning", {"file": (_template(2025, 300, 200), "a.csv")})
    assert response.status_code == 200, _text(response)
    population = wave_input(staff_db, survey).population
    assert population is not None
    assert population.margins["gender"] == {"woman": 2 * 3 * 300, "man": 2 * 3 * 200}
    assert population.margins["area"] == {"norr": 1500, "soder": 1500}


def test_a_wave_is_weighted_to_its_population_year(admin_client, staff_db, make_wave) -> None:
    from survey_app.admin.area_imports import set_wave_population_year
    from survey_app.survey.microdata import population_rows

    survey = make_wave()
    for year, women in ((2024, 100), (2025, 400)):
        response = _post(admin_client, "/admin/omraden/import/befolkning",
                         {"file": (_template(year, women, 50), f"{year}.csv")})
        assert response.status_code == 200
    set_wave_population_year(staff_db, survey, 2024, actor=None)
    rows = population_rows(staff_db, survey)
    assert sum(int(r["population"]) for r in rows if r["gender"] == "woman") == 2 * 3 * 100


def test_hostile_mapping_and_geopackage_files_are_refused(admin_client, staff_db, tmp_path) -> None:
    make_area(staff_db, "Centrum", code="centrum")
    staff_db.commit()
    conflicting = "kod;område\n1883C1010;centrum\n1883C1010;norr\n"
    response = _post(admin_client, "/admin/omraden/import/befolkning",
                     {"file": (SCB.encode(), "scb.csv"), "mapping": (conflicting.encode(), "mappning.csv")})
    assert response.status_code == 400
    assert "mappning.csv, rad 3, kolumn ”kod”: 1883C1010 finns här en andra gång (första gången på rad 2)" in \
        _text(response)
    plain = tmp_path / "plain.sqlite"
    connection = sqlite3.connect(plain)
    connection.execute("CREATE TABLE t (x)")
    connection.commit()
    connection.close()
    response = _post(admin_client, "/admin/omraden/import/granser", {"file": (plain.read_bytes(), "x.gpkg")})
    assert response.status_code == 400
    assert "inget GeoPackage" in _text(response)
    assert staff_db.scalar(select(func.count()).select_from(AreaPopulation)) == 0


def test_json_nested_beyond_reason_and_an_unknown_mapped_area_are_clear_400s(admin_client, staff_db) -> None:
    deep = b'{"type": "FeatureCollection", "features": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    response = _post(admin_client, "/admin/omraden/import/granser", {"file": (deep, "djup.geojson")})
    assert response.status_code == 400
    assert "inte giltig JSON" in _text(response)
    response = _post(admin_client, "/admin/omraden/import/befolkning",
                     {"file": (SCB.encode(), "scb.csv"), "mapping": (MAPPING.encode(), "mappning.csv")})
    assert response.status_code == 400  # no area centrum or norr exists yet
    assert "mappning.csv, rad 2, kolumn ”område”: Det finns inget område med koden centrum" in _text(response)
