"""Skip logic and answer validation."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.instrument import (
    ERROR_CODES,
    Condition,
    Instrument,
    Item,
    ItemType,
    effective_answers,
    is_page_shown,
    is_visible,
    load_instrument,
    respondent_age,
    validate_answer,
    visible_items,
    visible_questions,
)
from tests.analysis.instrument import FIXTURES, YOUTH

# --- skip logic ----------------------------------------------------------------------------------------

def test_show_if_on_earlier_answers(minimal: Instrument) -> None:
    reported = minimal.item("reported")
    assert not is_visible(reported, {})
    assert not is_visible(reported, {"victim": "no"})
    assert is_visible(reported, {"victim": "yes"})
    followup = minimal.item("followup")
    assert is_visible(followup, {"victim": "yes", "reported": "no"})
    # A stale answer to an item that is now hidden does not count.
    stale = {"victim": "no", "reported": "no"}
    assert is_visible(followup, stale)
    assert not is_visible(followup, effective_answers(minimal, stale))
    assert effective_answers(minimal, {"victim": "no", "reported": "no", "junk": 1}) == {"victim": "no"}


def test_condition_operators() -> None:
    is_yes = Condition(op="in", item="q", values=("yes",))
    not_no = Condition(op="not_in", item="q", values=("no",))
    answered = Condition(op="answered", item="q")
    blank = Condition(op="blank", item="q")
    for answers, expected in [
        ({}, (False, False, False, True)),
        ({"q": None}, (False, False, False, True)),
        ({"q": "  "}, (False, False, False, True)),
        ({"q": ()}, (False, False, False, True)),
        ({"q": "yes"}, (True, True, True, False)),
        ({"q": "no"}, (False, False, True, False)),
        ({"q": ("no", "yes")}, (True, False, True, False)),
        ({"q": 3}, (False, True, True, False)),
        ({"q": True}, (False, False, False, True)),
    ]:
        got = tuple(c.evaluate(answers) for c in (is_yes, not_no, answered, blank))
        assert got == expected, answers
    both = Condition(op="all", clauses=(answered, not_no))
    either = Condition(op="any", clauses=(is_yes, blank))
    assert both.evaluate({"q": "maybe"})
    assert not both.evaluate({"q": "no"})
    assert either.evaluate({})
    assert not either.evaluate({"q": "no"})
    assert both.items == ("q", "q")


def test_multiple_choice_conditions_and_grid_rows(minimal: Instrument) -> None:
    second = 1
    codes = [i.code for i in visible_items(minimal, {}, second)]
    assert "problems" not in codes
    assert "reported" not in codes
    assert "count" in codes
    walk = {"transport": ("walk",)}
    assert [q.code for q in visible_questions(minimal, walk, second)][:1] == ["problem_a"]
    assert "problem_b" not in [q.code for q in visible_questions(minimal, walk, second)]
    both = {"transport": ["walk", "bike"], "victim": "yes"}
    shown = [q.code for q in visible_questions(minimal, both, second)]
    assert shown[:3] == ["reported", "problem_a", "problem_b"]


def test_pages_without_visible_questions_are_skipped(minimal: Instrument, adult: Instrument) -> None:
    assert is_page_shown(minimal, {}, 0)
    assert not is_page_shown(minimal, {}, 2)
    assert not is_page_shown(minimal, {"victim": "yes", "reported": "yes"}, 2)
    assert is_page_shown(minimal, {"victim": "yes", "reported": "no"}, 2)
    reported_page = adult.item("reported_assault").page_index
    assert not is_page_shown(adult, {}, reported_page)
    assert is_page_shown(adult, {"victim_bicycle_theft": "yes"}, reported_page)
    rows = visible_questions(adult, {"victim_bicycle_theft": "yes"}, reported_page)
    assert [r.code for r in rows] == ["reported_bicycle_theft"]
    more_places = adult.item("unsafe_place_area_2").page_index
    assert not is_page_shown(adult, {}, more_places)
    assert is_page_shown(adult, {"unsafe_place_text_1": "Parken"}, more_places)


def test_page_index_out_of_range_raises(minimal: Instrument) -> None:
    for index in (-1, 3):
        with pytest.raises(IndexError):
            visible_items(minimal, {}, index)


def test_respondent_age(minimal: Instrument) -> None:
    assert respondent_age(minimal, {"age": 14}, reference_year=2026) == 14
    assert respondent_age(minimal, {"birth_year": 1990}, reference_year=2026) == 36
    assert respondent_age(minimal, {}, reference_year=2026) is None


# --- answer validation ------------------------------------------------------------------------------

def test_validate_single_choice(minimal: Instrument) -> None:
    item = minimal.item("victim")
    assert validate_answer(item, "yes") == ("yes", None)
    assert validate_answer(item, " no ") == ("no", None)
    assert validate_answer(item, ["yes"]) == ("yes", None)
    assert validate_answer(item, None) == (None, None)
    assert validate_answer(item, "") == (None, None)
    assert validate_answer(item, []) == (None, None)
    assert validate_answer(item, "maybe") == (None, "not_an_option")
    assert validate_answer(item, "YES") == (None, "not_an_option")
    assert validate_answer(item, ["yes", "no"]) == (None, "too_many_values")
    assert validate_answer(item, True) == (None, "wrong_type")
    assert validate_answer(item, {"yes": 1}) == (None, "wrong_type")
    assert validate_answer(item, b"yes") == (None, "wrong_type")
    assert validate_answer(item, "yes" * 100_000) == (None, "not_an_option")


def test_validate_grid_row_and_gender(minimal: Instrument, adult: Instrument) -> None:
    assert validate_answer(adult.item("problem_litter"), "very_big") == ("very_big", None)
    assert validate_answer(adult.item("problem_litter"), "yes") == (None, "not_an_option")
    assert validate_answer(minimal.item("gender"), "no_answer") == ("no_answer", None)
    assert validate_answer(minimal.item("gender"), "female") == (None, "not_an_option")


def test_validate_multiple_choice(minimal: Instrument) -> None:
    item = minimal.item("transport")
    assert validate_answer(item, ["bike", "walk"]) == (("walk", "bike"), None)
    assert validate_answer(item, ["walk", "walk"]) == (("walk",), None)
    assert validate_answer(item, "bike") == (("bike",), None)
    assert validate_answer(item, ["walk", ""]) == (("walk",), None)
    assert validate_answer(item, ["walk", "car"]) == (None, "not_an_option")
    assert validate_answer(item, ["walk", "none"]) == (None, "exclusive_option")
    assert validate_answer(item, ["none"]) == (("none",), None)
    assert validate_answer(item, ["walk", 3]) == (None, "wrong_type")
    assert validate_answer(item, ["walk"] * 10_000) == (None, "too_many_values")
    assert validate_answer(item, 5) == (None, "wrong_type")


def test_validate_number_and_age(minimal: Instrument) -> None:
    count = minimal.item("count")
    assert validate_answer(count, "42") == (42, None)
    assert validate_answer(count, " 7 ") == (7, None)
    assert validate_answer(count, "+7") == (7, None)
    assert validate_answer(count, "٤٢") == (42, None)  # Arabic-Indic digits
    assert validate_answer(count, 3) == (3, None)
    assert validate_answer(count, 3.0) == (3, None)
    assert validate_answer(count, "0") == (0, None)
    assert validate_answer(count, "-1") == (None, "out_of_range")
    assert validate_answer(count, "101") == (None, "out_of_range")
    assert validate_answer(count, "9" * 5000) == (None, "out_of_range")
    assert validate_answer(count, 10**100) == (None, "out_of_range")
    assert validate_answer(count, 1e300) == (None, "out_of_range")
    for junk in ("4.5", "4,5", "abc", "1e3", "²", "0x10", "1_0", "--1", "+"):
        assert validate_answer(count, junk) == (None, "not_a_number"), junk
    for junk in (math.nan, math.inf, -math.inf, 2.5):
        assert validate_answer(count, junk) == (None, "not_a_number"), junk
    assert validate_answer(count, True) == (None, "wrong_type")
    assert validate_answer(count, ["1", "2"]) == (None, "too_many_values")
    age = minimal.item("age")
    assert validate_answer(age, "12") == (12, None)
    assert validate_answer(age, "17") == (17, None)
    assert validate_answer(age, "11") == (None, "out_of_range")
    assert validate_answer(age, "18") == (None, "out_of_range")


def test_validate_birth_year(minimal: Instrument) -> None:
    item = minimal.item("birth_year")
    assert item.year_range(2026) == (1916, 2010)
    assert validate_answer(item, "2010", reference_year=2026) == (2010, None)
    assert validate_answer(item, "2011", reference_year=2026) == (None, "out_of_range")
    assert validate_answer(item, "1916", reference_year=2026) == (1916, None)
    assert validate_answer(item, "1915", reference_year=2026) == (None, "out_of_range")
    assert validate_answer(item, "1985")[1] is None  # default reference year: this year
    assert validate_answer(item, "85", reference_year=2026) == (None, "out_of_range")


def test_validate_free_text(minimal: Instrument) -> None:
    item = minimal.item("comment")
    assert validate_answer(item, "  hej  ") == ("hej", None)
    assert validate_answer(item, "a\r\nb") == ("a\nb", None)
    assert validate_answer(item, "x" * 20) == ("x" * 20, None)
    assert validate_answer(item, "x" * 21) == (None, "too_long")
    assert validate_answer(item, "x" * 10_000_000) == (None, "too_long")
    assert validate_answer(item, "a\x00b\x1bc") == ("abc", None)
    assert validate_answer(item, "a\ud800b") == ("ab", None)  # a lone surrogate cannot be stored
    assert validate_answer(item, "e\u0301") == ("\u00e9", None)  # NFC
    assert validate_answer(item, "\x00\x01") == (None, None)
    assert validate_answer(item, 5) == (None, "wrong_type")
    assert validate_answer(item, ["a", "b"]) == (None, "too_many_values")


def test_validate_area(minimal: Instrument) -> None:
    item = minimal.item("area")
    areas = ["centrum", "norr"]
    assert validate_answer(item, "norr", areas=areas) == ("norr", None)
    assert validate_answer(item, "dont_know", areas=areas) == ("dont_know", None)
    assert validate_answer(item, "söder", areas=areas) == (None, "not_an_option")
    assert validate_answer(item, "anything-well-formed") == ("anything-well-formed", None)
    assert validate_answer(item, "<script>") == (None, "not_an_option")


def test_info_and_grid_heading_take_no_answer(minimal: Instrument) -> None:
    assert validate_answer(minimal.item("intro"), "x") == (None, "not_answerable")
    assert validate_answer(minimal.item("problems"), "yes") == (None, "not_answerable")
    assert validate_answer(minimal.item("intro"), None) == (None, None)


_junk = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text() | st.binary()
    | st.sampled_from(["yes", "no", "walk", "none", "12", "1990", "dont_know", " ", "٤٢"]),
    lambda children: (st.lists(children, max_size=4) | st.tuples(children)
                      | st.dictionaries(st.text(), children)),
    max_leaves=8,
)


def _all_items(instrument: Instrument) -> list[Item]:
    return [it for page in instrument.pages for item in page for it in (item, *item.rows)]


_ITEMS = [*_all_items(load_instrument(FIXTURES / "minimal-v1.yaml")), *_all_items(load_instrument(YOUTH))]


@settings(max_examples=300, deadline=None)
@given(item=st.sampled_from(_ITEMS), raw=_junk,
       areas=st.none() | st.lists(st.text(min_size=1, max_size=5), max_size=3))
def test_validate_answer_never_raises(item: Item, raw: object, areas: list[str] | None) -> None:
    value, error = validate_answer(item, raw, areas=areas, reference_year=2026)
    assert error is None or error in ERROR_CODES
    if error is not None:
        assert value is None
    elif value is not None:
        if item.type == ItemType.MULTIPLE_CHOICE:
            assert isinstance(value, tuple)
            assert set(value) <= set(item.codes)
        elif item.type in {ItemType.NUMBER, ItemType.AGE, ItemType.BIRTH_YEAR}:
            assert type(value) is int
        elif item.type == ItemType.FREE_TEXT:
            assert isinstance(value, str)
            assert 0 < len(value) <= (item.max_length or 0)
        elif item.type != ItemType.AREA:
            assert value in item.codes
