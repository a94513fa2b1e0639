"""Tests of analysis.instrument: the shipped questionnaires, the validator, skip logic, answer validation."""

from __future__ import annotations

import hashlib
import math
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.errors import AnalysisError
from analysis.instrument import (
    ERROR_CODES,
    Condition,
    Instrument,
    InstrumentError,
    InstrumentProblem,
    Item,
    ItemType,
    effective_answers,
    is_page_shown,
    is_visible,
    load_directory,
    load_instrument,
    loads_instrument,
    respondent_age,
    validate_answer,
    validate_bytes,
    validate_file,
    visible_items,
    visible_questions,
)

ROOT = Path(__file__).resolve().parents[2]
QUESTIONNAIRES = ROOT / "questionnaires"
ADULT = QUESTIONNAIRES / "trygghetsenkat-v1.yaml"
YOUTH = QUESTIONNAIRES / "trygghetsenkat-unga-v1.yaml"
SHIPPED = (ADULT, YOUTH)
FIXTURES = Path(__file__).resolve().parent / "fixtures_instrument"

# STANDARDS.md §2.1/§2.2, verified (Stockholmsenkäten F100): must stay verbatim.
EVENING_WORDING = "Om du går ut ensam sent en kväll i området där du bor, känner du dig då..."
EVENING_OPTIONS = (
    ("very_safe", "Mycket trygg"),
    ("fairly_safe", "Ganska trygg"),
    ("fairly_unsafe", "Ganska otrygg"),
    ("very_unsafe", "Mycket otrygg"),
    ("no_out_fear", "Går ej ut på kvällen av oro för att utsättas för brott"),
    ("no_out_other", "Går ej ut på kvällen av andra orsaker"),
)
AVOID_WORDING = ("Händer det att du avstår från att gå ut ensam av rädsla att bli överfallen, rånad eller på "
                 "annat sätt ofredad?")


@pytest.fixture(scope="module")
def adult() -> Instrument:
    return load_instrument(ADULT)


@pytest.fixture(scope="module")
def youth() -> Instrument:
    return load_instrument(YOUTH)


@pytest.fixture(scope="module")
def minimal() -> Instrument:
    return load_instrument(FIXTURES / "minimal-v1.yaml")


def _problems(name: str) -> set[tuple[str | None, str]]:
    return {(p.item, p.field) for p in validate_file(FIXTURES / name)}


# --- the shipped questionnaires --------------------------------------------------------------------

@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_questionnaire_has_no_problems(path: Path) -> None:
    assert validate_file(path) == []


def test_load_directory_finds_both_and_file_names_match() -> None:
    keys = sorted(i.key for i in load_directory(QUESTIONNAIRES))
    assert keys == ["trygghetsenkat-unga-v1", "trygghetsenkat-v1"]


def test_content_hash_is_sha256_of_file_bytes(adult: Instrument) -> None:
    assert adult.content_hash == hashlib.sha256(ADULT.read_bytes()).hexdigest()


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_evening_item_is_verbatim_with_six_options(path: Path) -> None:
    item = load_instrument(path).item("unsafe_evening")
    assert item.question("sv") == EVENING_WORDING
    assert item.choices("sv") == EVENING_OPTIONS
    assert item.wording_status == "verified"
    assert item.source


