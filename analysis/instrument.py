"""Questionnaire instruments: the one parser of the versioned YAML files in ``questionnaires/``.

A questionnaire version is a YAML file (format documented in ``questionnaires/README.md``). This module
turns it into frozen dataclasses that both the web form factory and :mod:`analysis` consume, validates
it (every problem, located by file, item code and field), and offers the small pure API the resident
flow needs: skip logic (:func:`is_visible`, :func:`visible_items`) and server-side answer validation
(:func:`validate_answer`).

Data columns are item codes (``unsafe_evening``, ``problem_litter``, ...); every grid row is its own
item and its own column. Answers are option codes (strings), integers for number, age and birth-year
items, tuples of codes for multiple choice and masked text for free text.

Nothing here is prose for residents: errors of :func:`validate_answer` are stable codes
(:data:`ERROR_CODES`) that the web layer translates; validator messages are for the analyst who edits
the YAML file.

References
----------
Trygg ``STANDARDS.md`` §2 (item bank, scales) and §3 (measures).
"""

from __future__ import annotations

import datetime
import hashlib
import itertools
import math
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Final

import yaml

from analysis.errors import AnalysisError

__all__ = [
    "ERROR_CODES",
    "FORMAT_VERSION",
    "GENDER_CODES",
    "SOURCE_LANGUAGE",
    "Condition",
    "FrozenMap",
    "Instrument",
    "InstrumentError",
    "InstrumentProblem",
    "Item",
    "ItemTexts",
    "ItemType",
    "Language",
    "MeasureDef",
    "Option",
    "Page",
    "default_directory",
    "effective_answers",
    "is_page_shown",
    "is_visible",
    "load_directory",
    "load_instrument",
    "loads_instrument",
    "respondent_age",
    "validate_answer",
    "validate_bytes",
    "validate_file",
    "visible_items",
    "visible_questions",
]

FORMAT_VERSION: Final = 1
SOURCE_LANGUAGE: Final = "sv"
GENDER_CODES: Final = ("woman", "man", "other", "no_answer")
WORDING_STATUSES: Final = ("verified", "review")
LANGUAGE_STATUSES: Final = ("source", "translated", "needs_review")

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

_CODE_RE: Final = re.compile(r"^[a-z][a-z0-9_]{0,47}$")
_SLUG_RE: Final = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_VERSION_RE: Final = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,31}$")
_LANG_RE: Final = re.compile(r"^[a-z]{2,3}$")
_AREA_CODE_RE: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
_MAX_FILE_BYTES: Final = 1_000_000
_MAX_TEXT_CHARS: Final = 4000
_MAX_FREE_TEXT: Final = 20_000
_MAX_NUMBER_DIGITS: Final = 12
_MAX_CHOICE_VALUES: Final = 200


class InstrumentError(AnalysisError):
    """A questionnaire file is invalid; ``errors`` lists every :class:`InstrumentProblem` found."""

    def __init__(self, errors: Sequence[InstrumentProblem]) -> None:
        self.errors = list(errors)
        head = "; ".join(str(p) for p in self.errors[:5])
        more = f" (and {len(self.errors) - 5} more)" if len(self.errors) > 5 else ""
        super().__init__(f"{len(self.errors)} problem(s) in questionnaire: {head}{more}")


@dataclass(frozen=True, slots=True)
class InstrumentProblem:
    """One problem in a questionnaire file.

    Attributes
    ----------
    file : str
        The file (or source name) the problem is in.
    item : str or None
        The item, grid, page or measure code the problem belongs to; None for file-level problems.
    field : str
        The field, as a dotted path relative to the item (``text.sv``, ``show_if.item``, ``counted``).
    message : str
        What is wrong, for the analyst who edits the file.
    """

    file: str
    item: str | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.item}: " if self.item else ""
        return f"{self.file}: {where}{self.field}: {self.message}"


class ItemType(StrEnum):
    """Item types of the YAML format (compare equal to their string values)."""

    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    GRID = "grid"
    NUMBER = "number"
    AGE = "age"
    BIRTH_YEAR = "birth_year"
    FREE_TEXT = "free_text"
    AREA = "area"
    GENDER = "gender"
    INFO = "info"


_CHOICE_TYPES: Final = frozenset({ItemType.SINGLE_CHOICE, ItemType.MULTIPLE_CHOICE, ItemType.GENDER})
_NUMERIC_TYPES: Final = frozenset({ItemType.NUMBER, ItemType.AGE, ItemType.BIRTH_YEAR})
_NOT_ANSWERABLE: Final = frozenset({ItemType.INFO, ItemType.GRID})


class FrozenMap(Mapping[str, Any]):
    """An immutable, hashable, picklable mapping (``types.MappingProxyType`` is neither of the last two)."""

    __slots__ = ("_data", "_hash")

    def __init__(self, data: Mapping[str, Any] | Iterable[tuple[str, Any]] = ()) -> None:
        self._data = dict(data)
        self._hash: int | None = None

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(frozenset(self._data.items()))
        return self._hash

    def __repr__(self) -> str:
        return f"FrozenMap({self._data!r})"

    def __getstate__(self) -> dict[str, Any]:
        return self._data

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._data = state
        self._hash = None


_EMPTY: Final = FrozenMap()


def _freeze(mapping: Mapping[str, Any]) -> Mapping[str, Any]:
    return FrozenMap(mapping)


@dataclass(frozen=True, slots=True, kw_only=True)
class Language:
    """A language a questionnaire has texts in.

    Attributes
    ----------
    code : str
        ISO 639-1 code (``sv``, ``en``, ``ar``).
    name : str
        The language's own name (``Svenska``, ``English``, ``العربية``).
    direction : str
        ``"ltr"`` or ``"rtl"`` (for the ``dir`` attribute).
    status : str
        ``"source"`` (Swedish), ``"translated"`` or ``"needs_review"`` (a machine draft that a
        translator must check before production).
    complete : bool
        Whether every enabled item, option, help text and page title has a text in this language.
    """

    code: str
    name: str
    direction: str
    status: str
    complete: bool

    @property
    def needs_review(self) -> bool:
        return self.status == "needs_review"


@dataclass(frozen=True, slots=True, kw_only=True)
class Option:
    """One answer option: a stable code and its label per language."""

    code: str
    labels: Mapping[str, str]
    exclusive: bool = False

    def label(self, lang: str) -> str:
        """The label in ``lang``, falling back to Swedish."""
        return self.labels.get(lang) or self.labels[SOURCE_LANGUAGE]


@dataclass(frozen=True, slots=True, kw_only=True)
class ItemTexts:
    """Everything a respondent reads for one item in one language."""

    question: str
    help: str | None
    options: Mapping[str, str]


