"""Tables out as files: CSV in two dialects and XLSX, streamed in chunks or whole.

Every export in Trygg is written here, so one set of rules holds for all of them:

- A spreadsheet never runs a cell as a formula. XLSX cells are typed: text is written as a string cell whatever it
  starts with, and reads exactly as typed (no apostrophe in front). CSV has no types, and Excel and LibreOffice
  evaluate a CSV field that starts with = + - or @ (and skip a leading tab or carriage return before looking), so a
  CSV *text* field starting with one of those gets a leading apostrophe (OWASP "CSV injection"). Numbers are never
  guarded: -5 stays the number -5.
- Characters that XML cannot hold (control characters in old records) are dropped from XLSX cells rather than
  failing the export halfway through a download.
- Rows may be a generator; the ``*_chunks`` functions yield ``bytes`` for ``flask.Response(chunks)``, so a large
  export is never held in memory as a whole. CSV is encoded row by row; XLSX is written by XlsxWriter in
  ``constant_memory`` mode into a temporary file, which is then read out in chunks. ``*_bytes`` join them, for
  small files and tests.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import numbers
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import BinaryIO

import xlsxwriter

__all__ = [
    "CSV_DIALECTS", "CSV_MIMETYPE", "EXCEL_SV", "PLAIN", "XLSX_MIMETYPE", "CsvDialect", "Sheet", "Styled",
    "csv_bytes", "csv_chunks", "guard_formula", "write_xlsx", "xlsx_bytes", "xlsx_chunks",
]

Row = Sequence[object]

CHUNK_SIZE = 64 * 1024
CSV_MIMETYPE = "text/csv"  # Werkzeug adds "; charset=utf-8" to every text/* type; naming it here would double it
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_MAX_ROWS = 1_048_576
XLSX_MAX_TEXT = 32_767  # characters in one cell
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SHEET_NAME_ILLEGAL = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_MAX = 31

_WORKBOOK_OPTIONS = {
    "constant_memory": True,
    # Text is text: never a formula, a link or a number, whatever it looks like.
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


@dataclass(frozen=True, slots=True)
class CsvDialect:
    """How a CSV file is laid out: separator, decimal mark for floats, line ending and byte order mark."""

    delimiter: str
    decimal: str
    lineterminator: str
    bom: bool


# What Excel with Swedish settings opens with a double click: the BOM makes it read UTF-8 (å, ä, ö), the semicolon
# is its list separator because the comma is its decimal mark.
EXCEL_SV = CsvDialect(delimiter=";", decimal=",", lineterminator="\r\n", bom=True)
# What R, pandas and pyarrow read without options.
PLAIN = CsvDialect(delimiter=",", decimal=".", lineterminator="\n", bom=False)
CSV_DIALECTS = {"excel-sv": EXCEL_SV, "plain": PLAIN}


@dataclass(frozen=True, slots=True)
class Styled:
    """A number shown in a workbook with an Excel number format (``0.0%``): the cell keeps the exact value, and Excel
    shows it in the reader's own conventions (decimal comma, thousands space in Swedish). CSV writes the bare value."""

    value: object
    num_format: str


@dataclass(frozen=True, slots=True)
class Sheet:
    """One table of a workbook: a bold, frozen header row, then the rows (any iterable, read once)."""

    name: str
    header: Sequence[object]
    rows: Iterable[Row]


# --- CSV ----------------------------------------------------------------------------------------------------


def guard_formula(text: str) -> str:
    """A CSV text field a spreadsheet would run as a formula, made inert with a leading apostrophe."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _csv_field(value: object, dialect: CsvDialect) -> object:
    if isinstance(value, Styled):
        value = value.value
    if value is None:
        return ""
    if isinstance(value, str):
        return guard_formula(value)
    if isinstance(value, bool | numbers.Integral):
        return value
    if isinstance(value, numbers.Real):
        text = repr(float(value))  # what the csv module writes for a float; also for NumPy's
        return text.replace(".", dialect.decimal) if dialect.decimal != "." else text
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return guard_formula(str(value))


def csv_chunks(rows: Iterable[Row], *, dialect: CsvDialect = EXCEL_SV, chunk_size: int = CHUNK_SIZE
               ) -> Iterator[bytes]:
    """Encode rows as CSV, yielding chunks of about `chunk_size` bytes. A header is simply the first row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=dialect.delimiter, lineterminator=dialect.lineterminator)
    # Python 3.11's csv module quotes a field with a carriage return only when the line ending has one; a reader
    # would end the row there. Such rows are written with every field quoted instead.
    quote_all = csv.writer(buffer, delimiter=dialect.delimiter, lineterminator=dialect.lineterminator,
                           quoting=csv.QUOTE_ALL) if "\r" not in dialect.lineterminator else None
    if dialect.bom:
        buffer.write("\ufeff")
    for row in rows:
        fields = [_csv_field(value, dialect) for value in row]
        if quote_all is not None and any(isinstance(field, str) and "\r" in field for field in fields):
            quote_all.writerow(fields)
        else:
            writer.writerow(fields)
        if buffer.tell() >= chunk_size:
            yield buffer.getvalue().encode("utf-8", "replace")
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8", "replace")


