"""Builders for staff users, logins and dialogues, shared by the auth, dialogue, admin and browser tests.

They flush; the test commits before it makes a request (SQLite takes the write lock at BEGIN, so an open
transaction in the test's session would make the app wait).
"""

from __future__ import annotations

import datetime as dt
import itertools

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from survey_app.auth.passwords import hash_password
from survey_app.dialogue import services
from survey_app.models import Area, Dialogue, FocusArea, StaffUser
from tests.survey_fixtures import csrf_of as csrf_token_from

PASSWORD = "korvstånd-Lyktstolpe-91-gräsmatta"
_sequence = itertools.count(1)
_HASH: dict[str, str] = {}


def make_staff(session: Session, role: str, *, email: str | None = None, active: bool = True) -> StaffUser:
    if PASSWORD not in _HASH:
        _HASH[PASSWORD] = hash_password(PASSWORD)  # one Argon2 hash for the whole run keeps the tests quick
    user = StaffUser(email=email or f"{role}{next(_sequence)}@kommun.se", password_hash=_HASH[PASSWORD], role=role,
                     active=active)
    session.add(user)
    session.flush()
    return user


def log_in(client: FlaskClient, email: str, password: str = PASSWORD, *, follow: bool = False):
    token = csrf_token_from(client.get("/logga-in").get_data(as_text=True))
    return client.post("/logga-in", data={"csrf_token": token, "email": email, "password": password},
                       follow_redirects=follow)


def token(client: FlaskClient, path: str) -> str:
    return csrf_token_from(client.get(path).get_data(as_text=True))


def make_focus_areas(session: Session) -> list[FocusArea]:
    services.seed_default_focus_areas(session)
    return services.focus_areas(session)


def make_area(session: Session, name: str | None = None) -> Area:
    number = next(_sequence)
    area = Area(code=f"omr{number}", name=name or f"Område {number}")
    session.add(area)
    session.flush()
    return area


def make_dialogue(session: Session, owner: StaffUser, *, area: Area | None = None, held_on: dt.date | None = None,
                  format: str = "safety_walk", tallies: dict[tuple[str, str], int] | None = None,
                  observations: int = 1, from_children: bool = False) -> Dialogue:
    dialogue = services.create_dialogue(session, services.DialogueInput(
        format=format, held_on=held_on or dt.date(2026, 10, 1), area_id=(area or make_area(session)).id,
        place="Torget", participation_level=2, time_of_day="dark" if format == "safety_walk" else None,
        tallies=tallies or {("woman", "25-44"): 4, ("man", "45-64"): 3},
    ), actor=owner)
    for number in range(observations):
        services.add_observation(session, dialogue, services.ObservationInput(
            text=f"Mörk gångtunnel {number + 1}", kind="unsafe_place", category="lighting",
            place_name=f"Tunneln {number + 1}", from_children=from_children,
        ), actor=owner)
    return dialogue


def behind_proxy(app: Flask, address: str) -> FlaskClient:
    """A browser whose requests reach the app through the one trusted proxy, which names `address` as the client."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "127.0.0.1"
    client.environ_base["HTTP_X_FORWARDED_FOR"] = address
    return client


def becomes_known(client: FlaskClient, email: str) -> None:
    """Log in and out again: the browser keeps the known-device cookie, as it would after a day's work."""
    assert log_in(client, email).status_code == 302
    assert client.post("/logga-ut", data={"csrf_token": token(client, "/dialoger/")}).status_code == 302