def test_adult_avoid_item_is_verbatim(adult: Instrument) -> None:
    item = adult.item("avoid_going_out")
    assert item.question("sv") == AVOID_WORDING
    assert item.codes == ("no", "yes_sometimes", "yes_often")
    assert item.wording_status == "verified"


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_swedish_and_english_texts_are_complete(path: Path, lang: str) -> None:
    instrument = load_instrument(path)
    assert lang in instrument.title
    assert instrument.language(lang).complete  # type: ignore[union-attr]
    for page in instrument.pages:
        assert lang in page.title, page.id
        for item in page:
            for it in (item, *item.rows):
                texts = it.texts[lang]
                assert texts.question.strip(), it.code
                if it.texts["sv"].help:
                    assert (texts.help and texts.help != it.texts["sv"].help) or lang == "sv", it.code
                for option in it.options:
                    assert option.labels.get(lang, "").strip(), (it.code, option.code)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_arabic_core_items_exist_and_are_marked_for_review(path: Path) -> None:
    instrument = load_instrument(path)
    arabic = instrument.language("ar")
    assert arabic is not None
    assert arabic.direction == "rtl"
    assert arabic.needs_review
    year_item = "birth_year" if instrument.has_column("birth_year") else "age"
    core = ["unsafe_evening", "avoid_going_out", "area", "gender", year_item, "worry_assault",
            "worry_robbery"]
    for code in core:
        item = instrument.item(code)
        assert "ar" in item.texts, code
        assert item.needs_review("ar"), code
        assert all("ar" in o.labels for o in item.options), code
    assert not instrument.item("unsafe_evening").needs_review("sv")


def test_no_item_is_required(adult: Instrument, youth: Instrument, minimal: Instrument) -> None:
    for instrument in (adult, youth, minimal):
        assert not any(item.required for item in instrument.questions)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_item_has_a_wording_status(path: Path) -> None:
    instrument = load_instrument(path)
    for page in instrument.pages:
        for item in page:
            for it in (item, *item.rows):
                assert it.wording_status in {"verified", "review"}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_pages_are_small_enough_for_a_phone(path: Path) -> None:
    instrument = load_instrument(path)
    assert len(instrument.pages) >= 8
    for page in instrument.pages:
        fields = sum(max(1, len(item.rows)) for item in page if item.type != ItemType.INFO)
        assert fields <= 9, page.id


def test_youth_is_one_question_per_page_where_sensible(youth: Instrument) -> None:
    single = [p for p in youth.pages if len([i for i in p if i.type != ItemType.INFO]) == 1]
    assert len(single) >= len(youth.pages) - 2
    assert (youth.min_age, youth.max_age) == (12, 17)
    age = youth.item("age")
    assert (age.min_value, age.max_value) == (12, 17)


def test_youth_victim_pages_show_support_contacts(youth: Instrument) -> None:
    for code in ("victim_assault", "reported_assault"):
        page = youth.pages[youth.item(code).page_index]
        info = " ".join(i.question(lang) for i in page if i.type == ItemType.INFO for lang in ("sv", "en"))
        for number in ("116 111", "114 14", "112"):
            assert number in info, (code, number)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_reported_items_follow_victim_yes(path: Path) -> None:
    instrument = load_instrument(path)
    reported = [c for c in instrument.columns if c.startswith("reported_")]
    assert reported
    for code in reported:
        crime = code.removeprefix("reported_")
        item = instrument.item(code)
        assert item.show_if is not None
        assert item.show_if.items == (f"victim_{crime}",)
        assert not is_visible(item, {})
        assert not is_visible(item, {f"victim_{crime}": "no"})
        assert is_visible(item, {f"victim_{crime}": "yes"})
        assert instrument.item(f"victim_{crime}").page_index < item.page_index


def test_country_of_birth_and_youth_sexual_module_are_off(adult: Instrument, youth: Instrument) -> None:
    assert "country_of_birth" in adult.disabled_codes
    assert not adult.has_column("country_of_birth")
    assert "victim_sexual" in youth.disabled_codes
    assert not youth.has_column("victim_sexual")


