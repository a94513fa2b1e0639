"""The exports module: CSV in the Swedish Excel and plain dialects, XLSX with typed cells, both streamed."""

from __future__ import annotations

import csv
import datetime as dt
import io

import numpy as np
import pytest
from openpyxl import load_workbook

from survey_app import exports

HOSTILE = ["=1+1", "+46 70 123", "-5 grader", "@SUM(A1)", "\t=1", "\r=1"]


def _csv_rows(data: bytes, dialect: exports.CsvDialect) -> list[list[str]]:
    text = data.decode("utf-8-sig" if dialect.bom else "utf-8")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=dialect.delimiter))


def test_swedish_excel_csv_has_a_bom_semicolons_decimal_commas_and_crlf() -> None:
    data = exports.csv_bytes([["Område", "Andel", "Antal"], ["Östra; centrum", 0.25, 12], ["Norr", -1.5, -3]])
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in data
    assert _csv_rows(data, exports.EXCEL_SV) == [
        ["Område", "Andel", "Antal"], ["Östra; centrum", "0,25", "12"], ["Norr", "-1,5", "-3"],
    ]


def test_plain_csv_is_utf8_commas_and_points_without_a_bom() -> None:
    data = exports.csv_bytes([["area", "share"], ["Östra, centrum", np.float64(0.25)], ["Norr", None]],
                             dialect=exports.PLAIN)
    assert data.decode("utf-8") == 'area,share\n"Östra, centrum",0.25\nNorr,\n'
    broken_line = exports.csv_bytes([["Lampan\rtrasig", 3], ["Torget", 4]], dialect=exports.PLAIN)
    assert _csv_rows(broken_line, exports.PLAIN) == [["Lampan\rtrasig", "3"], ["Torget", "4"]]


@pytest.mark.parametrize("dialect", [exports.EXCEL_SV, exports.PLAIN])
def test_csv_guards_text_a_spreadsheet_would_run_but_never_numbers(dialect: exports.CsvDialect) -> None:
    rows = _csv_rows(exports.csv_bytes([HOSTILE, [-5, -0.5, "Torget", dt.date(2026, 1, 2)]], dialect=dialect),
                     dialect)
    assert rows[0] == ["'" + text for text in HOSTILE]
    assert rows[1] == ["-5", f"-0{dialect.decimal}5", "Torget", "2026-01-02"]


def test_guard_formula_leaves_ordinary_text_alone() -> None:
    assert exports.guard_formula("Torget") == "Torget"
    assert exports.guard_formula("") == ""
    assert exports.guard_formula("a=b") == "a=b"


def test_csv_streams_many_rows_in_several_chunks() -> None:
    produced = []

    def rows():
        for number in range(20_000):
            produced.append(number)
            yield [number, f"Iakttagelse {number}", number / 3]

    stream = exports.csv_chunks(rows(), chunk_size=16 * 1024)
    first = next(stream)
    assert len(produced) < 20_000  # the first chunk leaves before the last row is read
    chunks = [first, *stream]
    assert len(chunks) > 10
    assert all(len(chunk) < 17 * 1024 for chunk in chunks)
    rows_back = _csv_rows(b"".join(chunks), exports.EXCEL_SV)
    assert len(rows_back) == 20_000
    assert rows_back[-1][:2] == ["19999", "Iakttagelse 19999"]


def _workbook(data: bytes):
    return load_workbook(io.BytesIO(data))


def test_xlsx_text_is_a_string_cell_without_an_apostrophe_and_numbers_are_numbers() -> None:
    data = exports.xlsx_bytes([exports.Sheet("Iakttagelser", ["Text", "Antal", "Andel"], [
        [text, number, number / 4] for number, text in enumerate(HOSTILE, 1)
    ] + [["http://example.com", np.int64(7), np.float64(0.5)], ["1234", True, None]])])
    sheet = _workbook(data)["Iakttagelser"]
    cells = list(sheet.iter_rows(min_row=2))
    for row, text in zip(cells, HOSTILE, strict=False):
        assert (row[0].value, row[0].data_type) == (text.replace("\r", "\n"), "s")  # Excel's line break is \n
        assert row[1].data_type == "n"
        assert isinstance(row[1].value, int)
        assert row[2].data_type == "n"
    assert (cells[0][2].value, cells[-2][1].value, cells[-2][2].value) == (0.25, 7, 0.5)
    assert (cells[-2][0].value, cells[-2][0].hyperlink) == ("http://example.com", None)
    assert (cells[-1][0].value, cells[-1][0].data_type) == ("1234", "s")  # text that looks like a number stays text
    assert cells[-1][1].value is True
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_xlsx_has_one_table_per_sheet_with_a_bold_frozen_header() -> None:
    data = exports.xlsx_bytes([
        exports.Sheet("measures", ["measure", "estimate"], [["otrygg", 0.3]]),
        exports.Sheet("comparisons", ["measure"], iter([["otrygg"], ["rädd"]])),
        exports.Sheet("Mätning: vår/höst [2026] och ett mycket långt namn", ["a"], []),
        exports.Sheet("measures", ["b"], []),
    ])
    book = _workbook(data)
    assert book.sheetnames == ["measures", "comparisons", "Mätning  vår höst  2026  och et", "measures (2)"]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2"
        assert sheet["A1"].font.b
    assert list(book["comparisons"].iter_rows(values_only=True)) == [("measure",), ("otrygg",), ("rädd",)]
    assert book["measures"]["B2"].value == 0.3
    assert not book["measures"]["A2"].font.b


def test_xlsx_drops_characters_xml_cannot_hold_and_leaves_nan_empty() -> None:
    data = exports.xlsx_bytes([exports.Sheet("s", ["Text\x00"], [["Lampan\x0btrasig\x1f", float("nan")]])])
    sheet = _workbook(data)["s"]
    assert sheet["A1"].value == "Text"
    assert sheet["A2"].value == "Lampantrasig"
    assert sheet["B2"].value is None


def test_xlsx_streams_in_several_chunks_and_reads_back_whole(tmp_path) -> None:
    rows = ([number, f"Iakttagelse {number}", "=HYPERLINK(\"http://evil\")"] for number in range(5_000))
    chunks = list(exports.xlsx_chunks([exports.Sheet("s", ["Nr", "Text", "Farlig"], rows)], chunk_size=8 * 1024))
    assert len(chunks) > 3
    assert all(len(chunk) <= 8 * 1024 for chunk in chunks)
    sheet = _workbook(b"".join(chunks))["s"]
    assert sheet.max_row == 5_001
    assert (sheet["A5001"].value, sheet["B5001"].value) == (4999, "Iakttagelse 4999")
    assert (sheet["C5001"].value, sheet["C5001"].data_type) == ("=HYPERLINK(\"http://evil\")", "s")
    target = tmp_path / "book.xlsx"
    exports.write_xlsx([exports.Sheet("s", ["a"], [[1]])], target)
    assert _workbook(target.read_bytes())["s"]["A2"].value == 1


def test_xlsx_refuses_more_rows_than_a_sheet_holds_and_leaves_no_file(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 3)
    assert exports.xlsx_bytes([exports.Sheet("s", ["a"], [[1], [2]])])
    with pytest.raises(ValueError, match="more rows than an Excel sheet holds"):
        exports.xlsx_bytes([exports.Sheet("s", ["a"], [[1], [2], [3]])])
    target = tmp_path / "book.xlsx"
    with pytest.raises(ValueError, match="more rows than an Excel sheet holds"):
        exports.write_xlsx([exports.Sheet("s", ["a"], [[1], [2], [3]])], target)
    assert not target.exists()
