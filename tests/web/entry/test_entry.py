"""Staff data entry of paper questionnaires and interviews: the code is used once, as online; the answers are read by
the resident flow's validation and skip logic and go through the holding pool; nothing links the staff member to a
response but an audit count; every mistake is a 4xx with a message, never a 500."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from analysis.instrument import AnswerState
from survey_app.models import Answer, AuditEvent, Channel, HeldResponse, InvitationCode, Response, SurveyDraft
from survey_app.survey import flow
from survey_app.survey.questionnaires import instrument_of
from tests.web.entry.conftest import PAPER, Entry
from tests.web.survey.resident import Resident


def _count(session: Session, model: type) -> int:
    session.rollback()  # a fresh look at what the requests committed
    return session.scalar(select(func.count()).select_from(model)) or 0


def _text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def test_a_paper_questionnaire_is_stored_with_channel_paper_and_its_answers(entry: Entry, coded_wave, staff_db) -> None:
    _, codes = coded_wave
    response = entry.send(PAPER, code=codes[0])
    assert response.status_code == 302
    assert response.location.endswith(f"/registrering/{entry.survey_id}?kanal=paper&sprak=sv")
    page = entry.client.get(response.location)
    assert "Enkäten har sparats. Skriv in nästa." in _text(page)
    assert 'name="code" value=""' in page.get_data(as_text=True)  # an empty form for the next questionnaire
    stored = staff_db.scalars(select(Response)).all()
    assert [(r.channel, r.area_code, r.gender, r.language) for r in stored] == [(Channel.PAPER, "norr", "woman", "sv")]
    answers = dict(staff_db.execute(select(Answer.item_code, Answer.value_code)
                                    .where(Answer.response_id == stored[0].id, Answer.value_code.is_not(None))).all())
    assert answers == {"area": "norr", "gender": "woman", "unsafe_evening": "fairly_unsafe",
                       "avoid_going_out": "yes_sometimes"}
    assert staff_db.scalar(select(InvitationCode.used).where(InvitationCode.used)) is True
    assert _count(staff_db, SurveyDraft) == 1  # sent, emptied: as a resident's draft after sending
    assert staff_db.scalar(select(SurveyDraft.answers)) == {}


def test_an_interview_is_stored_with_channel_assisted(entry: Entry, coded_wave, staff_db) -> None:
    _, codes = coded_wave
    assert entry.send(PAPER, code=codes[1], channel="assisted").status_code == 302
    assert staff_db.scalars(select(Response.channel)).all() == [Channel.ASSISTED]
    assert 'id="kanal-assisted" name="kanal" value="assisted" checked' in entry.open("assisted")


@pytest.fixture
def daily(app_factory, coded_wave, staff_db) -> Entry:
    """The production release policy: sent answers wait in the holding pool for the next day's batch."""
    from tests.factories import make_staff
    from tests.web.client import log_in

    app = app_factory({"RESPONSE_RELEASE": "daily"})
    make_staff(staff_db, "analyst", email="an@kommun.se")
    staff_db.commit()
    client = app.test_client()
    assert log_in(client, "an@kommun.se").status_code == 302
    return Entry(client, coded_wave[0])


