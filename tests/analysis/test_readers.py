"""Real exports through ``trygg analyse``: shipped questionnaires, messy codes, gender forms, unknown areas,
Excel's CSV dialects and encodings (issue "The analysis on real data")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from numpy.testing import assert_allclose

from analysis import cli
from analysis.instrument import validate_file
from analysis.readers import read_population, read_responses, sniff

ROOT = Path(__file__).resolve().parents[2]
QUESTIONNAIRES = sorted((ROOT / "questionnaires").glob("*.yaml"))
SHARE = "x=q:3,4/1,2,3,4"


def _write(path: Path, header, rows, *, sep=",", encoding="utf-8", bom=False) -> Path:
    text = "\n".join(sep.join(str(v) for v in row) for row in [header, *rows]) + "\n"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding))
    return path


def _run(capsys, *args):
    code = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if code == 0 and out else None), err


def _total(doc, measure="x"):
    return next(r for r in doc["measures"] if r["measure"] == measure and r["group"] == {})


def _groups(doc, dim, measure="x"):
    return {r["group"][dim] for r in doc["measures"] if r["measure"] == measure and list(r["group"]) == [dim]}


def _rows(n=120, *, areas=("A", "B"), genders=("kvinna", "man"), codes=("1", "2", "3", "4")):
    return [[areas[i % len(areas)], genders[(i // 3) % len(genders)], 20 + i % 50, codes[i % len(codes)]]
            for i in range(n)]


@pytest.mark.parametrize("path", QUESTIONNAIRES, ids=lambda p: p.stem)
def test_each_shipped_questionnaire_runs_on_data_with_its_index_items(capsys, tmp_path, path):
    """Validation and analysis agree: an index scores codes of any of its items (yes_often is not unsafe_evening's)."""
    assert validate_file(path) == []
    items = {"unsafe_evening": ("very_safe", "fairly_unsafe", "very_unsafe", "fairly_safe"),
             "avoid_going_out": ("no", "yes_sometimes", "yes_often"),
             "worry_assault": ("never", "fairly_rarely", "fairly_often", "very_often"),
             "worry_robbery": ("never", "fairly_rarely", "very_often")}
    rows = [["A" if i % 2 else "B", "woman" if i % 3 else "man", 12 + i % 6 if "unga" in path.stem else 20 + i % 60,
             *(codes[i % len(codes)] for codes in items.values())] for i in range(200)]
    data = _write(tmp_path / "r.csv", ["area", "gender", "age", *items], rows)
    code, doc, err = _run(capsys, data, "--questionnaire", path)
    assert code == 0, err
    index = _total(doc, "index_safety")
    assert index["n"] == 200
    assert 0 < index["estimate"] < 100
    assert _total(doc, "share_unsafe")["n"] == 200


def test_codes_written_as_floats_or_with_spaces_are_read_and_the_rest_counted(capsys, tmp_path):
    codes = ("1", "2.0", " 3", "4.0", "\"3,0\"", "3.5")
    data = _write(tmp_path / "r.csv", ["area", "gender", "age", "q"], _rows(codes=codes))
    code, doc, err = _run(capsys, data, "--measure", SHARE)
    assert code == 0, err
    total = _total(doc)
    assert total["n"] == 100  # every code but 3.5 is in the base (old code: only "1", n = 20)
    assert total["estimate"] == pytest.approx(60 / 100)
    quality = doc["data_quality"]
    assert quality["normalised_codes"] == {"q": 80}
    assert quality["outside_measure_codes"] == {"q": {"rows": 20, "first_row": 6, "values": ["3.5"]}}
    assert quality["unrecognised_codes"] == {}  # no questionnaire declares q
    assert "values that no measure names are outside the base in 1 column(s): 'q' 20 row(s): '3.5'" in err


def test_gender_as_people_write_it_keeps_the_gender_gap(capsys, tmp_path):
    data = _write(tmp_path / "r.csv", ["area", "gender", "age", "q"],
                  _rows(200, genders=("Kvinna", "Man", "K", "M", "KVINNA", "man ", "x")))
    code, doc, err = _run(capsys, data, "--measure", SHARE)
    assert code == 0, err
    assert _groups(doc, "gender") == {"woman", "man", "x"}
    assert any(c["kind"] == "gender_gap" and c["group"] == {} for c in doc["comparisons"])
    assert doc["data_quality"]["unrecognised_gender"]["values"] == ["x"]
    assert doc["data_quality"]["normalised_gender"] == 200 - doc["data_quality"]["unrecognised_gender"]["rows"]
    assert "column 'gender': 27 row(s) hold a gender that is not a form of woman, man" in err
    assert "'x' (first at row 19)" in err


def test_respondents_without_a_known_area_count_in_the_total_only(capsys, tmp_path):
    rows = _rows(200, areas=("A", "B", "", "dont_know", "Vet inte"))
    data = _write(tmp_path / "r.csv", ["area", "gender", "age", "q"], rows)
    code, doc, err = _run(capsys, data, "--measure", SHARE)
    assert code == 0, err
    assert _total(doc)["n"] == 200
    assert _groups(doc, "area") == {"A", "B"}
    assert {c["group"]["area"] for c in doc["comparisons"] if c["kind"] == "area_vs_rest"} == {"A", "B"}
    assert doc["data_quality"]["unknown_area"] == 120
    assert "120 respondent(s) have no known area" in err
    pop = _write(tmp_path / "pop.csv", ["area", "gender", "age_band", "population"],
                 [["A", "", "", 600], ["B", "", "", 400], ["", "kvinna", "", 520], ["", "man", "", 480],
                  ["", "", "18-24", 250], ["", "", "25-44", 350], ["", "", "45-64", 300], ["", "", "65-74", 100]])
    code, doc, err = _run(capsys, data, "--measure", SHARE, "--population", pop, "--weighting", "raking")
    assert code == 0, err
    assert doc["data_quality"]["outside_population"]["area"] == 120
    assert_allclose(doc["weighting"]["diagnostics"]["sum_w"], 1000, rtol=1e-9)


def test_a_single_respondent_without_an_area_leaves_the_weighted_total_its_standard_error(capsys, tmp_path):
    """One unknown-area respondent cannot be a variance stratum of its own: it joins the largest area's."""
    rows = _rows(200)
    rows[0][0] = "vet inte"
    data = _write(tmp_path / "r.csv", ["area", "gender", "age", "q"], rows)
    pop = _write(tmp_path / "pop.csv", ["area", "gender", "age_band", "population"],
                 [["A", "", "", 600], ["B", "", "", 400], ["", "kvinna", "", 520], ["", "man", "", 480],
                  ["", "", "18-24", 250], ["", "", "25-44", 350], ["", "", "45-64", 300], ["", "", "65-74", 100]])
    code, doc, err = _run(capsys, data, "--measure", SHARE, "--population", pop, "--weighting", "raking")
    assert code == 0, err
    total = _total(doc)
    assert total["n"] == 200
    assert total["se"] > 0
    assert total["df"] == 198


def test_swedish_excel_csv_reads_like_the_plain_file(capsys, tmp_path):
    header = ["area", "gender", "age", "weight", "q"]
    rows = [[*r[:3], f"{1 + (i % 4) / 4}", r[3]] for i, r in enumerate(_rows())]
    plain = _write(tmp_path / "plain.csv", header, rows)
    excel = _write(tmp_path / "excel.csv", header, [[*r[:3], r[3].replace(".", ","), r[4]] for r in rows],
                   sep=";", bom=True)
    assert (sniff(excel).delimiter, sniff(excel).header[0]) == (";", "area")
    _, want, _ = _run(capsys, plain, "--measure", SHARE)
    code, got, err = _run(capsys, excel, "--measure", SHARE)
    assert code == 0, err  # old code: "required column is missing: area"
    assert _total(got) == _total(want)
    assert got["weighting"]["method"] == "given"
    pop_rows = [["A", "", "", "600,5"], ["B", "", "", "399,5"], ["", "Kvinnor", "", "520"], ["", "Män", "", "480"],
                ["", "", "18-24", "250"], ["", "", "25-44", "350"], ["", "", "45-64", "300"], ["", "", "65-74", "100"]]
    pop = _write(tmp_path / "pop.csv", ["area", "gender", "age_band", "population"], pop_rows, sep=";", bom=True)
    assert read_population(pop).margins["area"] == {"A": 600.5, "B": 399.5}
    code, raked, err = _run(capsys, excel, "--measure", SHARE, "--population", pop, "--weighting", "raking")
    assert code == 0, err
    assert_allclose(raked["weighting"]["diagnostics"]["sum_w"], 1000, rtol=1e-9)


def test_a_latin1_file_is_named_as_such_or_read_with_encoding(capsys, tmp_path):
    rows = [[r[0], "Män" if i % 2 else "Kvinna", *r[2:]] for i, r in enumerate(_rows())]
    data = _write(tmp_path / "l1.csv", ["area", "gender", "age", "q"], rows, sep=";", encoding="cp1252")
    code, _, err = _run(capsys, data, "--measure", SHARE)
    assert code == 2
    assert "l1.csv: line 3 is not UTF-8 text (it looks like Windows-1252/Latin-1" in err
    assert "--encoding cp1252" in err
    code, doc, err = _run(capsys, data, "--measure", SHARE, "--encoding", "cp1252")
    assert code == 0, err
    assert _groups(doc, "gender") == {"woman", "man"}
    assert "not a known text encoding" in _run(capsys, data, "--measure", SHARE, "--encoding", "klingon")[2]


def test_the_readers_are_their_own_module(tmp_path):
    """The web app reads files with analysis.readers; the command line only parses arguments."""
    data = _write(tmp_path / "r.csv", ["area", "gender", "age", "q"], _rows(codes=("1", "3.0")))
    resp = read_responses(data, ["q"], codes={"q": ("1", "2", "3", "4")})
    assert resp.n == 120
    assert resp.items["q"].labels == ("1", "3")
    assert resp.quality.normalised_codes == {"q": 60}
    assert not hasattr(cli, "_read_table")
