"""The role matrix: every route, every method, as anonymous and as each role, against `survey_app/auth/roles.py`."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask import Flask

from survey_app.auth import roles
from survey_app.auth.roles import PUBLIC
from survey_app.extensions import db
from survey_app.models import Indicator, ProblemPicture, Promise, TertialReport
from tests.factories import add_responses, make_dialogue, make_focus_areas, make_staff
from tests.web.client import log_in

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
ROLES = ("admin", "facilitator", "analyst")


def _staff_endpoints(app: Flask) -> list[str]:
    return sorted({rule.endpoint for rule in app.url_map.iter_rules()})


def test_every_endpoint_is_classified(app: Flask) -> None:
    """A new route fails here until whoever adds it puts it in the matrix (or in a public blueprint)."""
    unclassified = [endpoint for endpoint in _staff_endpoints(app) if roles.access_for(endpoint) is None]
    assert unclassified == [], f"add these endpoints to survey_app/auth/roles.py MATRIX: {unclassified}"


def test_matrix_lists_no_endpoint_that_does_not_exist(app: Flask) -> None:
    assert set(roles.MATRIX) - set(_staff_endpoints(app)) == set()


def test_the_matrix_says_what_the_issue_says() -> None:
    assert roles.access_for("survey.anything-the-lead-adds") == PUBLIC
    assert all(access == {"admin"} for endpoint, access in roles.MATRIX.items() if endpoint.startswith("admin."))
    assert roles.may("facilitator", "dialogue.create")
    assert not roles.may("analyst", "dialogue.create")
    assert roles.may("admin", "dialogue.edit")  # issue 12: admins can edit everything
    assert roles.may("facilitator", "dialogue.observation_status")  # any facilitator follows up a measure
    assert not roles.may("analyst", "dialogue.observation_status")
    assert all(roles.may(role, "participants.export_xlsx") for role in ROLES)
    assert not roles.may("facilitator", "area_data.import_population")
    assert not roles.may("analyst", "area_data.area_population")
    assert roles.may("analyst", "dialogue.export_xlsx")
    assert not roles.may(None, "dialogue.index")
    assert not roles.may("facilitator", "admin.users")
    assert all(roles.may(role, "insights.overview") for role in ROLES)
    assert not roles.may(None, "insights.overview")
    assert roles.may("admin", "insights.cutpoints_edit")
    assert not roles.may("analyst", "insights.cutpoints_edit")
    # issue 11: the survey's unsafe places (masked descriptions) are coded by analysts and admins, read by all staff
    assert roles.may("analyst", "problem_picture.places_save")
    assert roles.may("admin", "problem_picture.places_save")
    assert not roles.may("facilitator", "problem_picture.places_save")
    assert all(roles.may(role, "problem_picture.places") for role in ROLES)
    assert not roles.may(None, "problem_picture.places")


def _concrete_path(rule_text: str, ids: dict[str, object]) -> str:
    def value(match: re.Match[str]) -> str:
        converter, name = match.group(1), match.group(2)
        if name in ids:
            return str(ids[name])
        return "1" if converter == "int" else "x"

    return re.sub(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", value, rule_text)


def test_every_route_with_every_method_as_every_role(app: Flask, staff_db, make_wave) -> None:
    wave = make_wave(codes=True)
    survey_id, wave_slug = wave.id, wave.slug
    add_responses(staff_db, wave)  # the result downloads answer 409 for a wave without responses
    users = {role: make_staff(staff_db, role, email=f"{role}@kommun.se") for role in ROLES}
    focus_area = make_focus_areas(staff_db)[0]
    dialogue = make_dialogue(staff_db, users["facilitator"])
    indicator = Indicator(code="lob", name="LOB")
    promise = Promise(number=1, title="Trygghetsdialoger", party="joint", starts_on=dt.date(2026, 1, 1),
                      owner=users["facilitator"])  # the facilitator owns it, so follows it up
    report = TertialReport(tertial="2026-T1", version=1, published_by="an@kommun.se", content={
        "tertial": "2026-T1", "periods": ["2026-T1", "2025-T3", "2025-T2", "2025-T1"], "header": {}, "promises": [],
        "dialogues": {"by_format": {}, "participants": []},
        "walk_measures": {"decided": 0, "done": 0, "overdue": 0, "rejected": []}})
    picture = ProblemPicture(period=str(dt.date.today().year), version=1, analysis={}, saved_by="an@kommun.se",
                             evidence={"survey": [], "indicators": [], "promises": [], "agreements": [],
                                       "dialogues": {"dialogues": 0, "by_format": {}, "observations": 0,
                                                     "from_children": 0, "by_category": [], "by_focus_area": [],
                                                     "unsafe_by_category": {}, "statuses": {}, "places": [],
                                                     "participants": []}})
    staff_db.add_all([indicator, promise, report, picture])
    staff_db.flush()
    ids = {
        "dialogue_id": dialogue.id, "observation_id": dialogue.observations[0].id, "user_id": users["analyst"].id,
        "area_id": dialogue.area_id, "focus_area_id": focus_area.id, "survey_id": survey_id,
        "wave_slug": wave_slug, "measure": "share_unsafe", "slug": wave_slug, "dialect": "excel-sv",
        "table": "kommunen", "code": indicator.code, "rule_id": 1,
        "promise_id": promise.id, "tertial": "2026-T1", "version": 1, "scope": "kommunen",
        "picture_id": picture.id, "indicator_id": 1, "activity_id": 1,
    }
    staff_db.commit()

    clients = {"anonymous": app.test_client()}
    for role in ROLES:
        clients[role] = app.test_client()
        assert log_in(clients[role], f"{role}@kommun.se").status_code == 302

    problems = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        access = roles.access_for(rule.endpoint)
        path = _concrete_path(rule.rule, ids)
        for method in METHODS:
            for who, client in clients.items():
                response = client.open(path, method=method)
                status = response.status_code
                location = response.headers.get("Location", "")
                if method not in rule.methods:
                    expected_ok = status == 405
                elif access == PUBLIC:
                    # Residents never log in: a public page neither refuses nor sends anyone to the login page
                    # (what it answers to made-up slugs is the survey feature's business, tested there).
                    expected_ok = status != 403 and not location.startswith("/logga-in")
                elif who == "anonymous":
                    expected_ok = status == 302 and "/logga-in" in location
                elif who not in access:
                    expected_ok = status == 403
                else:
                    # Allowed: a page (GET) or a refused CSRF-less POST (400), never a redirect to login or 403.
                    expected_ok = (status == 200) if method == "GET" else (status == 400)
                if not expected_ok:
                    problems.append(f"{who:12} {method:6} {path} -> {status} {location}")
    assert problems == []
    # Nobody was logged out or changed along the way: every staff client still reaches its pages.
    for role in ROLES:
        assert clients[role].get("/dialoger/").status_code == 200


@pytest.mark.parametrize("path", ["/dialoger/", "/dialoger/ny", "/admin/anvandare", "/konto/losenord"])
def test_anonymous_visitor_is_sent_to_the_login_page_and_back(client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/logga-in?next=")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Logga in" in page
    assert "Logga in för att se sidan." in page


def test_unclassified_staff_endpoint_is_closed(app: Flask) -> None:
    from flask import Blueprint

    extra = Blueprint("extra", __name__)

    @extra.get("/extra")
    def secret() -> str:
        return "secret"

    app.register_blueprint(extra)
    with app.app_context():
        user = make_staff(db.session, "admin", email="boss@kommun.se")
        db.session.commit()
        assert user.id
    client = app.test_client()
    log_in(client, "boss@kommun.se")
    assert client.get("/extra").status_code == 403


def test_staff_pages_are_never_cached(client, staff_db) -> None:
    make_staff(staff_db, "analyst", email="an@kommun.se")
    staff_db.commit()
    log_in(client, "an@kommun.se")
    assert client.get("/dialoger/").headers["Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
