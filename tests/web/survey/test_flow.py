"""The resident flow over HTTP: every page, back and forward, summary, exactly-once submission, thanks."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, inspect, select

from analysis.instrument import AnswerState
from survey_app.extensions import db
from survey_app.models import Answer, Response, SurveyDraft, SurveyStatus
from tests.factories import ADULT, YOUTH
from tests.web.client import csrf_of
from tests.web.survey.resident import first_option


def _stored(db_session) -> list[Response]:
    db_session.expire_all()
    return list(db_session.scalars(select(Response)))


@pytest.mark.parametrize(("file", "language"), [(ADULT, "sv"), (ADULT, "en"), (YOUTH, "sv"), (YOUTH, "en")])
def test_a_resident_completes_the_survey_and_it_is_stored_once(make_wave, resident, db_session, file, language) -> None:
    make_wave(file)
    walker = resident()
    summary_path = walker.complete(first_option, language)
    summary = walker.client.get(summary_path)
    assert summary.status_code == 200
    assert f'<html lang="{language}"' in summary.get_data(as_text=True)

    sent = walker.send()
    assert sent.status_code == 302
    assert sent.location.endswith("/tack")
    thanks = walker.client.get(sent.location).get_data(as_text=True)
    assert {"sv": "Tack för dina svar", "en": "Thank you for your answers"}[language] in thanks

    responses = _stored(db_session)
    assert len(responses) == 1
    response = responses[0]
    assert response.language == language
    assert response.submitted_on == dt.date.today()
    assert response.channel == "web"
    # The draft stays only as an empty "submitted" marker (so a late double click still sees the thanks page).
    draft = db_session.scalars(select(SurveyDraft)).one()
    assert (draft.submitted, draft.answers, draft.resume_code_hash) == (True, {}, None)
    answers = {a.item_code: a for a in response.answers}
    if file == ADULT:
        assert answers["unsafe_evening"].value_code == "very_safe"
        assert answers["birth_year"].value_number == dt.date.today().year - 40
        assert response.area_code == "norr"
        assert response.age_band == "25-44"
        assert "reported_assault" in answers  # victim_assault's first option is "yes", so it was asked
    else:
        assert answers["age"].value_number == 14
        assert response.age_band == "12-15"

    # A double click, a retried POST or the back button: nothing more is stored, the resident sees the thanks.
    again = walker.send()
    assert again.status_code == 302
    assert again.location.endswith("/tack")
    assert len(_stored(db_session)) == 1


def test_back_and_forward_keep_answers(make_wave, resident) -> None:
    make_wave()
    walker = resident()
    first = walker.start().location
    walker.post_page(first, {"q_unsafe_evening": "fairly_unsafe", "q_avoid_going_out": "yes_often"})
    # Answer something on page 2, then go back: page 2's answers are saved, page 1 shows what was chosen.
    back = walker.post_page(first.replace("/sida/1", "/sida/2"), {"q_worry_crime_society": "very_great"}, "back")
    assert back.status_code == 302
    assert back.location.endswith("/sida/1")
    page_one = walker.client.get(back.location).get_data(as_text=True)
    assert re.search(r'value="fairly_unsafe" checked', page_one)
    assert re.search(r'value="yes_often" checked', page_one)
    page_two = walker.client.get(first.replace("/sida/1", "/sida/2")).get_data(as_text=True)
    assert re.search(r'value="very_great" checked', page_two)
    assert walker.client.get(first).headers["Cache-Control"] == "no-store"


def test_invalid_answer_is_shown_next_to_its_field_and_valid_ones_are_kept(make_wave, resident, db_session) -> None:
    make_wave()
    walker = resident()
    walker.start()
    last_page = "/enkat/trygghet-2026/sida/13"
    response = walker.post_page(last_page, {"q_birth_year": "nittonhundra", "q_gender": "woman", "q_area": "norr"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Skriv ett heltal med siffror" in html
    assert 'id="error-birth_year"' in html
    assert re.search(r'aria-describedby="[^"]*error-birth_year"', html)
    assert 'aria-invalid="true"' in html
    assert 'value="nittonhundra"' in html  # what was typed is shown again
    assert "Några svar behöver rättas" in html
    draft = db_session.scalars(select(SurveyDraft)).one()
    assert draft.answers["gender"] == "woman"
    assert "birth_year" not in draft.answers

    too_old = walker.post_page(last_page, {"q_birth_year": "1850"})
    assert too_old.status_code == 400
    assert "Skriv ett tal från" in too_old.get_data(as_text=True)


def test_answers_outside_the_questionnaire_are_rejected_not_stored(make_wave, resident, db_session) -> None:
    make_wave()
    walker = resident()
    walker.start()
    page = "/enkat/trygghet-2026/sida/1"
    response = walker.post_page(page, {"q_unsafe_evening": "totally_made_up", "q_not_an_item": "x", "q_gender": "man"})
    assert response.status_code == 400
    assert "Välj ett av svaren i listan" in response.get_data(as_text=True)
    draft = db_session.scalars(select(SurveyDraft)).one()
    assert draft.answers == {}  # neither the bad code, nor an unknown item, nor an item from another page


def test_skip_logic_drops_hidden_answers(make_wave, resident, db_session) -> None:
    make_wave()
    walker = resident()
    walker.start()
    victims = "/enkat/trygghet-2026/sida/6"
    walker.post_page(victims, {"q_victim_assault": "yes"})
    walker.post_page("/enkat/trygghet-2026/sida/8", {"q_reported_assault": "no"})
    # The resident goes back and says no: the "reported?" answer must not be stored.
    walker.post_page(victims, {"q_victim_assault": "no"})
    walker.send()
    response = _stored(db_session)[0]
    codes = {answer.item_code: answer.value_code for answer in response.answers}
    assert codes["victim_assault"] == "no"
    assert "reported_assault" not in codes


def test_a_page_hidden_by_skip_logic_is_skipped(make_wave, resident) -> None:
    make_wave()
    walker = resident()
    walker.start()
    for code in ("assault", "threat", "robbery", "sexual", "online_fraud"):
        walker.post_page("/enkat/trygghet-2026/sida/6", {f"q_victim_{code}": "no"})
    household = {f"q_victim_{c}": "no" for c in ("burglary", "vandalism", "bicycle_theft", "vehicle_theft")}
    response = walker.post_page("/enkat/trygghet-2026/sida/7", household)
    assert response.location.endswith("/sida/9")  # the "reported to the police?" page has nothing to ask
    assert walker.client.get("/enkat/trygghet-2026/sida/8").location.endswith("/sida/9")


def test_a_request_works_out_the_skip_logic_once_per_set_of_answers(make_wave, resident, monkeypatch) -> None:
    """A page view needs the skip logic of the saved answers; a posted page also that of the answers as sent."""
    make_wave()
    walker = resident()
    walker.start()
    built: list[dict[str, object]] = []
    build = AnswerState.__init__

    def counting(self, instrument, answers) -> None:
        built.append(dict(answers))
        build(self, instrument, answers)

    monkeypatch.setattr(AnswerState, "__init__", counting)
    assert walker.post_page("/enkat/trygghet-2026/sida/6", {"q_victim_assault": "yes"}).status_code == 302
    assert [answers.get("victim_assault") for answers in built] == [["yes"], "yes"]
    built.clear()
    assert walker.client.get("/enkat/trygghet-2026/sida/8").status_code == 200
    assert len(built) == 1
    built.clear()
    assert walker.post_page("/enkat/trygghet-2026/sida/8", {"q_reported_assault": "maybe"}).status_code == 400
    assert len(built) == 2
    built.clear()
    assert walker.client.get("/enkat/trygghet-2026/sammanfattning").status_code == 200
    assert len(built) == 1


def test_free_text_is_masked_before_it_is_stored(make_wave, resident, db_session) -> None:
    make_wave()
    walker = resident()
    walker.start()
    text = "Ring mig på 070-123 45 67 eller maila anna.svensson@example.se, pnr 811228-9874."
    walker.post_page("/enkat/trygghet-2026/sida/12", {"q_suggestions": text})
    draft = db_session.scalars(select(SurveyDraft)).one()
    assert "070" not in draft.answers["suggestions"]
    walker.send()
    stored = db_session.scalars(select(Answer).where(Answer.item_code == "suggestions")).one()
    assert stored.value_text == "Ring mig på [telefonnummer] eller maila [e-post], pnr [personnummer]."


def test_nothing_identifying_is_stored_with_a_response(app) -> None:
    with app.app_context():
        columns = {column["name"] for column in inspect(db.engine).get_columns("responses")}
        answer_columns = {column["name"] for column in inspect(db.engine).get_columns("answers")}
    assert columns == {"id", "survey_id", "submitted_on", "language", "channel", "area_code", "gender", "age_band",
                       "codes"}  # the answers again, as codes for the analysis (survey_app/survey/codes.py)
    assert answer_columns == {"response_id", "position", "item_code", "value_code", "value_number", "value_text"}
    with app.app_context():
        types = {column["name"]: str(column["type"]) for column in inspect(db.engine).get_columns("responses")}
    assert types["submitted_on"] == "DATE"
    # No counter that gives a response's place in the order of submission (an access log could match it).
    assert "INT" not in types["id"].upper()


def test_response_keys_do_not_follow_submission_order(make_wave, db_session) -> None:
    from survey_app.survey.questionnaires import instrument_of
    from survey_app.survey.responses import SubmittedResponse, store_responses

    survey = make_wave()
    instrument = instrument_of(survey.questionnaire)
    entries = [SubmittedResponse({"unsafe_evening": "very_safe"}, "sv", dt.date.today()) for _ in range(50)]
    stored = store_responses(db_session, survey, instrument, entries)
    db_session.commit()
    ids = [response.id for response in stored]
    assert all(identifier.version == 4 for identifier in ids)
    assert ids != sorted(ids)



def test_save_and_resume_with_a_code_on_another_device(make_wave, resident, app, db_session) -> None:
    make_wave()
    walker = resident()
    walker.start()
    saved = walker.post_page("/enkat/trygghet-2026/sida/2", {"q_worry_crime_society": "fairly_great"}, "save")
    assert saved.status_code == 200
    code = re.search(r'class="resume-code"[^>]*>([A-Z0-9-]+)<', saved.get_data(as_text=True)).group(1)

    other = app.test_client()  # another phone: no cookie
    landing = other.get("/enkat/trygghet-2026/fortsatt").get_data(as_text=True)
    wrong = other.post("/enkat/trygghet-2026/fortsatt", data={"csrf_token": csrf_of(landing), "code": "AAAAA-AAAAA"})
    assert wrong.status_code == 400
    assert "Vi hittade inga sparade svar" in wrong.get_data(as_text=True)
    resumed = other.post("/enkat/trygghet-2026/fortsatt", data={"csrf_token": csrf_of(landing), "code": code.lower()})
    assert resumed.status_code == 302
    assert resumed.location.endswith("/sida/2")
    assert re.search(r'value="fairly_great" checked', other.get(resumed.location).get_data(as_text=True))
    # The first device's cookie no longer reaches the draft.
    assert walker.client.get("/enkat/trygghet-2026/sida/2").status_code == 302


def test_invitation_codes_are_single_use_and_never_linked(make_wave, app, db_session) -> None:
    from survey_app.models import InvitationCode
    from survey_app.survey.waves import generate_invitation_codes

    survey = make_wave(codes=True, link=False)
    with app.app_context():  # codes are hashed under the app's key
        codes = generate_invitation_codes(db_session, survey, 2, actor=None)
    db_session.commit()
    assert all(code not in {c.code_hash for c in db_session.scalars(select(InvitationCode))} for code in codes)

    first, second = app.test_client(), app.test_client()
    token = csrf_of(first.get("/enkat/trygghet-2026").get_data(as_text=True))
    missing = first.post("/enkat/trygghet-2026/borja", data={"csrf_token": token, "language": "sv", "code": ""})
    assert missing.status_code == 400
    assert "Skriv koden från ditt inbjudningsbrev" in missing.get_data(as_text=True)
    ok = first.post("/enkat/trygghet-2026/borja", data={"csrf_token": token, "language": "sv", "code": codes[0]})
    assert ok.status_code == 302
    token2 = csrf_of(second.get("/enkat/trygghet-2026").get_data(as_text=True))
    reused = second.post("/enkat/trygghet-2026/borja", data={"csrf_token": token2, "language": "sv", "code": codes[0]})
    assert reused.status_code == 409
    assert "redan använts" in reused.get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(InvitationCode).where(InvitationCode.used)) == 1
    assert {column.name for column in SurveyDraft.__table__.columns}.isdisjoint({"code", "code_hash", "invitation"})


def test_closed_unknown_and_draft_waves_get_friendly_pages(make_wave, client, db_session) -> None:
    from survey_app.survey.waves import close_wave

    survey = make_wave()
    assert client.get("/enkat/finns-inte").status_code == 404
    close_wave(db_session, survey, actor=None)
    db_session.commit()
    closed = client.get("/enkat/trygghet-2026")
    assert closed.status_code == 410
    assert "Enkäten är stängd" in closed.get_data(as_text=True)
    make_wave(slug="utkast", status=SurveyStatus.DRAFT)
    assert client.get("/enkat/utkast").status_code == 404


def test_closing_a_wave_deletes_unsent_drafts(make_wave, resident, db_session) -> None:
    from survey_app.survey.waves import close_expired_waves

    survey = make_wave(end=dt.date.today())
    resident().start()
    assert db_session.scalar(select(func.count()).select_from(SurveyDraft)) == 1
    closed = close_expired_waves(db_session, dt.date.today() + dt.timedelta(days=1))
    db_session.commit()
    assert [s.id for s in closed] == [survey.id]
    assert survey.status == "closed"
    assert db_session.scalar(select(func.count()).select_from(SurveyDraft)) == 0


def test_youth_survey_thanks_someone_too_old_and_keeps_nothing(make_wave, resident, db_session) -> None:
    make_wave(YOUTH)
    walker = resident()
    first = walker.start().location
    _, fields = walker.fields_on(first)
    age_page = first
    while "q_age" not in fields:
        response = walker.post_page(age_page, {})
        age_page = response.location
        _, fields = walker.fields_on(age_page)
    response = walker.post_page(age_page, {"q_age": "19"})
    assert response.status_code == 200
    assert "12–17 år" in response.get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(SurveyDraft)) == 0
    assert _stored(db_session) == []


def test_every_post_needs_a_csrf_token(make_wave, client) -> None:
    make_wave()
    for path in ("/enkat/trygghet-2026/borja", "/enkat/trygghet-2026/sida/1", "/enkat/trygghet-2026/skicka",
                 "/enkat/trygghet-2026/fortsatt"):
        response = client.post(path, data={"language": "sv"})
        assert response.status_code == 400, path
        assert "Sidan har gått ut" in response.get_data(as_text=True)


def test_a_page_number_out_of_range_is_404(make_wave, resident) -> None:
    make_wave()
    walker = resident()
    walker.start()
    assert walker.client.get("/enkat/trygghet-2026/sida/99").status_code == 404
    assert walker.client.get("/enkat/trygghet-2026/sida/0").status_code == 404


def test_a_wave_past_its_period_closes_on_the_next_visit_and_drops_unsent_drafts(make_wave, resident, db_session):
    survey = make_wave()
    resident().start()
    survey.period_end = survey.period_start = dt.date.today() - dt.timedelta(days=1)
    db_session.commit()
    response = resident().client.get("/enkat/trygghet-2026")
    assert response.status_code == 410
    db_session.expire_all()
    assert db_session.get(type(survey), survey.id).status == "closed"
    assert db_session.scalar(select(func.count()).select_from(SurveyDraft)) == 0


def test_a_draft_wave_is_not_public_even_on_its_thank_you_page(client, make_wave) -> None:
    make_wave(slug="hemlig-utkast", status=SurveyStatus.DRAFT)
    assert client.get("/enkat/hemlig-utkast").status_code == 404
    assert client.get("/enkat/hemlig-utkast/tack").status_code == 404
