"""A respondent's answers: skip logic (:class:`AnswerState`) and answer validation (:func:`validate_answer`).

Answers map item codes to values: option codes (strings), integers for number, age and birth-year
items, tuples of codes for multiple choice and masked text for free text. Errors of
:func:`validate_answer` are stable codes (:data:`ERROR_CODES`) that the web layer translates; nothing
here is prose for residents.
"""

from __future__ import annotations

import datetime
import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Final

from analysis.instrument.model import MAX_FREE_TEXT, FrozenMap, Instrument, Item, ItemType

#: The stable error codes :func:`validate_answer` returns (the web layer maps them to messages).
ERROR_CODES: Final = frozenset({
    "wrong_type",        # a value of a type the item never accepts (a dict, bytes, a bool ...)
    "too_many_values",   # several values where one is expected
    "not_an_option",     # a code that is not one of the item's options
    "exclusive_option",  # an exclusive option (e.g. "no_answer") combined with others
    "too_long",          # free text longer than max_length
    "not_a_number",      # not a whole number (text, decimals, NaN, infinity)
    "out_of_range",      # a whole number outside min..max (or the birth-year window)
    "not_answerable",    # a value sent for an information block or a grid heading
})

_AREA_CODE_RE: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
_NUMERIC_TYPES: Final = frozenset({ItemType.NUMBER, ItemType.AGE, ItemType.BIRTH_YEAR})
_MAX_NUMBER_DIGITS: Final = 12
_MAX_CHOICE_VALUES: Final = 200


class AnswerState:
    """One respondent's answers with the skip logic applied, every condition evaluated once.

    Build it once per set of answers (a web request, a stored response) and ask it what the flow
    needs: the answers that count, the items and fields of a page, the pages shown, the age.

    Parameters
    ----------
    instrument : Instrument
        A loaded instrument.
    answers : Mapping[str, object]
        Item code -> answer, as kept in a draft or delivered by a form; unknown codes are ignored.

    Notes
    -----
    An item is visible when it has no ``show_if`` or its condition holds on the answers that count.
    An answer counts when its item is answerable and visible, so an answer left over from an item
    that is now hidden (the respondent went back and changed ``victim_assault`` to ``no``) is dropped,
    and chains of conditions resolve. The items are visited once, in questionnaire order, and each
    condition is evaluated on the answers kept so far: that equals evaluating it on all of them,
    because a condition may only read items of earlier pages (the parser rejects anything else).

    A grid is shown when at least one of its rows is visible; a page is shown when it has a visible
    question, or, for a page of information blocks only, a visible block.
    """

    __slots__ = ("_answers", "_instrument", "_items", "_questions", "_shown_pages", "_visible")

    def __init__(self, instrument: Instrument, answers: Mapping[str, object]) -> None:
        kept: dict[str, object] = {}
        visible: set[str] = set()

        def visit(item: Item) -> bool:
            shown = item.show_if is None or item.show_if.evaluate(kept)
            if shown:
                visible.add(item.code)
                if item.is_answerable and item.code in answers:
                    kept[item.code] = answers[item.code]
            return shown

        page_items: list[tuple[Item, ...]] = []
        page_questions: list[tuple[Item, ...]] = []
        for page in instrument.pages:
            items: list[Item] = []
            questions: list[Item] = []
            for item in page.items:
                shown = visit(item)
                rows = [row for row in item.rows if visit(row)]
                if not shown or (item.type == ItemType.GRID and not rows):
                    continue
                items.append(item)
                if item.type == ItemType.GRID:
                    questions.extend(rows)
                elif item.is_answerable:
                    questions.append(item)
            page_items.append(tuple(items))
            page_questions.append(tuple(questions))
        self._instrument = instrument
        self._answers: Mapping[str, object] = FrozenMap(kept)
        self._visible = frozenset(visible)
        self._items = tuple(page_items)
        self._questions = tuple(page_questions)
        self._shown_pages = tuple(
            index for index, page in enumerate(instrument.pages)
            if (page_items[index] if all(item.type == ItemType.INFO for item in page.items) else page_questions[index])
        )

    @property
    def instrument(self) -> Instrument:
        return self._instrument

    @property
    def answers(self) -> Mapping[str, object]:
        """The answers that count: answerable, visible items only, in questionnaire order."""
        return self._answers

    @property
    def shown_pages(self) -> tuple[int, ...]:
        """Indexes of the pages the flow shows (skip logic can hide whole pages)."""
        return self._shown_pages

    def is_visible(self, item: Item) -> bool:
        """Whether ``item`` (a question, grid row, grid or information block) is shown."""
        return item.code in self._visible

    def visible_items(self, page_index: int) -> tuple[Item, ...]:
        """The items of page ``page_index`` to show, in order; a grid is one item.

        Raises IndexError for a page that does not exist. Show a grid's rows that
        :meth:`is_visible` admits, or use :meth:`visible_questions`.
        """
        return self._items[self._check(page_index)]

    def visible_questions(self, page_index: int) -> tuple[Item, ...]:
        """The answerable items (grid rows expanded) shown on page ``page_index``: the fields to read."""
        return self._questions[self._check(page_index)]

    def is_page_shown(self, page_index: int) -> bool:
        """Whether the flow shows page ``page_index``."""
        return self._check(page_index) in self._shown_pages

    def respondent_age(self, *, reference_year: int) -> int | None:
        """Age from an ``age`` answer or a ``birth_year`` answer (age = reference year − birth year)."""
        for item in self._instrument.questions:
            value = self._answers.get(item.code)
            if not isinstance(value, int) or isinstance(value, bool):
                continue
            if item.type == ItemType.AGE:
                return value
            if item.type == ItemType.BIRTH_YEAR:
                return reference_year - value
        return None

    def _check(self, page_index: int) -> int:
        if not 0 <= page_index < len(self._items):
            raise IndexError(f"page index {page_index} out of range 0..{len(self._items) - 1}")
        return page_index


