"""The places residents name as unsafe in the survey, coded into the walk observation categories (STANDARDS §4).

A questionnaire asks up to three times for an unsafe place: its area (``unsafe_place_area_N``) and a description
(``unsafe_place_text_N``). Each place answered is one place. An analyst codes the described ones on a staff page,
where the category the description's words suggest is pre-selected (:func:`suggest`) and has to be confirmed; the
coding is stored (``UnsafePlaceCoding``) and audited. The lägesbild then counts places by area and category
(:func:`place_counts`): numbers only, never a description, so nothing of the free text reaches a saved version,
a PDF, a workbook or a public page.

The descriptions were masked when they were stored (survey_app/pii.py); they are masked again as they are read,
as the microdata export does, so a rule added later also covers older answers.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import uuid
from collections import Counter, OrderedDict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey_app import audit
from survey_app.models import Answer, Area, ObservationCategory, Response, StaffUser, Survey, UnsafePlaceCoding
from survey_app.pii import mask_personal_data
from survey_app.survey.codes import count_responses, data_version

PLACES = (1, 2, 3)
AREA_ITEM, TEXT_ITEM = "unsafe_place_area_{}", "unsafe_place_text_{}"
CATEGORIES = tuple(category.value for category in ObservationCategory)
# Word beginnings per category, Swedish first (the questionnaires' language) and English; matched at the start of a
# word or inside a compound ("gatubelysning", "nedskräpat"). A description gets the category with the most hits,
# the earlier category on a tie; none: no suggestion, the analyst chooses.
KEYWORDS: dict[str, tuple[str, ...]] = {
    "lighting": ("belysning", "belyst", "mörk", "lamp", "ljus", "gatljus", "upplyst", "light", "dark"),
    "vegetation": ("busk", "buske", "vegetation", "igenvux", "träd", "häck", "sly", "skymd", "sikt", "bush",
                   "hedge", "overgrown"),
    "litter": ("skräp", "nedskräp", "sopor", "soptunn", "smuts", "litter", "rubbish", "trash"),
    "graffiti": ("klotter", "klottr", "graffiti", "tagg"),
    "vandalism": ("skadegör", "vandal", "krossad", "trasig", "sönder", "förstörd", "broken"),
    "traffic": ("trafik", "bilar", "bilen", "bilist", "fortkör", "hastighet", "moped", "epa", "övergångsställe",
                "korsning", "traffic", "speed"),
    "disorder": ("stök", "bråk", "fylle", "berus", "knark", "narkotika", "droger", "langning", "gäng", "hotfull",
                 "hotad", "hotat", "rån", "drunk", "drug", "gang", "fight"),
}
_WORDS = re.compile(r"\w+")
_COMPOUND_ONLY = 4  # a keyword this long or longer also counts inside a compound word ("gatubelysning")


def suggest(text: str) -> str | None:
    """The category the description's words point to, or None when no keyword matches."""
    hits: Counter[str] = Counter()
    for word in _WORDS.findall(text.casefold()):
        for category, stems in KEYWORDS.items():
            if any(word.startswith(stem) or (len(stem) >= _COMPOUND_ONLY and stem in word) for stem in stems):
                hits[category] += 1
    if not hits:
        return None
    best = max(hits.values())
    return next(category for category in KEYWORDS if hits[category] == best)


@dataclass(frozen=True, slots=True)
class Place:
    response_id: uuid.UUID
    place: int
    area_code: str | None  # the place's area as answered; None: not given
    described: bool  # the respondent described it (an area alone is counted, not coded)
    text: str  # the masked description ("" when not described, or not read: see places_of)
    category: str | None  # as coded; None: not coded yet
    suggested: str | None

    @property
    def key(self) -> str:
        return f"{self.response_id}-{self.place}"


# What counting needs of a wave's places (never a description), kept per process by the wave's data version, which
# rises with every stored or removed response and when retention removes free text (survey_app/retention.py).
_KEPT = 16
_lock = threading.Lock()
_kept: OrderedDict[Hashable, tuple[tuple[uuid.UUID, int, str | None, bool], ...]] = OrderedDict()


def _answers(session: Session, waves: Sequence[Survey]) -> dict[tuple[uuid.UUID, int], dict[str, str]]:
    items = {AREA_ITEM.format(n): n for n in PLACES} | {TEXT_ITEM.format(n): n for n in PLACES}
    rows = session.execute(
        select(Answer.response_id, Answer.item_code, Answer.value_code, Answer.value_text)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.survey_id.in_([wave.id for wave in waves]), Answer.item_code.in_(list(items))))
    found: dict[tuple[uuid.UUID, int], dict[str, str]] = {}
    for response_id, item_code, code, text in rows:
        place = found.setdefault((response_id, items[item_code]), {})
        if item_code.startswith("unsafe_place_area_"):
            place["area"] = code or ""
        elif text and text.strip():
            place["text"] = text
    return found


