"""``trygg analyse`` (analysis.cli.main) in-process, plus one subprocess run."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
from numpy.testing import assert_allclose

from analysis.cli import main

ROOT = Path(__file__).resolve().parents[2]
RESULTS = Path(__file__).parent / "results"
QUESTIONNAIRE = ROOT / "questionnaires" / "trygghetsenkat-v1.yaml"
UNSAFE = "share_unsafe=unsafe_evening:fairly_unsafe,very_unsafe,no_out_fear/very_safe,fairly_safe,fairly_unsafe," \
         "very_unsafe,no_out_fear"


def _write(path: Path, header, rows) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


@pytest.fixture
def small(tmp_path):
    rows = []
    for i in range(120):
        area = "A" if i < 70 else "B"
        gender = ["kvinna", "man", "annan"][i % 3] if i % 17 else ""
        age = 13 + (i * 7) % 70
        unsafe = ["very_safe", "fairly_safe", "fairly_unsafe", "very_unsafe", "", "no_out_other"][i % 6]
        rows.append([area, gender, age, unsafe])
    return _write(tmp_path / "resp.csv", ["area", "gender", "age", "unsafe_evening"], rows)


def _run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_measure_json_contract(capsys, small):
    code, out, err = _run(capsys, small, "--measure", UNSAFE, "--measure", "otrygg=unsafe_evening:very_unsafe/"
                          "very_safe,fairly_safe,fairly_unsafe,very_unsafe")
    assert code == 0, err
    doc = json.loads(out)
    assert set(doc) >= {"measures", "comparisons", "weighting", "suppression"}
    keys = {"measure", "group", "n", "estimate", "se", "ci_low", "ci_high", "ci_method", "suppressed", "symbol"}
    assert all(keys <= set(r) for r in doc["measures"])
    total = next(r for r in doc["measures"] if r["measure"] == "share_unsafe" and r["group"] == {})
    # 120 rows: i % 6 in {0,1,2,3} are in the base (80), {2,3} count (40)
    assert total["n"] == 80
    assert total["estimate"] == 0.5
    assert total["ci_method"] == "wilson"
    groups = [r["group"] for r in doc["measures"] if r["measure"] == "share_unsafe"]
    assert {"area": "A", "gender": "woman"} in groups  # "kvinna" is read as the questionnaire code
    assert {"area": "A", "age_band": "12-15"} in groups
    assert {"age_group": "under_18"} in groups
    assert all(0 <= r["estimate"] <= 1 for r in doc["measures"] if r["estimate"] is not None)
    kinds = {c["kind"] for c in doc["comparisons"]}
    assert kinds == {"gender_gap", "area_vs_rest"}
    assert doc["weighting"]["method"] == "none"
    hidden = [r for r in doc["measures"] if r["n"] is not None and 0 < r["n"] < 30]
    assert hidden
    assert all(r["estimate"] is None and r["symbol"] == ".." for r in hidden)
    assert all(r["n"] is None and r["symbol"] == "U" for r in doc["measures"] if r["suppressed"])


def test_cli_raking_equals_r(capsys, tmp_path, oracle):
    """End to end through the CSV reader: the raked total and its GREG SE are R's."""
    code, out, err = _run(capsys, RESULTS / "responses.csv", "--measure", UNSAFE, "--population",
                          RESULTS / "population.csv", "--weighting", "raking")
    assert code == 0, err
    doc = json.loads(out)
    rows = {json.dumps(r["group"], sort_keys=True): r for r in doc["measures"]}
    for group, key in (({}, "total"), ({"area": "A"}, "area=A"), ({"gender": "woman"}, "gender=kvinna")):
        r = rows[json.dumps(group, sort_keys=True)]
        # the default raking tolerance is 1e-10, so allow 1e-8 here (the 1e-9 checks use tol=1e-12)
        assert_allclose([r["estimate"], r["se"]], [oracle(f"raked.unsafe.{key}.est"), oracle(f"raked.unsafe.{key}.se")],
                        rtol=1e-8)
    assert doc["weighting"]["converged"] is True
    assert doc["weighting"]["diagnostics"]["n_eff_kish"] > 0


