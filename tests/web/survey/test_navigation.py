"""Getting around the flow: "Ändra" from the summary, the progress count, an empty submission, the wrong age."""

from __future__ import annotations

import itertools
import re

from sqlalchemy import func, select

from survey_app.models import Response, SurveyDraft
from tests.factories import YOUTH
from tests.web.survey.resident import first_option

SLUG = "/enkat/trygghet-2026"


def _progress(html: str) -> tuple[int, int]:
    found = re.search(r'id="progress-text">Sida (\d+) av (\d+)<', html)
    assert found, html[:2000]
    return int(found.group(1)), int(found.group(2))


def _to_summary(walker) -> str:
    walker.start()
    walker.post_page(f"{SLUG}/sida/1", {"q_unsafe_evening": "fairly_safe"})
    return walker.client.get(f"{SLUG}/sammanfattning").get_data(as_text=True)


def test_change_from_the_summary_returns_to_the_summary(make_wave, resident) -> None:
    make_wave()
    walker = resident()
    summary = _to_summary(walker)
    change = re.search(r'href="(/enkat/trygghet-2026/sida/2\?till=sammanfattning)"', summary)
    assert change, "the summary's change link says where to return"
    page = walker.client.get(change.group(1)).get_data(as_text=True)
    assert 'name="till" value="sammanfattning"' in page
    assert "Tillbaka till sammanfattningen" in page
    response = walker.client.post(f"{SLUG}/sida/2", data={"csrf_token": walker.token, "action": "next",
                                                          "till": "sammanfattning", "q_changed_route": "never"})
    assert response.status_code == 302
    assert response.location.endswith("/sammanfattning")  # not page 3, 4, ... 13 again
    assert "Aldrig" in walker.client.get(response.location).get_data(as_text=True)


def test_a_change_that_opens_questions_walks_them_then_returns(make_wave, resident) -> None:
    make_wave()
    walker = resident()
    _to_summary(walker)
    victims = {"csrf_token": walker.token, "action": "next", "till": "sammanfattning",
               "q_victim_assault": "yes", "q_victim_robbery": "yes"}
    response = walker.client.post(f"{SLUG}/sida/6", data=victims)
    assert response.status_code == 302
    assert "/sida/8?" in response.location
    assert "till=sammanfattning" in response.location
    page = walker.client.get(response.location).get_data(as_text=True)
    assert 'name="q_reported_assault"' in page
    assert 'name="q_reported_robbery"' in page
    response = walker.client.post(f"{SLUG}/sida/8", data={"csrf_token": walker.token, "action": "next",
                                                          "till": "sammanfattning", "q_reported_assault": "no"})
    assert response.location.endswith("/sammanfattning")


def test_without_the_summary_the_flow_goes_on_to_the_next_page(make_wave, resident) -> None:
    make_wave()
    walker = resident()
    walker.start()
    assert walker.post_page(f"{SLUG}/sida/2", {"q_changed_route": "never"}).location.endswith("/sida/3")


def test_the_progress_total_never_grows_as_the_resident_goes_on(make_wave, resident) -> None:
    """Answering yes to victimisation and naming an unsafe place opens pages: the count must already include them."""
    make_wave()
    walker = resident()
    counts = []
    original = walker.fields_on

    def recording(path: str):
        html, fields = original(path)
        counts.append(_progress(html))
        return html, fields

    walker.fields_on = recording  # type: ignore[method-assign]
    walker.complete(first_option)  # the first option of victim_* is "yes", so pages 8 and 11 open on the way
    positions, totals = [p for p, _ in counts], [t for _, t in counts]
    assert positions == list(range(1, len(counts) + 1))
    assert all(later <= earlier for earlier, later in itertools.pairwise(totals)), totals
    assert totals[-1] == len(counts) == 13  # every page, the opened ones included, and the last says so


