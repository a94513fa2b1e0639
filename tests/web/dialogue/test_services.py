"""Dialogue services without HTTP: tallies, children, the walk-size warning, masking with the one PII module."""

from __future__ import annotations

import datetime as dt

import pytest

import survey_app.pii
from analysis.bands import DEFAULT_AGE_BANDS
from survey_app.dialogue import commands, labels, queries
from survey_app.errors import ServiceError
from survey_app.models import CHILD_TALLY_BANDS
from tests.factories import make_area, make_dialogue, make_staff


def test_masking_is_the_survey_module_not_a_copy() -> None:
    assert commands.mask_personal_data is survey_app.pii.mask_personal_data


def test_tally_bands_are_the_default_set_plus_under_12_and_unknown() -> None:
    expected = ("under_12", *(band.label for band in DEFAULT_AGE_BANDS), "unknown")
    assert expected == queries.TALLY_BANDS
    assert queries.TALLY_GENDERS == ("woman", "man", "other_unknown")
    assert sorted(CHILD_TALLY_BANDS) == ["12-15", "16-17", "under_12"]


def test_children_and_walk_size(staff_db) -> None:
    owner = make_staff(staff_db, "facilitator")
    adults = make_dialogue(staff_db, owner, tallies={("woman", "25-44"): 20})
    assert not adults.children_took_part
    assert not adults.walk_group_too_large
    crowd = make_dialogue(staff_db, owner, tallies={("woman", "25-44"): 20, ("man", "under_12"): 1})
    assert crowd.children_took_part
    assert crowd.walk_group_too_large
    talk = make_dialogue(staff_db, owner, format="citizen_dialogue", tallies={("woman", "25-44"): 80})
    assert not talk.walk_group_too_large  # the limit is for walking groups only
    assert talk.time_of_day is None
    assert talk.pre_meeting_on is None
    staff_db.rollback()


def test_tallies_reject_unknown_cells_and_drop_zeros(staff_db) -> None:
    owner = make_staff(staff_db, "facilitator")
    with pytest.raises(ServiceError):
        make_dialogue(staff_db, owner, tallies={("woman", "13-14"): 2})
    staff_db.rollback()
    owner = make_staff(staff_db, "facilitator")
    dialogue = make_dialogue(staff_db, owner, tallies={("woman", "25-44"): 0, ("man", "75+"): 2})
    assert dialogue.tally_table == {("man", "75+"): 2}
    staff_db.rollback()


def test_status_needs_a_known_code_and_a_reason_for_not_done(staff_db) -> None:
    owner = make_staff(staff_db, "facilitator")
    observation = make_dialogue(staff_db, owner).observations[0]
    with pytest.raises(ServiceError, match="unknown_status"):
        commands.change_status(staff_db, observation, "forgotten", reason=None, actor=owner)
    with pytest.raises(ServiceError, match="reason_required"):
        commands.change_status(staff_db, observation, "not_done", reason="   ", actor=owner)
    assert commands.change_status(staff_db, observation, "done", reason=None, actor=owner)
    assert not commands.change_status(staff_db, observation, "done", reason=None, actor=owner)  # no change
    assert observation.is_overdue(dt.date(2100, 1, 1)) is False  # done is never overdue
    staff_db.rollback()


def test_overdue_is_derived_from_deadline_and_status(staff_db) -> None:
    owner = make_staff(staff_db, "facilitator")
    observation = make_dialogue(staff_db, owner, held_on=dt.date(2026, 1, 31)).observations[0]
    assert observation.deadline == dt.date(2026, 7, 31)
    assert not observation.is_overdue(dt.date(2026, 7, 31))
    assert observation.is_overdue(dt.date(2026, 8, 1))
    staff_db.rollback()


def test_labels_never_fail_on_unknown_codes(app) -> None:
    with app.test_request_context("/"):
        assert labels.label("status", "done") == "Åtgärdad"
        assert labels.label("status", "archived") == "archived"
        assert labels.label("category", None) == ""
        assert labels.label("band", "under_12") == "Under 12 år"
        assert labels.label("band", "25-44") == "25–44 år"


def test_demo_dialogues_load_once(staff_db) -> None:
    from survey_app.dialogue.demo import load_demo_dialogues

    facilitator = make_staff(staff_db, "facilitator")
    areas = [make_area(staff_db, "Norrby"), make_area(staff_db, "Centrum")]
    assert load_demo_dialogues(staff_db, facilitator=facilitator, areas=areas, today=dt.date(2026, 11, 25)) == 2
    assert load_demo_dialogues(staff_db, facilitator=facilitator, areas=areas) == 0
    walk = queries.find_dialogues(staff_db, queries.Filters(format="safety_walk"))[0]
    assert len(walk.observations) == 5
    assert walk.children_took_part
    assert len(queries.find_observations(staff_db, queries.Filters(children=True))) == 2
    staff_db.rollback()


def test_every_walk_category_maps_to_items_the_adult_questionnaire_has() -> None:
    from analysis.instrument import default_directory, load_instrument
    from survey_app.models import ObservationCategory

    instrument = load_instrument(default_directory() / "trygghetsenkat-v1.yaml")
    assert set(queries.CATEGORY_SURVEY_ITEMS) == {c.value for c in ObservationCategory}
    for items in queries.CATEGORY_SURVEY_ITEMS.values():
        assert all(instrument.has_column(item) for item in items), items