@dataclass(frozen=True, slots=True, kw_only=True)
class Condition:
    """A ``show_if`` condition on answers to earlier items.

    ``op`` is ``"in"`` (the answer is one of ``values``; for multiple choice: one of them is
    selected), ``"not_in"`` (answered, and none of ``values``), ``"answered"``, ``"blank"``,
    ``"all"`` or ``"any"`` (over ``clauses``).
    """

    op: str
    item: str | None = None
    values: tuple[str, ...] = ()
    clauses: tuple[Condition, ...] = ()

    def evaluate(self, answers: Mapping[str, object]) -> bool:
        """Evaluate on ``answers`` (item code -> answer; missing, None, ``""`` and empty lists are blank)."""
        if self.op == "all":
            return all(c.evaluate(answers) for c in self.clauses)
        if self.op == "any":
            return any(c.evaluate(answers) for c in self.clauses)
        selected = _selected_codes(answers.get(self.item or ""))
        if self.op == "answered":
            return bool(selected)
        if self.op == "blank":
            return not selected
        if self.op == "in":
            return any(code in self.values for code in selected)
        if self.op == "not_in":
            return bool(selected) and not any(code in self.values for code in selected)
        raise AssertionError(f"unknown condition op {self.op!r}")  # the parser admits no other op

    @property
    def items(self) -> tuple[str, ...]:
        """The item codes this condition reads."""
        if self.clauses:
            return tuple(code for c in self.clauses for code in c.items)
        return (self.item,) if self.item else ()


def _selected_codes(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,) if value.strip() else ()
    if isinstance(value, list | tuple | set | frozenset):
        return tuple(v for v in value if isinstance(v, str) and v.strip())
    if isinstance(value, bool):
        return ()
    if isinstance(value, int | float):
        return (str(value),)
    return ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Item:
    """One questionnaire item (a question, a grid row, a grid heading or an information block).

    Attributes
    ----------
    code : str
        Stable code; for answerable items it is the data column and the form field is ``q_<code>``.
    type : ItemType
        Grid rows are single-choice items whose ``grid`` names their grid; the grid itself (type
        ``grid``) carries the shared question stem and its ``rows``.
    page_index : int
        0-based index of the page it is shown on.
    texts : Mapping[str, ItemTexts]
        Per language: question text (or the information text), help text and option labels.
    options : tuple[Option, ...]
        Answer options in display order. For ``area`` items these are only the fixed extra options
        (``dont_know``); the survey wave's areas come first at run time.
    rows : tuple[Item, ...]
        Grid rows (grids only).
    grid : str or None
        For a grid row, the code of its grid.
    scale : str or None
        Name of the shared scale the options come from, if any.
    show_if : Condition or None
        Effective condition (a grid row's includes its grid's condition).
    wording_status : str
        ``"verified"`` (quoted from a named source) or ``"review"``.
    review_languages : frozenset[str]
        Languages whose texts of this item need a translator's review.
    max_length : int or None
        Free text: maximum number of characters.
    min_value, max_value : int or None
        Number and age items: inclusive bounds.
    min_age, max_age : int or None
        Birth-year items: the accepted ages (age = reference year − birth year).
    source : str or None
        Where a verified wording is quoted from.
    required : bool
        Always False: no item is required, a blank answer is missing.
    """

    code: str
    type: ItemType
    page_index: int
    texts: Mapping[str, ItemTexts]
    options: tuple[Option, ...] = ()
    rows: tuple[Item, ...] = ()
    grid: str | None = None
    scale: str | None = None
    show_if: Condition | None = None
    wording_status: str = "review"
    review_languages: frozenset[str] = frozenset()
    max_length: int | None = None
    min_value: int | None = None
    max_value: int | None = None
    min_age: int | None = None
    max_age: int | None = None
    source: str | None = None
    required: bool = False

    @property
    def field_name(self) -> str:
        """The web form field name, ``q_<code>``."""
        return f"q_{self.code}"

    @property
    def is_answerable(self) -> bool:
        """True for items that hold an answer (a data column); False for info blocks and grid headings."""
        return self.type not in _NOT_ANSWERABLE

    @property
    def is_coded(self) -> bool:
        """True when answers are option codes (choice, gender, area and grid rows)."""
        return self.type in _CHOICE_TYPES or self.type == ItemType.AREA

    @property
    def codes(self) -> tuple[str, ...]:
        """The option codes in display order (fixed options only for area items)."""
        return tuple(o.code for o in self.options)

    @property
    def languages(self) -> tuple[str, ...]:
        """Languages this item has texts in."""
        return tuple(self.texts)

    def text_for(self, lang: str) -> ItemTexts:
        """The texts in ``lang``, falling back to Swedish for a language the item lacks."""
        return self.texts.get(lang) or self.texts[SOURCE_LANGUAGE]

    def question(self, lang: str) -> str:
        """Question text (or information text) in ``lang``, falling back to Swedish."""
        return self.text_for(lang).question

    def help_text(self, lang: str) -> str | None:
        """Help text in ``lang``, falling back to Swedish; None when the item has none."""
        return self.text_for(lang).help

    def choices(self, lang: str) -> tuple[tuple[str, str], ...]:
        """``(code, label)`` pairs in display order, labels in ``lang`` (Swedish fallback)."""
        return tuple((o.code, o.label(lang)) for o in self.options)

    def needs_review(self, lang: str) -> bool:
        """True when this item's texts in ``lang`` are drafts that a translator must review."""
        return lang in self.review_languages

    def year_range(self, reference_year: int) -> tuple[int, int] | None:
        """Birth-year items: the inclusive range of accepted years for ``reference_year``."""
        if self.type != ItemType.BIRTH_YEAR or self.min_age is None or self.max_age is None:
            return None
        return reference_year - self.max_age, reference_year - self.min_age


@dataclass(frozen=True, slots=True, kw_only=True)
class Page:
    """One page of the questionnaire; iterating a page yields its items (a grid is one item)."""

    id: str
    index: int
    title: Mapping[str, str]
    items: tuple[Item, ...]

    def __iter__(self) -> Iterator[Item]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> Item:
        return self.items[index]

    def title_for(self, lang: str) -> str | None:
        """Page title in ``lang`` (Swedish fallback); None when the page has no title."""
        return self.title.get(lang) or self.title.get(SOURCE_LANGUAGE)


@dataclass(frozen=True, slots=True, kw_only=True)
class MeasureDef:
    """A measure declared in the questionnaire (STANDARDS §3).

    Attributes
    ----------
    name : str
        E.g. ``share_unsafe``.
    kind : str
        ``"share"`` or ``"index"``.
    item : str or None
        Share: the item (column) code.
    counted : tuple[str, ...]
        Share: answer codes in the numerator.
    base : tuple[str, ...]
        Share: answer codes in the denominator (``counted`` ⊆ ``base``); every other code and blank
        is outside the base.
    items : tuple[str, ...]
        Index: the item codes averaged.
    scores : tuple[tuple[str, float], ...]
        Index: answer code -> item score 0..100 (100 = tryggast); codes not listed are missing.
    min_valid : int or None
        Index: minimum number of valid items for a person score (default ⌈¾·len(items)⌉).
    cutpoints : tuple[float, ...] or None
        Share: six increasing cut-points (fractions) for the police problem level 0–6; none ship.
    label : Mapping[str, str]
        Language -> label (``sv`` always present).
    """

    name: str
    kind: str
    item: str | None
    counted: tuple[str, ...]
    base: tuple[str, ...]
    items: tuple[str, ...] = ()
    scores: tuple[tuple[str, float], ...] = ()
    min_valid: int | None = None
    cutpoints: tuple[float, ...] | None = None
    label: Mapping[str, str]


