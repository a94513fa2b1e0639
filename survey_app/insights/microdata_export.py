"""A wave's microdata: one row per response, as CSV for `trygg analyse`, SPSS `.sav` and Stata `.dta`.

The CSV is exactly what `trygg analyse` reads (:mod:`survey_app.survey.microdata` gives the same columns and
codes): `area`, `gender`, `age_band`, then one column per coded or number item, with three more background
columns the command ignores (`channel`, `language`, `month`, the month of submission: responses keep their day,
the file gives no more than the month). Free text is left out unless asked for, and then only masked again by
:func:`survey_app.pii.mask_personal_data` (it was masked when stored; masking twice is harmless and catches what a
later, better pattern knows). Birth year, age and multiple-choice answers are never exported.

Memory: rows are read from the database in chunks of ``CHUNK_RESPONSES`` responses (keyset pagination on the
random response key, so the order says nothing about when a response came), and the CSV is encoded chunk by chunk:
a CSV export holds one chunk at a time, whatever the size of the wave. SPSS and Stata files cannot be streamed
(pyreadstat writes from a data frame), so their columns are filled as packed 8-byte arrays, written to a temporary
file and sent from there: 8 bytes × responses × variables for the arrays, and as much again while pandas copies them
into its frame (measured: a 123 MB peak for 100,000 responses of the adult questionnaire's 52 variables, by
`benchmarks/microdata_export.py`), plus the text of the month column and of any free text asked for.

On PostgreSQL the chunks are read in one REPEATABLE READ transaction, so the file is one snapshot of an open wave.
SQLite transactions here take the write lock (BEGIN IMMEDIATE), so each chunk is its own short transaction and
residents can still submit while a large file downloads; a response sent during the download may or may not be in it.
"""

from __future__ import annotations

import array
import math
import os
import tempfile
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import Engine, String, select, type_coerce

from analysis.bands import DEFAULT_AGE_BANDS
from analysis.instrument import Instrument, Item, ItemType
from survey_app import exports
from survey_app.models import Answer, Channel, Response, Survey
from survey_app.pii import mask_personal_data
from survey_app.survey import exclusions
from survey_app.survey.microdata import analysis_columns

__all__ = ["CHUNK_RESPONSES", "Variable", "csv_chunks", "microdata_rows", "stats_file_chunks", "variables"]

CHUNK_RESPONSES = 2000
FIRST_CHUNK = 200
EXTRA_BACKGROUND = ("channel", "language", "month")
STATA_NAME_MAX = 32


@dataclass(frozen=True, slots=True)
class Variable:
    """One column of the microdata: its name, where it comes from, its question and its codes with labels.

    ``codes`` are the CSV values in order; in SPSS and Stata a code is stored as its position, 1, 2, 3 ...
    """

    name: str
    source: str  # "background", "coded", "number", "text"
    question: str
    codes: tuple[str, ...] = ()
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def numeric(self) -> dict[str, int]:
        return {code: position for position, code in enumerate(self.codes, 1)}

    @property
    def value_labels(self) -> dict[int, str]:
        return {position: self.labels.get(code, code) for position, code in enumerate(self.codes, 1)}


def _question(instrument: Instrument, item: Item, lang: str) -> str:
    texts = item.texts.get(lang) or item.texts.get("sv")
    text = texts.question if texts else item.code
    if item.grid:
        grid = instrument.get(item.grid)
        stem = grid.texts.get(lang) or grid.texts.get("sv") if grid else None
        if stem is not None:
            text = f"{stem.question} – {text}"
    return text


def variables(instrument: Instrument, survey: Survey, *, lang: str = "sv", free_text: bool = False
              ) -> list[Variable]:
    """The microdata's columns in order, with their questions and labels in ``lang`` (Swedish for the .sav)."""
    with force_locale(lang):
        out = _variables(instrument, survey, lang, free_text)
    return out


