"""``trygg analyse`` reaches what the functions offer, refuses impossible weights, never prints NaN/inf."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from analysis.cli import main, result_tables
from analysis.data import Responses
from analysis.measures import Measure
from analysis.report import run_analysis

RESULTS = Path(__file__).parent / "results"
UNSAFE = "share_unsafe=unsafe_evening:fairly_unsafe,very_unsafe,no_out_fear/very_safe,fairly_safe,fairly_unsafe," \
         "very_unsafe,no_out_fear"


def _run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def _write(path: Path, header, rows) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def _weighted(tmp_path: Path, weight) -> Path:
    rows = [["A" if i < 60 else "B", ("kvinna", "man")[i % 2], 20 + i % 50,
             ("very_safe", "fairly_unsafe", "very_unsafe")[i % 3], weight(i)] for i in range(120)]
    return _write(tmp_path / "w.csv", ["area", "gender", "age", "unsafe_evening", "weight"], rows)


@pytest.mark.parametrize(("weight", "message"), [
    (lambda i: 1e200 if i == 7 else 1.0, "weight 1e+200 is larger than any population"),
    (lambda i: 0.0, "every weight is 0"),
])
@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_impossible_weights_are_a_clear_input_error(capsys, tmp_path, weight, message, fmt):
    written = []
    code = main([str(_weighted(tmp_path, weight)), "--measure", UNSAFE, "--format", fmt],
                write_tables=lambda tables, **k: written.append(tables))
    out, err = capsys.readouterr()
    assert code == 2
    assert message in err
    assert "Traceback" not in err
    assert out == ""
    assert written == []


def _every_number(doc):
    if isinstance(doc, dict):
        for v in doc.values():
            yield from _every_number(v)
    elif isinstance(doc, list):
        for v in doc:
            yield from _every_number(v)
    elif isinstance(doc, float):
        yield doc


def test_an_infinite_odds_ratio_is_absent_with_its_reason(capsys, tmp_path):
    """A 2 × 2 table with a zero cell: Fisher's odds ratio is infinite; JSON gets null and a note."""
    rows = [["A", ("kvinna", "man")[i % 2], 30, "very_unsafe" if i % 2 == 0 and i < 8 else "very_safe"]
            for i in range(60)]
    path = _write(tmp_path / "r.csv", ["area", "gender", "age", "unsafe_evening"], rows)
    code, out, err = _run(capsys, path, "--measure", UNSAFE, "--min-cell", "1")
    assert code == 0, err
    assert "NaN" not in out
    assert "Infinity" not in out
    doc = json.loads(out)
    fisher = next(a for a in doc["associations"] if a["by"] == "gender")
    assert fisher["method"] == "fisher"
    assert fisher["statistic"] is None
    assert "zero cell" in fisher["note"]
    assert 0 < fisher["p_value"] <= 1
    tables = result_tables(run_analysis(Responses.from_columns(
        {"area": [r[0] for r in rows], "gender": [r[1] for r in rows], "age_band": ["25-34"] * 60,
         "unsafe_evening": [r[3] for r in rows]}), [Measure("x", "share", "unsafe_evening", counted=("very_unsafe",),
                                                            base=("very_safe", "very_unsafe"))], min_cell=1))
    cells = [c for t in tables.values() for row in t for c in row]
    assert not [c for c in cells if (isinstance(c, float) and c != c) or c in (float("inf"), float("-inf"))]


def test_shares_of_zero_carry_their_flags_and_the_true_zero_symbol(capsys, tmp_path):
    rows = [["A" if i < 80 else "B", ("kvinna", "man")[i % 2], 30,
             "very_unsafe" if (i < 80 and i % 4 == 0) else "very_safe"] for i in range(160)]
    path = _write(tmp_path / "r.csv", ["area", "gender", "age", "unsafe_evening"], rows)
    code, out, err = _run(capsys, path, "--measure", UNSAFE)
    assert code == 0, err
    doc = json.loads(out)
    zero = next(r for r in doc["measures"] if r["group"] == {"area": "B"})
    assert zero["estimate"] == 0
    assert "estimate_0_or_1" in zero["flags"]
    tables = {}
    main([str(path), "--measure", UNSAFE, "--format", "csv"], write_tables=lambda t, **k: tables.update(t))
    header = tables["measures"][0]
    rows_b = [dict(zip(header, r, strict=True)) for r in tables["measures"][1:] if r[header.index("area")] == "B"]
    b = next(r for r in rows_b if r["breakdown"] == "area")
    assert (b["symbol"], b["estimate"]) == ("–", 0.0)
    assert "estimate_0_or_1" in b["flags"]


