"""Recording dialogues and safety walks over HTTP: tallies, observations, masking, history, ownership."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from survey_app.dialogue import commands
from survey_app.models import AuditEvent, Dialogue, DialogueRevision, Observation, StatusChange
from tests.factories import make_area, make_dialogue, make_focus_areas, make_staff
from tests.web.client import log_in, token, walk_form


@pytest.fixture
def facilitator(staff_db):
    user = make_staff(staff_db, "facilitator", email="fa@kommun.se")
    staff_db.commit()
    return user


@pytest.mark.parametrize("day", [dt.date(2026, 8, 31), dt.date(2026, 3, 15), dt.date(2024, 8, 29)])
def test_default_deadline_is_six_months_later_clamped_to_the_month(day: dt.date) -> None:
    deadline = commands.default_deadline(day)
    assert (deadline.year * 12 + deadline.month) - (day.year * 12 + day.month) == 6
    assert deadline.day == min(day.day, 28 if deadline.month == 2 else day.day)


def test_facilitator_records_a_safety_walk_with_tallies_and_masked_notes(client, staff_db, facilitator) -> None:
    area = make_area(staff_db, "Norrby")
    staff_db.commit()
    log_in(client, "fa@kommun.se")
    page = client.get("/dialoger/ny?format=safety_walk").get_data(as_text=True)
    assert "<legend>Kvinnor</legend>" in page
    assert "Under 12 år" in page
    response = client.post("/dialoger/ny", data=walk_form(token(client, "/dialoger/ny"), area.id))
    assert response.status_code == 302, response.get_data(as_text=True)

    dialogue = staff_db.scalars(select(Dialogue)).one()
    assert dialogue.created_by_id == facilitator.id
    assert dialogue.tally_table == {
        ("woman", "25-44"): 6, ("man", "45-64"): 4, ("woman", "12-15"): 2, ("other_unknown", "unknown"): 1,
    }
    assert dialogue.children_took_part
    assert dialogue.notes == "Ring Kalle på [telefonnummer] om belysningen."
    assert dialogue.partners == ["housing_company", "police"]
    assert "Kalle" not in str(staff_db.scalars(select(AuditEvent.details)).all())
    staff_db.rollback()
    assert response.headers["Location"] == f"/dialoger/{dialogue.id}/iakttagelser/ny"


def test_more_than_twenty_per_group_warns_but_saves(client, staff_db, facilitator) -> None:
    area = make_area(staff_db)
    staff_db.commit()
    log_in(client, "fa@kommun.se")
    response = client.post("/dialoger/ny", data=walk_form(token(client, "/dialoger/ny"), area.id,
                                                           tally_woman_25_44="15", tally_man_25_44="9"),
                           follow_redirects=True)
    assert response.status_code == 200
    assert "Fler än 20 personer per vandringsgrupp" in response.get_data(as_text=True)
    assert staff_db.scalar(select(Dialogue.id)) is not None
    staff_db.rollback()
    response = client.post("/dialoger/ny", data=walk_form(token(client, "/dialoger/ny"), area.id,
                                                           tally_woman_25_44="15", tally_man_25_44="9",
                                                           walk_groups="2"), follow_redirects=True)
    assert "Fler än 20 personer" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"format": ""}, "format", "Välj ett av alternativen."),
        ({"format": "picnic"}, "format", None),
        ({"held_on": "31/02/2026"}, "held_on", None),
        ({"held_on": ""}, "held_on", "Fältet måste fyllas i."),
        ({"area_id": "999999"}, "area_id", "Välj ett av alternativen."),
        ({"area_id": "abc"}, "area_id", "Välj ett av alternativen."),
        ({"place": "x" * 100_000}, "place", "Texten är för lång (högst 200 tecken)."),
        ({"participation_level": "7"}, "participation_level", None),
        ({"tally_woman_25_44": "många"}, "tally_woman_25_44", None),
        ({"tally_woman_25_44": "-3"}, "tally_woman_25_44", "Ange ett heltal från 0 till 10000."),
        ({"tally_woman_25_44": "99999999999999999999"}, "tally_woman_25_44", "Ange ett heltal från 0 till 10000."),
        ({"walk_groups": "0"}, "walk_groups", "Ange ett heltal från 1 till 50."),
        ({"partners": ["police", "aliens"]}, "partners", "Välj ett av alternativen."),
    ],
)
def test_bad_dialogue_input_is_a_400_with_a_swedish_message_by_the_field(
    client, staff_db, facilitator, overrides: dict[str, object], field: str, message: str | None,
) -> None:
    area = make_area(staff_db)
    staff_db.commit()
    log_in(client, "fa@kommun.se")
    response = client.post("/dialoger/ny", data=walk_form(token(client, "/dialoger/ny"), area.id, **overrides))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'id="{field}-error"' in page
    assert "aria-describedby=" in page
    assert "Rätta till följande" in page
    if message:
        assert message in page
    assert "Not a valid" not in page  # WTForms' own messages come translated too
    assert staff_db.scalar(select(Dialogue.id)) is None
    staff_db.rollback()


def test_observations_default_deadline_masking_and_validation(client, staff_db, facilitator) -> None:
    focus = make_focus_areas(staff_db)
    dialogue = make_dialogue(staff_db, facilitator, observations=0, held_on=dt.date(2026, 10, 8))
    staff_db.commit()
    log_in(client, "fa@kommun.se")
    path = f"/dialoger/{dialogue.id}/iakttagelser/ny"
    csrf = token(client, path)
    response = client.post(path, data={
        "csrf_token": csrf, "text": "Mejla mig på anna@example.se, personnr 811218-9876", "kind": "unsafe_place",
        "focus_areas": [str(focus[2].id)], "place_name": "Gångtunneln", "latitude": "59.33", "longitude": "18.06",
        "category": "lighting", "proposed_measure": "=HYPERLINK(\"http://x\")", "responsible": "municipality",
        "responsible_detail": "Tekniska förvaltningen", "decision": "pending", "from_children": "y",
        "next": "another",
    })
    assert response.status_code == 302
    assert response.headers["Location"] == path
    observation = staff_db.scalars(select(Observation)).one()
    assert observation.text == "Mejla mig på [e-post], personnr [personnummer]"
    assert observation.deadline == dt.date(2027, 4, 8)
    assert observation.time_of_day == "dark"  # taken from the walk
    assert observation.status == "open"
    assert [f.code for f in observation.focus_areas] == ["public_violence"]
    assert [(c.from_status, c.to_status) for c in observation.status_changes] == [(None, "open")]
    staff_db.rollback()

    for bad, field in [
        ({"latitude": "nan", "longitude": "18"}, "latitude"),
        ({"latitude": "95", "longitude": "18"}, "latitude"),
        ({"latitude": "59.3"}, "longitude"),
        ({"decision": "rejected"}, "decision_reason"),
        ({"kind": "ufo"}, "kind"),
        ({"category": "weather"}, "category"),
        ({"focus_areas": ["123456"]}, "focus_areas"),
        ({"deadline": "2026-13-45"}, "deadline"),
        ({"text": "   "}, "text"),
    ]:
        data = {"csrf_token": csrf, "text": "Mörkt", "kind": "problem", "decision": "pending", **bad}
        response = client.post(path, data=data)
        assert response.status_code == 400, bad
        assert f'id="{field}-error"' in response.get_data(as_text=True), bad


def test_owner_edits_and_the_history_keeps_each_change(client, staff_db, facilitator) -> None:
    dialogue = make_dialogue(staff_db, facilitator)
    dialogue_id, area_id, observation_id = dialogue.id, dialogue.area_id, dialogue.observations[0].id
    staff_db.commit()
    log_in(client, "fa@kommun.se")
    path = f"/dialoger/{dialogue_id}/redigera"
    page = client.get(path).get_data(as_text=True)
    assert 'value="Torget"' in page
    assert 'name="tally_woman_25_44" type="number" value="4"' in page or 'value="4"' in page
    response = client.post(path, data=walk_form(token(client, path), area_id, place="Stationen",
                                                 tally_woman_25_44="5"))
    assert response.status_code == 302
    response = client.post(f"/dialoger/iakttagelser/{observation_id}/redigera", data={
        "csrf_token": token(client, path), "text": "Tunneln är mörk", "kind": "unsafe_place", "decision": "pending",
    })
    assert response.status_code == 302
    revisions = staff_db.scalars(select(DialogueRevision).order_by(DialogueRevision.id)).all()
    assert [r.what for r in revisions] == ["dialogue", "observation"]
    assert revisions[0].changes["place"] == ["Torget", "Stationen"]
    assert revisions[0].changes["tallies"][1]["woman/25-44"] == 5
    assert revisions[0].actor_label == "fa@kommun.se"
    assert revisions[1].changes["text"] == ["Mörk gångtunnel 1", "Tunneln är mörk"]
    staff_db.rollback()
    page = client.get(f"/dialoger/{dialogue_id}").get_data(as_text=True)
    assert "Ändringshistorik" in page
    assert "Mötesplats" in page


def test_status_change_is_dated_signed_and_needs_a_reason_to_close_without_action(client, staff_db, facilitator) -> None:  # noqa: E501
    dialogue = make_dialogue(staff_db, facilitator)
    observation_id = dialogue.observations[0].id
    staff_db.commit()
    log_in(client, "fa@kommun.se")
    path = f"/dialoger/iakttagelser/{observation_id}/status"
    csrf = token(client, path)
    response = client.post(path, data={"csrf_token": csrf, "status": "not_done", "reason": ""})
    assert response.status_code == 400
    assert "Ange ett skäl." in response.get_data(as_text=True)
    assert client.post(path, data={"csrf_token": csrf, "status": "in_progress"}).status_code == 302
    response = client.post(path, data={"csrf_token": csrf, "status": "not_done",
                                       "reason": "Fastighetsägaren säger nej, ring 08-123 456 78"})
    assert response.status_code == 302
    changes = staff_db.scalars(select(StatusChange).order_by(StatusChange.id)).all()
    assert [(c.from_status, c.to_status) for c in changes] == [
        (None, "open"), ("open", "in_progress"), ("in_progress", "not_done")]
    assert changes[-1].reason == "Fastighetsägaren säger nej, ring [telefonnummer]"
    assert all(c.actor_label == "fa@kommun.se" and c.at is not None for c in changes)
    staff_db.rollback()
    page = client.get(f"/dialoger/{dialogue.id}").get_data(as_text=True)
    assert "Avslutad utan åtgärd" in page
    assert "Statushistorik" in page


def test_other_facilitator_follows_up_but_cannot_edit_and_analyst_only_reads(app, client, staff_db,
                                                                             facilitator) -> None:
    make_staff(staff_db, "facilitator", email="other@kommun.se")
    make_staff(staff_db, "analyst", email="an@kommun.se")
    dialogue = make_dialogue(staff_db, facilitator)
    dialogue_id, observation_id = dialogue.id, dialogue.observations[0].id
    staff_db.commit()
    edits = (f"/dialoger/{dialogue_id}/redigera", f"/dialoger/{dialogue_id}/iakttagelser/ny",
             f"/dialoger/iakttagelser/{observation_id}/redigera")
    follow_up = f"/dialoger/iakttagelser/{observation_id}/status"
    for email in ("other@kommun.se", "an@kommun.se"):
        reader = app.test_client()
        log_in(reader, email)
        page = reader.get(f"/dialoger/{dialogue_id}")
        assert page.status_code == 200
        assert "Ändra dialogen" not in page.get_data(as_text=True)
        assert ("Följ upp" in page.get_data(as_text=True)) == (email == "other@kommun.se")
        csrf = token(reader, "/dialoger/")
        for path in edits:
            assert reader.get(path).status_code == 403
            assert reader.post(path, data={"csrf_token": csrf, "status": "done"}).status_code == 403
        assert reader.get(follow_up).status_code == (200 if email == "other@kommun.se" else 403)
    assert staff_db.scalars(select(Observation.status)).one() == "open"
    staff_db.rollback()


@pytest.mark.parametrize("path", ["/dialoger/0", "/dialoger/99999999999999999999999", "/dialoger/abc",
                                  "/dialoger/-1/protokoll", "/dialoger/iakttagelser/424242/status"])
def test_unknown_ids_are_a_swedish_404(client, staff_db, facilitator, path: str) -> None:
    log_in(client, "fa@kommun.se")
    response = client.get(path)
    assert response.status_code == 404
    assert "Sidan finns inte" in response.get_data(as_text=True)


def test_protocol_page_has_the_print_stylesheet(client, staff_db, facilitator) -> None:
    dialogue = make_dialogue(staff_db, facilitator, observations=3)
    staff_db.commit()
    log_in(client, "fa@kommun.se")
    page = client.get(f"/dialoger/{dialogue.id}/protokoll").get_data(as_text=True)
    assert 'media="print" href="/static/css/print.css"' in page
    assert page.count("Mörk gångtunnel") == 3
    with client.get("/static/css/print.css") as stylesheet:
        assert "@media" not in stylesheet.get_data(as_text=True)  # all of it is for print: linked with media=print
        assert stylesheet.status_code == 200


def test_every_free_text_of_a_dialogue_is_masked(client, staff_db) -> None:
    make_staff(staff_db, "facilitator", email="fa@kommun.se")
    area = make_area(staff_db)
    staff_db.commit()
    log_in(client, "fa@kommun.se")
    form = walk_form(token(client, "/dialoger/ny"), area.id, languages="tolk Amira 070-123 45 67, amira@example.com")
    assert client.post("/dialoger/ny", data=form).status_code == 302
    assert staff_db.scalars(select(Dialogue.languages)).one() == "tolk Amira [telefonnummer], [e-post]"


def test_text_that_masking_makes_too_long_is_a_form_error_not_a_500(client, staff_db) -> None:
    make_staff(staff_db, "facilitator", email="fa@kommun.se")
    area = make_area(staff_db)
    staff_db.commit()
    log_in(client, "fa@kommun.se")
    place = " ".join(["a@b.se"] * 28)  # 195 characters typed, 251 once every address is [e-post]
    response = client.post("/dialoger/ny", data=walk_form(token(client, "/dialoger/ny"), area.id, place=place))
    assert response.status_code == 400
    assert "Texten blir för lång när personuppgifterna tas bort" in response.get_data(as_text=True)
    assert staff_db.scalar(select(func.count()).select_from(Dialogue)) == 0
