"""Reading the files an admin imports: text decoding, CSV dialects, the mapping table, and what a file got wrong.

Nothing here touches the database: a reader returns plain values or raises :class:`FileRejected` with every
problem found (up to a limit), each naming the row and column or the GeoJSON feature, so nothing of a bad file is
stored. The web page and the command line both turn a :class:`Problem` into Swedish with
:func:`survey_app.admin.import_messages.describe`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

MAX_PROBLEMS = 20  # enough to fix a file in one go, few enough to read


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a file. `row` is the line in the file (the header is line 1)."""

    code: str
    file: str = ""
    row: int | None = None
    column: str | None = None
    feature: str | None = None
    value: str | None = None
    detail: str | None = None


class FileRejected(Exception):
    """A file was refused; `problems` says why, in order."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(", ".join(p.code for p in problems))
        self.problems = problems


class Problems:
    """Collects problems and stops reading once there are enough to show."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.found: list[Problem] = []

    def add(self, code: str, **where: object) -> None:
        self.found.append(Problem(code, self.file, **where))  # type: ignore[arg-type]
        if len(self.found) >= MAX_PROBLEMS:
            raise FileRejected(self.found)

    def raise_if_any(self) -> None:
        if self.found:
            raise FileRejected(self.found)


def decode(data: bytes, *, file: str) -> str:
    """The text of a file as SCB and spreadsheets write it: UTF-8 (with or without BOM), UTF-16 with BOM, or
    Windows-1252/Latin-1 when the bytes are not UTF-8."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise FileRejected([Problem("not_text", file)]) from None
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
            if "\ufffd" in text:  # bytes cp1252 leaves undefined: Latin-1 maps every byte
                text = data.decode("latin-1")
    if "\x00" in text:
        raise FileRejected([Problem("not_text", file)])
    return text


def csv_rows(text: str, *, file: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) for each non-blank row, in the file's dialect (`,`, `;` or tab; quoted or not)."""
    lines = [line for line in text[:64 * 1024].splitlines() if line.strip()][:6]
    if not lines:
        raise FileRejected([Problem("empty", file)])

    def unquoted(line: str, delimiter: str) -> int:
        return len(re.sub(r'"[^"]*"', "", line).split(delimiter)) - 1

    # The delimiter that splits some line (SCB's title lines above the header have none) into the most cells.
    delimiter = max(",;\t", key=lambda d: max(unquoted(line, d) for line in lines))
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, quotechar='"', skipinitialspace=False)
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                yield reader.line_num, [cell.strip() for cell in cells]
    except csv.Error as error:
        raise FileRejected([Problem("csv_broken", file, row=reader.line_num, detail=str(error))]) from None


def header_key(text: str) -> str:
    return " ".join(text.strip().strip('"').lower().replace("_", " ").split())


def region_code(text: str) -> str:
    """The code of an SCB region cell: "1883 Karlskoga" -> "1883", "1883C1010" -> "1883c1010" (compared in lower
    case, since Trygg's own area codes are lower case)."""
    return text.strip().split(" ", 1)[0].lower() if text.strip() else ""


@dataclass(frozen=True, slots=True)
class Mapping:
    """Statistical area code (DeSO, RegSO, kommun) -> Trygg area code, with the Trygg area's name if the file has it."""

    area_of: dict[str, str]
    name_of: dict[str, str]
    row_of: dict[str, int]  # the mapping file's line of each Trygg area code's first mention, for messages
    file: str = "mapping"

    def targets(self) -> set[str]:
        return set(self.area_of.values())


STATISTICAL_CODE_HEADERS = {"statistical code", "statistisk kod", "kod", "code", "deso", "regso", "desokod",
                            "regsokod", "deso kod", "regso kod", "region"}
AREA_HEADERS = {"area", "område", "omrade", "trygg area", "trygg område", "area code", "områdeskod"}
NAME_HEADERS = {"name", "namn", "area name", "områdesnamn", "omradesnamn"}
MAPPING_LIMIT = 100_000


def read_mapping(data: bytes, *, file: str = "mapping") -> Mapping:
    """The mapping table: one row per statistical area, naming the Trygg area it belongs to (and its name)."""
    problems = Problems(file)
    rows = csv_rows(decode(data, file=file), file=file)
    _, header = next(rows, (1, []))
    keys = [header_key(h) for h in header]
    source = next((i for i, k in enumerate(keys) if k in STATISTICAL_CODE_HEADERS), None)
    target = next((i for i, k in enumerate(keys) if k in AREA_HEADERS), None)
    name = next((i for i, k in enumerate(keys) if k in NAME_HEADERS), None)
    if source is None:
        problems.add("missing_column", row=1, column="kod")
    if target is None:
        problems.add("missing_column", row=1, column="område")
    if source is None or target is None:
        raise FileRejected(problems.found)
    area_of: dict[str, str] = {}
    name_of: dict[str, str] = {}
    row_of: dict[str, int] = {}
    seen_at: dict[str, int] = {}
    for line, cells in rows:
        if line > MAPPING_LIMIT:
            problems.add("too_many_rows", row=line)
        cells = cells + [""] * (len(header) - len(cells))
        code, area = region_code(cells[source]), cells[target].strip().lower()
        if not code:
            problems.add("blank", row=line, column=header[source])
            continue
        if not area:
            problems.add("blank", row=line, column=header[target])
            continue
        if code in area_of and area_of[code] != area:
            problems.add("duplicate_key", row=line, column=header[source], value=cells[source],
                         detail=str(seen_at[code]))
            continue
        area_of[code] = area
        seen_at.setdefault(code, line)
        row_of.setdefault(area, line)
        if name is not None and len(cells) > name and cells[name].strip():
            name_of.setdefault(area, cells[name].strip()[:200])
    if not area_of and not problems.found:
        problems.add("empty")
    problems.raise_if_any()
    return Mapping(area_of=area_of, name_of=name_of, row_of=row_of, file=file)
