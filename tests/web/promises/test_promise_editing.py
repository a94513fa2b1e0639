"""Analysts link indicators of every kind to a promise; the promise's owner plans its activities; every change is
audited and bad input is refused in Swedish."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from survey_app.indicators.periods import tertial_of
from survey_app.models import AuditEvent, Indicator, Promise, PromiseActivity, PromiseIndicator
from tests.factories import make_area, make_staff
from tests.web.client import log_in, token

TERTIAL = tertial_of(dt.date.today())


@pytest.fixture
def promise(staff_db, make_wave):
    owner = make_staff(staff_db, "facilitator", email="agare@kommun.se")
    make_staff(staff_db, "facilitator", email="annan@kommun.se")
    make_staff(staff_db, "analyst", email="an@kommun.se")
    make_area(staff_db, "Norrby", code="norrby")
    staff_db.add(Indicator(code="lob", name="Antal LOB"))
    created = Promise(number=5, title="Fler trygghetsvandringar", party="joint", starts_on=dt.date(2026, 1, 1),
                      owner=owner)
    staff_db.add(created)
    staff_db.commit()
    make_wave()  # a loaded questionnaire gives the survey measures to choose from
    return created.id


@pytest.mark.parametrize(
    ("form", "kind", "settings"),
    [
        ({"kind": "computed_count", "count": "dialogues", "formats": ["safety_walk"], "areas": ["norrby"]},
         "computed_count", {"count": "dialogues", "formats": ["safety_walk"], "areas": ["norrby"]}),
        ({"kind": "entered_count", "indicator": "lob"}, "entered_count", {"areas": []}),
        ({"kind": "computed_measure", "measure": "share_unsafe", "area": "norrby"}, "computed_measure",
         {"measure": "share_unsafe", "area": "norrby"}),
        ({"kind": "narrative"}, "narrative", {}),
    ],
)
def test_an_analyst_links_an_indicator_of_each_kind(client, staff_db, promise, form, kind, settings) -> None:
    log_in(client, "an@kommun.se")
    path = f"/loften/{promise}/indikatorer/ny"
    response = client.post(path, data={"csrf_token": token(client, path), "label": "Så följer vi upp", **form})
    assert response.status_code == 302
    linked = staff_db.scalars(select(PromiseIndicator)).one()
    assert (str(linked.kind), linked.settings, linked.label) == (kind, settings, "Så följer vi upp")
    assert staff_db.scalar(select(AuditEvent.action).where(AuditEvent.action == "promise.indicator_add"))
    staff_db.rollback()
    assert "Så följer vi upp" in client.get(f"/loften/{promise}").get_data(as_text=True)
    remove = f"/loften/{promise}/indikatorer/{linked.id}/ta-bort"
    assert client.post(remove, data={"csrf_token": token(client, f"/loften/{promise}")}).status_code == 302
    assert staff_db.scalars(select(PromiseIndicator)).all() == []
    staff_db.rollback()


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"kind": "computed_count"}, "Välj vad som räknas."),
        ({"kind": "entered_count", "indicator": ""}, "Välj indikatorserien."),
        ({"kind": "computed_measure", "measure": "share_nonsense"}, "Välj ett av alternativen."),
        ({"kind": "telepathy"}, "Välj ett av alternativen."),
    ],
)
def test_an_incomplete_indicator_is_refused_in_swedish(client, staff_db, promise, form, message) -> None:
    log_in(client, "an@kommun.se")
    path = f"/loften/{promise}/indikatorer/ny"
    response = client.post(path, data={"csrf_token": token(client, path), "label": "X", **form})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert staff_db.scalars(select(PromiseIndicator)).all() == []
    staff_db.rollback()


def test_the_owner_plans_activities_and_another_facilitator_may_not(app, client, staff_db, promise) -> None:
    log_in(client, "agare@kommun.se")
    path = f"/loften/{promise}/aktiviteter/ny"
    assert client.get(f"/loften/{promise}/indikatorer/ny").status_code == 403  # indicators: analysts and admins
    response = client.post(path, data={"csrf_token": token(client, path), "text": "Vandring i Norrby",
                                       "party": "municipality", "tertial": TERTIAL.code})
    assert response.status_code == 302
    activity = staff_db.scalars(select(PromiseActivity)).one()
    assert (activity.text, activity.tertial) == ("Vandring i Norrby", TERTIAL.code)
    staff_db.rollback()
    assert "Vandring i Norrby" in client.get(f"/loften/{promise}?tertial={TERTIAL.code}").get_data(as_text=True)
    refused = client.post(path, data={"csrf_token": token(client, path), "text": "X", "party": "municipality",
                                      "tertial": "våren"})
    assert "Skriv ett tertial" in refused.get_data(as_text=True)
    other = app.test_client()
    log_in(other, "annan@kommun.se")
    assert other.get(path).status_code == 403
    assert other.post(f"/loften/{promise}/aktiviteter/{activity.id}/ta-bort",
                      data={"csrf_token": token(other, f"/loften/{promise}")}).status_code == 403
    assert client.post(f"/loften/{promise}/aktiviteter/{activity.id}/ta-bort",
                       data={"csrf_token": token(client, f"/loften/{promise}")}).status_code == 302
    assert staff_db.scalars(select(PromiseActivity)).all() == []
    staff_db.rollback()