def test_csv_and_xlsx_tables_go_to_the_writer_it_is_given(capsys, small, tmp_path):
    written = []

    def write_tables(tables, *, fmt, output, csv_dialect):
        written.append((tables, fmt, output, csv_dialect))

    code = main([str(small), "--measure", UNSAFE, "--format", "csv", "--csv-dialect", "excel-sv"],
                write_tables=write_tables)
    assert code == 0
    assert capsys.readouterr().out == ""
    tables, fmt, output, dialect = written[0]
    assert (fmt, output, dialect) == ("csv", None, "excel-sv")
    assert list(tables) == ["measures", "comparisons", "definitions", "weighting", "associations", "suppression",
                            "data_quality"]
    header = tables["measures"][0]
    assert header[:8] == ["measure", "measure_label", "breakdown", "group_label", "area", "gender", "age_band",
                          "age_group"]
    rows = [dict(zip(header, row, strict=True)) for row in tables["measures"][1:]]
    total = next(r for r in rows if r["breakdown"] == "total")
    assert (total["measure"], total["group_label"], total["n"], total["estimate"]) == ("share_unsafe", "Totalt", 80,
                                                                                         0.5)
    # the blank gender (every 17th row) is a group of its own, labelled so that it cannot pass for a total
    blank = [r for r in rows if r["breakdown"] == "gender" and r["gender"] == "(ej svar)"]
    assert len(blank) == 1
    assert blank[0]["group_label"] == "(ej svar)"
    assert [r for r in rows if r["breakdown"] != "total" and not any(r[k] for k in ("area", "gender", "age_band",
                                                                                      "age_group"))] == []
    # a measure without cut-points has no problem level: '.' (cannot occur)
    assert {r["level"] for r in rows} == {"."}
    definitions = dict(zip(tables["definitions"][0], tables["definitions"][1], strict=True))
    assert definitions["counted"] == "fairly_unsafe very_unsafe no_out_fear"
    assert definitions["base"].split() == ["very_safe", "fairly_safe", "fairly_unsafe", "very_unsafe", "no_out_fear"]
    target = tmp_path / "out.xlsx"
    assert main([str(small), "--measure", UNSAFE, "--format", "xlsx", "--output", str(target)],
                write_tables=write_tables) == 0
    assert written[1][1:] == ("xlsx", str(target), "plain")


def test_csv_and_xlsx_need_a_writer_and_xlsx_a_file(capsys, small):
    assert "is written by `trygg analyse`" in _bad(capsys, small, "--measure", UNSAFE, "--format", "csv")
    err = _bad(capsys, small, "--measure", UNSAFE, "--format", "xlsx")
    assert "is written by `trygg analyse`" in err
    code = main([str(small), "--measure", UNSAFE, "--format", "xlsx"], write_tables=lambda *a, **k: None)
    assert code == 2
    assert "--format xlsx needs --output PATH" in capsys.readouterr().err


def _bad(capsys, *args):
    code, out, err = _run(capsys, *args)
    assert code == 2
    assert "Traceback" not in err
    assert out == ""
    return err


def test_unknown_area_names_row_and_column(capsys, tmp_path, small):
    pop = _write(tmp_path / "pop.csv", ["area", "gender", "age_band", "population"], [["A", "", "", "1000"]])
    err = _bad(capsys, small, "--measure", UNSAFE, "--population", pop, "--weighting", "design")
    assert "resp.csv, row 71 (line 72), column 'area'" in err
    assert "'B' is not in the population table" in err


def test_population_without_the_respondents_genders_is_no_longer_an_error(capsys, tmp_path, small):
    """Blank and "annan" genders are not in a women/men register table: they are weighted, and counted."""
    rows = [[a, g, b, "500"] for a in "AB" for g in ("kvinna", "man") for b in
            ("12-15", "18-24", "25-44", "45-64", "65-74", "75+")]  # the bands of the respondents
    pop = _write(tmp_path / "pop.csv", ["area", "gender", "age_band", "population"], rows)
    code, out, err = _run(capsys, small, "--measure", UNSAFE, "--population", pop, "--weighting", "raking")
    assert code == 0, err
    doc = json.loads(out)
    # i % 17 == 0 is blank (8 rows), else i % 3 == 2 is "annan" (37 rows)
    assert doc["data_quality"]["outside_population"] == {"area": 0, "gender": 45, "age_band": 0}
    assert "45 respondent(s) with a gender other than" in err
    assert_allclose(doc["weighting"]["diagnostics"]["sum_w"], 24 * 500, rtol=1e-9)


def test_margins_disagree_message(capsys, tmp_path):
    data = _write(tmp_path / "r.csv", ["area", "gender", "age_band", "q"],
                  [["A", "kvinna", "18-24", "1"], ["A", "man", "18-24", "2"], ["B", "man", "18-24", "1"]])
    pop = _write(tmp_path / "pop.csv", ["area", "gender", "age_band", "population"],
                 [["A", "", "", "100"], ["B", "", "", "100"], ["", "kvinna", "", "90"], ["", "man", "", "100"],
                  ["", "", "18-24", "200"]])
    err = _bad(capsys, data, "--measure", "x=q:1/1,2", "--population", pop, "--weighting", "raking")
    assert "margins disagree" in err


