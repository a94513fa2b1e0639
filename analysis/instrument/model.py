"""The frozen data model of a questionnaire version: :class:`Instrument`, its pages, items and measures.

:mod:`analysis.instrument.parser` builds these from the YAML files; the web form factory and the analysis
read them. Every class is immutable, hashable and picklable, so a loaded instrument can be cached and
shared between requests and processes.

References
----------
Trygg ``STANDARDS.md`` §2 (item bank, scales) and §3 (measures).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final

from analysis.instrument.conditions import Condition

FORMAT_VERSION: Final = 1
SOURCE_LANGUAGE: Final = "sv"
GENDER_CODES: Final = ("woman", "man", "other", "no_answer")
WORDING_STATUSES: Final = ("verified", "review")
LANGUAGE_STATUSES: Final = ("source", "translated", "needs_review")
MAX_FREE_TEXT: Final = 20_000  # the longest max_length a free-text item may declare


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


CHOICE_TYPES: Final = frozenset({ItemType.SINGLE_CHOICE, ItemType.MULTIPLE_CHOICE, ItemType.GENDER})
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
        return self.type in CHOICE_TYPES or self.type == ItemType.AREA

    @property
    def codes(self) -> tuple[str, ...]:
        """The option codes in display order (fixed options only for area items)."""
        return tuple(o.code for o in self.options)

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