def test_options_reach_the_analysis(capsys, tmp_path):
    resp, pop = RESULTS / "responses.csv", RESULTS / "population.csv"
    base = [resp, "--measure", UNSAFE, "--population", pop, "--weighting", "raking"]
    code, out, err = _run(capsys, *base)
    assert code == 0, err
    default = json.loads(out)
    total = next(r for r in default["measures"] if r["group"] == {})
    assert default["weighting"]["lonely"] == "adjust"

    code, out, err = _run(capsys, *base, "--fpc", "--ci-method", "korn_graubard", "--lonely", "certainty",
                          "--trim", "1.5", "--min-n-share", "10", "--flag-n-below", "40")
    assert code == 0, err
    doc = json.loads(out)
    t = next(r for r in doc["measures"] if r["group"] == {})
    assert t["ci_method"] == "korn_graubard"
    assert t["se"] < total["se"]  # the finite population correction
    assert doc["weighting"]["fpc"] is True
    assert doc["weighting"]["lonely"] == "certainty"
    assert "diagnostics_before_trim" in doc["weighting"]  # trimming ran (it may not have had to cap anything)
    assert doc["suppression"]["min_n_share"] == 10
    assert doc["suppression"]["flag_n_below"] == 40
    shown_small = [r for r in doc["measures"] if r["n"] is not None and 10 <= r["n"] < 30 and not r["suppressed"]]
    assert shown_small
    assert all(r["estimate"] is not None for r in shown_small)


def test_compare_population_weights_the_other_wave(capsys, tmp_path):
    resp, pop = RESULTS / "responses.csv", RESULTS / "population.csv"
    with open(pop, encoding="utf-8") as fh:
        pop_rows = list(csv.DictReader(fh))
    other_pop = _write(tmp_path / "pop2.csv", ["area", "gender", "age_band", "population"],
                       [[r["area"], r["gender"], r["age_band"], int(r["population"]) * (3 if r["area"] == "A" else 1)]
                        for r in pop_rows])
    base = [resp, "--measure", UNSAFE, "--population", pop, "--weighting", "raking", "--compare-wave", resp]
    code, out, err = _run(capsys, *base)
    assert code == 0, err
    same = next(c for c in json.loads(out)["comparisons"] if c["kind"] == "trend" and c["group"] == {})
    assert same["difference"] == 0
    code, out, err = _run(capsys, *base, "--compare-population", other_pop)
    assert code == 0, err
    other = next(c for c in json.loads(out)["comparisons"] if c["kind"] == "trend" and c["group"] == {})
    assert other["difference"] != 0
    code, out, err = _run(capsys, resp, "--measure", UNSAFE, "--compare-population", other_pop)
    assert code == 2
    assert "--compare-population needs --compare-wave" in err


def test_ignored_inputs_are_warned_about_or_refused(capsys, tmp_path):
    resp = _weighted(tmp_path, lambda i: 2.0)
    pop = _write(tmp_path / "pop.csv", ["area", "gender", "age_band", "population"],
                 [[a, g, b, 100] for a in "AB" for g in ("kvinna", "man")
                  for b in ("18-24", "25-44", "45-64", "65-74")])
    code, _, err = _run(capsys, resp, "--measure", UNSAFE, "--population", pop, "--weighting", "raking")
    assert code == 0, err
    assert "warning: " in err
    assert "weight column is ignored" in err
    code, _, err = _run(capsys, resp, "--measure", UNSAFE, "--population", pop)
    assert code == 0, err
    assert "--population is not used without --weighting" in err
    code, _, err = _run(capsys, resp, "--measure", UNSAFE, "--trim", "4")
    assert code == 2
    assert "--trim needs --weighting raking" in err
    code, _, err = _run(capsys, resp, "--measure", UNSAFE, "--fpc")
    assert code == 2
    assert "--fpc needs --population" in err


def test_lonely_fail_on_the_command_line_names_the_area(capsys, tmp_path):
    rows = [["A" if i else "Ensam", ("kvinna", "man")[i % 2], 30, ("very_safe", "very_unsafe")[i % 2], 1.5]
            for i in range(80)]
    path = _write(tmp_path / "r.csv", ["area", "gender", "age", "unsafe_evening", "weight"], rows)
    code, _, err = _run(capsys, path, "--measure", UNSAFE, "--lonely", "fail")
    assert code == 2
    assert "single respondent" in err
    assert "Ensam" in err
    code, out, err = _run(capsys, path, "--measure", UNSAFE)
    assert code == 0, err
    doc = json.loads(out)
    assert doc["weighting"]["lonely_strata"] == ["Ensam"]
    total = next(r for r in doc["measures"] if r["group"] == {})
    assert "lonely_stratum" in total["flags"]
    assert total["se"] is not None
