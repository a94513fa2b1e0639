"""What the anomaly view shows about a wave's responses: sends per day and per hour, identical answer patterns and
straight-lining in grids. Figures only; the analysts' exclusions are `exclusions.py`.

Every figure is read from what anonymity allows (DESIGN.md, the holding pool): a response's day, the counts of sends
per hour (`hourly.py`), and the responses' analysis codes (`codes.py`). Identical patterns are responses whose codes
are equal, which within one wave means equal values in every analysis column (background and every coded or number
item; free text and multiple choice are not analysis columns).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analysis.instrument import Instrument
from survey_app.models import HeldResponse, Response, Survey
from survey_app.survey import exclusions, hourly
from survey_app.survey.codes import Codebook, load_codebook

BURST_FACTOR = 4  # an hour with at least this many times the wave's median hour ...
BURST_MINIMUM = 20  # ... and at least this many sends is marked
MIN_GRID_ROWS = 3  # straight-lining means something only over several items
PATTERNS_SHOWN = 20


@dataclass(frozen=True, slots=True)
class Day:
    day: dt.date
    stored: int
    excluded: int
    held: int
    sent: int  # counted per hour (web sends only; paper and imports have no hour)


@dataclass(frozen=True, slots=True)
class Hour:
    start: dt.datetime  # UTC
    sends: int
    burst: bool


def days(session: Session, survey: Survey) -> list[Day]:
    stored = dict(session.execute(select(Response.submitted_on, func.count()).where(Response.survey_id == survey.id)
                                  .group_by(Response.submitted_on)).tuples().all())
    excluded: dict[dt.date, int] = {}
    condition = exclusions.excluded_condition(session, survey.id)
    if condition is not None:
        excluded = dict(session.execute(select(Response.submitted_on, func.count())
                                        .where(Response.survey_id == survey.id, condition)
                                        .group_by(Response.submitted_on)).tuples().all())
    held = dict(session.execute(select(HeldResponse.received_on, func.count())
                                .where(HeldResponse.survey_id == survey.id)
                                .group_by(HeldResponse.received_on)).tuples().all())
    sent: dict[dt.date, int] = {}
    for start, sends in hourly.hourly_sends(session, survey):
        sent[start.date()] = sent.get(start.date(), 0) + sends
    every = sorted(set(stored) | set(held) | set(sent))
    return [Day(d, stored.get(d, 0), excluded.get(d, 0), held.get(d, 0), sent.get(d, 0)) for d in every]


def hours(session: Session, survey: Survey, day: dt.date | None = None) -> list[Hour]:
    """The wave's hours with sends (those of `day`, a UTC date, when given), each marked when it is a burst: at least
    BURST_FACTOR times the median of the wave's hours with sends, and at least BURST_MINIMUM sends."""
    counted = hourly.hourly_sends(session, survey)
    if not counted:
        return []
    threshold = max(BURST_MINIMUM, BURST_FACTOR * statistics.median(sends for _, sends in counted))
    return [Hour(start, sends, sends >= threshold) for start, sends in counted if day is None or start.date() == day]


@dataclass(frozen=True, slots=True)
class Pattern:
    key: str  # the codes in hex: what the exclusion form sends back
    count: int
    excluded: int
    first_day: dt.date
    last_day: dt.date
    values: Mapping[str, str]

    @property
    def answered(self) -> int:
        return sum(1 for column, value in self.values.items() if value and column not in ("area", "gender",
                                                                                           "age_band"))


def identical_patterns(session: Session, survey: Survey, instrument: Instrument, *, limit: int = PATTERNS_SHOWN
                       ) -> list[Pattern]:
    """The answer patterns that two or more responses share, most frequent first."""
    codebook = load_codebook(session, survey, instrument)
    if not codebook.stored:
        return []
    found = session.execute(
        select(Response.codes, func.count(), func.min(Response.submitted_on), func.max(Response.submitted_on))
        .where(Response.survey_id == survey.id, Response.codes.is_not(None))
        .group_by(Response.codes).having(func.count() > 1).order_by(func.count().desc()).limit(limit)).all()
    excluded: dict[bytes, int] = {}
    condition = exclusions.excluded_condition(session, survey.id)
    if condition is not None and found:
        excluded = {bytes(c or b""): n for c, n in session.execute(
            select(Response.codes, func.count())
            .where(Response.survey_id == survey.id, Response.codes.in_([r[0] for r in found]), condition)
            .group_by(Response.codes)).tuples()}
    patterns = []
    for codes, count, first, last in found:
        codes = bytes(codes)
        try:
            values = codebook.values(codes)
        except (IndexError, ValueError):  # codes of another layout (verify-store repairs them): not comparable
            continue
        patterns.append(Pattern(codes.hex(), int(count), excluded.get(codes, 0), first, last, values))
    return patterns


def pattern_from_key(session: Session, survey: Survey, instrument: Instrument, key: str) -> dict[str, str] | None:
    """The values of the pattern whose codes are `key` (hex), or None when it is not a pattern of this wave."""
    codebook = load_codebook(session, survey, instrument)
    try:
        codes = bytes.fromhex(key)
        return codebook.values(codes) if codebook.stored else None
    except (ValueError, IndexError, TypeError):
        return None


@dataclass(frozen=True, slots=True)
class Straightlining:
    grid: str
    rows: int
    answered_all: int  # responses that answered every row of the grid
    same_answer: int  # ... with the same option on every row


def straightlining(session: Session, survey: Survey, instrument: Instrument) -> list[Straightlining]:
    """Per grid of at least MIN_GRID_ROWS rows: how many responses gave one and the same answer on every row."""
    codebook = load_codebook(session, survey, instrument)
    grids = _grids(instrument, codebook)
    blobs = [b for b in session.execute(select(Response.codes).where(Response.survey_id == survey.id)).scalars()
             if b is not None]
    try:
        matrix = codebook.decode(blobs) if blobs and codebook.stored else None
    except ValueError:
        matrix = None
    found = []
    for grid, columns in grids:
        if len(columns) < MIN_GRID_ROWS:
            continue
        if matrix is None:
            found.append(Straightlining(grid, len(columns), 0, 0))
            continue
        labels = np.column_stack([_labels_of(codebook, column, matrix[:, codebook.columns.index(column)])
                                  for column in columns])
        answered = (labels != "").all(axis=1)
        same = answered & (labels == labels[:, :1]).all(axis=1)
        found.append(Straightlining(grid, len(columns), int(answered.sum()), int(same.sum())))
    return found


def _grids(instrument: Instrument, codebook: Codebook) -> list[tuple[str, list[str]]]:
    grids: dict[str, list[str]] = {}
    for item in instrument.questions:
        if item.grid is not None and item.code in codebook.columns:
            grids.setdefault(item.grid, []).append(item.code)
    return list(grids.items())


def _labels_of(codebook: Codebook, column: str, codes: np.ndarray) -> np.ndarray:
    return np.array(["", *codebook.labels[column]], dtype=object)[codes]
