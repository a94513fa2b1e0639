"""Input checking in analysis.data: population tables, age bands, weights."""

from __future__ import annotations

import pytest

from analysis.data import Responses, age_band_bounds, band_ages, population_from_rows
from analysis.errors import InputError


def _row(area="", gender="", band="", pop="10"):
    return {"area": area, "gender": gender, "age_band": band, "population": pop}


def test_population_cells_give_margins():
    pop = population_from_rows([_row("A", "kvinna", "18-24", "10"), _row("A", "man", "18-24", "5"),
                                _row("B", "man", "25-44", "7")])
    assert pop.cells[("A", "man", "18-24")] == 5
    assert pop.margins["area"] == {"A": 15, "B": 7}
    assert pop.margins["gender"] == {"kvinna": 10, "man": 12}


def test_population_margins_form():
    pop = population_from_rows([_row("A"), _row(gender="man"), _row(band="18-24")])
    assert pop.cells is None
    assert pop.margins["age_band"] == {"18-24": 10}


@pytest.mark.parametrize(("rows", "message", "row"), [
    ([_row("A", "man", "18-24"), _row("B")], "mixes cell rows and margin rows", 2),
    ([_row("A", "man", "18-24"), _row("A", "man", "18-24")], "duplicate cell", 2),
    ([_row("A", "man")], "exactly one", 1),
    ([_row("A", pop="-3")], "non-negative", 1),
    ([_row("A", pop="many")], "not a number", 1),
])
def test_population_errors_name_the_row(rows, message, row):
    with pytest.raises(InputError, match=message) as info:
        population_from_rows(rows, source="pop.csv")
    assert info.value.row == row
    assert f"pop.csv, row {row} (line {row + 1})" in str(info.value)


def test_band_ages():
    col = band_ages(["12", "17", "18", "", "80"])
    assert [col.labels[c] for c in col.codes] == ["12-15", "16-17", "18-24", "", "75+"]
    with pytest.raises(InputError, match="outside the age bands") as info:
        band_ages(["40", "11"])
    assert info.value.row == 2
    with pytest.raises(InputError, match="whole number"):
        band_ages(["40.5"])


def test_age_band_bounds():
    assert age_band_bounds("12-15") == (12, 15)
    assert age_band_bounds("75+") == (75, None)
    assert age_band_bounds("16–17") == (16, 17)
    assert age_band_bounds("okänd") is None


def test_responses_checks():
    resp = Responses.from_columns({"area": ["A", "", ""], "gender": ["man", "man", "man"], "age": ["30", "31", "32"]})
    assert resp.unknown_area == 2  # a blank area is an unknown area, no longer an error
    with pytest.raises(InputError, match="age"):
        Responses.from_columns({"area": ["A"], "gender": ["man"]})
    with pytest.raises(InputError, match="weight") as info:
        Responses.from_columns({"area": ["A", "A"], "gender": ["man", "man"], "age": ["30", "31"],
                                "weight": ["1.5", "-1"]})
    assert info.value.row == 2