def test_the_progress_total_shrinks_when_answers_rule_pages_out(make_wave, resident) -> None:
    make_wave()
    walker = resident()
    walker.start()
    first, _ = walker.fields_on(f"{SLUG}/sida/1")
    assert _progress(first) == (1, 13)  # the pages skip logic may still open are counted from the start
    walker.post_page(f"{SLUG}/sida/6", {f"q_victim_{c}": "no" for c in ("assault", "threat", "robbery", "sexual",
                                                                        "online_fraud")})
    household = {f"q_victim_{c}": "no" for c in ("burglary", "vandalism", "bicycle_theft", "vehicle_theft")}
    walker.post_page(f"{SLUG}/sida/7", household)
    trust, _ = walker.fields_on(f"{SLUG}/sida/9")
    assert _progress(trust) == (8, 12)  # "reported?" has nothing to ask; the second-places page may still open


def test_sending_without_any_answer_stores_nothing_and_says_so(make_wave, resident, db_session) -> None:
    make_wave()
    walker = resident()
    walker.start()
    walker.post_page(f"{SLUG}/sida/1", {})
    summary = walker.client.get(f"{SLUG}/sammanfattning").get_data(as_text=True)
    assert "Du har inte svarat på någon fråga ännu" in summary
    assert "Skicka mina svar" not in summary  # nothing to send: no button
    response = walker.send()
    assert response.status_code == 400
    assert "Ingenting har sparats" in response.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.scalar(select(func.count()).select_from(Response)) == 0
    draft = db_session.scalars(select(SurveyDraft)).one()
    assert draft.submitted is False  # the resident can still answer and send
    walker.post_page(f"{SLUG}/sida/1", {"q_unsafe_evening": "very_safe"})
    assert walker.send().location.endswith("/tack")


def _youth_walker_at_age_page(resident, slug: str):
    walker = resident(slug)
    first = walker.start().location
    _, fields = walker.fields_on(first)
    assert "q_age" in fields
    return walker, first


def test_someone_too_old_for_the_youth_survey_is_pointed_to_the_open_adult_one(make_wave, resident) -> None:
    make_wave(YOUTH, slug="unga-2026")
    make_wave(slug="vuxna-2026")
    walker, age_page = _youth_walker_at_age_page(resident, "unga-2026")
    html = walker.post_page(age_page, {"q_age": "22"}).get_data(as_text=True)
    assert "Det finns en enkät för dig" in html
    assert 'href="/enkat/vuxna-2026?lang=sv"' in html or 'href="/enkat/vuxna-2026"' in html
    assert "/enkat/unga-2026" not in html.split("Det finns en enkät för dig")[1]


def test_no_survey_is_offered_when_none_fits_the_age(make_wave, resident) -> None:
    make_wave(YOUTH, slug="unga-2026")
    make_wave(slug="vuxna-2026")
    walker, age_page = _youth_walker_at_age_page(resident, "unga-2026")
    html = walker.post_page(age_page, {"q_age": "10"}).get_data(as_text=True)  # too young for both
    assert "12–17 år" in html
    assert "Det finns en enkät för dig" not in html


def test_a_hidden_page_on_the_way_back_to_the_summary_keeps_the_way_back(make_wave, resident) -> None:
    """A stale link (the back button, say) to a page that skip logic now hides, on the way back to the summary: the
    walk goes on to the next page still to visit, or to the summary, never through every later page."""
    make_wave()
    walker = resident()
    _to_summary(walker)  # no victimisation answered: page 8 (reporting the crimes) is hidden
    hidden = walker.client.get(f"{SLUG}/sida/8?till=sammanfattning")
    assert hidden.status_code == 302
    assert hidden.location.endswith("/sammanfattning")
    onwards = walker.client.get(f"{SLUG}/sida/8?till=sammanfattning&sedan=9")  # page 10 still to visit
    assert onwards.status_code == 302
    assert "/sida/10?" in onwards.location
    assert "till=sammanfattning" in onwards.location
    plain = walker.client.get(f"{SLUG}/sida/8")  # not from the summary: on to the next page, as before
    assert plain.location.endswith("/sida/9")
