"""Skip logic (AnswerState) and answer validation."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.instrument import (
    ERROR_CODES,
    AnswerState,
    Condition,
    Instrument,
    Item,
    ItemType,
    load_instrument,
    validate_answer,
)
from tests.analysis.instrument import FIXTURES, SHIPPED, YOUTH

# --- skip logic ----------------------------------------------------------------------------------------

def test_show_if_on_earlier_answers(minimal: Instrument) -> None:
    reported = minimal.item("reported")
    assert not AnswerState(minimal, {}).is_visible(reported)
    assert not AnswerState(minimal, {"victim": "no"}).is_visible(reported)
    assert AnswerState(minimal, {"victim": "yes"}).is_visible(reported)
    followup = minimal.item("followup")
    assert AnswerState(minimal, {"victim": "yes", "reported": "no"}).is_visible(followup)
    # A stale answer to an item that is now hidden does not count.
    stale = {"victim": "no", "reported": "no"}
    assert followup.show_if is not None
    assert followup.show_if.evaluate(stale)
    assert not AnswerState(minimal, stale).is_visible(followup)
    assert AnswerState(minimal, {"victim": "no", "reported": "no", "junk": 1}).answers == {"victim": "no"}


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
    codes = [i.code for i in AnswerState(minimal, {}).visible_items(second)]
    assert "problems" not in codes
    assert "reported" not in codes
    assert "count" in codes
    walk = {"transport": ("walk",)}
    assert [q.code for q in AnswerState(minimal, walk).visible_questions(second)][:1] == ["problem_a"]
    assert "problem_b" not in [q.code for q in AnswerState(minimal, walk).visible_questions(second)]
    both = {"transport": ["walk", "bike"], "victim": "yes"}
    shown = [q.code for q in AnswerState(minimal, both).visible_questions(second)]
    assert shown[:3] == ["reported", "problem_a", "problem_b"]


def test_pages_without_visible_questions_are_skipped(minimal: Instrument, adult: Instrument) -> None:
    assert AnswerState(minimal, {}).is_page_shown(0)
    assert not AnswerState(minimal, {}).is_page_shown(2)
    assert not AnswerState(minimal, {"victim": "yes", "reported": "yes"}).is_page_shown(2)
    assert AnswerState(minimal, {"victim": "yes", "reported": "no"}).is_page_shown(2)
    assert AnswerState(minimal, {"victim": "yes", "reported": "no"}).shown_pages == (0, 1, 2)
    reported_page = adult.item("reported_assault").page_index
    assert not AnswerState(adult, {}).is_page_shown(reported_page)
    assert reported_page not in AnswerState(adult, {}).shown_pages
    assert AnswerState(adult, {"victim_bicycle_theft": "yes"}).is_page_shown(reported_page)
    rows = AnswerState(adult, {"victim_bicycle_theft": "yes"}).visible_questions(reported_page)
    assert [r.code for r in rows] == ["reported_bicycle_theft"]
    more_places = adult.item("unsafe_place_area_2").page_index
    assert not AnswerState(adult, {}).is_page_shown(more_places)
    assert AnswerState(adult, {"unsafe_place_text_1": "Parken"}).is_page_shown(more_places)


def test_page_index_out_of_range_raises(minimal: Instrument) -> None:
    state = AnswerState(minimal, {})
    for index in (-1, 3):
        with pytest.raises(IndexError):
            state.visible_items(index)
        with pytest.raises(IndexError):
            state.visible_questions(index)
        with pytest.raises(IndexError):
            state.is_page_shown(index)


def test_respondent_age(minimal: Instrument) -> None:
    assert AnswerState(minimal, {"age": 14}).respondent_age(reference_year=2026) == 14
    assert AnswerState(minimal, {"birth_year": 1990}).respondent_age(reference_year=2026) == 36
    assert AnswerState(minimal, {}).respondent_age(reference_year=2026) is None


def _by_the_rules(instrument: Instrument, answers: dict[str, object]) -> tuple[dict[str, object], set[str]]:
    """The answers that count and the visible item codes, worked out naively from the format's rules."""
    kept: dict[str, object] = {}
    for item in instrument.questions:  # in questionnaire order, so chains of conditions resolve
        if item.code in answers and (item.show_if is None or item.show_if.evaluate(kept)):
            kept[item.code] = answers[item.code]
    everything = [it for page in instrument.pages for item in page for it in (item, *item.rows)]
    visible = {it.code for it in everything if it.show_if is None or it.show_if.evaluate(kept)}
    return kept, visible


