"""Pipeline rules worked by hand: complementary suppression, precision rule, child-rights groups, errors."""

from __future__ import annotations

import subprocess
import sys

import pytest

from analysis.data import Population, Responses
from analysis.errors import InputError, WeightingError
from analysis.measures import Measure
from analysis.report import run_analysis

MEASURE = Measure("x", "share", "q", counted=("1",), base=("1", "2"))


def _data(cells: dict[tuple[str, str], int], age_band="18-24") -> Responses:
    cols: dict[str, list] = {"area": [], "gender": [], "age_band": [], "q": []}
    for (area, gender), n in cells.items():
        for i in range(n):
            cols["area"].append(area)
            cols["gender"].append(gender)
            cols["age_band"].append(age_band)
            cols["q"].append("1" if i % 2 else "2")
    return Responses.from_columns(cols)


def test_complementary_suppression_worked_example():
    """A: kvinna 40, man 35; B: kvinna 30, man 25, annan 2. Worked by hand (STATISTICS.md §8, README rule).

    Primary: B × annan (2) and the margin annan (2, the same respondents: A has no annan). Line B needs a
    partner: its cheapest inner cell B × man (25). The gender margins' line (total = kvinna + man + annan)
    needs a second margin, and no inner cell can stand in for one: man (60) beats kvinna (70); the total
    stays published. Then B × man + B × annan = 57 − 30 = 27 and man + annan = 132 − 70 = 62 with
    man = 35 + B × man leave one free parameter: B × annan can be anything in [0, 27] (≥ ±50 % and ≥ 5 wide),
    its counted answers in [0, 13], its others in [0, 14]. The old line heuristic also hid A × kvinna,
    A × man and B × kvinna, which protect nothing more.
    """
    data = _data({("A", "kvinna"): 40, ("A", "man"): 35, ("B", "kvinna"): 30, ("B", "man"): 25, ("B", "annan"): 2})
    res = run_analysis(data, [MEASURE], by=("area", "gender"), min_n_share=0)
    suppressed = {r.group for r in res.measures if r.suppressed}
    want = {(("area", "B"), ("gender", "annan")), (("gender", "annan"),),       # primary
            (("area", "B"), ("gender", "man")), (("gender", "man"),)}
    assert suppressed == want
    assert res.suppression["primary"] == 2
    assert res.suppression["secondary"] == 2
    for r in res.measures:
        if r.suppressed:
            assert (r.n, r.estimate, r.se, r.ci_low, r.symbol) == (None, None, None, None, "U")
    # the gender gaps that involve a suppressed cell are not published; area A's (both cells shown) is
    gaps = {c.group: c for c in res.comparisons if c.kind == "gender_gap"}
    assert set(gaps) == {(), (("area", "A"),), (("area", "B"),)}
    assert gaps[()].difference is None
    assert gaps[(("area", "B"),)].difference is None
    assert gaps[(("area", "A"),)].difference is not None


def test_min_cell_is_configurable():
    data = _data({("A", "kvinna"): 40, ("A", "man"): 35, ("B", "kvinna"): 30, ("B", "man"): 25, ("B", "annan"): 2})
    res = run_analysis(data, [MEASURE], by=("area", "gender"), min_n_share=0, min_cell=2)
    assert not any(r.suppressed for r in res.measures)


def test_precision_rule_hides_small_bases_and_flags_30_to_49():
    data = _data({("A", "kvinna"): 29, ("A", "man"): 45, ("B", "kvinna"): 60, ("B", "man"): 60})
    res = run_analysis(data, [MEASURE], by=("area", "gender"))
    rows = {r.group: r for r in res.measures}
    small = rows[(("area", "A"), ("gender", "kvinna"))]
    assert (small.n, small.estimate, small.symbol, small.suppressed) == (29, None, "..", False)
    mid = rows[(("area", "A"), ("gender", "man"))]
    assert (mid.symbol, mid.uncertain) == ("", True)
    assert mid.estimate is not None
    assert (rows[()].symbol, rows[()].uncertain) == ("", False)


