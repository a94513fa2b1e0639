"""How an instrument's and a wave's texts and a draft's answers are shown: language fallbacks marked, answers as labels.

A question without a text in the resident's language is shown in Swedish together with its help text and its answers,
never a Swedish question with translated answers; a page with such a question says so (`falls_back_to_swedish`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from markupsafe import Markup, escape

from analysis.instrument import SOURCE_LANGUAGE, AnswerState, Instrument, Item, ItemType
from survey_app.i18n import text_direction
from survey_app.models import Survey


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


def _item_language(item: Item, language: str) -> str:
    """The language an item is shown in: the resident's when its question has a text in it, else Swedish."""
    texts = item.texts.get(language)
    return language if texts is not None and texts.question else SOURCE_LANGUAGE


def question_text(item: Item, language: str) -> Text:
    shown = _item_language(item, language)
    return Text(item.texts[shown].question, shown)


def help_text(item: Item, language: str) -> Text | None:
    shown = _item_language(item, language)
    texts = item.texts[shown]
    if texts.help:
        return Text(texts.help, shown)
    fallback = item.texts[SOURCE_LANGUAGE].help
    return Text(fallback, SOURCE_LANGUAGE) if fallback else None


def option_text(item: Item, code: str, language: str) -> Text:
    option = next((o for o in item.options if o.code == code), None)
    if option is None:
        return Text(code, language)
    shown = _item_language(item, language)
    if option.labels.get(shown):
        return Text(option.labels[shown], shown)
    return Text(option.labels[SOURCE_LANGUAGE], SOURCE_LANGUAGE)


def falls_back_to_swedish(state: AnswerState, page_index: int, language: str) -> bool:
    """Whether a shown text of the page (its title, a question, a help text or an answer) is in Swedish although
    the resident chose another language: the page then says so plainly."""
    if language == SOURCE_LANGUAGE:
        return False
    title = page_title(state.instrument, page_index, language)
    if title is not None and title.language != language:
        return True
    for item in state.visible_items(page_index):
        for shown in (item, *(row for row in item.rows if state.is_visible(row))):
            texts = [question_text(shown, language), help_text(shown, language),
                     *(option_text(shown, code, language) for code in shown.codes)]
            if any(text is not None and text.language != language for text in texts):
                return True
    return False


def wave_title(survey: Survey, language: str) -> Text:
    """The wave's title in the resident's language when the admin gave one, else the Swedish title."""
    translated = (survey.title_translations or {}).get(language)
    if language != SOURCE_LANGUAGE and translated:
        return Text(translated, language)
    return Text(survey.title, SOURCE_LANGUAGE)


def wave_description(survey: Survey, instrument: Instrument, language: str) -> Text | None:
    """What the landing page says about the wave: the wave's own description, else the questionnaire's; in the
    resident's language when there is one, else in Swedish."""
    for texts in (survey.descriptions or {}, instrument.description):
        if texts.get(language):
            return Text(texts[language], language)
        if texts.get(SOURCE_LANGUAGE):
            return Text(texts[SOURCE_LANGUAGE], SOURCE_LANGUAGE)
    return None


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


def offered_languages(survey: Survey, instrument: Instrument) -> list[tuple[str, str, str]]:
    """The wave's languages for the language menu: (code, the language's own name, direction)."""
    offered = []
    for code in survey.languages:
        info = instrument.language(code)
        offered.append((code, info.name if info else code, info.direction if info else text_direction(code)))
    return offered
