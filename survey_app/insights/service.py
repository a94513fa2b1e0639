"""The one path from a wave in the database to :func:`analysis.report.run_analysis`.

Every results page, every export and `trygg analyse --wave` take a wave's data through :func:`wave_input`, so the
web app never re-implements a formula: it builds the same :class:`~analysis.data.Responses` and
:class:`~analysis.data.Population` that the CSV readers build, and calls the same functions.

:func:`wave_input` reads each response's compact copy (``responses.codes``, see :mod:`survey_app.survey.codes`):
one short row per response instead of one row per answer. :func:`analyse_wave` caches finished analyses in the
process, keyed by the wave's data version (raised in the same transaction as every change to its data), its number
of responses, its population table and the options, so a page shows no figure older than the data it reads.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from analysis.data import Column, Population, Responses, population_from_rows
from analysis.instrument import Instrument, MeasureDef
from analysis.normalise import normalise_area, normalise_gender
from analysis.report import AnalysisResult, run_analysis
from survey_app.models import SuppressionPattern, Survey, WaveCodebook
from survey_app.survey import exclusions
from survey_app.survey.codes import Codebook, count_responses, data_version
from survey_app.survey.microdata import analysis_columns, analysis_rows, population_rows
from survey_app.survey.questionnaires import instrument_of


@dataclass(frozen=True, slots=True)
class WaveInput:
    """A wave ready for the analysis. ``responses`` is None while the wave has no responses;
    ``population`` is None when its areas have no population figures."""

    instrument: Instrument
    measures: tuple[MeasureDef, ...]
    responses: Responses | None
    population: Population | None


def wave_input(session: Session, survey: Survey) -> WaveInput:
    """The wave's responses (one row each, in the order of their random keys) and its areas' population.

    Kept in the process by the same key as the analyses (:func:`analyse_wave`), so a page that reads the wave and then
    analyses it reads it once, and an unchanged wave is not read again.
    """
    return _cached_input(session, survey)[1]


def _wave_input(session: Session, survey: Survey, instrument: Instrument, population: Population | None) -> WaveInput:
    columns = _columns_from_codes(session, survey, instrument)
    if columns is None:  # codes missing (stored before migration 0009) or unreadable: the answers, slowly
        columns = _columns_from_answers(session, survey, instrument)
    responses = None
    if columns:  # {} while the wave has no responses
        gender, _, _ = normalise_gender(columns["gender"])
        items = {c: col for c, col in columns.items() if c not in ("area", "gender", "age_band")}
        responses = Responses(area=normalise_area(columns["area"]), gender=gender,
                              age_band=normalise_area(columns["age_band"]), items=items, source=survey.slug)
    measures = tuple(m for m in instrument.measures)
    return WaveInput(instrument=instrument, measures=measures, responses=responses, population=population)


_CODES_QMARK = "SELECT codes FROM responses WHERE survey_id = ? ORDER BY id"  # SQLite
# PostgreSQL joins them on the server: one value over the wire instead of a row (and a Python object) per response
_CODES_JOINED = ("SELECT count(*), count(codes), min(octet_length(codes)), max(octet_length(codes)), "
                 "string_agg(codes, ''::bytea ORDER BY id) FROM responses WHERE survey_id = %s")


@dataclass(frozen=True, slots=True)
class _Codes:
    """A wave's codes joined in the order of the responses' keys; ``joined`` is None when a response has none."""

    count: int
    joined: bytes | None
    width: int | None  # the length of every response's codes, None if they differ


def _joined(blobs: list[bytes | None]) -> _Codes:
    if any(b is None for b in blobs):
        return _Codes(len(blobs), None, None)
    widths = {len(b) for b in blobs if b is not None}
    return _Codes(len(blobs), b"".join(b for b in blobs if b is not None), widths.pop() if len(widths) == 1 else None)


def _read_codes(session: Session, survey: Survey) -> _Codes:
    """The wave's codes in the order of the responses' keys: one range scan of the covering index
    ``ix_responses_survey_id_id_codes``, through the driver's own cursor in the session's transaction (SQLAlchemy's
    row objects cost more than the read itself here; both drivers give ``bytes``)."""
    included = exclusions.included_codes(session, survey)  # an analyst's exclusions (survey/exclusions.py)
    if included is not None:
        return _joined(included)
    connection = session.connection()
    cursor = connection.connection.cursor()
    try:
        if connection.dialect.paramstyle == "qmark":
            cursor.execute(_CODES_QMARK, (survey.id,))
            return _joined([row[0] for row in cursor.fetchall()])
        cursor.execute(_CODES_JOINED, (survey.id,))
        count, present, shortest, longest, joined = cursor.fetchone() or (0, 0, None, None, None)
        return _Codes(int(count), bytes(joined) if present == count and joined is not None else None,
                      int(shortest) if shortest is not None and shortest == longest else None)
    finally:
        cursor.close()


def _columns_from_codes(session: Session, survey: Survey, instrument: Instrument) -> dict[str, Column] | None:
    codes = _read_codes(session, survey)
    if not codes.count:
        return {}
    layout = session.scalar(select(WaveCodebook.layout).where(WaveCodebook.survey_id == survey.id))
    if layout is None or codes.joined is None:
        return None
    try:
        codebook = Codebook.from_layout(layout)
        if codebook.columns != tuple(analysis_columns(instrument)) or codes.width != codebook.width:
            return None
        matrix = codebook.decode_joined(codes.joined, codes.count)
        if any(int(matrix[:, j].max()) > len(codebook.labels[c]) for j, c in enumerate(codebook.columns)):
            return None
    except (KeyError, TypeError, ValueError):
        return None
    return {c: codebook.column(c, matrix[:, j]) for j, c in enumerate(codebook.columns)}


def _columns_from_answers(session: Session, survey: Survey, instrument: Instrument) -> dict[str, Column] | None:
    columns = analysis_columns(instrument)
    rows = list(analysis_rows(session, survey))
    if not rows:
        return None
    raw = Responses.from_columns({c: [r[c] for r in rows] for c in columns}, source=survey.slug)
    return {"area": raw.area, "gender": raw.gender, "age_band": raw.age_band, **raw.items}


def _population(session: Session, survey: Survey) -> Population | None:
    cells = population_rows(session, survey)
    return population_from_rows([{k: str(v) for k, v in r.items()} for r in cells], source=survey.slug) \
        if cells else None


# --- the cache -----------------------------------------------------------------------------------------------------

WEIGHTINGS_WITH_POPULATION = frozenset({"design", "poststrat", "raking"})
_RESULTS_KEPT = 64
_INPUTS_KEPT = 4
_lock = threading.Lock()
_results: OrderedDict[Hashable, AnalysisResult] = OrderedDict()
_inputs: OrderedDict[Hashable, WaveInput] = OrderedDict()


def _remember(cache: OrderedDict, key: Hashable, value: Any, kept: int) -> None:
    with _lock:
        cache[key] = value
        cache.move_to_end(key)
        while len(cache) > kept:
            cache.popitem(last=False)


def _recall(cache: OrderedDict, key: Hashable) -> Any:
    with _lock:
        found = cache.get(key)
        if found is not None:
            cache.move_to_end(key)
        return found


def clear_cache() -> None:
    with _lock:
        _results.clear()
        _inputs.clear()


def _state(session: Session, survey: Survey) -> tuple[tuple, Population | None]:
    """What the wave's figures depend on, read before its data (so the data is never older than the key)."""
    version = data_version(session, survey)
    population = _population(session, survey)
    population_key = None if population is None else (
        tuple(sorted(population.cells.items())) if population.cells is not None
        else tuple(sorted((d, tuple(sorted(m.items()))) for d, m in population.margins.items())))
    key = (survey.id, survey.slug, survey.created_at, version, count_responses(session, survey), population_key)
    return key, population


