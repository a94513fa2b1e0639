"""Reading responses and population CSV files as people export them, for the command line and the web app.

A file's dialect is worked out from its header line: a UTF-8 byte-order mark (what Excel's "CSV UTF-8"
writes) is skipped; the separator is whichever of ``;``, ``,`` and tab the header holds most of; with
``;`` numbers may have a decimal comma (what Swedish Excel writes), so ``weight``, ``age`` and
``population`` accept ``1,5`` there. Files are UTF-8 unless ``encoding`` says otherwise; a file that is
not UTF-8 gets a message naming its line and the ``--encoding`` to use.

Responses are read with pyarrow into dictionary-encoded columns, so every clean-up
(:mod:`analysis.normalise`) works on distinct values, not rows. Errors are :class:`InputError` naming
the file, row and column (rows are numbered from 1 for the first data row; the header is row 0).
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .data import DEFAULT_AGE_BANDS, Column, InputQuality, Population, Responses, band_ages, population_from_rows
from .errors import InputError
from .normalise import normalise_area, normalise_codes, normalise_gender

__all__ = ["BACKGROUND", "Dialect", "read_header", "read_population", "read_responses", "sniff"]

BACKGROUND = ("area", "gender", "age", "age_band", "weight")
_SEPARATORS = (";", ",", "\t")
_BOM = codecs.BOM_UTF8


@dataclass(frozen=True, slots=True)
class Dialect:
    """How one CSV file is written."""

    encoding: str       # a Python codec name
    delimiter: str
    decimal: str        # "," after a ";" separator, else "."
    header: tuple[str, ...]


def _codec(encoding: str | None) -> str:
    if not encoding:
        return "utf-8"
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise InputError(f"--encoding {encoding!r} is not a known text encoding (try utf-8, cp1252 or latin-1)") \
            from None


def _not_utf8(path: Path, line_bytes: bytes, line: int) -> InputError:
    try:
        line_bytes.decode("cp1252")
        guess = " (it looks like Windows-1252/Latin-1, as older Excel saves it)"
    except UnicodeDecodeError:
        guess = ""
    return InputError(f"line {line} is not UTF-8 text{guess}: save the file as \"CSV UTF-8\", or pass "
                      "--encoding cp1252 (or the file's encoding)", source=path.name)


def sniff(path: str | Path, *, encoding: str | None = None) -> Dialect:
    """The encoding, separator, decimal mark and header of a CSV file, from its first line."""
    p = Path(path)
    codec = _codec(encoding)
    with open(p, "rb") as fh:
        first = fh.readline()
    if codec == "utf-8" and first.startswith(_BOM):
        first = first[len(_BOM):]
    try:
        text = first.decode(codec)
    except UnicodeDecodeError:
        raise _not_utf8(p, first, 1) from None
    text = text.lstrip("\ufeff").rstrip("\r\n")
    if not text.strip():
        raise InputError("is empty or has no header row", row=0, source=p.name)
    counts = {sep: _count_outside_quotes(text, sep) for sep in _SEPARATORS}
    delimiter = max(_SEPARATORS, key=lambda sep: (counts[sep], sep == ","))
    header = next(csv.reader([text], delimiter=delimiter), [])
    header = [h.strip() for h in header]
    if len(set(header)) != len(header):
        dup = next(h for h in header if header.count(h) > 1)
        raise InputError("column appears twice in the header", row=0, column=dup, source=p.name)
    return Dialect(encoding=codec, delimiter=delimiter, decimal="," if delimiter == ";" else ".",
                   header=tuple(header))


def _count_outside_quotes(line: str, sep: str) -> int:
    count, quoted = 0, False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == sep and not quoted:
            count += 1
    return count


def read_header(path: str | Path, *, encoding: str | None = None) -> list[str]:
    """The column names of a CSV file."""
    return list(sniff(path, encoding=encoding).header)


def _read_table(path: Path, dialect: Dialect, columns: Collection[str] | None, float_cols: Sequence[str] = ()):
    import pyarrow as pa
    import pyarrow.csv as pacsv

    header = list(dialect.header)
    include = [c for c in header if columns is None or c in columns]
    types = {c: (pa.float64() if c in float_cols else pa.dictionary(pa.int32(), pa.string())) for c in include}
    read = pacsv.ReadOptions(encoding="utf8" if dialect.encoding == "utf-8" else dialect.encoding,
                             column_names=header, skip_rows=1)
    try:
        table = pacsv.read_csv(path, read_options=read,
                               parse_options=pacsv.ParseOptions(delimiter=dialect.delimiter),
                               convert_options=pacsv.ConvertOptions(column_types=types, include_columns=include,
                                                                    strings_can_be_null=False,
                                                                    decimal_point=dialect.decimal))
    except pa.ArrowInvalid as exc:
        msg = str(exc)
        if "double" in msg and any(c in include for c in float_cols):
            return None
        if "UTF8" in msg:
            _locate_bad_text(path)
        _locate_ragged_row(path, dialect)
        raise InputError(f"cannot be read as CSV: {msg.splitlines()[0]}", source=path.name) from None
    return table.unify_dictionaries()


def _locate_bad_text(path: Path) -> None:
    with open(path, "rb") as fh:
        for line_no, line in enumerate(fh, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                raise _not_utf8(path, line, line_no) from None


def _locate_ragged_row(path: Path, dialect: Dialect) -> None:
    """On a parse error, find the first data row whose number of fields differs from the header's."""
    width = len(dialect.header)
    with open(path, encoding=dialect.encoding, errors="replace", newline="") as fh:
        reader = csv.reader(fh, delimiter=dialect.delimiter)
        next(reader, None)
        for i, fields in enumerate(reader, start=1):
            if len(fields) != width:
                raise InputError(f"has {len(fields)} fields, the header has {width}", row=i, source=path.name)