def _variables(instrument: Instrument, survey: Survey, lang: str, free_text: bool) -> list[Variable]:
    area_item = instrument.get("area")
    area_codes = [a.code for a in survey.areas]
    area_labels = {a.code: a.name for a in survey.areas}
    if area_item is not None:
        area_labels.update({o.code: o.label(lang) for o in area_item.options})
        area_codes += [c for c in area_item.codes if c not in area_codes]
    gender_item = next((i for i in instrument.questions if i.type == ItemType.GENDER), None)
    out = [
        Variable("area", "background", _question(instrument, area_item, lang) if area_item else _("Area"),
                 tuple(area_codes), area_labels),
        Variable("gender", "background", _question(instrument, gender_item, lang) if gender_item else _("Gender"),
                 gender_item.codes if gender_item else (),
                 {o.code: o.label(lang) for o in gender_item.options} if gender_item else {}),
        Variable("age_band", "background", _("Age band (from the year of birth)"),
                 tuple(b.label for b in DEFAULT_AGE_BANDS), {b.label: b.label for b in DEFAULT_AGE_BANDS}),
        Variable("channel", "background", _("How the answers were given"), tuple(c.value for c in Channel),
                 {Channel.WEB.value: _("On the web"), Channel.PAPER.value: _("On paper"),
                  Channel.ASSISTED.value: _("With help from staff")}),
        Variable("language", "background", _("Language of the questionnaire"), instrument.language_codes,
                 {lang_.code: lang_.name for lang_ in instrument.languages}),
        Variable("month", "text", _("Month the answers were sent (year-month)")),
    ]
    for code in analysis_columns(instrument)[3:]:
        item = instrument.item(code)
        if item.is_coded:
            out.append(Variable(code, "coded", _question(instrument, item, lang), item.codes,
                                {o.code: o.label(lang) for o in item.options}))
        else:
            out.append(Variable(code, "number", _question(instrument, item, lang)))
    if free_text:
        out += [Variable(item.code, "text", _question(instrument, item, lang) + " " + _("(masked free text)"))
                for item in instrument.questions if item.type == ItemType.FREE_TEXT]
    return out


# --- reading the rows in chunks ---------------------------------------------------------------------------------

def _number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else repr(value)


def microdata_rows(engine: Engine, survey_id: int, columns: Sequence[Variable], *,
                   chunk_size: int = CHUNK_RESPONSES, first_chunk: int = FIRST_CHUNK) -> Iterator[list[str]]:
    """One list of strings per response, in the order of ``columns``; a missing answer is an empty string.

    The first chunk is small, so the first bytes leave at once; the rest come ``chunk_size`` responses at a time.
    Core statements, and response keys as the driver gives them (no UUID objects per answer row): the per-row cost
    is what a 100,000-response file takes.
    """
    names = [v.name for v in columns]
    position = {name: i for i, name in enumerate(names)}
    items = [v.name for v in columns if v.source in ("coded", "number") or (v.source == "text" and v.name != "month")]
    texts = {v.name for v in columns if v.source == "text"}
    wanted = frozenset(items)
    snapshot = engine.dialect.name == "postgresql"
    raw_key = type_coerce(Response.id, String).label("key")
    answer_key = type_coerce(Answer.response_id, String)
    with engine.connect() as connection:
        if snapshot:
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
            connection.begin()
        included = exclusions.included_conditions(connection, survey_id)  # an analyst's exclusions
        last: uuid.UUID | None = None
        size = min(first_chunk, chunk_size)
        while True:
            query = (select(Response.id, raw_key, Response.area_code, Response.gender, Response.age_band,
                            Response.channel, Response.language, Response.submitted_on)
                     .where(Response.survey_id == survey_id, *included).order_by(Response.id).limit(size))
            if last is not None:
                query = query.where(Response.id > last)
            heads = connection.execute(query).all()
            if not heads:
                return
            rows: dict[object, list[str]] = {}
            for _rid, key, area, gender, band, channel, language, day in heads:
                row = [""] * len(names)
                row[0], row[1], row[2] = area or "", gender or "", band or ""
                row[3] = channel.value if channel is not None else ""
                row[4], row[5] = language or "", day.strftime("%Y-%m") if day else ""
                rows[key] = row
            # By the primary key (response_id, position) alone: a range per response. Naming the items too made
            # SQLite walk the (item_code, response_id) index once per item and response, several times slower.
            answers = connection.execute(
                select(answer_key, Answer.item_code, Answer.value_code, Answer.value_number, Answer.value_text)
                .where(Answer.response_id.in_([h[0] for h in heads])))
            for key, item, code, number, text in answers:
                if item not in wanted:  # multiple choice, birth year, free text not asked for
                    continue
                at = position[item]
                if item in texts:
                    rows[key][at] = mask_personal_data(text) if text else ""
                else:
                    rows[key][at] = code if code is not None else _number(number)
            last = heads[-1][0]
            if not snapshot:
                connection.rollback()  # ends SQLite's write-locking transaction between chunks
            yield from rows.values()
            if len(heads) < size:
                return
            size = chunk_size