def test_malformed_measure(capsys, small):
    err = _bad(capsys, small, "--measure", "otrygg=unsafe_evening")
    assert "NAME=ITEM:COUNTED/BASE" in err


def test_measure_column_missing(capsys, small):
    err = _bad(capsys, small, "--measure", "x=nope:1/1,2")
    assert "column 'nope'" in err


def test_bad_age_names_row(capsys, tmp_path):
    data = _write(tmp_path / "r.csv", ["area", "gender", "age", "q"],
                  [["A", "man", "40", "1"], ["A", "man", "4x", "1"]])
    err = _bad(capsys, data, "--measure", "x=q:1/1,2")
    assert "row 2 (line 3), column 'age'" in err


def test_bad_weight_names_row(capsys, tmp_path):
    data = _write(tmp_path / "r.csv", ["area", "gender", "age", "weight", "q"],
                  [["A", "man", "40", "1.5", "1"], ["A", "man", "41", "abc", "1"]])
    err = _bad(capsys, data, "--measure", "x=q:1/1,2")
    assert "row 2 (line 3), column 'weight'" in err


def test_missing_required_column_and_file(capsys, tmp_path):
    data = _write(tmp_path / "r.csv", ["area", "age", "q"], [["A", "40", "1"]])
    assert "column 'gender'" in _bad(capsys, data, "--measure", "x=q:1/1,2")
    assert "nothere.csv" in _bad(capsys, tmp_path / "nothere.csv", "--measure", "x=q:1/1,2")


def test_ragged_and_empty_files(capsys, tmp_path):
    ragged = tmp_path / "r.csv"
    ragged.write_text("area,gender,age,q\nA,man,40,1\nB,kvinna,50\n", encoding="utf-8")
    assert "r.csv, row 2 (line 3): has 3 fields, the header has 4" in _bad(capsys, ragged, "--measure", "x=q:1/1,2")
    latin = tmp_path / "l.csv"
    latin.write_bytes("area,gender,age,q\nA,m\u00e4n,40,1\n".encode("latin-1"))
    assert "not UTF-8" in _bad(capsys, latin, "--measure", "x=q:1/1,2")
    empty = tmp_path / "e.csv"
    empty.write_text("area,gender,age,q\n", encoding="utf-8")
    assert "no data rows" in _bad(capsys, empty, "--measure", "x=q:1/1,2")


def test_argparse_errors_exit_2(capsys, small):
    assert _run(capsys, small, "--weighting", "magic")[0] == 2
    assert _run(capsys, small, "--measure", UNSAFE, "--by", "colour")[0] == 2


@pytest.mark.skipif(not QUESTIONNAIRE.exists(), reason="shipped questionnaire not present")
def test_code_not_in_questionnaire_is_counted_not_fatal(capsys, tmp_path):
    data = _write(tmp_path / "r.csv", ["area", "gender", "age", "unsafe_evening"],
                  [["A", "man", "40", "very_safe"], ["A", "man", "41", "petrified"]])
    code, out, err = _run(capsys, data, "--questionnaire", QUESTIONNAIRE)
    assert code == 0, err
    assert json.loads(out)["data_quality"]["unrecognised_codes"] == {
        "unsafe_evening": {"rows": 1, "first_row": 2, "values": ["petrified"]}}
    assert "column 'unsafe_evening': 1 row(s) hold values that are not answer codes" in err
    assert "'petrified' (first at row 2)" in err


@pytest.mark.skipif(not QUESTIONNAIRE.exists(), reason="shipped questionnaire not present")
def test_questionnaire_measures(capsys, small):
    code, out, err = _run(capsys, small, "--questionnaire", QUESTIONNAIRE)
    assert code == 0, err
    doc = json.loads(out)
    names = {r["measure"] for r in doc["measures"]}
    assert "share_unsafe" in names
    assert "skipped" in err


def test_subprocess_end_to_end(small, tmp_path):
    target = tmp_path / "o.json"
    proc = subprocess.run([sys.executable, "-m", "analysis.cli", str(small), "--measure", UNSAFE, "--output",
                           str(target)], capture_output=True, text=True, cwd=ROOT, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(target.read_text(encoding="utf-8"))["measures"][0]["group"] == {}
    bad = subprocess.run([sys.executable, "-m", "analysis.cli", str(small), "--measure", "broken"],
                         capture_output=True, text=True, cwd=ROOT, timeout=60, check=False)
    assert bad.returncode == 2
    assert "Traceback" not in bad.stderr