def test_shared_codes_share_their_answer_codes(adult: Instrument, youth: Instrument) -> None:
    shared = set(adult.columns) & set(youth.columns)
    core = {"unsafe_evening", "avoid_going_out", "area", "gender", "victim_assault", "problem_litter"}
    assert core <= shared
    for code in shared:
        assert adult.codes_for(code) == youth.codes_for(code), code


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_measures_reference_existing_codes(path: Path) -> None:
    instrument = load_instrument(path)
    for measure in instrument.measures:
        assert "sv" in measure.label
        assert "en" in measure.label
        if measure.kind == "share":
            codes = instrument.codes_for(measure.item or "")
            assert codes is not None, measure.name
            assert set(measure.counted) <= set(measure.base) <= set(codes), measure.name
            assert set(measure.base) - set(measure.counted), measure.name
            assert "dont_know" not in measure.base
            assert "no_opinion" not in measure.base
        else:
            scores = dict(measure.scores)
            for code in measure.items:
                scored = [c for c in instrument.codes_for(code) or () if c in scores]
                assert len(scored) >= 2, (measure.name, code)
            assert all(0 <= s <= 100 for s in scores.values())
            assert measure.min_valid == math.ceil(3 * len(measure.items) / 4)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_standard_measures_are_declared(path: Path) -> None:
    instrument = load_instrument(path)
    names = {m.name for m in instrument.measures}
    standard = {"share_unsafe", "share_avoid", "share_trust_police", "share_trust_municipality",
                "index_safety"}
    assert standard <= names
    for column in instrument.columns:
        for prefix, measure in (("worry_", "share_"), ("problem_", "share_"), ("victim_", "rate_"),
                                ("reported_", "share_")):
            if column.startswith(prefix) and column != "worry_crime_society":
                assert f"{measure}{column}" in names, column
    assert all(m.cutpoints is None for m in instrument.measures)  # none ship (STANDARDS §3.3)


def test_share_unsafe_matches_the_standards_test_case(adult: Instrument) -> None:
    """STANDARDS §3.1: 100/420 = 23.81 % by default, 100/450 = 22.22 % with no_out_other kept."""
    measure = adult.measure("share_unsafe")
    assert set(measure.counted) == {"fairly_unsafe", "very_unsafe", "no_out_fear"}
    assert set(measure.base) == {"very_safe", "fairly_safe", "fairly_unsafe", "very_unsafe", "no_out_fear"}
    counts = {"very_safe": 120, "fairly_safe": 200, "fairly_unsafe": 60, "very_unsafe": 25, "no_out_fear": 15,
              "no_out_other": 30, None: 10}
    numerator = sum(n for code, n in counts.items() if code in measure.counted)
    denominator = sum(n for code, n in counts.items() if code in measure.base)
    assert (numerator, denominator) == (100, 420)
    assert round(100 * numerator / denominator, 2) == 23.81
    with_other = denominator + counts["no_out_other"]
    assert round(100 * numerator / with_other, 2) == 22.22


def test_index_scores_follow_the_standards_coding(adult: Instrument) -> None:
    scores = dict(adult.measure("index_safety").scores)
    assert scores["very_safe"] == 100
    assert scores["no_out_fear"] == 0
    assert scores["very_unsafe"] == 25  # no_out_fear one step below very_unsafe
    assert "no_out_other" not in scores  # missing
    assert scores["no"] == 100
    assert scores["yes_often"] == 0
    assert scores["fairly_rarely"] == pytest.approx(200 / 3)


def test_codes_for_and_has_column(adult: Instrument) -> None:
    assert adult.codes_for("problem_litter") == ("very_big", "fairly_big", "fairly_small", "no_problem",
                                                 "no_opinion")
    assert adult.codes_for("birth_year") is None
    assert adult.codes_for("suggestions") is None
    assert adult.codes_for("no_such_column") is None
    assert adult.codes_for("area") is None
    assert adult.codes_for("area", areas=["centrum", "norr"]) == ("centrum", "norr", "dont_know")
    assert adult.has_column("problem_litter")
    assert adult.has_column("area")
    assert not adult.has_column("problems_environment")  # a grid heading is not a column
    assert not adult.has_column("support_victim")
    assert adult.item("problem_litter").grid == "problems_environment"
    assert adult.item("problem_litter").field_name == "q_problem_litter"