def validate_answer(item: Item, raw_value: object, *, areas: Sequence[str] | None = None,
                    reference_year: int | None = None) -> tuple[object | None, str | None]:
    """Validate one raw answer (as a web form or an import delivers it) for ``item``.

    Parameters
    ----------
    item : Item
        An item of a loaded instrument.
    raw_value : object
        Anything: None, a string, a list of strings (``request.form.getlist``), a number, or junk.
        A one-element list is unwrapped for single-value items.
    areas : sequence of str, optional
        The wave's area codes, for ``area`` items. Without it an area answer is only checked to be a
        well-formed code.
    reference_year : int, optional
        Collection year for ``birth_year`` items (default: the current year).

    Returns
    -------
    (value, error_code)
        ``(typed value, None)`` when valid; ``(None, None)`` when blank (no item is required);
        ``(None, code)`` with a code from :data:`ERROR_CODES` otherwise. Values are a code (str) for
        single choice, gender, area and grid rows; a tuple of codes in display order for multiple
        choice; an int for number, age and birth year; normalised text for free text. Never raises.
    """
    try:
        return _validate_answer(item, raw_value, areas, reference_year)
    except (ValueError, TypeError, OverflowError, RecursionError):  # pragma: no cover - defensive
        return None, "wrong_type"


def _is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple):
        return all(isinstance(v, str) and not v.strip() for v in value) or not value
    return False


def _validate_answer(item: Item, raw: object, areas: Sequence[str] | None,
                     reference_year: int | None) -> tuple[object | None, str | None]:
    if _is_blank(raw):
        return None, None
    if not item.is_answerable:
        return None, "not_answerable"
    if item.type == ItemType.MULTIPLE_CHOICE:
        return _validate_multiple(item, raw)
    if isinstance(raw, list | tuple):
        values = [v for v in raw if not (isinstance(v, str) and not v.strip())]
        if len(values) != 1:
            return None, "too_many_values"
        raw = values[0]
    if item.type == ItemType.FREE_TEXT:
        return _validate_text(item, raw)
    if item.type in _NUMERIC_TYPES:
        return _validate_number(item, raw, reference_year)
    if not isinstance(raw, str):
        return None, "wrong_type"
    code = raw.strip()
    if item.type == ItemType.AREA:
        fixed = item.codes
        if code in fixed:
            return code, None
        if areas is None:
            return (code, None) if _AREA_CODE_RE.match(code) else (None, "not_an_option")
        return (code, None) if code in areas else (None, "not_an_option")
    return (code, None) if code in item.codes else (None, "not_an_option")


def _validate_multiple(item: Item, raw: object) -> tuple[object | None, str | None]:
    values = [raw] if isinstance(raw, str) else raw
    if not isinstance(values, list | tuple | set | frozenset):
        return None, "wrong_type"
    if len(values) > _MAX_CHOICE_VALUES:
        return None, "too_many_values"
    chosen: set[str] = set()
    for value in values:
        if not isinstance(value, str):
            return None, "wrong_type"
        code = value.strip()
        if not code:
            continue
        if code not in item.codes:
            return None, "not_an_option"
        chosen.add(code)
    exclusive = {o.code for o in item.options if o.exclusive}
    if len(chosen) > 1 and chosen & exclusive:
        return None, "exclusive_option"
    return tuple(c for c in item.codes if c in chosen), None


def _clean_text(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", "".join(
        ch for ch in text
        if ch in "\n\t" or unicodedata.category(ch) not in {"Cc", "Cs"}
    ))
    return text.strip()


def _validate_text(item: Item, raw: object) -> tuple[object | None, str | None]:
    if not isinstance(raw, str):
        return None, "wrong_type"
    limit = item.max_length or MAX_FREE_TEXT
    if len(raw) > 4 * limit + 1000:  # far too long: do not spend time normalising it
        return None, "too_long"
    text = _clean_text(raw)
    if not text:
        return None, None
    if len(text) > limit:
        return None, "too_long"
    return text, None


def _validate_number(item: Item, raw: object, reference_year: int | None) -> tuple[object | None, str | None]:
    if isinstance(raw, bool):
        return None, "wrong_type"
    if isinstance(raw, int):
        number = raw
    elif isinstance(raw, float):
        if not math.isfinite(raw) or not raw.is_integer():
            return None, "not_a_number"
        if abs(raw) > 10.0 ** _MAX_NUMBER_DIGITS:
            return None, "out_of_range"
        number = int(raw)
    elif isinstance(raw, str):
        text = raw.strip()
        sign, digits = (text[0], text[1:]) if text[:1] in {"+", "-"} else ("", text)
        # str.isdecimal admits every script's digits (Arabic-Indic too); int() converts them.
        if not digits or not digits.isdecimal():
            return None, "not_a_number"
        if len(digits) > _MAX_NUMBER_DIGITS:
            return None, "out_of_range"
        number = int(sign + digits)
    else:
        return None, "wrong_type"
    low, high = item.min_value, item.max_value
    if item.type == ItemType.BIRTH_YEAR:
        year = reference_year if reference_year is not None else datetime.date.today().year
        low, high = item.year_range(year) or (None, None)
    if (low is not None and number < low) or (high is not None and number > high):
        return None, "out_of_range"
    return number, None