def test_child_rights_groups_from_ages():
    cols: dict[str, list] = {"area": [], "gender": [], "age": [], "q": []}
    for i in range(400):
        cols["area"].append("A" if i % 2 else "B")
        cols["gender"].append(["kvinna", "man"][i % 4 // 2])
        cols["age"].append(str(12 + i % 60))
        cols["q"].append("1" if i % 3 else "2")
    res = run_analysis(Responses.from_columns(cols), [MEASURE])
    groups = {r.group for r in res.measures}
    assert (("age_group", "under_18"),) in groups
    assert (("age_group", "18_plus"),) in groups
    assert (("age_group", "under_18"), ("gender", "kvinna")) in groups
    n = {r.group: r.n for r in res.measures}
    assert n[(("age_group", "under_18"),)] == sum(1 for i in range(400) if 12 + i % 60 < 18)
    assert n[(("age_group", "under_18"),)] == n[(("age_band", "12-15"),)] + n[(("age_band", "16-17"),)]
    assert any(c.kind == "gender_gap" and c.group == (("age_group", "under_18"),) for c in res.comparisons)


def test_no_child_groups_when_a_band_straddles_18():
    data = _data({("A", "kvinna"): 40, ("A", "man"): 40}, age_band="16-24")
    res = run_analysis(data, [MEASURE])
    assert not any(k == "age_group" for r in res.measures for k, _ in r.group)


def test_poststrat_needs_cells_and_respondents():
    data = _data({("A", "kvinna"): 40, ("A", "man"): 40})
    margins = Population(cells=None, margins={"area": {"A": 100.0}, "gender": {"kvinna": 50.0, "man": 50.0},
                                              "age_band": {"18-24": 100.0}})
    with pytest.raises(InputError, match="cells"):
        run_analysis(data, [MEASURE], weighting="poststrat", population=margins)
    cells = {("A", "kvinna", "18-24"): 50.0, ("A", "man", "18-24"): 40.0, ("A", "man", "25-44"): 10.0}
    pop = Population(cells=cells, margins={"area": {"A": 100.0}, "gender": {"kvinna": 50.0, "man": 50.0},
                                           "age_band": {"18-24": 90.0, "25-44": 10.0}})
    with pytest.raises(WeightingError, match="no respondents"):
        run_analysis(data, [MEASURE], weighting="poststrat", population=pop, min_poststratum=0)
    # collapsing (the default) merges the empty cell into its area's neighbouring age band instead
    collapsed = run_analysis(data, [MEASURE], weighting="poststrat", population=pop)
    assert [name for name, _ in collapsed.weighting.collapsed] == ["A/18-24+25-44"]
    with pytest.raises(WeightingError, match="empty raking cell"):
        run_analysis(data, [MEASURE], weighting="raking", population=pop)


def test_design_weights_and_poststrat_in_pipeline():
    data = _data({("A", "kvinna"): 40, ("A", "man"): 60, ("B", "kvinna"): 50, ("B", "man"): 50})
    cells = {("A", "kvinna", "18-24"): 500.0, ("A", "man", "18-24"): 500.0, ("B", "kvinna", "18-24"): 300.0,
             ("B", "man", "18-24"): 700.0}
    pop = Population(cells=cells, margins={"area": {"A": 1000.0, "B": 1000.0},
                                           "gender": {"kvinna": 800.0, "man": 1200.0}, "age_band": {"18-24": 2000.0}})
    design = run_analysis(data, [MEASURE], weighting="design", population=pop)
    assert design.weighting.diagnostics.sum_w == pytest.approx(2000, rel=1e-12)
    assert design.weighting.diagnostics.min == pytest.approx(10)   # 1000 / 100 in both areas
    ps = run_analysis(data, [MEASURE], weighting="poststrat", population=pop)
    # post-stratified weights: A kvinna 500/40, A man 500/60, B kvinna 300/50, B man 700/50
    assert ps.weighting.diagnostics.max == pytest.approx(14.0)
    assert ps.weighting.diagnostics.min == pytest.approx(6.0)


def test_analysis_does_not_import_the_web_stack():
    code = ("import sys, analysis, analysis.cli, analysis.report, analysis.weighting, analysis.comparisons; "
            "bad = [m for m in ('flask', 'sqlalchemy', 'wtforms', 'babel', 'survey_app') if m in sys.modules]; "
            "print(bad); sys.exit(1 if bad else 0)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
