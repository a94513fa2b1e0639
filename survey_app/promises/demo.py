"""The demo's medborgarlöften: the four Karlskoga 2016 promises of the seed agreement (STANDARDS §5), with their
indicators as the agreement words them, and a follow-up of the tertial before today's."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey_app.models import (
    Indicator,
    Party,
    Promise,
    PromiseActivity,
    PromiseFollowUp,
    PromiseIndicator,
    PromiseIndicatorKind,
    PromiseStatus,
    StaffUser,
)
from survey_app.promises.rhythm import current_period

PROMISE_3_COUNTS = (  # the agreement's wording -> the demo series (survey_app/indicators/demo.py)
    ("Antal LOB, särskild uppföljning unga under 18 (20) år", "lob"),
    ("PL 13 (avvisade, stör ordningen)", "pl13"),
    ("Rapportering av urinering och drickning på allmän plats", "urinering_drickning"),
    ("Antal rapporterade för drograttfylleri", "drograttfylleri"),
    ("Antal rapporterade för rattfylleri", "rattfylleri"),
    ("Antal rapporterade för narkotikabrott, särskild uppföljning unga under 18 (20) år", "narkotikabrott"),
    ("Antal vårderbjudande", "vardererbjudande"),
    ("Antal trafikkontroller", "trafikkontroller"),
)


def load_demo_promises(session: Session, *, today: dt.date, owner: StaffUser | None) -> None:
    starts = dt.date(today.year, 1, 1)
    series = {i.code: i for i in session.scalars(select(Indicator))}
    kind = PromiseIndicatorKind
    one = Promise(
        number=1, party=Party.POLICE, followed_up_by="Polisen", starts_on=starts,
        title="Förbättra dialogen mellan Polis och människor som drabbats av brott. När en förundersökning inletts, "
              "kommer kontakt att tas inom en vecka efter att en utredare tilldelats ärendet.",
        indicators=[PromiseIndicator(position=1, kind=kind.NARRATIVE,
                                     label="Internredovisning inom Karlskogapolisens utredningsavdelning")])
    two = Promise(
        number=2, party=Party.MUNICIPALITY, followed_up_by="Kommunen", starts_on=starts, owner=owner,
        title="Genomföra inventeringar av den fysiska miljön med fokus på parkområden samt gång- och cykelvägar.",
        indicators=[PromiseIndicator(position=1, kind=kind.COMPUTED_COUNT,
                                     label="Antal genomförda inventeringar av den fysiska miljön",
                                     settings={"count": "dialogues", "formats": ["safety_walk"], "areas": []}),
                    PromiseIndicator(position=2, kind=kind.COMPUTED_COUNT, label="Åtgärder genomförda",
                                     settings={"count": "measures_done", "formats": ["safety_walk"], "areas": []}),
                    PromiseIndicator(position=3, kind=kind.COMPUTED_COUNT, label="Åtgärder försenade",
                                     settings={"count": "measures_overdue", "formats": ["safety_walk"],
                                               "areas": []})])
    three = Promise(
        number=3, party=Party.POLICE, followed_up_by="Polisen", starts_on=starts,
        title="Intensifiera arbetet mot ordningsstörningar och missbruk i områden där invånarna känner sig mindre "
              "trygga. …",
        indicators=[
            *(PromiseIndicator(position=position, kind=kind.ENTERED_COUNT, label=label, indicator=series[code])
              for position, (label, code) in enumerate(PROMISE_3_COUNTS, start=1) if code in series),
            PromiseIndicator(position=9, kind=kind.COMPUTED_MEASURE, label="Andel otrygga ute ensam sent en kväll",
                             settings={"measure": "share_unsafe", "area": ""}),
        ])
    four = Promise(
        number=4, party=Party.JOINT, followed_up_by="Gemensamt", starts_on=starts, owner=owner,
        title="Genomföra trygghetsdialoger i samverkan med boende och näringsidkare i kommunens olika områden där "
              "invånarna känner sig mindre trygga. …",
        indicators=[PromiseIndicator(position=1, kind=kind.COMPUTED_COUNT, label="Antal genomförda trygghetsdialoger",
                                     settings={"count": "dialogues", "formats": ["safety_dialogue"], "areas": []})])
    session.add_all([one, two, three, four])
    previous = current_period(today).previous()
    for promise, status, done in (
        (one, PromiseStatus.ON_TRACK, "Kontakt togs inom en vecka i de flesta ärenden."),
        (two, PromiseStatus.PARTLY, "Två inventeringar genomförda; en flyttad till nästa tertial."),
        (three, PromiseStatus.ON_TRACK, "Riktade insatser i centrum fredag och lördag kväll."),
        (four, PromiseStatus.ON_TRACK, "Trygghetsdialoger hölls i två områden."),
    ):
        promise.follow_ups.append(PromiseFollowUp(
            tertial=previous.code, status=status, done_text=done, updated_by="demo",
            narrative="Redovisat internt i utredningsavdelningen." if promise is one else "",
            feedback=done))
    two.activities.append(PromiseActivity(position=1, text="Inventering av gång- och cykelvägar", tertial=previous.code,
                                          party=Party.MUNICIPALITY))
    session.flush()
