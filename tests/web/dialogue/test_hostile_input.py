"""No request a member of staff can make causes a server error: junk in every field of every staff form."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from survey_app.models import Dialogue, Observation
from tests.factories import make_dialogue, make_focus_areas, make_staff
from tests.web.client import log_in, token

JUNK = ["\x00", "a\x00b", "x" * 30_000, "🙂" * 500, "-1", "1e400", "nan", "9999-12-31", "0000-00-00",
        "99999999999999999999", "<script>alert(1)</script>", "' OR 1=1 --", "=cmd|' /C calc'!A0", "\u202e", ""]


@pytest.fixture
def owner_client(client, staff_db):
    owner = make_staff(staff_db, "facilitator", email="fa@kommun.se")
    make_staff(staff_db, "admin", email="boss@kommun.se")
    make_focus_areas(staff_db)
    dialogue = make_dialogue(staff_db, owner)
    ids = {"dialogue": dialogue.id, "observation": dialogue.observations[0].id, "area": dialogue.area_id}
    staff_db.commit()
    log_in(client, "fa@kommun.se")
    return client, ids


FIELDS = {
    "/dialoger/ny": ["format", "held_on", "area_id", "place", "time_of_day", "pre_meeting_on", "walk_groups",
                     "partners", "participation_level", "focus_areas", "tally_woman_25_44", "notes", "languages"],
    "/dialoger/{dialogue}/iakttagelser/ny": ["text", "kind", "focus_areas", "latitude", "longitude", "category",
                                             "responsible", "decision", "decision_reason", "deadline", "place_name"],
    "/dialoger/iakttagelser/{observation}/status": ["status", "reason"],
    "/konto/losenord": ["current", "new", "repeated"],
}


@pytest.mark.parametrize("path", list(FIELDS))
def test_junk_in_every_field_is_a_4xx_or_a_clean_save(owner_client, staff_db, path: str) -> None:
    client, ids = owner_client
    target = path.format(**ids)
    csrf = token(client, target)
    valid = {
        "format": "safety_walk", "held_on": "2026-10-08", "area_id": str(ids["area"]), "place": "Torget",
        "participation_level": "2", "text": "Mörkt", "kind": "problem", "decision": "pending", "status": "done",
    }
    for field in FIELDS[path]:
        for junk in JUNK:
            response = client.post(target, data={"csrf_token": csrf, **valid, field: junk})
            assert response.status_code < 500, (field, junk[:20])
            assert response.status_code in (200, 302, 400), (field, junk[:20], response.status_code)
    # Whatever was saved holds no NUL character.
    texts = [*staff_db.scalars(select(Observation.text)), *staff_db.scalars(select(Dialogue.place))]
    assert not any("\x00" in text for text in texts)
    staff_db.rollback()


@pytest.mark.parametrize("query", [f"{name}={junk}" for name in ("area", "date_from", "format", "focus_area",
                                                                 "status", "children") for junk in JUNK[:9]])
def test_junk_filters_never_cause_a_server_error(owner_client, query: str) -> None:
    client, _ = owner_client
    for path in ("/dialoger/", "/dialoger/iakttagelser", "/dialoger/iakttagelser/export.xlsx"):
        assert client.get(f"{path}?{query}").status_code in (200, 400)


def test_junk_login_never_causes_a_server_error(app, staff_db) -> None:
    make_staff(staff_db, "analyst", email="an@kommun.se")
    staff_db.commit()
    client = app.test_client()
    csrf = token(client, "/logga-in")
    for junk in JUNK:
        for field in ("email", "password"):
            data = {"csrf_token": csrf, "email": "an@kommun.se", "password": "fel-fel-fel", field: junk}
            assert client.post("/logga-in", data=data).status_code in (400, 401, 429)


def test_far_dates_are_refused_not_overflowed(owner_client, staff_db) -> None:
    client, ids = owner_client
    csrf = token(client, "/dialoger/ny")
    response = client.post("/dialoger/ny", data={
        "csrf_token": csrf, "format": "safety_walk", "held_on": "9999-12-31", "area_id": str(ids["area"]),
        "place": "Torget", "participation_level": "2"})
    assert response.status_code == 400
    assert "Ange ett datum mellan 1990-01-01 och 2100-12-31." in response.get_data(as_text=True)
    assert staff_db.scalar(select(func.count()).select_from(Dialogue)) == 1
    staff_db.rollback()