def test_instrument_is_frozen_hashable_and_picklable(adult: Instrument) -> None:
    with pytest.raises(AttributeError):
        adult.slug = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        adult.item("unsafe_evening").texts["de"] = None  # type: ignore[index]
    assert hash(adult) == hash(load_instrument(ADULT))
    copy = pickle.loads(pickle.dumps(adult))  # noqa: S301 - our own bytes, not untrusted data
    assert copy == adult
    assert copy.item("problem_litter") == adult.item("problem_litter")


# --- the validator on broken samples ----------------------------------------------------------------

def test_broken_items_report_every_problem() -> None:
    assert _problems("broken-items.yaml") == {
        ("bad_type", "type"),
        ("no_max", "max_length"),
        ("bad_range", "max"),
        ("req", "required"),
        ("dup", "code"),
        ("no_sv", "text.sv"),
        ("status_bad", "wording_status"),
        ("both", "options"),
        ("unknown_scale", "scale"),
        ("gender", "options"),
        ("en_partial", "options.en"),
        ("typo", "show-if"),
        ("Bad-Code", "code"),
        ("verified_nosource", "source"),
        ("grid_empty", "rows"),
        ("lang_x", "text.de"),
        ("bad_option", "options.ok"),
        ("bad_option", "options[2].code"),
    }


def test_broken_show_if_reports_every_problem() -> None:
    assert _problems("broken-show-if.yaml") == {
        ("early", "show_if.item"),
        ("same_page", "show_if.item"),
        ("ghost_ref", "show_if.item"),
        ("bad_value", "show_if.equals"),
        ("two_ops", "show_if"),
        ("ref_info", "show_if.item"),
        ("ref_disabled", "show_if.item"),
        ("nested", "show_if.any[1].item"),
        ("num_equals", "show_if.equals"),
        ("row_code", "show_if.in"),
    }


def test_broken_measures_report_every_problem() -> None:
    assert _problems("broken-measures.yaml") == {
        ("m_unknown_item", "item"),
        ("m_counted", "counted"),
        ("m_base", "base"),
        ("m_base_eq", "base"),
        ("m_text", "item"),
        ("m_index", "items"),
        ("m_scores", "scores"),
        ("m_min_valid", "min_valid"),
        ("m_kind", "kind"),
        ("m_cut", "cutpoints"),
        ("m_dup", "name"),
        ("m_label", "label.en"),
        ("m_label", "label.sv"),
    }


def test_broken_top_level_reports_every_problem() -> None:
    assert _problems("broken-top.yaml") == {
        (None, "title"),  # duplicate key
        (None, "colour"),
        (None, "format"),
        (None, "slug"),
        (None, "version"),
        (None, "languages"),
        (None, "pages"),
    }


def test_rows_of_a_disabled_grid_are_disabled() -> None:
    doc = """
format: 1
slug: x
version: "1"
title: {sv: X}
languages: {sv: {name: Svenska}}
scales:
  yes_no: [{code: "yes", text: {sv: Ja}}, {code: "no", text: {sv: Nej}}]
pages:
  - id: one
    items:
      - {code: keep, type: single_choice, scale: yes_no, text: {sv: X}, wording_status: review}
      - {code: off_grid, type: grid, enabled: false, scale: yes_no, text: {sv: X}, wording_status: review,
         rows: [{code: off_row, text: {sv: R}}]}
  - id: two
    items:
      - {code: uses_off, type: single_choice, scale: yes_no, text: {sv: X}, wording_status: review,
         show_if: {item: off_row, equals: "yes"}}
measures:
  - {name: m, kind: share, item: off_row, counted: ["yes"], base: ["yes", "no"], label: {sv: X}}
"""
    assert {(p.item, p.field) for p in validate_bytes(doc)} == {("uses_off", "show_if.item"), ("m", "item")}


def test_problems_name_the_file() -> None:
    path = FIXTURES / "broken-items.yaml"
    problems = validate_file(path)
    assert problems
    assert all(p.file == str(path) for p in problems)
    assert str(problems[0]).startswith(str(path))


