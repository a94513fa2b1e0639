"""Medborgarlöften: the Karlskoga promises of the demo with their four kinds of indicator, a logged trygghetsdialog
that moves promise 4 at once, the follow-up by the promise's owner, and tertialrapporter that never change once
published."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from survey_app.indicators.demo import load_demo_indicators
from survey_app.indicators.periods import tertial_of
from survey_app.models import Area, AuditEvent, Promise, PromiseIndicator, PromiseIndicatorKind, TertialReport
from survey_app.promises.demo import load_demo_promises
from tests.factories import add_responses, make_area, make_dialogue, make_staff
from tests.web.client import log_in, token

TODAY = dt.date.today()
TERTIAL = tertial_of(TODAY)


@pytest.fixture
def demo(staff_db):
    owner = make_staff(staff_db, "facilitator", email="agare@kommun.se")
    make_staff(staff_db, "facilitator", email="annan@kommun.se")
    make_staff(staff_db, "analyst", email="an@kommun.se")
    areas = [make_area(staff_db, "Norrby", code="norrby"), make_area(staff_db, "Söderby", code="soderby")]
    load_demo_indicators(staff_db, areas=areas, today=TODAY)
    load_demo_promises(staff_db, today=TODAY, owner=owner)
    staff_db.commit()
    return {promise.number: promise.id for promise in staff_db.scalars(select(Promise))}


def _row_cells(page: str, label: str) -> list[str]:
    row = re.search(r"<tr>\s*<th scope=\"row\">" + re.escape(label) + r".*?</tr>", page, re.S)
    assert row, f"no row {label!r}"
    return [re.sub(r"<[^>]+>", " ", cell).split()[0] if cell.strip() else "" for cell in
            re.findall(r"<td class=\"num\">(.*?)</td>", row.group(0), re.S)]


def _report_body(page: str) -> str:
    """The report from its heading to the publish form (the menu's logout form carries a fresh CSRF token)."""
    return page.split("<h1>", 1)[1].split('<form method="post" action=', 1)[0]


def test_the_demo_has_the_four_karlskoga_promises_with_all_four_indicator_kinds(staff_db, demo) -> None:
    promises = staff_db.scalars(select(Promise).order_by(Promise.number)).all()
    assert [p.number for p in promises] == [1, 2, 3, 4]
    kinds = {p.number: [str(i.kind) for i in p.indicators] for p in promises}
    assert kinds[1] == ["narrative"]
    assert kinds[2] == ["computed_count"] * 3
    assert kinds[3] == ["entered_count"] * 8 + ["computed_measure"]
    assert kinds[4] == ["computed_count"]
    assert promises[2].indicators[0].label == "Antal LOB, särskild uppföljning unga under 18 (20) år"
    staff_db.rollback()


def test_logging_a_trygghetsdialog_moves_promise_4_at_once(app, client, staff_db, demo) -> None:
    log_in(client, "agare@kommun.se")
    before = _row_cells(client.get(f"/loften/{demo[4]}").get_data(as_text=True), "Antal genomförda trygghetsdialoger")
    owner = staff_db.scalars(select(Area)).first()
    make_dialogue(staff_db, make_staff(staff_db, "facilitator"), area=owner, held_on=TODAY,
                  format="safety_dialogue", observations=0)
    make_dialogue(staff_db, make_staff(staff_db, "facilitator"), area=owner, held_on=TODAY, format="safety_walk")
    staff_db.commit()
    after = _row_cells(client.get(f"/loften/{demo[4]}").get_data(as_text=True), "Antal genomförda trygghetsdialoger")
    assert (before[0], after[0]) == ("0", "1")  # the walk is not a dialogue
    walks = _row_cells(client.get(f"/loften/{demo[2]}").get_data(as_text=True),
                       "Antal genomförda inventeringar av den fysiska miljön")
    assert walks[0] == "1"


def test_entered_counts_show_the_tertial_the_two_before_and_a_year_earlier_with_sub_series(
        client, staff_db, demo) -> None:
    from survey_app.models import IndicatorValue

    log_in(client, "an@kommun.se")
    previous = TERTIAL.previous()
    page = client.get(f"/loften/{demo[3]}?tertial={previous.code}").get_data(as_text=True)
    stored = {(v.period, v.subseries): v.value for v in staff_db.scalars(select(IndicatorValue).join(
        PromiseIndicator, PromiseIndicator.indicator_id == IndicatorValue.indicator_id).where(
        PromiseIndicator.label == "Antal LOB, särskild uppföljning unga under 18 (20) år"))}
    staff_db.rollback()
    cells = _row_cells(page, "Antal LOB, särskild uppföljning unga under 18 (20) år")
    periods = [previous, previous.previous(1), previous.previous(2), previous.same_period_last_year()]
    expected = [str(int(stored[(p.code, "")])) if (p.code, "") in stored else "inget" for p in periods]
    assert cells == expected
    assert f"under 18 {int(stored[(previous.code, 'under 18')])}" in page


def test_a_survey_measure_comes_from_the_wave_of_the_period(client, staff_db, make_wave) -> None:
    make_staff(staff_db, "analyst", email="an@kommun.se")
    staff_db.commit()
    wave = make_wave()
    add_responses(staff_db, wave, count=60)  # a third answer "fairly unsafe", women and men alike
    promise = Promise(number=9, title="Öka tryggheten", party="joint", starts_on=TODAY, indicators=[
        PromiseIndicator(kind=PromiseIndicatorKind.COMPUTED_MEASURE, label="Andel otrygga",
                         settings={"measure": "share_unsafe", "area": ""})])
    staff_db.add(promise)
    staff_db.commit()
    log_in(client, "an@kommun.se")
    page = client.get(f"/loften/{promise.id}").get_data(as_text=True)
    assert _row_cells(page, "Andel otrygga")[0] == "33,3"  # 20 of 60, unweighted (no population figures)
    assert "kvinnor 33,3" in page
    assert "n = 60" in page


def test_only_the_owner_analysts_and_admins_follow_a_promise_up(app, client, staff_db, demo) -> None:
    path = f"/loften/{demo[4]}/uppfoljning/{TERTIAL.code}"
    other = app.test_client()
    log_in(other, "annan@kommun.se")
    assert other.get(path).status_code == 403
    log_in(client, "agare@kommun.se")
    response = client.post(path, data={"csrf_token": token(client, path), "status": "delayed",
                                       "done_text": "En dialog hölls", "feedback": "Vi har träffat er i Norrby."})
    assert response.status_code == 302
    page = client.get(f"/loften/{demo[4]}").get_data(as_text=True)
    assert "Försenat" in page
    assert "Vi har träffat er i Norrby." in page
    refused = client.post(path, data={"csrf_token": token(client, path), "status": "kanske"})
    assert refused.status_code == 200
    assert "Välj ett av alternativen." in refused.get_data(as_text=True)
    assert staff_db.scalar(select(AuditEvent.details).where(AuditEvent.action == "promise.follow_up"))["tertial"] \
        == TERTIAL.code
    staff_db.rollback()
    assert client.get(f"/loften/{demo[4]}/uppfoljning/2026-T9").status_code == 404


def test_a_published_tertial_report_never_changes_and_a_correction_is_a_new_version(
        app, client, staff_db, demo) -> None:
    log_in(client, "an@kommun.se")
    report = f"/loften/rapport/{TERTIAL.code}"
    publish = f"{report}/publicera"
    assert client.post(publish, data={"csrf_token": token(client, report), "police_area": "LPO Karlskoga",
                                      "coordinators": "Säkerhetssamordnare och kommunpolis"}).status_code == 302
    assert "version 1" in client.get(f"{report}/v1").get_data(as_text=True)  # the flash, shown once
    frozen = _report_body(client.get(f"{report}/v1").get_data(as_text=True))
    assert _row_cells(frozen, "Antal genomförda trygghetsdialoger")[0] == "0"
    assert "LPO Karlskoga" in frozen
    make_dialogue(staff_db, make_staff(staff_db, "facilitator"), area=staff_db.scalars(select(Area)).first(),
                  held_on=TODAY, format="safety_dialogue", observations=0)
    staff_db.commit()
    assert _row_cells(client.get(report).get_data(as_text=True), "Antal genomförda trygghetsdialoger")[0] == "1"
    assert _report_body(client.get(f"{report}/v1").get_data(as_text=True)) == frozen  # the same to the byte
    refused = client.post(publish, data={"csrf_token": token(client, report)})
    assert "Ange vad som har ändrats" in refused.get_data(as_text=True)
    assert client.post(publish, data={"csrf_token": token(client, report),
                                      "change_note": "En dialog i Norrby kom med"}).status_code == 302
    second = client.get(f"{report}/v2").get_data(as_text=True)
    assert _row_cells(second, "Antal genomförda trygghetsdialoger")[0] == "1"
    assert "En dialog i Norrby kom med" in second
    assert [r.version for r in staff_db.scalars(select(TertialReport))] == [1, 2]
    staff_db.rollback()
    facilitator = app.test_client()
    log_in(facilitator, "agare@kommun.se")
    assert facilitator.get(f"{report}/v2").status_code == 200
    assert facilitator.post(publish, data={"csrf_token": token(facilitator, report)}).status_code == 403


def test_the_tertial_report_as_pdf_holds_the_page_s_figures(client, staff_db, demo, tmp_path) -> None:
    import io
    import subprocess

    from pypdf import PdfReader

    log_in(client, "an@kommun.se")
    previous = TERTIAL.previous()
    report = f"/loften/rapport/{previous.code}"
    assert client.post(f"{report}/publicera", data={"csrf_token": token(client, report),
                                                    "police_area": "LPO Karlskoga"}).status_code == 302
    page = client.get(f"{report}/v1").get_data(as_text=True)
    lob = _row_cells(page, "Antal LOB, särskild uppföljning unga under 18 (20) år")
    response = client.get(f"{report}/v1.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert f"Tertialrapport T{previous.number} {previous.year}" in text
    assert "LPO Karlskoga" in text
    assert "Antal LOB, särskild uppföljning unga under 18" in text
    assert f"år (registrerat antal, antal) {lob[0]} under 18" in text  # the page's figure for this tertial
    assert "Metod och källor" in text
    assert "undertryckt" in text  # the symbols' legend
    assert "Sida 2 av" in text
    assert reader.pdf_header.startswith("%PDF-")
    assert "/StructTreeRoot" in str(reader.trailer["/Root"].keys())  # tagged
    (tmp_path / "report.pdf").write_bytes(response.data)
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "3", str(tmp_path / "report.pdf"),
                    str(tmp_path / "page")], check=True)
    assert len(list(tmp_path.glob("page-*.png"))) == 3
    events = staff_db.scalars(select(AuditEvent.details).where(AuditEvent.action == "tertial_report.pdf")).all()
    assert events[-1]["file"] == f"tertialrapport-{previous.code}-v1.pdf"
    staff_db.rollback()