_INSTRUMENTS = [load_instrument(path) for path in (*SHIPPED, FIXTURES / "minimal-v1.yaml")]


@st.composite
def _respondents(draw: st.DrawFn) -> tuple[Instrument, dict[str, object]]:
    instrument = draw(st.sampled_from(_INSTRUMENTS))
    answers: dict[str, object] = {}
    everything = [it for page in instrument.pages for item in page for it in (item, *item.rows)]
    for item in everything:  # information blocks and grid headings too: an answer to them never counts
        if draw(st.booleans()):
            codes = list(item.codes) or ["3", "Parken"]
            answers[item.code] = draw(st.sampled_from([*codes, "", None, 14, 1990])
                                      | st.lists(st.sampled_from(codes), max_size=3))
    if draw(st.booleans()):
        answers["not_an_item"] = "yes"
    return instrument, answers


@settings(max_examples=150, deadline=None)
@given(respondent=_respondents())
def test_answer_state_follows_the_rules(respondent: tuple[Instrument, dict[str, object]]) -> None:
    instrument, answers = respondent
    state = AnswerState(instrument, answers)
    kept, visible = _by_the_rules(instrument, answers)
    assert list(state.answers.items()) == list(kept.items())
    for page in instrument.pages:
        for item in page:
            for it in (item, *item.rows):
                assert state.is_visible(it) == (it.code in visible), it.code
        shown = [item for item in page if item.code in visible
                 and (item.type != ItemType.GRID or any(row.code in visible for row in item.rows))]
        questions = [q for item in shown for q in (item.rows or (item,)) if q.is_answerable and q.code in visible]
        assert state.visible_items(page.index) == tuple(shown)
        assert state.visible_questions(page.index) == tuple(questions)
        info_only = all(item.type == ItemType.INFO for item in page)
        assert state.is_page_shown(page.index) == bool(shown if info_only else questions)
        assert (page.index in state.shown_pages) == state.is_page_shown(page.index)
    ages = [value if item.type == ItemType.AGE else 2026 - value for item in instrument.questions
            if item.type in {ItemType.AGE, ItemType.BIRTH_YEAR}
            and isinstance(value := kept.get(item.code), int) and not isinstance(value, bool)]
    assert state.respondent_age(reference_year=2026) == (ages[0] if ages else None)


def _size(condition: Condition) -> int:
    return 1 + sum(_size(clause) for clause in condition.clauses)


def test_answer_state_evaluates_each_condition_once(adult: Instrument, monkeypatch: pytest.MonkeyPatch) -> None:
    evaluated: list[Condition] = []
    evaluate = Condition.evaluate

    def counting(self: Condition, answers: object) -> bool:
        evaluated.append(self)
        return evaluate(self, answers)  # type: ignore[arg-type]

    monkeypatch.setattr(Condition, "evaluate", counting)
    conditional = [it for page in adult.pages for item in page for it in (item, *item.rows) if it.show_if]
    state = AnswerState(adult, {"victim_assault": "yes", "victim_bicycle_theft": "no", "unsafe_place_text_1": "Parken"})
    assert 0 < len(evaluated) <= sum(_size(it.show_if) for it in conditional if it.show_if)
    built = len(evaluated)
    for index in range(len(adult.pages)):
        state.visible_items(index)
        state.visible_questions(index)
        state.is_page_shown(index)
    assert state.shown_pages
    assert state.respondent_age(reference_year=2026) is None
    assert len(evaluated) == built  # asking costs nothing more


def test_answer_state_answers_cannot_be_changed(minimal: Instrument) -> None:
    answers = {"victim": "yes"}
    state = AnswerState(minimal, answers)
    answers["victim"] = "no"
    assert state.answers == {"victim": "yes"}
    with pytest.raises(TypeError):
        state.answers["victim"] = "no"  # type: ignore[index]


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