def test_entries_wait_in_the_holding_pool_and_the_log_counts_them_without_a_link(daily: Entry, coded_wave,
                                                                                staff_db) -> None:
    _, codes = coded_wave
    assert daily.send(PAPER, code=codes[0]).status_code == 302
    assert daily.send({**PAPER, "q_gender": "man"}, code=codes[1], channel="assisted").status_code == 302
    assert _count(staff_db, Response) == 0  # nothing stored yet: held, to be stored among others
    held = staff_db.scalars(select(HeldResponse)).all()
    assert sorted(h.channel for h in held) == [Channel.ASSISTED, Channel.PAPER]
    events = staff_db.scalars(select(AuditEvent).where(AuditEvent.action == "survey.entry")).all()
    assert [(e.actor_label, e.target_id, e.details) for e in events] == [
        ("an@kommun.se", str(daily.survey_id), {"channel": "paper", "count": 1}),
        ("an@kommun.se", str(daily.survey_id), {"channel": "assisted", "count": 1})]
    everything = " ".join(str(vars(e)) for e in events).upper()
    drafts = staff_db.scalars(select(SurveyDraft.id)).all()
    assert not any(str(key).upper() in everything for key in [*(h.id for h in held), *drafts])
    assert not any(code.replace("-", "") in everything.replace("-", "") for code in codes)
    for model in (Response, HeldResponse, SurveyDraft, Answer):  # nothing there can name a staff member
        columns = {c.key for c in inspect(model).columns}
        assert not columns & {"actor_id", "staff_id", "user_id", "entered_by", "created_by"}, model


def test_a_code_used_online_is_refused_on_paper_and_nothing_is_stored(entry: Entry, coded_wave, staff_db,
                                                                      app: Flask) -> None:
    _, codes = coded_wave
    resident = Resident(app.test_client(), "trygghet-2026")
    assert resident.start(code=codes[2]).status_code == 302  # the resident begins online: the code is used
    response = entry.send(PAPER, code=codes[2].lower())
    assert response.status_code == 409
    assert "Koden har redan använts, på webben eller på papper. Varje kod kan användas en gång. Inget har sparats." \
        in _text(response)
    assert 'aria-invalid="true" autofocus' in response.get_data(as_text=True)
    assert _count(staff_db, HeldResponse) + _count(staff_db, Response) == 0
    assert staff_db.scalar(select(func.count()).select_from(AuditEvent)
                           .where(AuditEvent.action == "survey.entry")) == 0


def test_a_code_used_on_paper_is_refused_online_and_on_paper_again(entry: Entry, coded_wave, staff_db,
                                                                   app: Flask) -> None:
    _, codes = coded_wave
    assert entry.send(PAPER, code=codes[3]).status_code == 302
    again = entry.send({**PAPER, "q_gender": "man"}, code=codes[3])
    assert again.status_code == 409
    assert "Koden har redan använts" in _text(again)
    online = Resident(app.test_client(), "trygghet-2026").start(code=codes[3])
    assert online.status_code == 409
    assert _count(staff_db, Response) == 1
    assert staff_db.scalars(select(Response.gender)).all() == ["woman"]


@pytest.mark.parametrize(("code", "message"), [
    ("ABCDE-FGHJK", "Det finns ingen sådan kod för den här enkäten."),
    ("x" * 500, "Det finns ingen sådan kod för den här enkäten."),
    ("", "Skriv koden som är tryckt på enkäten."),
])
def test_an_unknown_or_missing_code_is_refused(entry: Entry, staff_db, code: str, message: str) -> None:
    response = entry.send(PAPER, code=code)
    assert response.status_code in (400, 409)
    assert message in _text(response)
    assert "Inget har sparats." in _text(response)
    assert _count(staff_db, Response) + _count(staff_db, HeldResponse) == 0
    assert staff_db.scalar(select(func.count()).select_from(InvitationCode).where(InvitationCode.used)) == 0


def test_a_resent_form_is_stored_once(entry: Entry, coded_wave, staff_db) -> None:
    """A double click or the back button and send again: the same form, the same token; stored once, not refused."""
    _, codes = coded_wave
    hidden = entry.fields()
    assert entry.send(PAPER, code=codes[0], hidden=hidden).status_code == 302
    again = entry.send(PAPER, code=codes[0], hidden=hidden)
    assert again.status_code == 302
    assert "hade redan sparats" in _text(entry.client.get(again.location))
    assert _count(staff_db, Response) == 1
    assert staff_db.scalar(select(func.count()).select_from(AuditEvent)
                           .where(AuditEvent.action == "survey.entry")) == 1


