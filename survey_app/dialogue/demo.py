"""A demo safety walk and a dialogue with children, so `trygg demo` shows the dialogue log too.

Call `load_demo_dialogues(session, facilitator=..., areas=...)` from the demo loader; it flushes and does nothing
when dialogues already exist.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey_app.dialogue import commands, queries
from survey_app.models import Area, Dialogue, StaffUser

WALK_OBSERVATIONS = (
    ("Gångtunneln under järnvägen är mörk, man ser inte vem som kommer.", "unsafe_place", "lighting",
     "Gångtunneln vid stationen", "Byt till starkare armaturer och måla väggarna ljusa.", "municipality"),
    ("Buskarna vid lekplatsen skymmer sikten från gångvägen.", "unsafe_place", "vegetation", "Lekparken",
     "Klipp ner buskarna till en meters höjd.", "property_owner"),
    ("Mycket skräp och klotter vid återvinningsstationen.", "problem", "graffiti", "Återvinningsstationen",
     "Tätare tömning och sanering inom ett dygn.", "municipality"),
    ("Mopeder kör fort på cykelvägen på kvällarna.", "problem", "traffic", "Cykelvägen längs ån",
     "Fartgupp och fler kontroller.", "police"),
    ("Torget känns tryggt när caféet har öppet.", "safe_place", None, "Torget", None, None),
)


def load_demo_dialogues(session: Session, *, facilitator: StaffUser, areas: Sequence[Area],
                        today: dt.date | None = None) -> int:
    """Record a demo safety walk and a dialogue with young people; returns how many dialogues were added."""
    if session.scalar(select(func.count()).select_from(Dialogue)) or not areas:
        return 0
    commands.seed_default_focus_areas(session)
    focus = {f.code: f.id for f in queries.focus_areas(session)}
    today = today or dt.date.today()
    walk_day = today - dt.timedelta(days=21)
    walk = commands.create_dialogue(session, commands.DialogueInput(
        format="safety_walk", held_on=walk_day, area_id=areas[0].id, place="Samling vid biblioteket",
        participation_level=2, time_of_day="dark", pre_meeting_on=walk_day - dt.timedelta(days=14),
        follow_up_on=walk_day + dt.timedelta(days=21), partners=("municipality", "police", "housing_company"),
        focus_area_ids=(focus["public_violence"], focus["vandalism_graffiti"]), languages="svenska, arabiska",
        interpreting=True,
        tallies={("woman", "25-44"): 5, ("woman", "45-64"): 3, ("man", "45-64"): 4, ("man", "65-74"): 2,
                 ("woman", "16-17"): 2, ("other_unknown", "unknown"): 1},
        notes="Vi gick i två grupper en kväll i oktober. Belysningen var den största frågan.",
    ), actor=facilitator)
    for text, kind, category, place, measure, responsible in WALK_OBSERVATIONS:
        commands.add_observation(session, walk, commands.ObservationInput(
            text=text, kind=kind, category=category, place_name=place, proposed_measure=measure,
            responsible=responsible, from_children=kind == "unsafe_place" and category == "vegetation",
        ), actor=facilitator)
    commands.change_status(session, walk.observations[0], "in_progress", reason="Beställt av gatuenheten",
                           actor=facilitator)
    youth = commands.create_dialogue(session, commands.DialogueInput(
        format="children_youth_dialogue", held_on=today - dt.timedelta(days=40), area_id=areas[-1].id,
        place="Fritidsgården", participation_level=3, partners=("municipality", "associations"),
        focus_area_ids=(focus["andt"],), tallies={("woman", "12-15"): 7, ("man", "12-15"): 6, ("man", "16-17"): 3},
    ), actor=facilitator)
    commands.add_observation(session, youth, commands.ObservationInput(
        text="Vi vill ha fler ställen att vara på efter klockan 21.", kind="suggestion", from_children=True,
        focus_area_ids=(focus["andt"],),
    ), actor=facilitator)
    return 2