def _indices(chunk) -> np.ndarray:
    """The int32 dictionary indices of one chunk, straight from its buffer (no nulls: strings_can_be_null=False).

    ``Array.to_numpy`` would import pandas (half a second of start-up) and copy; the buffer view costs nothing.
    """
    indices = chunk.indices
    if indices.null_count:  # cannot happen with the read options above; keep the general path for safety
        return np.asarray(indices.fill_null(0).to_pylist(), dtype=np.int32)
    return np.frombuffer(indices.buffers()[1], dtype=np.int32, count=len(indices), offset=indices.offset * 4)


def _column(chunked) -> Column:
    chunks = chunked.chunks
    if not chunks:
        return Column(codes=np.zeros(0, dtype=np.int32), labels=())
    labels = tuple(chunks[0].dictionary.to_pylist())
    codes = np.concatenate([_indices(c) for c in chunks]) if len(chunks) > 1 else _indices(chunks[0]).copy()
    return Column(codes=codes, labels=labels)


def read_responses(path: str | Path, item_columns: Sequence[str], *, instrument=None,
                   codes: Mapping[str, Collection[str]] | None = None, encoding: str | None = None,
                   bands=DEFAULT_AGE_BANDS) -> Responses:
    """Read a responses CSV into :class:`~analysis.data.Responses` (pyarrow, dictionary-encoded).

    Only the background columns and ``item_columns`` are read, plus, with a questionnaire, every
    column that is one of its coded items. Answer codes, gender and area are normalised
    (:mod:`analysis.normalise`); what is not recognised is counted in ``Responses.quality``.

    Parameters
    ----------
    instrument : analysis.instrument.Instrument, optional
        Its answer codes are the known codes of its coded items.
    codes : mapping item -> codes, optional
        Known codes of items the instrument does not declare (e.g. the codes the measures name).
    encoding : str, optional
        Default UTF-8 (with or without a byte-order mark).

    Raises
    ------
    InputError
        Missing columns, unreadable file, non-numeric weight or age.
    """
    p = Path(path)
    name = p.name
    dialect = sniff(p, encoding=encoding)
    header = list(dialect.header)
    coded = [c for c in header if instrument is not None and c not in BACKGROUND and instrument.codes_for(c)]
    wanted = set(BACKGROUND) | set(item_columns) | set(coded)
    table = _read_table(p, dialect, wanted, float_cols=("weight",))
    if table is None:  # a weight that pyarrow does not parse: find its row, or parse it here
        table = _read_table(p, dialect, wanted)
    for required in ("area", "gender"):
        if required not in header:
            raise InputError("required column is missing", row=0, column=required, source=name)
    if table.num_rows == 0:
        raise InputError("has a header but no data rows", source=name)
    if "age_band" not in header and "age" not in header:
        raise InputError("needs a column 'age' or 'age_band'", row=0, column="age", source=name)
    for item in item_columns:
        if item not in header:
            raise InputError("a measure reads this column, which is not in the file", row=0, column=item, source=name)
    cols = {c: _column(table.column(c)) for c in table.column_names if c != "weight" or
            not _is_float(table.column(c))}
    if "age_band" in cols:
        band = normalise_area(cols["age_band"])  # strips spaces; "vet inte" and blank are a blank band
    else:
        band = _band_dictionary(_decimal_point(cols["age"], dialect), bands, name)
    weight = _weights(table, cols, dialect, name)
    known = dict(codes or {})
    if instrument is not None:
        for c in coded:
            known[c] = instrument.codes_for(c)
    normalised, unrecognised = {}, {}
    items = {}
    for c, col in cols.items():
        if c in BACKGROUND:
            continue
        items[c], rows, report = normalise_codes(col, known.get(c))
        if rows:
            normalised[c] = rows
        if report is not None:
            unrecognised[c] = report
    gender, gender_rows, gender_report = normalise_gender(cols["gender"])
    quality = InputQuality(normalised_codes=normalised, unrecognised_codes=unrecognised,
                           normalised_gender=gender_rows, unrecognised_gender=gender_report)
    return Responses(area=normalise_area(cols["area"]), gender=gender, age_band=band, items=items, weight=weight,
                     source=name, quality=quality)


