"""What a person reads for each reason an indicator file, row or value is refused."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

FILE_MESSAGES = {
    "too_large": _l("The file is too large (at most 5 MB)."),
    "empty": _l("The file is empty."),
    "no_rows": _l("The file has a header row but no values."),
    "too_many_rows": _l("The file has too many rows (at most 50,000)."),
    "old_excel": _l("Old Excel files (.xls) cannot be read: save the file as .xlsx or as CSV."),
    "unreadable_csv": _l("The file could not be read as CSV."),
    "unreadable_xlsx": _l("The file could not be read as an Excel file (.xlsx)."),
    "unknown_column": _l("The column “%(detail)s” is not one Trygg knows. Use the template's headers."),
    "duplicate_column": _l("The column “%(detail)s” appears twice."),
    "missing_column": _l("The file lacks the column(s): %(detail)s."),
    "no_file": _l("Choose a file to import."),
}

ROW_MESSAGES = {
    "missing": _l("Empty: a value is required."),
    "too_long": _l("Too long (at most 64 characters)."),
    "unknown_indicator": _l("Unknown indicator “%(detail)s”: create it first, or give its name in a column “namn”."),
    "unknown_direction": _l("Unknown direction “%(detail)s” (higher_better, higher_worse or neutral)."),
    "unknown_area": _l(
        "Unknown area “%(detail)s”: use an area's code or name, or leave it empty for the whole municipality."),
    "bad_period": _l("“%(detail)s” is not a period (for example 2025, 2025-T1, 2025-Q3 or 2025-03)."),
    "bad_number": _l("“%(detail)s” is not a number."),
    "duplicate_key": _l("The same indicator, area, sub-series and period as row %(detail)s."),
}

INDICATOR_MESSAGES = {
    "code_taken": _l("That code is already in use."),
    "bad_code": _l("Use letters, digits, “-” and “_” only."),
}


def row_message(reason: str, detail: str) -> str:
    return str(ROW_MESSAGES.get(reason, reason)) % {"detail": detail}


def file_message(reason: str, detail: str) -> str:
    return str(FILE_MESSAGES.get(reason, reason)) % {"detail": detail}
