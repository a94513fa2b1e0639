"""Survey waves with synthetic responses for the results pages, and a reader of the tables a page shows.

The waves use the adult questionnaire with a few of its measures (a test version of it), so that every page's
analysis, wave-wide suppression included, runs in a second or two.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.instrument import default_directory
from survey_app.demo import EXAMPLE_CUTPOINTS, _demo_areas, _synthetic_response
from survey_app.insights.services import set_cutpoints
from survey_app.models import Area, Survey, SurveyStatus
from survey_app.survey.questionnaires import instrument_of, load_questionnaire
from survey_app.survey.responses import store_responses
from survey_app.survey.waves import create_wave

MEASURES = ("share_unsafe", "share_problem_litter", "share_trust_police", "rate_victim_assault")
NOW_SLUG, EARLIER_SLUG = "trygghet-2026", "trygghet-2025"


def small_questionnaire(tmp_path: Path) -> Path:
    spec = yaml.safe_load((default_directory() / "trygghetsenkat-v1.yaml").read_text(encoding="utf-8"))
    spec["version"] = "1-test"
    spec["measures"] = [m for m in spec["measures"] if m["name"] in MEASURES]
    path = tmp_path / "trygghetsenkat-test.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@dataclass(frozen=True)
class Waves:
    now: str
    earlier: str


def make_result_waves(session: Session, tmp_path: Path, *, responses: int = 700, earlier: bool = True,
                      cutpoints: bool = True, seed: int = 7) -> Waves:
    """The demo's areas and population, a wave now and (optionally) a closed one a year earlier; commits."""
    areas = list(session.scalars(select(Area).order_by(Area.code))) or _demo_areas(session)
    questionnaire, _ = load_questionnaire(session, small_questionnaire(tmp_path))
    instrument = instrument_of(questionnaire)
    rng = np.random.default_rng(seed)
    today = dt.date.today()
    for slug, title, day, status, shift, wanted in (
        (NOW_SLUG, "Trygghetsenkät 2026", today, SurveyStatus.OPEN, 0.0, True),
        (EARLIER_SLUG, "Trygghetsenkät 2025", today - dt.timedelta(days=365), SurveyStatus.CLOSED, 0.5, earlier),
    ):
        if not wanted:
            continue
        survey = create_wave(session, questionnaire=questionnaire, slug=slug, title=title,
                             period_start=day - dt.timedelta(days=20), period_end=day + dt.timedelta(days=10),
                             areas=areas, languages=("sv", "en"), status=status, actor=None)
        store_responses(session, survey, instrument,
                        [_synthetic_response(instrument, areas, rng, survey.period_start, day, shift=shift)
                         for _ in range(responses)])
    if cutpoints:
        set_cutpoints(session, "share_unsafe", EXAMPLE_CUTPOINTS, actor=None, example=True, actor_label="test")
    session.commit()
    return Waves(NOW_SLUG, EARLIER_SLUG)


def survey_by_slug(session: Session, slug: str) -> Survey:
    return session.scalars(select(Survey).where(Survey.slug == slug)).one()


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table: list[list[str]] | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._table = self.tables.setdefault(dict(attrs).get("id") or f"table{len(self.tables)}", [])
        elif tag == "tr" and self._table is not None:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row.append(re.sub(r"[ \t\r\n]+", " ", "".join(self._cell)).strip(" "))
            self._cell = None
        elif tag == "tr" and self._table is not None and self._row is not None:
            self._table.append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def tables(html: str) -> dict[str, list[list[str]]]:
    """Every table of a page by its id: rows of cell texts (header rows included), whitespace collapsed."""
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def row_named(table: list[list[str]], *names: str) -> list[str]:
    """The row whose first cells are `names`."""
    for row in table:
        if row[: len(names)] == list(names):
            return row
    raise AssertionError(f"no row {names} in {table}")
