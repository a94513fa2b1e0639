"""A compact copy of each response for the analysis, written in the same INSERT as the response.

The answers table holds one row per answer (about 37 per adult response), which is what a microdata export and an
audit need, but reading a wave of 100,000 responses from it means 3.7 million rows. The analysis needs less: one
value per analysis column (:func:`survey_app.survey.microdata.analysis_columns`), as the CSV export holds it. So every
response also carries ``responses.codes``: those values as little-endian uint16 codes, one per column, into the
wave's codebook (``wave_codebooks``: the columns in order and, per column, its labels; code 0 is blank). A wave's
responses then read as one short row each, and ``np.frombuffer`` turns them into the analysis's columns.

Consistency:

* The codes are computed from the very answer rows stored beside them (:func:`response_values` mirrors
  :func:`~survey_app.survey.microdata.analysis_rows`), in the same transaction; deleting a response deletes them.
* Every change to a wave's data raises ``surveys.data_version`` in the same transaction (:func:`touch_wave`), and
  cached analyses are keyed by it. That UPDATE also takes the wave's row lock, under which the codebook may grow: a
  label is only ever appended, so a code once written keeps its meaning, and two simultaneous submissions can never
  give one code two labels.
* :func:`verify_wave` recomputes every response's values from its answers and reports any difference; with
  ``rebuild=True`` it rewrites the codes from the answers (``trygg survey verify-store SLUG [--rebuild]``).

Anonymity: the copy lives on the response's own row, under its random key. It adds no counter, no time and no
order; ``data_version`` counts changes to the wave, and says nothing about which response came when.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from analysis.data import Column
from analysis.instrument import Instrument
from survey_app.models import Response, Survey, WaveCodebook
from survey_app.survey.microdata import BACKGROUND_COLUMNS, analysis_columns, analysis_rows_by_id, answer_value

CODE_DTYPE = np.dtype("<u2")
MAX_LABELS = 65535  # per column; code 0 is blank


def touch_wave(session: Session, survey: Survey) -> None:
    """Record that the wave's data changed: raise its data version, in the caller's transaction.

    Call it from every path that stores, excludes or deletes responses, or opens or closes the wave. It also takes the
    wave's row lock (PostgreSQL) until the transaction ends, which serialises changes to its codebook.
    """
    session.execute(
        update(Survey).where(Survey.id == survey.id).values(data_version=Survey.data_version + 1)
        .execution_options(synchronize_session=False)
    )
    if survey in session:
        session.expire(survey, ["data_version"])


def data_version(session: Session, survey: Survey) -> int:
    """The wave's data version as the database has it now (never the session's cached attribute)."""
    return int(session.scalar(select(Survey.data_version).where(Survey.id == survey.id)) or 0)


@dataclass(slots=True)
class Codebook:
    """A wave's columns and, per column, its labels in order of first use (code i is ``labels[column][i - 1]``)."""

    columns: tuple[str, ...]
    labels: dict[str, list[str]]
    stored: bool = False  # a row exists in wave_codebooks
    changed: bool = False
    _index: dict[str, dict[str, int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._index = {c: {label: i for i, label in enumerate(self.labels.setdefault(c, []), start=1)}
                       for c in self.columns}

    @classmethod
    def for_instrument(cls, instrument: Instrument) -> Codebook:
        return cls(columns=tuple(analysis_columns(instrument)), labels={})

    @classmethod
    def from_layout(cls, layout: Mapping[str, Any]) -> Codebook:
        return cls(columns=tuple(layout["columns"]), labels={c: list(v) for c, v in layout["labels"].items()},
                   stored=True)

    def layout(self) -> dict[str, Any]:
        return {"columns": list(self.columns), "labels": {c: list(self.labels[c]) for c in self.columns}}

    def code(self, column: str, label: str) -> int:
        if label == "":
            return 0
        index = self._index[column]
        found = index.get(label)
        if found is None:
            labels = self.labels[column]
            if len(labels) >= MAX_LABELS:
                raise ValueError(f"column {column!r} has more than {MAX_LABELS} distinct values")
            labels.append(label)
            found = index[label] = len(labels)
            self.changed = True
        return found

    def encode(self, values: Mapping[str, str]) -> bytes:
        """One response's values (column -> text, "" for blank) as its ``codes``."""
        return struct.pack(f"<{len(self.columns)}H", *(self.code(c, values.get(c, "")) for c in self.columns))

    @property
    def width(self) -> int:
        """The length in bytes of one response's ``codes``."""
        return len(self.columns) * CODE_DTYPE.itemsize

    def decode(self, blobs: Sequence[bytes]) -> np.ndarray:
        """Many responses' ``codes`` as an (n, columns) array; ValueError if any has another length."""
        if any(len(b) != self.width for b in blobs):
            raise ValueError("codes of another length than the codebook's columns")
        return self.decode_joined(b"".join(blobs), len(blobs))

    def decode_joined(self, joined: bytes, count: int) -> np.ndarray:
        """``count`` responses' ``codes``, each :attr:`width` long, joined; ValueError if the length does not fit."""
        if len(joined) != self.width * count:
            raise ValueError("codes of another length than the codebook's columns")
        return np.frombuffer(joined, dtype=CODE_DTYPE).reshape(count, len(self.columns))

    def values(self, codes: bytes) -> dict[str, str]:
        """One response's ``codes`` back as column -> text."""
        row = struct.unpack(f"<{len(self.columns)}H", codes)
        return {c: self.labels[c][k - 1] if k else "" for c, k in zip(self.columns, row, strict=True)}

    def column(self, name: str, codes: np.ndarray) -> Column:
        """One column of :meth:`decode` as the analysis's dictionary-encoded column.

        Exactly what :func:`analysis.data.encode` makes of the same texts: the labels present, sorted, and codes into
        them, so the analysis cannot tell this path from the CSV reader's.
        """
        everything = ["", *self.labels[name]]
        present = np.flatnonzero(np.bincount(codes, minlength=len(everything)))
        ordered = sorted(present.tolist(), key=lambda k: everything[k])
        remap = np.zeros(len(everything), dtype=np.int32)
        remap[ordered] = np.arange(len(ordered), dtype=np.int32)
        return Column(codes=remap[codes], labels=tuple(everything[k] for k in ordered))


def load_codebook(session: Session, survey: Survey, instrument: Instrument) -> Codebook:
    layout = session.scalar(select(WaveCodebook.layout).where(WaveCodebook.survey_id == survey.id))
    return Codebook.from_layout(layout) if layout is not None else Codebook.for_instrument(instrument)


def save_codebook(session: Session, survey: Survey, codebook: Codebook) -> None:
    """Write a new or grown codebook (call only under :func:`touch_wave`'s lock, in the same transaction)."""
    if not codebook.stored:
        session.execute(insert(WaveCodebook).values(survey_id=survey.id, layout=codebook.layout()))
        codebook.stored = True
    elif codebook.changed:
        session.execute(update(WaveCodebook).where(WaveCodebook.survey_id == survey.id)
                        .values(layout=codebook.layout()).execution_options(synchronize_session=False))
    codebook.changed = False


def response_values(columns: Iterable[str], background: Mapping[str, str | None],
                    answers: Iterable[Mapping[str, object]]) -> dict[str, str]:
    """A response's analysis values from its background and its answer rows, as ``analysis_rows`` reads them back."""
    items = set(columns) - set(BACKGROUND_COLUMNS)
    values = {"area": background.get("area_code") or "", "gender": background.get("gender") or "",
              "age_band": background.get("age_band") or ""}
    for row in answers:
        item = row["item_code"]
        if item in items:
            values[str(item)] = answer_value(row.get("value_code"), row.get("value_number"))  # type: ignore[arg-type]
    return values


@dataclass(frozen=True, slots=True)
class Verification:
    """What :func:`verify_wave` found: responses checked, those whose codes differ from their answers (missing codes
    included) and, per column, how many responses differ there."""

    responses: int
    differing: int
    missing: int
    columns: Mapping[str, int]
    rebuilt: bool

    @property
    def ok(self) -> bool:
        return self.differing == 0


def verify_wave(session: Session, survey: Survey, instrument: Instrument, *, rebuild: bool = False) -> Verification:
    """Recompute every response's analysis values from its stored answers and compare them with its codes.

    With ``rebuild``, rewrite the codes of every differing response from its answers (and the codebook, if it is
    missing or unreadable) and raise the wave's data version, so no cached analysis survives.
    """
    if rebuild:
        touch_wave(session, survey)  # the lock first: the codebook may grow
    layout = session.scalar(select(WaveCodebook.layout).where(WaveCodebook.survey_id == survey.id))
    codebook = None
    if layout is not None:
        try:
            codebook = Codebook.from_layout(layout)
            if codebook.columns != tuple(analysis_columns(instrument)):
                codebook = None
        except (KeyError, TypeError):
            codebook = None
    if codebook is None:  # a new one: every stored code is then suspect, and a rebuild rewrites them all
        codebook = Codebook.for_instrument(instrument)
        if layout is not None:
            codebook.stored = True
            codebook.changed = True
    trusted = layout is not None and not codebook.changed
    query = select(Response.id, Response.codes).where(Response.survey_id == survey.id)
    stored: dict[Any, bytes | None] = dict(session.execute(query).tuples().all())
    differing: dict[Any, dict[str, str]] = {}
    per_column: dict[str, int] = {}
    missing = 0
    checked = 0
    for response_id, expected in analysis_rows_by_id(session, survey, with_excluded=True):
        checked += 1
        codes = stored.get(response_id)
        actual: dict[str, str] | None = None
        if codes is None:
            missing += 1
        elif trusted and len(codes) == len(codebook.columns) * CODE_DTYPE.itemsize:
            try:
                actual = codebook.values(codes)
            except IndexError:  # a code past the end of its column's labels
                actual = None
        if actual != expected:
            differing[response_id] = expected
            for column in codebook.columns:
                if actual is None or actual.get(column) != expected.get(column):
                    per_column[column] = per_column.get(column, 0) + 1
    if rebuild and differing:
        for response_id, expected in differing.items():
            session.execute(update(Response).where(Response.id == response_id)
                            .values(codes=codebook.encode(expected)).execution_options(synchronize_session=False))
    if rebuild:
        save_codebook(session, survey, codebook)
    return Verification(responses=checked, differing=len(differing), missing=missing, columns=per_column,
                        rebuilt=rebuild and bool(differing))


def count_responses(session: Session, survey: Survey) -> int:
    return int(session.scalar(select(func.count()).select_from(Response).where(Response.survey_id == survey.id)) or 0)