def _is_float(chunked) -> bool:
    import pyarrow as pa

    return pa.types.is_floating(chunked.type)


def _decimal_point(col: Column, dialect: Dialect) -> Column:
    if dialect.decimal == ".":
        return col
    return Column(codes=col.codes, labels=tuple(lab.replace(",", ".") for lab in col.labels))


def _weights(table, cols: dict[str, Column], dialect: Dialect, name: str) -> np.ndarray | None:
    if "weight" not in table.column_names:
        return None
    if "weight" in cols:  # read as text: pyarrow did not parse every value
        col = cols.pop("weight")
        values = np.empty(len(col.labels))
        for i, lab in enumerate(col.labels):
            s = lab.strip().replace(",", ".") if dialect.decimal == "," else lab.strip()
            if s == "":
                raise InputError("weight is blank", row=col.first_row(lab), column="weight", source=name)
            try:
                values[i] = float(s)
            except ValueError:
                raise InputError(f"weight {lab!r} is not a number", row=col.first_row(lab), column="weight",
                                 source=name) from None
        weight = values[col.codes]
    else:
        wcol = table.column("weight")
        if wcol.null_count:
            row = int(np.argmax(np.asarray(wcol.is_null().to_numpy(zero_copy_only=False)))) + 1
            raise InputError("weight is blank", row=row, column="weight", source=name)
        weight = np.concatenate([
            np.frombuffer(c.buffers()[1], dtype=np.float64, count=len(c), offset=c.offset * 8) for c in wcol.chunks
        ]) if wcol.num_chunks else np.zeros(0)
    bad = ~np.isfinite(weight) | (weight < 0)
    if bad.any():
        row = int(np.argmax(bad)) + 1
        raise InputError(f"weight {weight[row - 1]!r} must be finite and non-negative", row=row, column="weight",
                         source=name)
    return weight


def _band_dictionary(age: Column, bands, source: str) -> Column:
    """Band each distinct age once, then map the rows (errors name the first row with that age)."""
    try:
        per_label = band_ages(list(age.labels), bands=bands, source=source)
    except InputError as exc:
        if exc.row is None:  # band_ages names the row of every error
            raise
        bad = age.labels[exc.row - 1]
        raise InputError(exc.message, row=age.first_row(bad), column="age", source=source) from None
    return Column(codes=per_label.codes[age.codes], labels=per_label.labels)


def read_population(path: str | Path, *, encoding: str | None = None) -> Population:
    """Read ``POP.csv`` (area,gender,age_band,population): cells or one-way margins.

    The dialect is sniffed as for responses; genders are normalised like the responses' (``Kvinnor`` ->
    ``woman``), and with a ``;`` separator populations may have a decimal comma.
    """
    p = Path(path)
    dialect = sniff(p, encoding=encoding)
    with open(p, "rb") as fh:
        data = fh.read()
    if dialect.encoding == "utf-8" and data.startswith(_BOM):
        data = data[len(_BOM):]
    try:
        text = data.decode(dialect.encoding)
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise _not_utf8(p, data.splitlines()[line - 1], line) from None
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=dialect.delimiter)
        next(reader, None)
        rows = [dict(zip(dialect.header, (f.strip() for f in fields), strict=False)) for fields in reader if fields]
    except csv.Error as exc:
        raise InputError(f"cannot be read as CSV: {exc}", source=p.name) from None
    if not rows:
        raise InputError("has no rows", source=p.name)
    for r in rows:
        if r.get("gender"):
            r["gender"] = normalise_gender(Column(np.zeros(1, dtype=np.int32), (r["gender"],)))[0].labels[0]
        if r.get("population") and dialect.decimal == ",":
            r["population"] = r["population"].replace("\u00a0", "").replace(" ", "").replace(",", ".")
    return population_from_rows(rows, source=p.name)
