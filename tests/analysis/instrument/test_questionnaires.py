"""The shipped questionnaires, and the data model they load into."""

from __future__ import annotations

import hashlib
import math
import pickle
from pathlib import Path

import pytest

from analysis.instrument import AnswerState, Instrument, ItemType, load_directory, load_instrument, validate_file
from tests.analysis.instrument import ADULT, QUESTIONNAIRES, SHIPPED

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


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_questionnaire_has_no_problems(path: Path) -> None:
    assert validate_file(path) == []


def test_load_directory_finds_every_version_and_file_names_match() -> None:
    keys = sorted(i.key for i in load_directory(QUESTIONNAIRES))
    assert keys == ["trygghetsenkat-unga-v1", "trygghetsenkat-unga-v2", "trygghetsenkat-v1", "trygghetsenkat-v2"]


def test_content_hash_is_sha256_of_file_bytes(adult: Instrument) -> None:
    assert adult.content_hash == hashlib.sha256(ADULT.read_bytes()).hexdigest()


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_evening_item_is_verbatim_with_six_options(path: Path) -> None:
    item = load_instrument(path).item("unsafe_evening")
    assert item.texts["sv"].question == EVENING_WORDING
    assert tuple((option.code, option.labels["sv"]) for option in item.options) == EVENING_OPTIONS
    assert item.wording_status == "verified"
    assert item.source


def test_adult_avoid_item_is_verbatim(adult: Instrument) -> None:
    item = adult.item("avoid_going_out")
    assert item.texts["sv"].question == AVOID_WORDING
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
    assert arabic.status == "needs_review"
    year_item = "birth_year" if instrument.has_column("birth_year") else "age"
    core = ["unsafe_evening", "avoid_going_out", "area", "gender", year_item, "worry_assault",
            "worry_robbery"]
    for code in core:
        item = instrument.item(code)
        assert "ar" in item.texts, code
        assert "ar" in item.review_languages, code
        assert all("ar" in o.labels for o in item.options), code
    assert "sv" not in instrument.item("unsafe_evening").review_languages


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
        info = " ".join(i.texts[lang].question for i in page if i.type == ItemType.INFO for lang in ("sv", "en"))
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
        assert not AnswerState(instrument, {}).is_visible(item)
        assert not AnswerState(instrument, {f"victim_{crime}": "no"}).is_visible(item)
        assert AnswerState(instrument, {f"victim_{crime}": "yes"}).is_visible(item)
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
