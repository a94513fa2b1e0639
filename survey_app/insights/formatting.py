"""Numbers as the reader's language writes them (Babel, the current locale): in Swedish a decimal comma and a no-break
space between thousands, percentages with one decimal; in English a point and commas."""

from __future__ import annotations

import math

from babel import Locale
from babel.numbers import format_decimal
from flask_babel import get_locale

NO_FIGURE = "–"


def _locale() -> Locale:
    return get_locale() or Locale.parse("sv")


def integer(value: float | None) -> str:
    if value is None or not math.isfinite(value):
        return NO_FIGURE
    return format_decimal(round(value), format="#,##0", locale=_locale())


def decimal(value: float | None, digits: int = 1) -> str:
    if value is None or not math.isfinite(value):
        return NO_FIGURE
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=_locale())


def percent(value: float | None, digits: int = 1) -> str:
    """A share (0–1) as a percentage with `digits` decimals, in the locale's own percent pattern (23,8 % / 23.8%)."""
    if value is None or not math.isfinite(value):
        return NO_FIGURE
    locale = _locale()
    pattern = locale.percent_formats[None].pattern.replace("#,##0", "#,##0" + ("." + "0" * digits if digits else ""),
                                                           1)
    return format_decimal(value, format=pattern, locale=locale)


def points(value: float | None) -> str:
    """A difference of two shares in percentage points, signed, one decimal (+2,3 / −0,4)."""
    if value is None or not math.isfinite(value):
        return NO_FIGURE
    text = format_decimal(abs(value) * 100, format="#,##0.0", locale=_locale())
    if round(abs(value) * 100, 1) == 0:
        return "±" + text  # a difference that rounds to nothing has no sign ("−0,0" reads as a fall)
    return ("+" if value > 0 else "−") + text


def figure(kind: str, value: float | None) -> str:
    """An estimate of a share measure as a percentage, of an index (0–100) as a number with one decimal."""
    return percent(value) if kind == "share" else decimal(value)


def difference(kind: str, value: float | None) -> str:
    """A difference: percentage points for shares, index points for an index."""
    if kind == "share":
        return points(value)
    if value is None or not math.isfinite(value):
        return NO_FIGURE
    if round(abs(value), 1) == 0:
        return "±" + decimal(abs(value))
    return ("+" if value > 0 else "−") + decimal(abs(value))