def csv_chunks(engine: Engine, survey_id: int, columns: Sequence[Variable]) -> Iterator[bytes]:
    """The CSV that `trygg analyse` reads (UTF-8, comma, header row), chunk by chunk."""
    def rows() -> Iterator[Sequence[object]]:
        yield [v.name for v in columns]
        yield from microdata_rows(engine, survey_id, columns)

    # PLAIN never guards a value as a formula: codes never start with = + - @, and a masked free text that did would
    # be guarded by csv_chunks like any text (the analysis never reads free text).
    return exports.csv_chunks(rows(), dialect=exports.PLAIN)


# --- SPSS and Stata -------------------------------------------------------------------------------------------

def _stata_names(columns: Sequence[Variable]) -> dict[str, str]:
    """Stata names hold at most 32 characters: longer item codes are cut and numbered, unique."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for v in columns:
        name = v.name[:STATA_NAME_MAX]
        number = 1
        while name in taken:
            number += 1
            suffix = f"_{number}"
            name = v.name[:STATA_NAME_MAX - len(suffix)] + suffix
        taken.add(name)
        out[v.name] = name
    return out


def stats_file_chunks(engine: Engine, survey_id: int, columns: Sequence[Variable], *, fmt: str,
                      file_label: str) -> Iterator[bytes]:
    """An SPSS (``sav``) or Stata (``dta``) file with variable and value labels, written to a temporary file and
    sent in chunks. Coded answers are numbers 1, 2, 3 ... labelled with their answer texts; missing is system-missing.
    """
    import pandas as pd  # heavy: only for these two formats
    import pyreadstat

    numeric: dict[str, array.array] = {v.name: array.array("d") for v in columns if v.source != "text"}
    text: dict[str, list[str]] = {v.name: [] for v in columns if v.source == "text"}
    codes = {v.name: v.numeric for v in columns if v.source in ("background", "coded")}
    for row in microdata_rows(engine, survey_id, columns):
        for v, value in zip(columns, row, strict=True):
            if v.source == "text":
                text[v.name].append(value)
            elif v.source == "number":
                numeric[v.name].append(float(value) if value != "" else math.nan)
            else:
                numeric[v.name].append(float(codes[v.name].get(value, math.nan)) if value != "" else math.nan)
    import numpy as np

    frame = pd.DataFrame({v.name: np.frombuffer(numeric[v.name], dtype=np.float64) if v.name in numeric
                          else pd.Series(text[v.name], dtype=object) for v in columns})
    labels: dict[str, str | None] = {v.name: v.question for v in columns}
    value_labels: dict[str, dict[int | float, str]] = {
        v.name: {float(k): text_ for k, text_ in v.value_labels.items()} for v in columns if v.codes}
    if fmt == "dta":
        rename = _stata_names(columns)
        frame = frame.rename(columns=rename)
        labels = {rename[k]: (text_ or "")[:80] for k, text_ in labels.items()}  # Stata holds 80 characters
        value_labels = {rename[k]: v for k, v in value_labels.items()}
    fd, path = tempfile.mkstemp(suffix=f".{fmt}")
    os.close(fd)
    try:
        if fmt == "sav":
            pyreadstat.write_sav(frame, path, file_label=file_label[:64], column_labels=labels,
                                 variable_value_labels=value_labels)
        else:
            pyreadstat.write_dta(frame, path, file_label=file_label[:80], column_labels=labels,
                                 variable_value_labels=value_labels, version=15)
        del frame, numeric, text
        with open(path, "rb") as file:
            while chunk := file.read(exports.CHUNK_SIZE):
                yield chunk
    finally:
        os.unlink(path)
