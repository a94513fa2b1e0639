"""Mask personal data in free text before it is stored (DESIGN.md: data rules that never bend).

One module, used by the survey (free-text answers) and the dialogue records (summaries, observations).
It replaces

* personnummer and samordningsnummer with ``[personnummer]`` / ``[samordningsnummer]`` when they have a valid Luhn
  check digit and a plausible date (samordningsnummer: day + 60): 10 or 12 digits with no separator or one of
  ``-`` ``+`` ``.`` ``/`` ``_``, a space or a spaced hyphen before the last four (``811218 - 9876``), and the
  12-digit forms with a separated date (``1981-12-18-9876``, ``1981 12 18 9876``, ``1981.12.18.9876``);
* Swedish phone numbers (``070-123 45 67``, ``070.123.45.67``, ``08-123 456 78``, ``+46 (0)70-123 45 67``,
  ``0046 ...``) with ``[telefonnummer]``;
* e-mail addresses with ``[e-post]``, also written to dodge a filter: ``anna(at)kommun.se``,
  ``anna [at] kommun . se``, ``anna @ kommun.se``, full-width ``＠``/``．``, ``anna(snabel-a)kommun.se``, and
  ``anna at kommun dot se`` (spelled-out words and spaced dots only before a top-level domain from a known list,
  so that ordinary prose with "at" or a full stop is left alone).

Dates (``2026-03-01 - 2026-04-15``, ``01.02.2024``) and opening hours (``0800-1700``, ``08.00–17.00``) are matched
first and left as they are, so no phone number is found inside them; a 12-digit number with a separated date must
not continue as a date (``2026-03-01 - 2026-04-15`` is a range, not ``2026-03-01 - 2026`` + ``-04-15``).

Phone numbers stay a regular expression rather than the ``phonenumbers`` library (``PhoneNumberMatcher(text, "SE",
leniency=...)``), measured in December 2026 against tests/test_pii.py (35 phone spellings, 38 ordinary texts):
at leniency POSSIBLE it finds 34 numbers but also 20 ordinary texts (prices, dates, case numbers, coordinates); at
VALID 34 numbers and 5 ordinary texts, among them the opening hours ``0800-1700`` and ``08.00–17.00``; the
stricter levels find 33 and 31 numbers. It finds *none* of the 714 numbers in 10 kB of ``070-123 45 67 `` (numbers
separated by one space run together into one invalid candidate), and it is not linear: 10 kB of ``0 - `` took
0.37 s, 50 kB 2.3 s, against 4 ms and 20 ms here. The regular expressions find all 35 and no ordinary text.

Art. 9 content (health, ethnicity, ...) cannot be masked reliably, which is why free text is never
published. Every pattern is linear: no nested unbounded quantifiers, candidates are bounded by
non-digits (or a word boundary), and the check digit and date are tested in Python, so hostile input is fast.
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

_HYPHENS = "\\-\u2010\u2011\u2013\u2212"  # hyphen-minus, hyphen, non-breaking hyphen, en dash, minus sign
_SPACE = "[ \u00a0\u202f]"  # space, no-break space, narrow no-break space

# Local part: a maximal run (the lookbehind stops a match from starting inside one, which keeps the
# scan linear); domain: labels separated by dots, ending in a letters-only top-level domain.
_EMAIL = re.compile(
    r"(?<![\w.%+\-])[\w.%+\-]+@[^\W_](?:[\w\-]{0,62})(?:\.[\w\-]{1,63}){0,8}\.[^\W\d_]{2,24}(?![\w\-])"
)
# Disguised addresses. Every piece is bounded, and a match starts only at the start of a word, so the scan stays
# linear. "Strong" disguises (a bracketed at, full-width ＠ and ．) say "address" by themselves; spelled-out words
# ("at", "dot", "punkt"), spaces around @ and spaced dots also occur in prose, so they need a known top-level domain.
_AT_SIGN = "[@\uff20\ufe6b]"
_TIGHT_DOT = "[.\uff0e\ufe52]"
_OPEN, _CLOSE = r" {0,2}[(\[{<] {0,2}", r" {0,2}[)\]}>] {0,2}"
_BRACKET_DOT = rf"{_OPEN}(?i:dot|punkt|\.){_CLOSE}"
_LOOSE_DOT = rf"(?: {{1,2}}{_TIGHT_DOT} {{1,2}}| {{1,2}}(?i:dot|punkt) {{1,2}})"
_STRONG_AT = rf"(?:{_AT_SIGN}|{_OPEN}(?i:at|snabel-?a|{_AT_SIGN}){_CLOSE})"
_LOOSE_AT = rf"(?: {{0,2}}{_AT_SIGN} {{0,2}}| {{1,2}}(?i:at|snabel-?a) {{1,2}})"
_LABEL = r"[^\W_][\w\-]{0,62}"
# In lower or upper case only: "torget.Se" is a sentence running on, not a domain.
_TLDS = "se|nu|com|org|net|info|eu|io|fi|no|dk|is|de|uk|nl|be|fr|es|it|pl|ch|at|ee|lv|lt|us|ca|co|me|tv|biz|edu|gov|app"
_KNOWN_TLD = f"(?:{_TLDS}|{_TLDS.upper()})"


def _disguised_email(at: str, dot: str, tld: str) -> re.Pattern[str]:
    # Nor right after a digit and a separator: "070-123 45 67(at)..." keeps its number whole for the phone pattern.
    local = rf"(?<![\w.%+\-])(?<!\d[ \u00a0/{_HYPHENS}])[\w.%+\-]+(?:(?:{_BRACKET_DOT}|{_LOOSE_DOT})[\w%+\-]+){{0,3}}"
    return re.compile(rf"{local}{at}{_LABEL}(?:{dot}{_LABEL}){{0,8}}{dot}{tld}(?![\w\-])")


_AT_HINT = re.compile(rf"{_AT_SIGN}|(?i:\b(?:at|snabel-?a)\b)")
_STRONG_EMAIL = _disguised_email(_STRONG_AT, f"(?:{_TIGHT_DOT}|{_BRACKET_DOT})", r"[^\W\d_]{2,24}")
_WORDY_EMAIL = _disguised_email(f"(?:{_STRONG_AT}|{_LOOSE_AT})", f"(?:{_TIGHT_DOT}|{_BRACKET_DOT}|{_LOOSE_DOT})",
                                _KNOWN_TLD)

# YYMMDD or YYYYMMDD, an optional separator, then NNNC, not inside a longer run of digits.
_IDENTITY = re.compile(
    r"(?<!\d)(\d{2})?(\d{2})(\d{2})(\d{2})"
    rf"((?:{_SPACE}?[{_HYPHENS}]{_SPACE}?|[+ \u00a0./_])?)(\d{{3}})(\d)(?!\d)"
)
# YYYY-MM-DD-NNNC with the same separator inside the date, then that separator or a hyphen (or "+"); a date range
# (2026-03-01 - 2026-04-15) is not one: the match may not go on with a separator and a digit.
_IDENTITY_SEPARATED_DATE = re.compile(
    rf"(?<!\d)(1[89]|20)(\d{{2}})([ \u00a0./{_HYPHENS}])(\d{{2}})\3(\d{{2}})"
    rf"(\3|[+{_HYPHENS}]|{_SPACE}[{_HYPHENS}]{_SPACE})(\d{{3}})(\d)(?!\d)(?![./{_HYPHENS}]\d)"
)
# National (0 + area code + subscriber: 8-10 digits) or international (+46 / 0046, optional "(0)" or "0").
# Between two digits: nothing, one space, or a hyphen, slash or dash with an optional space on each side.
# The alternatives never match the same text, so backtracking stays small.
_SEP = rf"(?:{_SPACE}?[/\u2014{_HYPHENS}]{_SPACE}?|{_SPACE})?"
# Matched before a phone number can start inside them, and left alone: ISO dates (2026-03-01), day-month-year dates
# (01.02.2024), opening hours (0800-1700, 08.00–17.00; HHMM-HHMM only when no more digits follow).
_NOT_A_PHONE = (
    r"(?<!\d)(?:18|19|20)\d\d(?P<iso>[-./\u2013])(?:0[1-9]|1[0-2])(?P=iso)(?:0[1-9]|[12]\d|3[01])(?!\d)"
    r"|(?<!\d)(?:0[1-9]|[12]\d|3[01])(?P<dmy>[-./])(?:0[1-9]|1[0-2])(?P=dmy)(?:19|20)\d\d(?![-./]?\d)"
    rf"|(?<!\d)(?:[01]\d|2[0-4])[.:][0-5]\d{_SPACE}?[\-\u2013\u2014]{_SPACE}?(?:[01]\d|2[0-4])[.:][0-5]\d(?!\d)"
    rf"|(?<!\d)(?:[01]\d|2[0-4])[0-5]\d{_SPACE}?[\-\u2013\u2014]{_SPACE}?(?:[01]\d|2[0-4])[0-5]\d"
    rf"(?!{_SPACE}?(?:[.{_HYPHENS}]{_SPACE}?)?\d)"
)
_PHONE = re.compile(
    rf"(?=[\d+(])(?:(?P<keep>{_NOT_A_PHONE})"
    # a number starting with "+" or "(" may follow a digit directly (0800-1700+46 ...); one starting with a digit not
    rf"|(?:(?:(?<!\+)\+|(?<![\d+])00)46{_SEP}(?:\(0\){_SEP}|0{_SEP})?[1-9](?:{_SEP}\d){{6,8}}"
    rf"|(?<!\+)\(0\d{{1,3}}\){_SEP}\d(?:{_SEP}\d){{4,7}}"
    rf"|(?<![\d+])0[1-9](?:{_SEP}\d){{6,8}})"
    r"(?!\d))"
)
# Dots as the only separators (070.123.45.67, +46.70.123.45.67), as a pattern of its own: a dotted candidate cannot
# run on into the next number, and it may not be part of a longer dotted number (an IP address, a version).
_DOTTED_PHONE = re.compile(
    r"(?<![\d+])(?<!\d\.)(?:(?:\+|00)46[ .]?(?:\(0\)[ .]?|0\.?)?[1-9](?:\.?\d){6,8}|0[1-9](?:\.?\d){6,8})(?!\.?\d)"
)
# ... and grouped like a phone number: the first dot within the first four digits (070.1234567), not a decimal
# number that happens to start with 0 (039274.0566).
_DOTTED_GROUPING = re.compile(r"(?:(?:\+|00)46[ .]?(?:\(0\)[ .]?|0\.?)?)?\d{1,4}\.")
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
    text = text.strip()
    match = _IDENTITY.fullmatch(text)
    if match is not None:
        return _identity_kind(match) is not None
    match = _IDENTITY_SEPARATED_DATE.fullmatch(text)
    return match is not None and _separated_identity_kind(match) is not None


def _kind(century: str | None, yy: str, mm: str, dd: str, separator: str, serial: str, check: str) -> str | None:
    if int(check) != luhn_check_digit(yy + mm + dd + serial):
        return None
    return _plausible_date(century, yy, mm, dd, separator)


def _identity_kind(match: re.Match[str]) -> str | None:
    century, yy, mm, dd, separator, serial, check = match.groups()
    return _kind(century, yy, mm, dd, separator, serial, check)


def _separated_identity_kind(match: re.Match[str]) -> str | None:
    century, yy, _, mm, dd, separator, serial, check = match.groups()
    return _kind(century, yy, mm, dd, separator, serial, check)


def _identity_replacement(match: re.Match[str]) -> str:
    return _identity_kind(match) or match.group(0)


def _separated_identity_replacement(match: re.Match[str]) -> str:
    return _separated_identity_kind(match) or match.group(0)


def _phone_replacement(match: re.Match[str]) -> str:
    text = match.group(0)
    if match.groupdict().get("keep") is not None or _DATE_LIKE.match(text) or _TIME_RANGE.match(text):
        return text  # a date or opening hours: 2026-03-01, 01-02-2024, 0800-1700, 08 00-09 00
    return TELEFONNUMMER


def _dotted_phone_replacement(match: re.Match[str]) -> str:
    if "." in match.group(0) and not _DOTTED_GROUPING.match(match.group(0)):
        return match.group(0)
    return _phone_replacement(match)


def _mask_once(text: str) -> str:
    # E-mail first: a local part may contain digits that look like a phone number.
    text = _EMAIL.sub(EPOST, text)
    if _AT_HINT.search(text):  # the disguised patterns try every word; most answers have no "at" in any form
        text = _STRONG_EMAIL.sub(EPOST, text)
        text = _WORDY_EMAIL.sub(EPOST, text)
    text = _IDENTITY.sub(_identity_replacement, text)
    text = _IDENTITY_SEPARATED_DATE.sub(_separated_identity_replacement, text)
    text = _PHONE.sub(_phone_replacement, text)
    return _DOTTED_PHONE.sub(_dotted_phone_replacement, text)


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