def _cached_input(session: Session, survey: Survey) -> tuple[tuple, WaveInput]:
    key, population = _state(session, survey)
    found = _recall(_inputs, key)
    if found is None:
        found = _wave_input(session, survey, instrument_of(survey.questionnaire), population)
        _remember(_inputs, key, found, _INPUTS_KEPT)
    return key, found


def analyse_wave(session: Session, survey: Survey, *, measures: tuple[MeasureDef, ...] | None = None,
                 compare: Survey | None = None, **options: Any) -> AnalysisResult:
    """:func:`analysis.report.run_analysis` on the wave, cached in this process.

    ``measures`` defaults to the questionnaire's; ``compare`` is an earlier wave for trends; the other ``options`` go
    to ``run_analysis`` as they are (``weighting``, ``by``, ``min_cell`` ...). The wave's population is passed when the
    weighting needs it (the key holds it). Raises ValueError while the wave has no responses.

    The cache key holds the wave's data version, its number of responses and its population table, read before its
    data, and every option, so a new response, a closed wave, an exclusion, a new population figure or another
    option gives a new analysis at once; an unchanged wave is answered from memory.
    """
    if "population" in options or "patterns" in options or "compare_patterns" in options:
        raise TypeError("analyse_wave weights to the wave's own population table and keeps its own patterns")
    key, data = _cached_input(session, survey)
    other_key: tuple | None = None
    other = None
    if compare is not None:
        other_key, other_input = _cached_input(session, compare)
        other = other_input.responses
        options["compare_patterns"] = StoredPatterns(session, compare.id, other_key[3])
    if data.responses is None:
        raise ValueError(f"the wave {survey.slug!r} has no responses")
    chosen = data.measures if measures is None else tuple(measures)
    if options.get("weighting") in WEIGHTINGS_WITH_POPULATION:
        options["population"] = data.population
    result_key = (key, other_key, repr(chosen), repr(sorted((k, v) for k, v in options.items()
                                                           if k not in ("population", "compare_patterns"))))
    found = _recall(_results, result_key)
    if found is None:
        found = run_analysis(data.responses, list(chosen), compare=other,
                             patterns=StoredPatterns(session, survey.id, key[3]), **options)
        _remember(_results, result_key, found, _RESULTS_KEPT)
    return found


