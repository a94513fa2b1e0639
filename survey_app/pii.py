"""Mask personal data in free text before it is stored (DESIGN.md: data rules that never bend).

One module, used by the survey (free-text answers) and the dialogue records (summaries, observations).
It replaces

* personnummer and samordningsnummer (10 or 12 digits, separator ``-``, ``+``, a space or none) that
  have a valid Luhn check digit and a plausible date (samordningsnummer: day + 60) with
  ``[personnummer]`` / ``[samordningsnummer]``;
* Swedish phone numbers (``070-123 45 67``, ``08-123 456 78``, ``+46 70 123 45 67``, ``0046 ...``)
  with ``[telefonnummer]``;
* e-mail addresses with ``[e-post]``.

Art. 9 content (health, ethnicity, ...) cannot be masked reliably, which is why free text is never
published. Every pattern is linear: no nested unbounded quantifiers, candidates are bounded by
non-digits, and the check digit and date are tested in Python, so 10 kB of hostile input is fast.
"""

from __future__ import annotations

import calendar
import re
import unicodedata

__all__ = ["is_valid_identity_number", "luhn_check_digit", "mask_personal_data"]

PERSONNUMMER = "[personnummer]"
SAMORDNINGSNUMMER = "[samordningsnummer]"
TELEFONNUMMER = "[telefonnummer]"
EPOST = "[e-post]"

# Local part: a maximal run (the lookbehind stops a match from starting inside one, which keeps the
# scan linear); domain: labels separated by dots, ending in a letters-only top-level domain.
_EMAIL = re.compile(
    r"(?<![\w.%+\-])[\w.%+\-]+@[^\W_](?:[\w\-]{0,62})(?:\.[\w\-]{1,63}){0,8}\.[^\W\d_]{2,24}(?![\w\-])"
)
# YYMMDD or YYYYMMDD, an optional separator, then NNNC, not inside a longer run of digits.
_IDENTITY = re.compile(r"(?<!\d)(\d{2})?(\d{2})(\d{2})(\d{2})([-+ \u2013\u2212]?)(\d{3})(\d)(?!\d)")
# National (0 + area code + subscriber: 8-10 digits) or international (+46 / 0046, optional "(0)").
# Between two digits: nothing, one space (or no-break space), or a hyphen, slash or en dash with an
# optional space on each side. The alternatives never match the same text, so backtracking stays small.
_SEP = r"(?:[ \u00a0]?[\-/\u2013][ \u00a0]?|[ \u00a0])?"
_PHONE = re.compile(
    r"(?<![\d+])"
    rf"(?:(?:\+|00)46{_SEP}(?:\(0\){_SEP})?[1-9](?:{_SEP}\d){{6,8}}"
    rf"|\(0\d{{1,3}}\){_SEP}\d(?:{_SEP}\d){{4,7}}"
    rf"|0[1-9](?:{_SEP}\d){{6,8}})"
    r"(?!\d)"
)
_DATE_LIKE = re.compile(r"^\d{1,2} ?[-./\u2013 ] ?\d{1,2} ?[-./\u2013 ] ?\d{2,4}$")
_TIME_RANGE = re.compile(r"^\d{2} \d{2} ?[-\u2013] ?\d{2} \d{2}$")
_MAX_PASSES = 4
# Invisible characters someone could slip between digits (soft hyphen, zero-width space and joiners, direction marks,
# word joiner, byte-order mark); removed only next to a digit, so joiners inside words of other scripts stay.
_INVISIBLE_BY_DIGIT = re.compile(
    r"(?<=\d)[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]+"
    r"|[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]+(?=\d)"
)


class _AsciiDigits(dict[int, str]):
    """A str.translate table mapping every script's decimal digit (Arabic-Indic, Persian, full-width ...) to 0-9."""

    def __missing__(self, code_point: int) -> str:
        value = unicodedata.decimal(chr(code_point), None) if code_point > 127 else None
        if value is None:
            raise LookupError(code_point)  # str.translate leaves the character as it is
        self[code_point] = str(value)
        return self[code_point]


_ASCII_DIGITS = _AsciiDigits()


def _normalise(text: str) -> str:
    """Digits in ASCII, with invisible characters between them removed, so that no spelling slips past the masks."""
    return _INVISIBLE_BY_DIGIT.sub("", text.translate(_ASCII_DIGITS))


def luhn_check_digit(nine_digits: str) -> int:
    """The Luhn (mod 10) check digit of the first nine digits ``YYMMDDNNN`` of an identity number."""
    total = 0
    for position, char in enumerate(nine_digits):
        product = int(char) * (2 if position % 2 == 0 else 1)
        total += product // 10 + product % 10
    return (10 - total % 10) % 10


def _plausible_date(century: str | None, yy: str, mm: str, dd: str, separator: str) -> str | None:
    """``PERSONNUMMER`` or ``SAMORDNINGSNUMMER`` when the date is a real calendar date, else None."""
    month, day = int(mm), int(dd)
    kind = PERSONNUMMER
    if day > 60:
        day -= 60
        kind = SAMORDNINGSNUMMER
    if not 1 <= month <= 12 or day < 1:
        return None
    if century is not None:
        if century not in {"18", "19", "20"}:
            return None
        years = [int(century + yy)]
    elif separator == "+":  # 100 years or older
        years = [1800 + int(yy), 1900 + int(yy)]
    else:
        years = [1900 + int(yy), 2000 + int(yy)]
    if not any(day <= calendar.monthrange(year, month)[1] for year in years):
        return None
    return kind


def is_valid_identity_number(text: str) -> bool:
    """Whether ``text`` is exactly a personnummer or samordningsnummer with a valid check digit."""
    match = _IDENTITY.fullmatch(text.strip())
    return match is not None and _identity_kind(match) is not None


def _identity_kind(match: re.Match[str]) -> str | None:
    century, yy, mm, dd, separator, serial, check = match.groups()
    if int(check) != luhn_check_digit(yy + mm + dd + serial):
        return None
    return _plausible_date(century, yy, mm, dd, separator)


def _identity_replacement(match: re.Match[str]) -> str:
    return _identity_kind(match) or match.group(0)


def _phone_replacement(match: re.Match[str]) -> str:
    text = match.group(0)
    if _DATE_LIKE.match(text) or _TIME_RANGE.match(text):  # 01-02-2024, 08 00-09 00
        return text
    return TELEFONNUMMER


def _mask_once(text: str) -> str:
    # E-mail first: a local part may contain digits that look like a phone number.
    text = _EMAIL.sub(EPOST, text)
    text = _IDENTITY.sub(_identity_replacement, text)
    return _PHONE.sub(_phone_replacement, text)


def mask_personal_data(text: str) -> str:
    """Replace personnummer, samordningsnummer, phone numbers and e-mail addresses in ``text``.

    Idempotent: masking masked text changes nothing. Never raises for a ``str``. Digits of every script come back
    as ASCII digits, so ``٠٧٠١٢٣٤٥٦٧`` (Arabic-Indic) is masked like ``0701234567``.
    """
    text = _normalise(text)
    for _ in range(_MAX_PASSES):
        masked = _mask_once(text)
        if masked == text:
            break
        text = masked
    return text
