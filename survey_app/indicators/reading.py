"""Reading an indicator file (CSV or XLSX) into rows of named cells, with the row numbers a person sees in Excel.

The CSV may come from Swedish Excel (UTF-8 with BOM or Windows-1252, `;`, decimal comma) or from a script (UTF-8,
`,`); tabs work too. Headers may be Swedish or English (`indikator`/`indicator`, `område`/`area`, `värde`/`value`
…); a column nobody knows is refused by name, so that a typo never drops a column silently.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass

from survey_app.errors import ServiceError

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000

COLUMNS: dict[str, tuple[str, ...]] = {
    "indicator": ("indicator", "indikator", "indikatorkod", "kod", "code"),
    "area": ("area", "område", "omrade", "områdeskod", "region"),
    "period": ("period", "tid", "tidsperiod"),
    "value": ("value", "värde", "varde"),
    "source": ("source", "källa", "kalla"),
    "subseries": ("subseries", "delserie", "grupp", "group"),
    "name": ("name", "namn", "indikatornamn"),
    "unit": ("unit", "enhet"),
    "direction": ("direction", "riktning"),
}
REQUIRED = {"indicator": "indikator", "period": "period", "value": "värde"}  # with the template's header
_BY_HEADER = {alias: key for key, aliases in COLUMNS.items() for alias in aliases}


@dataclass(frozen=True, slots=True)
class Table:
    """The file's rows as {column key: cell}, each with its row number in the file (the header is row 1)."""

    rows: list[tuple[int, dict[str, object]]]
    headers: dict[str, str]  # column key -> the header as the file wrote it, for messages


class FileProblem(ServiceError):
    """A file that cannot be read at all (not a row's fault): `reason` says why, `detail` names what."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.detail = detail


def read_table(data: bytes, filename: str) -> Table:
    if len(data) > MAX_FILE_BYTES:
        raise FileProblem("too_large")
    if not data.strip():
        raise FileProblem("empty")
    lowered = filename.lower()
    if lowered.endswith(".xls"):
        raise FileProblem("old_excel")
    if lowered.endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        header, body = _xlsx_cells(data)
    else:
        header, body = _csv_cells(data)
    return _named(header, body)


def _csv_cells(data: bytes) -> tuple[list[object], list[tuple[int, list[object]]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    first_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        lines = list(reader)
    except csv.Error as error:
        raise FileProblem("unreadable_csv", str(error)) from error
    if not lines:
        raise FileProblem("empty")
    return list(lines[0]), [(number, list(cells)) for number, cells in enumerate(lines[1:], start=2)]


def _xlsx_cells(data: bytes) -> tuple[list[object], list[tuple[int, list[object]]]]:
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise FileProblem("unreadable_xlsx", type(error).__name__) from error
    try:
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = list(next(rows, ()))
        body: list[tuple[int, list[object]]] = []
        for number, cells in enumerate(rows, start=2):
            if len(body) > MAX_ROWS:
                raise FileProblem("too_many_rows")
            body.append((number, list(cells)))
    finally:
        book.close()
    return header, body


def _named(header: list[object], body: list[tuple[int, list[object]]]) -> Table:
    keys: list[str | None] = []
    headers: dict[str, str] = {}
    for cell in header:
        written = "" if cell is None else str(cell).strip()
        if not written:
            keys.append(None)
            continue
        key = _BY_HEADER.get(written.lower())
        if key is None:
            raise FileProblem("unknown_column", written)
        if key in headers:
            raise FileProblem("duplicate_column", written)
        headers[key] = written
        keys.append(key)
    missing = [key for key in REQUIRED if key not in headers]
    if missing:
        raise FileProblem("missing_column", ", ".join(REQUIRED[key] for key in missing))
    rows: list[tuple[int, dict[str, object]]] = []
    for number, cells in body:
        if all(cell is None or str(cell).strip() == "" for cell in cells):
            continue  # blank lines, which Excel leaves at the end
        if len(rows) >= MAX_ROWS:
            raise FileProblem("too_many_rows")
        named = {key: cells[index] if index < len(cells) else None for index, key in enumerate(keys) if key}
        rows.append((number, named))
    if not rows:
        raise FileProblem("no_rows")
    return Table(rows=rows, headers=headers)