class StoredPatterns:
    """The :class:`analysis.measureprotection.PatternStore` of one wave in ``suppression_patterns``, shared by every
    page, option and app server: a pattern is found by the digest of what it protects, so it is used exactly when
    it fits. Saving goes into the caller's transaction (the request commits it); only the rows of the wave's
    current data version are kept, so no history of patterns says in which order responses arrived."""

    def __init__(self, session: Session, survey_id: int, version: int) -> None:
        self.session, self.survey_id, self.version = session, survey_id, version
        self.used: list[str] = []

    def load(self, digests: Sequence[str]) -> dict[str, dict[str, list[int]]]:
        rows = self.session.execute(select(SuppressionPattern.digest, SuppressionPattern.pattern)
                                    .where(SuppressionPattern.digest.in_(list(digests))))
        found = dict(rows.tuples().all())
        self.used = list(found)
        return found

    def save(self, patterns: Mapping[str, dict[str, list[int]]]) -> None:
        current = self.session.scalar(select(Survey.data_version).where(Survey.id == self.survey_id))
        if current != self.version:
            return  # the wave changed while this analysis ran: its patterns are already out of date
        if self.used:  # still valid for this version: keep them
            self.session.execute(update(SuppressionPattern).where(SuppressionPattern.digest.in_(self.used))
                                 .values(survey_id=self.survey_id, data_version=self.version))
        self.session.execute(delete(SuppressionPattern).where(SuppressionPattern.survey_id == self.survey_id,
                                                              SuppressionPattern.data_version != self.version))
        dialect = self.session.get_bind().dialect.name
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        rows = [{"digest": d, "survey_id": self.survey_id, "data_version": self.version, "pattern": p}
                for d, p in patterns.items()]
        # another app server may store the same pattern at the same time: the first one stays
        self.session.execute(insert(SuppressionPattern).values(rows).on_conflict_do_nothing(index_elements=["digest"]))


def cache_sizes() -> Mapping[str, int]:
    with _lock:
        return {"results": len(_results), "inputs": len(_inputs)}