def csv_bytes(rows: Iterable[Row], *, dialect: CsvDialect = EXCEL_SV) -> bytes:
    return b"".join(csv_chunks(rows, dialect=dialect))


# --- XLSX ---------------------------------------------------------------------------------------------------


def _xlsx_text(value: object) -> str:
    """Text an XLSX cell holds: a line break is Excel's newline, and characters XML cannot hold are dropped."""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return _XML_ILLEGAL.sub("", text)[:XLSX_MAX_TEXT]


def _sheet_name(name: str, taken: set[str]) -> str:
    """A name Excel accepts: no []:*?/\\, not wrapped in apostrophes, at most 31 characters, unique in the book."""
    base = _SHEET_NAME_ILLEGAL.sub(" ", _xlsx_text(name)).strip().strip("'")[:SHEET_NAME_MAX] or "Sheet"
    candidate, number = base, 1
    while candidate.casefold() in taken:
        number += 1
        suffix = f" ({number})"
        candidate = base[:SHEET_NAME_MAX - len(suffix)] + suffix
    taken.add(candidate.casefold())
    return candidate


def _write_cell(sheet, row: int, column: int, value: object, formats: Callable[[str], object] | None = None) -> None:
    cell_format = None
    if isinstance(value, Styled):
        cell_format = formats(value.num_format) if formats is not None else None
        value = value.value
    if value is None or value == "":
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, column, value)
    elif isinstance(value, numbers.Real):
        if math.isfinite(value):  # NaN and infinity have no cell type; Excel's #NUM! would be a formula cell
            sheet.write_number(row, column, value, cell_format)
    elif isinstance(value, dt.date | dt.time):
        sheet.write_string(row, column, value.isoformat())
    else:
        sheet.write_string(row, column, _xlsx_text(value))


def write_xlsx(sheets: Iterable[Sheet], target: str | os.PathLike[str] | BinaryIO) -> None:
    """Write a workbook with one sheet per table to a path or a binary file."""
    if isinstance(target, str | os.PathLike):
        with open(target, "wb") as file:  # a path that cannot be written fails here, as an OSError, before the work
            try:
                write_xlsx(sheets, file)
            except BaseException:
                os.unlink(target)  # no half-written workbook left behind
                raise
        return
    workbook = xlsxwriter.Workbook(target, _WORKBOOK_OPTIONS)
    try:
        bold = workbook.add_format({"bold": True})
        number_formats: dict[str, object] = {}

        def number_format(code: str) -> object:
            if code not in number_formats:
                number_formats[code] = workbook.add_format({"num_format": code})
            return number_formats[code]

        taken: set[str] = set()
        for table in sheets:
            sheet = workbook.add_worksheet(_sheet_name(table.name, taken))
            sheet.freeze_panes(1, 0)
            for column, title in enumerate(table.header):
                text = _xlsx_text(title)
                sheet.set_column(column, column, min(max(len(text) + 2, 10), 60))
                sheet.write_string(0, column, text, bold)
            for row_number, row in enumerate(table.rows, 1):
                if row_number >= XLSX_MAX_ROWS:
                    # XlsxWriter would drop the rest silently; a short file that looks complete is worse than none.
                    raise ValueError(f"{table.name}: more rows than an Excel sheet holds ({XLSX_MAX_ROWS})")
                for column, value in enumerate(row):
                    _write_cell(sheet, row_number, column, value, number_format)
    finally:
        workbook.close()


def xlsx_chunks(sheets: Iterable[Sheet], *, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
    """Write the workbook to a temporary file, then yield it in chunks (a zip is readable only when complete)."""
    with tempfile.TemporaryFile() as spool:
        write_xlsx(sheets, spool)
        spool.seek(0)
        while chunk := spool.read(chunk_size):
            yield chunk


def xlsx_bytes(sheets: Iterable[Sheet]) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(sheets, buffer)
    return buffer.getvalue()
