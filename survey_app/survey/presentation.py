"""How an instrument's texts and a draft's answers are shown: language fallbacks marked, answers as labels."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from markupsafe import Markup, escape

from analysis.instrument import SOURCE_LANGUAGE, AnswerState, Instrument, Item, ItemType
from survey_app.i18n import text_direction


@dataclass(frozen=True, slots=True)
class Text:
    """A text and the language it is actually in (a missing translation falls back to Swedish)."""

    value: str
    language: str

    def html(self, page_language: str) -> Markup:
        """The text, wrapped in a span with its own `lang` and `dir` when it differs from the page (WCAG 3.1.2)."""
        if self.language == page_language:
            return escape(self.value)
        direction = text_direction(self.language)
        return Markup('<span lang="{}" dir="{}">{}</span>').format(self.language, direction, self.value)


def question_text(item: Item, language: str) -> Text:
    texts = item.texts.get(language)
    if texts is not None and texts.question:
        return Text(texts.question, language)
    return Text(item.texts[SOURCE_LANGUAGE].question, SOURCE_LANGUAGE)


def help_text(item: Item, language: str) -> Text | None:
    texts = item.texts.get(language)
    if texts is not None and texts.help:
        return Text(texts.help, language)
    fallback = item.texts[SOURCE_LANGUAGE].help
    return Text(fallback, SOURCE_LANGUAGE) if fallback else None


def option_text(item: Item, code: str, language: str) -> Text:
    option = next((o for o in item.options if o.code == code), None)
    if option is None:
        return Text(code, language)
    if option.labels.get(language):
        return Text(option.labels[language], language)
    return Text(option.labels[SOURCE_LANGUAGE], SOURCE_LANGUAGE)


def page_title(instrument: Instrument, page_index: int, language: str) -> Text | None:
    titles = instrument.pages[page_index].title
    if language in titles:
        return Text(titles[language], language)
    if SOURCE_LANGUAGE in titles:
        return Text(titles[SOURCE_LANGUAGE], SOURCE_LANGUAGE)
    return None


def area_choices(item: Item, areas: Mapping[str, str], language: str) -> list[tuple[str, Text]]:
    """An area item's options: the wave's areas (their names are proper nouns), then the fixed ones."""
    choices = [(code, Text(name, language)) for code, name in areas.items()]
    choices.extend((code, option_text(item, code, language)) for code in item.codes if code not in areas)
    return choices


def options_of(item: Item, language: str, areas: Mapping[str, str]) -> list[tuple[str, Text]]:
    """The (code, label) pairs a choice item offers, in display order."""
    if item.type == ItemType.AREA:
        return area_choices(item, areas, language)
    return [(code, option_text(item, code, language)) for code in item.codes]


def answer_text(item: Item, value: object, language: str, areas: Mapping[str, str]) -> list[Text]:
    if value is None or value == "" or value == []:
        return []
    if item.type == ItemType.AREA and isinstance(value, str) and value in areas:
        return [Text(areas[value], language)]
    if item.type == ItemType.MULTIPLE_CHOICE and isinstance(value, list | tuple):
        return [option_text(item, str(code), language) for code in value]
    if item.is_coded:
        return [option_text(item, str(value), language)]
    return [Text(str(value), language)]


@dataclass(frozen=True, slots=True)
class SummaryRow:
    item: Item
    question: Text
    answer: list[Text]


@dataclass(frozen=True, slots=True)
class SummaryPage:
    number: int  # 1-based, as in the URL
    title: Text | None
    rows: list[SummaryRow]


def summary_rows(state: AnswerState, language: str, areas: Mapping[str, str]) -> list[SummaryPage]:
    """Every page with a shown question, its questions and the answers that count (blank ones too, to fill in)."""
    pages = []
    for index in range(len(state.instrument.pages)):
        questions = state.visible_questions(index)
        if not questions:
            continue
        rows = [
            SummaryRow(
                item, question_text(item, language), answer_text(item, state.answers.get(item.code), language, areas)
            )
            for item in questions
        ]
        pages.append(SummaryPage(index + 1, page_title(state.instrument, index, language), rows))
    return pages