def test_not_yaml_and_missing_file_are_problems_not_crashes(tmp_path: Path) -> None:
    assert _problems("not-yaml.yaml") == {(None, "yaml")}
    assert [(p.item, p.field) for p in validate_file(tmp_path / "missing.yaml")] == [(None, "file")]
    (tmp_path / "latin1.yaml").write_bytes("slug: enkät".encode("latin-1"))
    assert [(p.item, p.field) for p in validate_file(tmp_path / "latin1.yaml")] == [(None, "file")]
    for text in ("", "- a list", "just a string", "42"):
        assert [(p.item, p.field) for p in validate_bytes(text)] == [(None, "file")]


_KEYS = st.sampled_from([
    "code", "type", "item", "equals", "in", "rows", "options", "text", "sv", "scale", "all", "any", "items",
    "scores", "steps", "counted", "base", "min", "max", "answered", "dir",
])
_yaml_junk = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8)
    | st.sampled_from(["yes", "victim", "walk", "sv", "grid", "info", "share", "index", "area", "rtl"]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(_KEYS | st.text(max_size=4), children,
                                                                        max_size=3),
    max_leaves=6,
)


def _node_paths(node: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            out.extend(_node_paths(value, (*prefix, key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out.extend(_node_paths(value, (*prefix, index)))
    return out


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_validator_never_raises_on_mutated_files(data: st.DataObject) -> None:
    doc: object = yaml.safe_load((FIXTURES / "minimal-v1.yaml").read_text(encoding="utf-8"))
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(_node_paths(doc)))
        value = data.draw(_yaml_junk)
        if not path:
            doc = value
            continue
        parent: Any = doc
        for key in path[:-1]:
            parent = parent[key]
        parent[path[-1]] = value
    problems = validate_bytes(yaml.safe_dump(doc, allow_unicode=True))
    assert all(isinstance(p, InstrumentProblem) for p in problems)


def test_control_characters_are_a_yaml_problem() -> None:
    assert [(p.item, p.field) for p in validate_bytes("slug: a\x1fb\n")] == [(None, "yaml")]


def test_load_raises_instrument_error_with_all_problems() -> None:
    with pytest.raises(InstrumentError) as info:
        load_instrument(FIXTURES / "broken-measures.yaml")
    assert isinstance(info.value, AnalysisError)
    assert len(info.value.errors) == 13


def test_yes_and_no_stay_strings(minimal: Instrument) -> None:
    assert minimal.codes_for("victim") == ("yes", "no")
    assert minimal.version == "1"
    assert minimal.measure("rate_victim").counted == ("yes",)
    assert minimal.measure("rate_victim").cutpoints == (0.05, 0.1, 0.3, 0.4, 0.5, 0.6)


def test_a_page_with_only_disabled_items_is_left_out(minimal: Instrument) -> None:
    assert [p.id for p in minimal.pages] == ["first", "second", "third"]
    assert minimal.disabled_codes == ("problem_off", "switched_off")
    assert [r.code for r in minimal.item("problems").rows] == ["problem_a", "problem_b"]


def test_load_directory_rejects_a_misnamed_file(tmp_path: Path) -> None:
    (tmp_path / "other-name.yaml").write_bytes((FIXTURES / "minimal-v1.yaml").read_bytes())
    with pytest.raises(InstrumentError) as info:
        load_directory(tmp_path)
    assert [(p.item, p.field) for p in info.value.errors] == [(None, "file")]


def test_loads_instrument_from_text_equals_file(minimal: Instrument) -> None:
    data = (FIXTURES / "minimal-v1.yaml").read_bytes()
    again = loads_instrument(data, source=minimal.source)
    assert again == minimal


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


# --- the layering rule ---------------------------------------------------------------------------------

def test_instrument_imports_no_web_framework() -> None:
    code = ("import sys, analysis.instrument; "
            "bad = {'flask', 'sqlalchemy', 'wtforms', 'babel', 'flask_babel', 'survey_app'}; "
            "bad &= set(sys.modules); "
            "print(sorted(bad))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