@dataclass(frozen=True, slots=True, kw_only=True)
class Instrument:
    """A parsed, valid questionnaire version.

    Attributes
    ----------
    slug, version : str
        Identify the questionnaire version (file ``<slug>-v<version>.yaml``).
    content_hash : str
        SHA-256 (hex) of the file bytes; a wave records it so that its instrument can never change.
    title, description : Mapping[str, str]
        Language -> title, and an optional short description for the start page.
    languages : tuple[Language, ...]
        Swedish first.
    pages : tuple[Page, ...]
        In order; disabled items are not on any page.
    measures : tuple[MeasureDef, ...]
    min_age, max_age : int or None
        The intended respondents' ages (e.g. 16 and None for adults, 12 and 17 for youth).
    disabled_codes : tuple[str, ...]
        Codes declared but switched off (``enabled: false``), reserved so they are never reused.
    source : str
        The file it was read from.
    """

    slug: str
    version: str
    content_hash: str
    title: Mapping[str, str]
    description: Mapping[str, str] = _EMPTY
    languages: tuple[Language, ...]
    pages: tuple[Page, ...]
    measures: tuple[MeasureDef, ...]
    min_age: int | None = None
    max_age: int | None = None
    disabled_codes: tuple[str, ...] = ()
    source: str = ""
    _by_code: Mapping[str, Item] = field(default=_EMPTY, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[str, Item] = {}
        for page in self.pages:
            for item in page.items:
                index[item.code] = item
                for row in item.rows:
                    index[row.code] = row
        object.__setattr__(self, "_by_code", FrozenMap(index))

    @property
    def key(self) -> str:
        """``<slug>-v<version>``, the file stem."""
        return f"{self.slug}-v{self.version}"

    @property
    def questions(self) -> tuple[Item, ...]:
        """Every answerable item in order, grid rows expanded (one per data column)."""
        return tuple(item for item in self._by_code.values() if item.is_answerable)

    @property
    def columns(self) -> tuple[str, ...]:
        """The data column codes in questionnaire order."""
        return tuple(item.code for item in self.questions)

    @property
    def language_codes(self) -> tuple[str, ...]:
        return tuple(lang.code for lang in self.languages)

    def language(self, code: str) -> Language | None:
        return next((lang for lang in self.languages if lang.code == code), None)

    def item(self, code: str) -> Item:
        """The item (or grid row, grid, info block) with ``code``; raises KeyError when unknown."""
        return self._by_code[code]

    def get(self, code: str) -> Item | None:
        return self._by_code.get(code)

    def measure(self, name: str) -> MeasureDef:
        """The measure called ``name``; raises KeyError when the instrument does not declare it."""
        for measure in self.measures:
            if measure.name == name:
                return measure
        raise KeyError(name)

    def has_column(self, column: str) -> bool:
        """True when ``column`` is an answerable item code (grid rows included) of this instrument."""
        item = self._by_code.get(column)
        return item is not None and item.is_answerable

    def codes_for(self, column: str, *, areas: Sequence[str] | None = None) -> tuple[str, ...] | None:
        """Valid answer codes for a data column (an item code; each grid row is its own column).

        None when the column is not a coded item (number, year, free text) or unknown. For an
        ``area`` item the codes depend on the wave: pass ``areas`` to get them followed by the fixed
        options (``dont_know``); without ``areas`` the result is None.
        """
        item = self._by_code.get(column)
        if item is None or not item.is_coded:
            return None
        if item.type == ItemType.AREA:
            if areas is None:
                return None
            return tuple(areas) + tuple(c for c in item.codes if c not in areas)
        return item.codes


# --------------------------------------------------------------------------------------------------
# Skip logic and answer validation (called by the web flow on every request)
# --------------------------------------------------------------------------------------------------

def is_visible(item: Item, answers: Mapping[str, object]) -> bool:
    """Whether ``item`` is shown, given answers to earlier items.

    ``answers`` maps item codes to answers. Pass :func:`effective_answers` (or use
    :func:`visible_items`) so that answers left over from an item that is now hidden do not count.
    """
    return item.show_if is None or item.show_if.evaluate(answers)


def effective_answers(instrument: Instrument, answers: Mapping[str, object]) -> dict[str, object]:
    """The answers that count: known answerable items that are visible, in questionnaire order.

    An answer to an item whose ``show_if`` is false (for example after the respondent went back and
    changed ``victim_assault`` to ``no``) is dropped, and so are unknown keys; conditions are
    evaluated on the answers kept so far, so chains of conditions resolve correctly.
    """
    kept: dict[str, object] = {}
    for item in instrument.questions:
        if item.code in answers and is_visible(item, kept):
            kept[item.code] = answers[item.code]
    return kept


def _page(instrument: Instrument, page_index: int) -> Page:
    if not 0 <= page_index < len(instrument.pages):
        raise IndexError(f"page index {page_index} out of range 0..{len(instrument.pages) - 1}")
    return instrument.pages[page_index]


def visible_items(instrument: Instrument, answers: Mapping[str, object], page_index: int) -> tuple[Item, ...]:
    """The items of page ``page_index`` to show, in order (IndexError for a page that does not exist).

    A grid is returned when at least one of its rows is visible; render each row with
    ``is_visible(row, effective_answers(...))`` or use :func:`visible_questions`.
    """
    page = _page(instrument, page_index)
    kept = effective_answers(instrument, answers)
    shown = []
    for item in page.items:
        if not is_visible(item, kept):
            continue
        if item.type == ItemType.GRID and not any(is_visible(row, kept) for row in item.rows):
            continue
        shown.append(item)
    return tuple(shown)


def visible_questions(instrument: Instrument, answers: Mapping[str, object],
                      page_index: int) -> tuple[Item, ...]:
    """The answerable items (grid rows expanded) shown on page ``page_index``: the fields to read."""
    kept = effective_answers(instrument, answers)
    out = []
    for item in visible_items(instrument, answers, page_index):
        if item.type == ItemType.GRID:
            out.extend(row for row in item.rows if is_visible(row, kept))
        elif item.is_answerable:
            out.append(item)
    return tuple(out)


def is_page_shown(instrument: Instrument, answers: Mapping[str, object], page_index: int) -> bool:
    """Whether the flow shows page ``page_index``: it has a visible question, or it is an info-only page."""
    page = _page(instrument, page_index)
    if all(item.type == ItemType.INFO for item in page.items):
        return bool(visible_items(instrument, answers, page_index))
    return bool(visible_questions(instrument, answers, page_index))


def respondent_age(instrument: Instrument, answers: Mapping[str, object], *,
                   reference_year: int) -> int | None:
    """Age from an ``age`` answer or a ``birth_year`` answer (age = reference year − birth year)."""
    for item in instrument.questions:
        value = answers.get(item.code)
        if not isinstance(value, int) or isinstance(value, bool):
            continue
        if item.type == ItemType.AGE:
            return value
        if item.type == ItemType.BIRTH_YEAR:
            return reference_year - value
    return None


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
    limit = item.max_length or _MAX_FREE_TEXT
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


# --------------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------------

def default_directory() -> Path:
    """The repository's ``questionnaires/`` directory."""
    return Path(__file__).resolve().parent.parent / "questionnaires"


def load_instrument(path: str | Path) -> Instrument:
    """Load and validate one questionnaire file; raises :class:`InstrumentError` listing every problem."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InstrumentError([InstrumentProblem(str(path), None, "file", f"cannot read: {exc}")]) from exc
    return loads_instrument(data, source=str(path))


def loads_instrument(data: bytes | str, *, source: str = "<memory>") -> Instrument:
    """Parse questionnaire YAML from bytes (or text); raises :class:`InstrumentError` when invalid."""
    instrument, problems = _parse(data, source)
    if problems or instrument is None:
        raise InstrumentError(problems)
    return instrument


def validate_file(path: str | Path) -> list[InstrumentProblem]:
    """Every problem in a questionnaire file (an empty list when it is valid)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return [InstrumentProblem(str(path), None, "file", f"cannot read: {exc}")]
    return validate_bytes(data, source=str(path))


def validate_bytes(data: bytes | str, *, source: str = "<memory>") -> list[InstrumentProblem]:
    """Every problem in questionnaire YAML given as bytes or text."""
    return _parse(data, source)[1]


def load_directory(directory: str | Path | None = None) -> tuple[Instrument, ...]:
    """Load every ``*.yaml`` questionnaire in ``directory`` (default :func:`default_directory`).

    Raises :class:`InstrumentError` with the problems of all files when any is invalid, when a file
    name is not ``<slug>-v<version>.yaml``, or when two files declare the same slug and version.
    """
    directory = Path(directory) if directory is not None else default_directory()
    problems: list[InstrumentProblem] = []
    loaded: list[Instrument] = []
    seen: dict[tuple[str, str], str] = {}
    for path in sorted(directory.glob("*.yaml")):
        try:
            instrument = load_instrument(path)
        except InstrumentError as exc:
            problems.extend(exc.errors)
            continue
        if path.stem != instrument.key:
            problems.append(InstrumentProblem(str(path), None, "file",
                                              f"file name must be {instrument.key}.yaml"))
        key = (instrument.slug, instrument.version)
        if key in seen:
            problems.append(InstrumentProblem(str(path), None, "version",
                                              f"{instrument.key} is also defined in {seen[key]}"))
        seen[key] = str(path)
        loaded.append(instrument)
    if problems:
        raise InstrumentError(problems)
    return tuple(loaded)


class _Loader(yaml.SafeLoader):
    """Safe YAML loader with YAML 1.2 booleans, no timestamps, and duplicate-key detection.

    YAML 1.1 reads ``yes``/``no``/``on``/``off`` as booleans, which would turn the option codes
    ``yes`` and ``no`` into True and False; only ``true``/``false`` are booleans here.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicate_keys: list[tuple[str, int]] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                duplicate = key in seen
                seen.add(key)
            except TypeError:  # an unhashable key: SafeLoader reports it
                continue
            if duplicate:
                self.duplicate_keys.append((str(key), key_node.start_mark.line + 1))
        return super().construct_mapping(node, deep=deep)


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers
            if tag not in {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp"}]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool",
                              re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


def _parse(data: bytes | str, source: str) -> tuple[Instrument | None, list[InstrumentProblem]]:
    raw_bytes = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    if len(raw_bytes) > _MAX_FILE_BYTES:
        return None, [InstrumentProblem(source, None, "file", f"larger than {_MAX_FILE_BYTES} bytes")]
    try:
        text = raw_bytes.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [InstrumentProblem(source, None, "file", f"not UTF-8: {exc}")]
    try:
        loader = _Loader(text)  # the reader rejects control characters already here
    except yaml.YAMLError as exc:
        return None, [InstrumentProblem(source, None, "yaml", f"not valid YAML: {exc}")]
    try:
        document = loader.get_single_data()
    except yaml.YAMLError as exc:
        return None, [InstrumentProblem(source, None, "yaml", f"not valid YAML: {exc}")]
    finally:
        loader.dispose()
    parser = _Parser(source, hashlib.sha256(raw_bytes).hexdigest())
    for key, line in loader.duplicate_keys:
        parser.problem(None, key, f"duplicate key on line {line} (the last value would silently win)")
    instrument = parser.parse(document)
    return (instrument if not parser.problems else None), parser.problems


# --------------------------------------------------------------------------------------------------
# The parser: one pass that builds the dataclasses and collects every problem
# --------------------------------------------------------------------------------------------------

_TOP_KEYS: Final = frozenset({"format", "slug", "version", "title", "description", "audience", "languages",
                              "scales", "pages", "measures", "note"})
_PAGE_KEYS: Final = frozenset({"id", "title", "items", "note"})
_COMMON_ITEM_KEYS: Final = frozenset({"code", "type", "text", "help", "wording_status", "show_if",
                                      "needs_review", "enabled", "source", "note", "required"})
_TYPE_KEYS: Final[Mapping[ItemType, frozenset[str]]] = {
    ItemType.SINGLE_CHOICE: frozenset({"scale", "options"}),
    ItemType.MULTIPLE_CHOICE: frozenset({"scale", "options"}),
    ItemType.GENDER: frozenset({"scale", "options"}),
    ItemType.GRID: frozenset({"scale", "options", "rows"}),
    ItemType.NUMBER: frozenset({"min", "max"}),
    ItemType.AGE: frozenset({"min", "max"}),
    ItemType.BIRTH_YEAR: frozenset({"min_age", "max_age"}),
    ItemType.FREE_TEXT: frozenset({"max_length"}),
    ItemType.AREA: frozenset({"options"}),
    ItemType.INFO: frozenset(),
}
_ROW_KEYS: Final = frozenset({"code", "text", "help", "wording_status", "show_if", "needs_review",
                              "enabled", "source", "note"})
_OPTION_KEYS: Final = frozenset({"code", "text", "exclusive"})
_MEASURE_KEYS: Final = frozenset({"name", "kind", "label", "item", "counted", "base", "cutpoints", "items",
                                  "scores", "steps", "min_valid", "note"})
_CONDITION_OPS: Final = ("equals", "in", "not_in", "answered", "blank")


@dataclass(slots=True)
class _Seen:
    """What the parser knows about an item already parsed (for show_if and measures)."""

    item: Item
    enabled: bool


class _Parser:
    def __init__(self, source: str, content_hash: str) -> None:
        self.source = source
        self.content_hash = content_hash
        self.problems: list[InstrumentProblem] = []
        self.languages: dict[str, dict[str, str]] = {}
        self.review_languages: frozenset[str] = frozenset()
        self.scales: dict[str, tuple[Option, ...]] = {}
        self.declared_codes: dict[str, int] = {}   # every code in the file -> page index (pre-scan)
        self.seen: dict[str, _Seen] = {}
        self.codes_used: set[str] = set()
        self.disabled: list[str] = []

    def problem(self, item: str | None, field_name: str, message: str) -> None:
        self.problems.append(InstrumentProblem(self.source, item, field_name, message))

    # -- top level --------------------------------------------------------------------------------

    def parse(self, doc: object) -> Instrument | None:
        if not isinstance(doc, dict):
            self.problem(None, "file", "the file must be a YAML mapping (slug:, version:, pages: ...)")
            return None
        for key in doc:
            if key not in _TOP_KEYS:
                self.problem(None, str(key),
                             f"unknown top-level key (allowed: {', '.join(sorted(_TOP_KEYS))})")
        fmt = doc.get("format")
        if fmt != FORMAT_VERSION or isinstance(fmt, bool):
            self.problem(None, "format", f"must be {FORMAT_VERSION}")
        slug = doc.get("slug")
        if not isinstance(slug, str) or not _SLUG_RE.match(slug):
            self.problem(None, "slug", "required: lowercase letters, digits and hyphens, e.g. trygghetsenkat")
            slug = ""
        version = doc.get("version")
        if isinstance(version, int) and not isinstance(version, bool):
            version = str(version)
        if not isinstance(version, str) or not _VERSION_RE.match(version):
            self.problem(None, "version", 'required: a quoted string such as "1" or "2026.1"')
            version = ""
        self._parse_languages(doc.get("languages"))
        title = self.texts(doc.get("title"), None, "title")
        description = self.texts(doc.get("description"), None, "description", required=False)
        min_age, max_age = self._parse_audience(doc.get("audience"))
        self._parse_scales(doc.get("scales", {}))
        pages_raw = doc.get("pages")
        if not isinstance(pages_raw, list) or not pages_raw:
            self.problem(None, "pages", "required: a non-empty list of pages")
            pages_raw = []
        self._prescan(pages_raw)
        pages = self._parse_pages(pages_raw)
        measures = self._parse_measures(doc.get("measures", []))
        if self.problems:
            return None
        languages = tuple(self._language(code, pages, title) for code in self.languages)
        return Instrument(slug=slug, version=version, content_hash=self.content_hash, title=_freeze(title),
                          description=_freeze(description), languages=languages, pages=pages,
                          measures=measures, min_age=min_age, max_age=max_age,
                          disabled_codes=tuple(self.disabled), source=self.source)

    def _parse_languages(self, raw: object) -> None:
        if not isinstance(raw, dict) or SOURCE_LANGUAGE not in raw:
            self.problem(None, "languages", "required: a mapping of language codes that includes sv")
        if not isinstance(raw, dict):
            raw = {}
        languages: dict[str, dict[str, str]] = {SOURCE_LANGUAGE: {"name": "Svenska", "dir": "ltr",
                                                                  "status": "source"}}
        for code, spec in raw.items():
            where = f"languages.{code}"
            if not isinstance(code, str) or not _LANG_RE.match(code):
                self.problem(None, where, "language codes are ISO 639-1 codes such as sv, en, ar")
                continue
            if not isinstance(spec, dict):
                self.problem(None, where, "must be a mapping with name, dir and status")
                continue
            for key in spec:
                if key not in {"name", "dir", "status"}:
                    self.problem(None, f"{where}.{key}", "unknown key (allowed: name, dir, status)")
            name = spec.get("name")
            if not isinstance(name, str) or not name.strip():
                self.problem(None, f"{where}.name", "required: the language's own name")
                name = code
            direction = spec.get("dir", "ltr")
            if direction not in ("ltr", "rtl"):
                self.problem(None, f"{where}.dir", "must be ltr or rtl")
                direction = "ltr"
            status = spec.get("status", "translated" if code != SOURCE_LANGUAGE else "source")
            if status not in LANGUAGE_STATUSES or (status == "source") != (code == SOURCE_LANGUAGE):
                self.problem(None, f"{where}.status",
                             "sv is the source; other languages are translated or needs_review")
                status = "source" if code == SOURCE_LANGUAGE else "needs_review"
            languages[code] = {"name": name, "dir": direction, "status": status}
        self.languages = languages
        self.review_languages = frozenset(c for c, s in languages.items() if s["status"] == "needs_review")

    def _parse_audience(self, raw: object) -> tuple[int | None, int | None]:
        if raw is None:
            return None, None
        if not isinstance(raw, dict):
            self.problem(None, "audience", "must be a mapping with min_age and/or max_age")
            return None, None
        for key in raw:
            if key not in {"min_age", "max_age"}:
                self.problem(None, f"audience.{key}", "unknown key (allowed: min_age, max_age)")
        low = self.integer(raw.get("min_age"), None, "audience.min_age", 0, 130)
        high = self.integer(raw.get("max_age"), None, "audience.max_age", 0, 130)
        if low is not None and high is not None and low > high:
            self.problem(None, "audience", "min_age is greater than max_age")
        return low, high

    def _parse_scales(self, raw: object) -> None:
        if not isinstance(raw, dict):
            self.problem(None, "scales", "must be a mapping of scale name -> list of options")
            return
        for name, options in raw.items():
            if not isinstance(name, str) or not _CODE_RE.match(name):
                self.problem(None, f"scales.{name}", "scale names are lowercase codes such as evening_safety")
                continue
            self.scales[name] = self.options(options, None, f"scales.{name}")

    def _prescan(self, pages_raw: list[Any]) -> None:
        for index, page in enumerate(pages_raw):
            items = page.get("items") if isinstance(page, dict) else None
            for raw in items if isinstance(items, list) else ():
                if not isinstance(raw, dict):
                    continue
                code = raw.get("code")
                if isinstance(code, str):
                    self.declared_codes.setdefault(code, index)
                rows = raw.get("rows")
                for row in rows if isinstance(rows, list) else ():
                    if isinstance(row, dict) and isinstance(row.get("code"), str):
                        self.declared_codes.setdefault(row["code"], index)

    # -- pages and items ----------------------------------------------------------------------------

    def _parse_pages(self, pages_raw: list[Any]) -> tuple[Page, ...]:
        pages: list[Page] = []
        page_ids: set[str] = set()
        for position, raw in enumerate(pages_raw):
            where = f"pages[{position}]"
            if not isinstance(raw, dict):
                self.problem(None, where, "a page must be a mapping with id and items")
                continue
            page_id = raw.get("id")
            label = page_id if isinstance(page_id, str) else where
            if not isinstance(page_id, str) or not _CODE_RE.match(page_id):
                self.problem(label, "id", "required: a lowercase code naming the page")
            elif page_id in page_ids:
                self.problem(label, "id", "duplicate page id")
            page_ids.add(str(page_id))
            for key in raw:
                if key not in _PAGE_KEYS:
                    self.problem(label, str(key), "unknown page key (allowed: id, title, items, note)")
            title = self.texts(raw.get("title"), label, "title", required=False)
            items_raw = raw.get("items")
            if not isinstance(items_raw, list) or not items_raw:
                self.problem(label, "items", "required: a non-empty list of items")
                items_raw = []
            index = len(pages)
            parsed = [self._parse_item(r, index, label) for r in items_raw]
            items = tuple(it for it in parsed if it is not None)
            if items:  # a page whose items are all disabled is left out
                pages.append(Page(id=str(page_id), index=index, title=_freeze(title), items=items))
        return tuple(pages)

    def _parse_item(self, raw: object, page_index: int, page_label: str) -> Item | None:
        if not isinstance(raw, dict):
            self.problem(page_label, "items", "every item must be a mapping with code and type")
            return None
        code = self._item_code(raw.get("code"), page_label)
        type_raw = raw.get("type")
        try:
            item_type = ItemType(type_raw)
        except ValueError:
            allowed = ", ".join(t.value for t in ItemType)
            self.problem(code, "type", f"unknown item type {type_raw!r} (allowed: {allowed})")
            return None
        allowed_keys = _COMMON_ITEM_KEYS | _TYPE_KEYS[item_type]
        for key in raw:
            if key not in allowed_keys:
                self.problem(code, str(key), f"not a field of a {item_type.value} item")
        enabled = self._enabled(raw, code)
        if raw.get("required") not in (None, False):
            self.problem(code, "required", "no item is required (a blank answer is missing); remove it")
        text = self.texts(raw.get("text"), code, "text")
        help_text = self.texts(raw.get("help"), code, "help", required=False)
        status = self._wording_status(raw, code, None if item_type != ItemType.INFO else "review")
        review = self._review(raw, code)
        show_if = None
        if "show_if" in raw:
            show_if = self._condition(raw.get("show_if"), code, "show_if", page_index)
        options: tuple[Option, ...] = ()
        scale = None
        if item_type in _CHOICE_TYPES or item_type == ItemType.GRID:
            options, scale = self._item_options(raw, code)
            if item_type == ItemType.GENDER and options and {o.code for o in options} != set(GENDER_CODES):
                self.problem(code, "options", f"gender options must be exactly {', '.join(GENDER_CODES)}")
        elif item_type == ItemType.AREA:
            options = self.options(raw.get("options", []), code, "options", allow_empty=True)
        kwargs: dict[str, Any] = {}
        if item_type == ItemType.FREE_TEXT:
            kwargs["max_length"] = self.integer(raw.get("max_length"), code, "max_length", 1, _MAX_FREE_TEXT,
                                                required=True)
        elif item_type in {ItemType.NUMBER, ItemType.AGE}:
            low = self.integer(raw.get("min"), code, "min", -(10**9), 10**9, required=True)
            high = self.integer(raw.get("max"), code, "max", -(10**9), 10**9, required=True)
            if low is not None and high is not None and low > high:
                self.problem(code, "max", "max is smaller than min")
            kwargs.update(min_value=low, max_value=high)
        elif item_type == ItemType.BIRTH_YEAR:
            low = self.integer(raw.get("min_age"), code, "min_age", 0, 130, required=True)
            high = self.integer(raw.get("max_age"), code, "max_age", 0, 130, required=True)
            if low is not None and high is not None and low > high:
                self.problem(code, "max_age", "max_age is smaller than min_age")
            kwargs.update(min_age=low, max_age=high)
        texts = self._item_texts(code, text, help_text, options)
        source = raw.get("source") if isinstance(raw.get("source"), str) else None
        rows: tuple[Item, ...] = ()
        if item_type == ItemType.GRID:
            rows = self._parse_rows(raw.get("rows"), code, page_index, options, scale, status, show_if, text)
        item = Item(code=code, type=item_type, page_index=page_index, texts=texts, options=options, rows=rows,
                    scale=scale, show_if=show_if, wording_status=status, review_languages=review | frozenset(
                        lang for lang in texts if lang in self.review_languages), source=source, **kwargs)
        self.seen[code] = _Seen(item, enabled)
        if not enabled:
            self.disabled.append(code)
            for row in rows:  # the rows of a disabled grid are disabled too
                self.seen[row.code] = _Seen(row, enabled=False)
                self.disabled.append(row.code)
            return None
        if item_type == ItemType.GRID and not rows:
            return None
        return item

    def _parse_rows(self, raw: object, grid_code: str, page_index: int, options: tuple[Option, ...],
                    scale: str | None, grid_status: str, grid_show_if: Condition | None,
                    grid_text: Mapping[str, str]) -> tuple[Item, ...]:
        if not isinstance(raw, list) or not raw:
            self.problem(grid_code, "rows", "required: a non-empty list of rows (each its own item code)")
            return ()
        rows: list[Item] = []
        for row_raw in raw:
            if not isinstance(row_raw, dict):
                self.problem(grid_code, "rows", "every row must be a mapping with code and text")
                continue
            code = self._item_code(row_raw.get("code"), grid_code)
            for key in row_raw:
                if key not in _ROW_KEYS:
                    self.problem(code, str(key), "not a field of a grid row")
            enabled = self._enabled(row_raw, code)
            text = self.texts(row_raw.get("text"), code, "text")
            help_text = self.texts(row_raw.get("help"), code, "help", required=False)
            for lang in text:
                if lang not in grid_text:
                    self.problem(code, f"text.{lang}", f"the grid {grid_code} has no {lang} question text")
            status = self._wording_status(row_raw, code, grid_status)
            review = self._review(row_raw, code)
            own = (self._condition(row_raw.get("show_if"), code, "show_if", page_index)
                   if "show_if" in row_raw else None)
            show_if = own if grid_show_if is None else (
                grid_show_if if own is None else Condition(op="all", clauses=(grid_show_if, own)))
            texts = self._item_texts(code, text, help_text, options, check_options=False)
            source = row_raw.get("source") if isinstance(row_raw.get("source"), str) else None
            review |= frozenset(lang for lang in texts if lang in self.review_languages)
            row = Item(code=code, type=ItemType.SINGLE_CHOICE, page_index=page_index, texts=texts,
                       options=options, grid=grid_code, scale=scale, show_if=show_if, wording_status=status,
                       review_languages=review, source=source)
            self.seen[code] = _Seen(row, enabled)
            if enabled:
                rows.append(row)
            else:
                self.disabled.append(code)
        return tuple(rows)

    def _item_code(self, code: object, context: str) -> str:
        if not isinstance(code, str) or not _CODE_RE.match(code):
            self.problem(context if not isinstance(code, str) else code, "code",
                         f"item codes are lowercase codes of at most 48 characters, got {code!r}")
            return str(code)
        if code in self.codes_used:
            self.problem(code, "code", "duplicate item code (codes are unique across the whole file)")
        self.codes_used.add(code)
        return code

    def _enabled(self, raw: dict[str, Any], code: str) -> bool:
        enabled = raw.get("enabled", True)
        if not isinstance(enabled, bool):
            self.problem(code, "enabled", "must be true or false")
            return True
        return enabled

    def _wording_status(self, raw: dict[str, Any], code: str, default: str | None) -> str:
        status = raw.get("wording_status", default)
        if status not in WORDING_STATUSES:
            self.problem(code, "wording_status", "required: verified (quoted from a named source) or review")
            return "review"
        if status == "verified" and not isinstance(raw.get("source"), str) and default is None:
            self.problem(code, "source", "a verified wording names its source")
        return str(status)

    def _review(self, raw: dict[str, Any], code: str) -> frozenset[str]:
        value = raw.get("needs_review", [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v in self.languages for v in value):
            self.problem(code, "needs_review", "must be a list of declared language codes")
            return frozenset()
        return frozenset(value)

    def _item_options(self, raw: dict[str, Any], code: str) -> tuple[tuple[Option, ...], str | None]:
        has_scale, has_options = "scale" in raw, "options" in raw
        if has_scale == has_options:
            self.problem(code, "options", "give exactly one of scale (a shared scale name) or options")
            return (), None
        if has_scale:
            scale = raw.get("scale")
            if not isinstance(scale, str) or scale not in self.scales:
                self.problem(code, "scale", f"unknown scale {scale!r}")
                return (), None
            return self.scales[scale], scale
        return self.options(raw.get("options"), code, "options"), None

    def _item_texts(self, code: str, text: Mapping[str, str], help_text: Mapping[str, str],
                    options: tuple[Option, ...], *, check_options: bool = True) -> Mapping[str, ItemTexts]:
        texts: dict[str, ItemTexts] = {}
        for lang, question in text.items():
            if help_text.get(SOURCE_LANGUAGE) and lang not in help_text:
                self.problem(code, f"help.{lang}", f"the item has {lang} text but no {lang} help text")
            missing = [o.code for o in options if lang not in o.labels]
            if missing and check_options:
                self.problem(code, f"options.{lang}",
                             f"the item has {lang} text but these options have no {lang} label: "
                             + ", ".join(missing))
            labels = {o.code: o.label(lang) for o in options}
            help_in_lang = help_text.get(lang) or help_text.get(SOURCE_LANGUAGE)
            texts[lang] = ItemTexts(question=question, help=help_in_lang, options=_freeze(labels))
        for lang in help_text:
            if lang not in text:
                self.problem(code, f"help.{lang}", f"help text in {lang} but no {lang} question text")
        if SOURCE_LANGUAGE not in texts:
            texts[SOURCE_LANGUAGE] = ItemTexts(question="", help=None, options=_freeze({}))
        return _freeze(texts)

    # -- conditions -----------------------------------------------------------------------------------

    def _condition(self, raw: object, code: str, where: str, page_index: int) -> Condition | None:
        if not isinstance(raw, dict) or not raw:
            self.problem(code, where, "a condition is a mapping such as {item: victim_assault, equals: yes}")
            return None
        if "all" in raw or "any" in raw:
            op = "all" if "all" in raw else "any"
            if len(raw) != 1:
                self.problem(code, where, f"{op} must be the only key of its condition")
            clauses_raw = raw[op]
            if not isinstance(clauses_raw, list) or not clauses_raw:
                self.problem(code, f"{where}.{op}", "must be a non-empty list of conditions")
                return None
            clauses = [self._condition(c, code, f"{where}.{op}[{i}]", page_index)
                       for i, c in enumerate(clauses_raw)]
            if any(c is None for c in clauses):
                return None
            return Condition(op=op, clauses=tuple(c for c in clauses if c is not None))
        ops = [k for k in raw if k in _CONDITION_OPS]
        for key in raw:
            if key != "item" and key not in _CONDITION_OPS:
                self.problem(code, f"{where}.{key}", f"unknown condition key (allowed: item, all, any, "
                             f"{', '.join(_CONDITION_OPS)})")
        if len(ops) != 1:
            self.problem(code, where, f"give exactly one of {', '.join(_CONDITION_OPS)}")
            return None
        op = ops[0]
        target = raw.get("item")
        if not isinstance(target, str):
            self.problem(code, f"{where}.item", "required: the code of an earlier item")
            return None
        seen = self.seen.get(target)
        if seen is None and target not in self.declared_codes:
            self.problem(code, f"{where}.item", f"unknown item {target}")
            return None
        if seen is None or seen.item.page_index >= page_index:
            self.problem(code, f"{where}.item", f"{target} is not on an earlier page (show_if may only "
                         "depend on answers from earlier pages: the flow works without JavaScript)")
            return None
        if not seen.enabled:
            self.problem(code, f"{where}.item", f"{target} is disabled")
            return None
        if not seen.item.is_answerable:
            self.problem(code, f"{where}.item", f"{target} is not a question")
            return None
        value = raw[op]
        if op in {"answered", "blank"}:
            if value is not True:
                self.problem(code, f"{where}.{op}", "must be true")
            return Condition(op=op, item=target)
        values = [value] if op == "equals" else value
        if not isinstance(values, list) or not values:
            self.problem(code, f"{where}.{op}", "must be a non-empty list of option codes")
            return None
        if not seen.item.options and not seen.item.is_coded:
            self.problem(code, f"{where}.{op}", f"{target} has no answer codes; use answered: true")
            return None
        good = True
        for v in values:
            if not isinstance(v, str) or v not in seen.item.codes:
                self.problem(code, f"{where}.{op}", f"{v!r} is not an option code of {target} "
                             f"({', '.join(seen.item.codes)})")
                good = False
        if not good:
            return None
        return Condition(op="in" if op == "equals" else op, item=target, values=tuple(values))

    # -- measures -------------------------------------------------------------------------------------

    def _parse_measures(self, raw: object) -> tuple[MeasureDef, ...]:
        if not isinstance(raw, list):
            self.problem(None, "measures", "must be a list of measures")
            return ()
        measures: list[MeasureDef] = []
        names: set[str] = set()
        for position, spec in enumerate(raw):
            if not isinstance(spec, dict):
                self.problem(None, f"measures[{position}]", "a measure is a mapping with name and kind")
                continue
            name = spec.get("name")
            if not isinstance(name, str) or not _CODE_RE.match(name):
                self.problem(f"measures[{position}]", "name", "required: a lowercase code, e.g. share_unsafe")
                continue
            if name in names:
                self.problem(name, "name", "duplicate measure name")
            names.add(name)
            for key in spec:
                if key not in _MEASURE_KEYS:
                    self.problem(name, str(key), "not a field of a measure")
            label = self.texts(spec.get("label"), name, "label")
            kind = spec.get("kind")
            if kind == "share":
                measure = self._share(name, spec, label)
            elif kind == "index":
                measure = self._index(name, spec, label)
            else:
                self.problem(name, "kind", "must be share or index")
                measure = None
            if measure is not None:
                measures.append(measure)
        return tuple(measures)

    def _measure_item(self, name: str, code: object, where: str) -> Item | None:
        seen = self.seen.get(code) if isinstance(code, str) else None
        if seen is None or not seen.item.is_answerable:
            self.problem(name, where, f"{code!r} is not an item code of this questionnaire")
            return None
        if not seen.enabled:
            self.problem(name, where, f"{code} is disabled")
            return None
        if not seen.item.options or seen.item.type in {ItemType.AREA, ItemType.MULTIPLE_CHOICE}:
            self.problem(name, where, f"{code} is not a single-choice item with fixed answer codes")
            return None
        return seen.item

    def _code_list(self, name: str, raw: object, where: str,
                   allowed: Sequence[str]) -> tuple[str, ...] | None:
        if not isinstance(raw, list) or not raw:
            self.problem(name, where, "required: a non-empty list of answer codes")
            return None
        good = True
        for code in raw:
            if not isinstance(code, str) or code not in allowed:
                self.problem(name, where, f"{code!r} is not an answer code of the item "
                             f"({', '.join(allowed)})")
                good = False
        if len(set(map(str, raw))) != len(raw):
            self.problem(name, where, "a code is listed twice")
            good = False
        return tuple(raw) if good else None

    def _share(self, name: str, spec: dict[str, Any], label: Mapping[str, str]) -> MeasureDef | None:
        for key in ("items", "scores", "steps", "min_valid"):
            if key in spec:
                self.problem(name, key, "only index measures have this field")
        item = self._measure_item(name, spec.get("item"), "item")
        codes = item.codes if item is not None else ()
        counted = self._code_list(name, spec.get("counted"), "counted", codes) if item else None
        base = self._code_list(name, spec.get("base"), "base", codes) if item else None
        if counted is not None and base is not None:
            outside = [c for c in counted if c not in base]
            if outside:
                self.problem(name, "counted", f"counted codes must be in the base: {', '.join(outside)}")
            elif set(base) == set(counted):
                self.problem(name, "base", "the base must contain at least one code that is not counted")
        cutpoints = None
        if "cutpoints" in spec:
            cutpoints = self._cutpoints(name, spec["cutpoints"])
        if item is None or counted is None or base is None:
            return None
        return MeasureDef(name=name, kind="share", item=item.code, counted=counted, base=base,
                          cutpoints=cutpoints, label=_freeze(label))

    def _cutpoints(self, name: str, raw: object) -> tuple[float, ...] | None:
        ok = (isinstance(raw, list) and len(raw) == 6
              and all(isinstance(v, int | float) and not isinstance(v, bool) and 0 < v < 1 for v in raw)
              and all(a < b for a, b in itertools.pairwise(raw)))
        if not ok:
            self.problem(name, "cutpoints", "must be 6 strictly increasing fractions between 0 and 1")
            return None
        return tuple(float(v) for v in raw)  # type: ignore[union-attr]

    def _index(self, name: str, spec: dict[str, Any], label: Mapping[str, str]) -> MeasureDef | None:
        for key in ("item", "counted", "base", "cutpoints"):
            if key in spec:
                self.problem(name, key, "only share measures have this field")
        items_raw = spec.get("items")
        if not isinstance(items_raw, list) or not items_raw:
            self.problem(name, "items", "required: a non-empty list of item codes")
            return None
        items = [self._measure_item(name, code, "items") for code in items_raw]
        if len({str(c) for c in items_raw}) != len(items_raw):
            self.problem(name, "items", "an item is listed twice")
        valid_items = [it for it in items if it is not None]
        scores = self._scores(name, spec, valid_items)
        for it in valid_items:
            scored = [c for c in it.codes if c in dict(scores)]
            if scores and len(scored) < 2:
                self.problem(name, "scores", f"{it.code} has fewer than two scored answer codes")
        n = len(items_raw)
        min_valid = spec.get("min_valid", math.ceil(3 * n / 4))
        if isinstance(min_valid, bool) or not isinstance(min_valid, int) or not 1 <= min_valid <= n:
            self.problem(name, "min_valid", f"must be a whole number from 1 to {n}")
            min_valid = None
        if len(valid_items) != n or not scores or min_valid is None:
            return None
        return MeasureDef(name=name, kind="index", item=None, counted=(), base=(),
                          items=tuple(it.code for it in valid_items), scores=scores, min_valid=min_valid,
                          label=_freeze(label))

    def _scores(self, name: str, spec: dict[str, Any], items: list[Item]) -> tuple[tuple[str, float], ...]:
        """Scores from ``scores`` (code: 0..100) or ``steps`` (worst -> best, scored (x−1)/(K−1)·100)."""
        all_codes = {c for it in items for c in it.codes}
        pairs: list[tuple[str, float]] = []
        if ("scores" in spec) == ("steps" in spec):
            self.problem(name, "scores", "give exactly one of scores (code: 0..100) or steps (worst to best)")
            return ()
        if "scores" in spec:
            raw = spec["scores"]
            if not isinstance(raw, dict) or not raw:
                self.problem(name, "scores", "must be a mapping of answer code -> score 0..100")
                return ()
            for code, score in raw.items():
                if isinstance(score, bool) or not isinstance(score, int | float) or not 0 <= score <= 100:
                    self.problem(name, f"scores.{code}", "a score is a number from 0 to 100")
                    continue
                pairs.append((str(code), float(score)))
        else:
            raw = spec["steps"]
            if not (isinstance(raw, list) and raw and all(isinstance(s, list) and len(s) >= 2 for s in raw)):
                self.problem(name, "steps", "must be a list of lists of 2+ answer codes, worst first")
                return ()
            for steps in raw:
                for position, code in enumerate(steps):
                    pairs.append((str(code), 100.0 * position / (len(steps) - 1)))
        codes = [c for c, _ in pairs]
        for code in codes:
            if code not in all_codes:
                self.problem(name, "scores" if "scores" in spec else "steps",
                             f"{code!r} is not an answer code of the index items")
        if len(set(codes)) != len(codes):
            self.problem(name, "scores" if "scores" in spec else "steps", "an answer code is scored twice")
        return tuple(pairs)

    # -- small helpers ---------------------------------------------------------------------------------

    def texts(self, raw: object, item: str | None, where: str, *, required: bool = True) -> dict[str, str]:
        """A language -> text mapping; ``sv`` required unless the whole mapping is optional and absent."""
        if raw is None:
            if required:
                self.problem(item, f"{where}.{SOURCE_LANGUAGE}", "required: a Swedish text")
            return {}
        if not isinstance(raw, dict):
            self.problem(item, where, "must be a mapping of language code -> text, e.g. {sv: ..., en: ...}")
            return {}
        out: dict[str, str] = {}
        for lang, value in raw.items():
            if lang not in self.languages:
                self.problem(item, f"{where}.{lang}", "language not declared under languages")
                continue
            if not isinstance(value, str) or not value.strip():
                self.problem(item, f"{where}.{lang}", "must be a non-empty text")
                continue
            if len(value) > _MAX_TEXT_CHARS:
                self.problem(item, f"{where}.{lang}", f"longer than {_MAX_TEXT_CHARS} characters")
                continue
            out[str(lang)] = " ".join(value.split()) if "\n" not in value.strip() else value.strip()
        if SOURCE_LANGUAGE not in raw:
            self.problem(item, f"{where}.{SOURCE_LANGUAGE}", "required: a Swedish text")
        return out

    def options(self, raw: object, item: str | None, where: str, *,
                allow_empty: bool = False) -> tuple[Option, ...]:
        if not isinstance(raw, list) or (not raw and not allow_empty):
            self.problem(item, where, "must be a non-empty list of options ({code: ..., text: {sv: ...}})")
            return ()
        out: list[Option] = []
        for position, spec in enumerate(raw):
            if not isinstance(spec, dict):
                self.problem(item, f"{where}[{position}]", "an option is a mapping with code and text")
                continue
            code = spec.get("code")
            if not isinstance(code, str) or not _CODE_RE.match(code):
                self.problem(item, f"{where}[{position}].code",
                             f"option codes are lowercase codes such as very_unsafe, got {code!r}")
                continue
            if any(o.code == code for o in out):
                self.problem(item, f"{where}.{code}", "duplicate option code")
                continue
            for key in spec:
                if key not in _OPTION_KEYS:
                    self.problem(item, f"{where}.{code}.{key}",
                                 "unknown option key (allowed: code, text, exclusive)")
            labels = self.texts(spec.get("text"), item, f"{where}.{code}.text")
            exclusive = spec.get("exclusive", False)
            if not isinstance(exclusive, bool):
                self.problem(item, f"{where}.{code}.exclusive", "must be true or false")
                exclusive = False
            if SOURCE_LANGUAGE in labels:
                out.append(Option(code=code, labels=_freeze(labels), exclusive=exclusive))
        return tuple(out)

    def integer(self, raw: object, item: str | None, where: str, low: int, high: int, *,
                required: bool = False) -> int | None:
        if raw is None:
            if required:
                self.problem(item, where, "required: a whole number")
            return None
        if isinstance(raw, bool) or not isinstance(raw, int) or not low <= raw <= high:
            self.problem(item, where, f"must be a whole number from {low} to {high}")
            return None
        return raw

    def _language(self, code: str, pages: tuple[Page, ...], title: Mapping[str, str]) -> Language:
        spec = self.languages[code]
        return Language(code=code, name=spec["name"], direction=spec["dir"], status=spec["status"],
                        complete=_complete(code, pages, title))


def _complete(lang: str, pages: Iterable[Page], title: Mapping[str, str]) -> bool:
    if lang not in title:
        return False
    for page in pages:
        if page.title and lang not in page.title:
            return False
        for item in page.items:
            for it in (item, *item.rows):
                if lang not in it.texts:
                    return False
    return True
