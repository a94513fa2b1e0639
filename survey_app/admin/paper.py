"""The postal questionnaire: the wave's questionnaire as a printable A4 document, numbered, with the skip logic written
out as instructions ("Answer only if you answered … to question 4"), and a box on the first page where the print house
prints the invitation code. Built from the same instrument the web form is, so both ask the same questions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from flask_babel import gettext as _

from analysis.instrument import Condition, Instrument, Item, ItemType
from survey_app.models import Survey
from survey_app.survey.presentation import help_text, option_text, question_text


@dataclass(frozen=True, slots=True)
class PaperItem:
    number: str | None  # None for an information text
    kind: str
    question: str
    help: str = ""
    instruction: str = ""  # the skip logic, in words
    options: list[str] = field(default_factory=list)
    rows: list[tuple[str, str, str]] = field(default_factory=list)  # a grid's statements: letter, text, instruction
    multiple: bool = False


@dataclass(frozen=True, slots=True)
class PaperPage:
    title: str
    items: list[PaperItem]


def question_numbers(instrument: Instrument) -> dict[str, str]:
    """Question numbers as printed: 1, 2, … and a grid's statements 12a, 12b, … (which conditions may name)."""
    numbers: dict[str, str] = {}
    count = 0
    for page in instrument.pages:
        for item in page.items:
            if item.type == ItemType.INFO:
                continue
            count += 1
            numbers[item.code] = str(count)
            for index, row in enumerate(item.rows):
                numbers[row.code] = f"{count}{chr(ord('a') + index)}"
    return numbers


def _option_words(instrument: Instrument, code: str, values: tuple[str, ...], language: str) -> str:
    """The answers of a condition as the questionnaire words them: ”Ja” or ”Ibland”."""
    item = instrument.get(code)
    words = [option_text(item, value, language).value if item is not None else value for value in values]
    return (" " + _("or") + " ").join(f"”{word}”" for word in words)


def condition_words(condition: Condition, instrument: Instrument, numbers: Mapping[str, str], language: str) -> str:
    """A show_if condition as a sentence a respondent on paper can follow."""
    if condition.op in ("all", "any"):
        parts = [condition_words(c, instrument, numbers, language) for c in condition.clauses]
        return (" " + (_("and") if condition.op == "all" else _("or")) + " ").join(parts)
    number = numbers.get(condition.item or "", "?")
    if condition.op == "in":
        return _("you answered %(answers)s to question %(number)s", number=number,
                 answers=_option_words(instrument, condition.item or "", condition.values, language))
    if condition.op == "not_in":
        return _("you answered question %(number)s with something other than %(answers)s", number=number,
                 answers=_option_words(instrument, condition.item or "", condition.values, language))
    if condition.op == "answered":
        return _("you answered question %(number)s", number=number)
    return _("you left question %(number)s blank", number=number)


def paper_pages(instrument: Instrument, survey: Survey, language: str = "sv") -> list[PaperPage]:
    numbers = question_numbers(instrument)
    areas = [area.name for area in survey.areas]
    pages = []
    for page in instrument.pages:
        title = page.title.get(language) or page.title.get("sv") or ""
        items = [_paper_item(item, instrument, numbers, areas, language) for item in page.items]
        pages.append(PaperPage(title=title, items=items))
    return pages


def _paper_item(item: Item, instrument: Instrument, numbers: Mapping[str, str], areas: list[str],
                language: str) -> PaperItem:
    hint = help_text(item, language)
    instruction = ""
    if item.show_if is not None:
        instruction = _("Answer only if %(condition)s.",
                        condition=condition_words(item.show_if, instrument, numbers, language))
    options: list[str] = []
    rows: list[tuple[str, str, str]] = []
    if item.type == ItemType.AREA:
        options = areas
    elif item.type == ItemType.GRID:
        scale = item.options or (item.rows[0].options if item.rows else ())
        source = item if item.options else (item.rows[0] if item.rows else item)
        options = [option_text(source, o.code, language).value for o in scale]
        rows = [(numbers[row.code][-1], question_text(row, language).value,
                 _("Only if %(condition)s.", condition=condition_words(row.show_if, instrument, numbers, language))
                 if row.show_if is not None else "") for row in item.rows]
    elif item.options:
        options = [option_text(item, o.code, language).value for o in item.options]
    return PaperItem(
        number=numbers.get(item.code), kind=str(item.type), question=question_text(item, language).value,
        help=hint.value if hint else "", instruction=instruction, options=options, rows=rows,
        multiple=item.type == ItemType.MULTIPLE_CHOICE)