def _counted(session: Session, wave: Survey) -> tuple[tuple[uuid.UUID, int, str | None, bool], ...]:
    key = (wave.id, wave.slug, wave.created_at, data_version(session, wave), count_responses(session, wave))
    with _lock:
        found = _kept.get(key)
    if found is None:
        found = tuple((response_id, number, answer.get("area") or None, bool(answer.get("text")))
                      for (response_id, number), answer in _answers(session, [wave]).items())
        with _lock:
            _kept[key] = found
            while len(_kept) > _KEPT:
                _kept.popitem(last=False)
    return found


def places_of(session: Session, waves: Sequence[Survey], *, area_code: str | None = None,
              with_text: bool = False, read: bool = True) -> list[Place]:
    """Every place named in the waves (in the area, when given), in a stable order; `with_text`: described ones
    only; `read=False`: without the descriptions (masked) and suggestions, which counting needs neither of."""
    if not waves:
        return []
    rows: list[tuple[uuid.UUID, int, str | None, str | None]]
    if read:
        rows = [(response_id, number, answer.get("area") or None, answer.get("text", ""))
                for (response_id, number), answer in _answers(session, waves).items()]
    else:
        rows = [(response_id, number, area, "" if described else None) for wave in waves
                for response_id, number, area, described in _counted(session, wave)]
    codings = {(c.response_id, c.place): c for c in session.scalars(
        select(UnsafePlaceCoding).join(Response, Response.id == UnsafePlaceCoding.response_id)
        .where(Response.survey_id.in_([wave.id for wave in waves])))}
    places = []
    for response_id, number, area, text in sorted(rows, key=lambda row: (str(row[0]), row[1])):
        if area_code is not None and area != area_code:
            continue
        described = text is not None and (not read or bool(text))
        if with_text and not described:
            continue
        shown = mask_personal_data(text) if read and text else ""
        coding = codings.get((response_id, number))
        places.append(Place(response_id, number, area, described, shown, str(coding.category) if coding else None,
                            suggest(shown) if shown else None))
    return places


def place_counts(session: Session, waves: Sequence[Survey], area: Area | None,
                 areas: Sequence[Area] = ()) -> dict[str, Any]:
    """What the lägesbild shows: places by category for the area (or every place, for the municipality), the ones not
    coded yet and the ones without a description; for the municipality also per area. Counts only."""
    places = places_of(session, waves, area_code=area.code if area else None, read=False)

    def count(chosen: Sequence[Place]) -> dict[str, Any]:
        categories = Counter(place.category for place in chosen if place.category)
        return {"places": len(chosen),
                "by_category": [[category, categories[category]] for category in CATEGORIES if categories[category]],
                "uncoded": sum(1 for place in chosen if place.described and place.category is None),
                # a coded place whose description retention has since removed still counts in its category
                "without_text": sum(1 for place in chosen if not place.described and place.category is None)}

    counts = count(places)
    counts["by_area"] = [] if area is not None else [
        {"code": each.code, "name": each.name, **count([p for p in places if p.area_code == each.code])}
        for each in areas]
    return counts


def save_codings(session: Session, waves: Sequence[Survey], chosen: dict[str, str], *, actor: StaffUser,
                 now: dt.datetime) -> int:
    """Store the analyst's categories ({place key: category}), audited one event per place that changed; keys of
    places not in the waves, and unknown categories, are ignored. Returns how many changed."""
    places = {place.key: place for place in places_of(session, waves, with_text=True)}
    existing = {(c.response_id, c.place): c for c in session.scalars(
        select(UnsafePlaceCoding).join(Response, Response.id == UnsafePlaceCoding.response_id)
        .where(Response.survey_id.in_([wave.id for wave in waves])))}
    changed = 0
    for key, category in chosen.items():
        place = places.get(key)
        if place is None or category not in CATEGORIES or category == place.category:
            continue
        coding = existing.get((place.response_id, place.place))
        if coding is None:
            coding = UnsafePlaceCoding(response_id=place.response_id, place=place.place)
            session.add(coding)
        coding.category = ObservationCategory(category)
        coding.suggested = ObservationCategory(place.suggested) if place.suggested else None
        coding.coded_by, coding.coded_at = actor.email, now
        session.flush()
        audit.record(session, actor=actor, action="unsafe_place.code", target_type="unsafe_place_coding",
                     target_id=coding.id, details={"place": place.place, "area": place.area_code or "",
                                                   "before": place.category, "after": category,
                                                   "suggested": place.suggested})
        changed += 1
    return changed