def test_a_failure_after_the_code_was_used_loses_nothing_when_the_form_is_sent_again(
        entry: Entry, coded_wave, staff_db, app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """The code is used in one transaction and the answers are held in the next: if the database fails between
    them, the same form sent again finds its draft and is stored, instead of being refused for its own code."""
    _, codes = coded_wave
    app.config.update(SEND_ATTEMPTS=1)

    def unavailable(*_args, **_kwargs):
        raise OperationalError("UPDATE", {}, Exception("database is locked"))

    hidden = entry.fields()
    with monkeypatch.context() as patch:
        patch.setattr(flow, "submit", unavailable)
        failed = entry.send(PAPER, code=codes[0], hidden=hidden)
    assert failed.status_code == 503
    assert staff_db.scalar(select(func.count()).select_from(InvitationCode).where(InvitationCode.used)) == 1
    assert _count(staff_db, HeldResponse) + _count(staff_db, Response) == 0
    assert entry.send(PAPER, code=codes[0], hidden=hidden).status_code == 302
    assert _count(staff_db, Response) == 1


def test_answers_hidden_by_the_skip_logic_are_not_kept(entry: Entry, coded_wave, staff_db) -> None:
    _, codes = coded_wave
    # "Reported to the police?" is asked only after "yes" to the offence; this respondent answered "no", then ticked it
    answers = {**PAPER, "q_victim_assault": "no", "q_reported_assault": "yes", "q_victim_threat": "yes",
               "q_reported_threat": "no"}
    assert entry.send(answers, code=codes[0]).status_code == 302
    kept = dict(staff_db.execute(select(Answer.item_code, Answer.value_code)).tuples().all())
    assert kept["victim_assault"] == "no"
    assert "reported_assault" not in kept
    assert kept["reported_threat"] == "no"


@pytest.mark.parametrize(("answers", "message"), [
    ({"q_unsafe_evening": "not-an-option"}, "Välj ett av svaren i listan."),
    ({"q_birth_year": "nittonhundra"}, "Skriv ett heltal med siffror"),
    ({"q_area": "norr", "q_birth_year": "1800"}, "Skriv ett tal från"),
    ({}, "Ingen fråga är besvarad. Inget har sparats."),
    ({"q_unsafe_evening": ["very_safe", "very_unsafe"]}, "Välj bara ett svar."),
])
def test_bad_answers_are_refused_with_a_message_and_nothing_is_stored(entry: Entry, coded_wave, staff_db,
                                                                      answers: dict, message: str) -> None:
    _, codes = coded_wave
    response = entry.send(answers, code=codes[0])
    assert response.status_code == 400
    assert message in _text(response)
    assert staff_db.scalar(select(func.count()).select_from(InvitationCode).where(InvitationCode.used)) == 0
    assert _count(staff_db, Response) + _count(staff_db, HeldResponse) == 0


def test_a_refused_form_shows_what_was_typed(entry: Entry, coded_wave) -> None:
    _, codes = coded_wave
    response = entry.send({**PAPER, "q_birth_year": "19x0"}, code=codes[0])
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'value="{codes[0]}"' in html
    assert 'value="19x0"' in html
    assert re.search(r'name="q_unsafe_evening" value="fairly_unsafe" checked', html)
    assert '<a href="#q_birth_year">' in html  # the summary links to the field


@pytest.mark.parametrize(("path", "data", "status"), [
    ("/registrering/{id}?kanal=email", {}, 400),
    ("/registrering/{id}", {"entry": "made-up"}, 400),
    ("/registrering/999999", {}, 404),
])
def test_a_tampered_request_is_a_4xx(entry: Entry, path: str, data: dict, status: int) -> None:
    hidden = entry.fields()
    response = entry.client.post(path.format(id=entry.survey_id), data={**hidden, **PAPER, **data})
    assert response.status_code == status


def test_a_closed_wave_takes_no_entries(entry: Entry, staff_db, coded_wave) -> None:
    from survey_app.models import Survey, SurveyStatus

    hidden = entry.fields()
    survey = staff_db.get(Survey, entry.survey_id)
    survey.status = SurveyStatus.CLOSED
    staff_db.commit()
    refused = entry.send(PAPER, code=coded_wave[1][0], hidden=hidden)
    assert refused.status_code == 409
    assert "Enkäten är inte öppen för svar, så inget kan registreras i den." in _text(refused)
    assert entry.client.get(entry.path()).status_code == 409
    assert _count(staff_db, Response) + _count(staff_db, HeldResponse) == 0


def test_the_form_is_keyboard_first_and_in_the_questionnaire_s_order(entry: Entry, staff_db) -> None:
    from survey_app.models import Survey

    html = entry.open()
    assert not re.search(r'tabindex="[1-9]', html)  # the document order is the tab order
    assert html.count(" autofocus") == 1
    assert re.search(r'<input[^>]*name="code"[^>]*autofocus', html)
    instrument = instrument_of(staff_db.get(Survey, entry.survey_id).questionnaire)
    in_page = list(dict.fromkeys(re.findall(r'name="q_([a-z0-9_]+)"', html)))
    assert in_page == [q.code for q in instrument.questions]  # every question, each once, in order
    assert html.index('name="code"') < html.index('name="q_')
    assert html.index('name="q_') < html.index("Spara och nästa")
    # A radio group starts on "No answer", checked: one tab stop, and the arrow keys go to the answers from there.
    assert re.search(r'id="q_unsafe_evening--blank" name="q_unsafe_evening" value="" checked', html)
    assert "Bara om du svarade ”Ja” på fråga" in html  # skip logic in words, as on paper
    assert AnswerState(instrument, {}).answers == {}


def test_a_wave_without_codes_takes_entries_without_one_but_not_outside_its_ages(entry: Entry, make_wave,
                                                                                 staff_db) -> None:
    from tests.factories import YOUTH

    youth = Entry(entry.client, make_wave(YOUTH, slug="unga-2026").id)
    assert 'name="code"' not in youth.open()
    too_old = youth.send({"q_age": "22"})
    assert too_old.status_code == 400
    assert "Åldern ligger utanför de åldrar enkäten är till för" in _text(too_old)
    assert _count(staff_db, Response) + _count(staff_db, HeldResponse) == 0
    assert youth.send({"q_age": "14"}).status_code == 302
    assert staff_db.scalars(select(Response.age_band)).all() == ["12-15"]


def test_the_microdata_says_how_each_response_was_given(entry: Entry, coded_wave, staff_db, app: Flask) -> None:
    import csv
    import io

    from survey_app.models import Survey
    from tests.factories import add_responses, make_staff
    from tests.web.client import log_in

    _, codes = coded_wave
    assert entry.send(PAPER, code=codes[0]).status_code == 302
    assert entry.send(PAPER, code=codes[1]).status_code == 302
    assert entry.send(PAPER, code=codes[2], channel="assisted").status_code == 302
    survey = staff_db.get(Survey, entry.survey_id)
    add_responses(staff_db, survey, count=12)  # sent online
    make_staff(staff_db, "analyst", email="an@kommun.se")
    staff_db.commit()
    analyst = app.test_client()
    log_in(analyst, "an@kommun.se")
    response = analyst.get(f"/analys/{survey.slug}/mikrodata/svar.csv")
    assert response.status_code == 200
    channels = [row["channel"] for row in csv.DictReader(io.StringIO(response.get_data(as_text=True)))]
    assert sorted(channels) == ["assisted"] + ["paper"] * 2 + ["web"] * 12
    make_staff(staff_db, "admin", email="boss@kommun.se")
    staff_db.commit()
    admin = app.test_client()
    log_in(admin, "boss@kommun.se")
    wave_page = _text(admin.get(f"/admin/enkater/{survey.id}"))
    assert "Svar per kanal Webb 12, Papper 2, Intervju 1" in wave_page
