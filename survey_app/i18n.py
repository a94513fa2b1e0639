"""Locale selection: a language the visitor picked (kept in the session), else Swedish."""

from __future__ import annotations

from functools import cache

from babel import Locale, UnknownLocaleError
from babel.support import NullTranslations, Translations
from flask import Flask, has_app_context, has_request_context, request, session

from survey_app.extensions import babel


def select_locale() -> str:
    """The draft's language inside a survey flow; else a language the visitor picked; else Swedish.

    Survey pages may offer more languages than the rest of the site (a wave in Arabic, say): their views put the
    wave's languages in `g.allowed_languages` before anything is translated.
    """
    from flask import current_app, g

    if not has_request_context():  # the command line speaks the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if g.get("survey_language"):
        return g.survey_language
    languages = (*current_app.config["LANGUAGES"], *g.get("allowed_languages", ()))
    requested = request.args.get("lang")
    if requested is not None and requested in languages:
        session["lang"] = requested
        return requested
    chosen = session.get("lang")
    if isinstance(chosen, str) and chosen in languages:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


@cache
def text_direction(locale: str) -> str:
    """"rtl" for a language whose script runs right to left (Arabic, Persian, ...), as CLDR says; else "ltr"."""
    try:
        return Locale.parse(locale.replace("-", "_")).text_direction
    except (ValueError, UnknownLocaleError):
        return "ltr"


def register_i18n(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)

    @app.context_processor
    def language_context() -> dict[str, object]:
        from flask_babel import get_locale

        locale = str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"])
        return {"current_language": locale, "text_direction": text_direction(locale)}


@cache
def _cli_translations() -> NullTranslations:  # NullTranslations when the catalog is missing
    from survey_app.config import DEFAULTS

    return Translations.load(DEFAULTS["BABEL_TRANSLATION_DIRECTORIES"], [DEFAULTS["BABEL_DEFAULT_LOCALE"]])


def cli_gettext(message: str, **variables: object) -> str:
    """gettext for the command line, which may run without an application (e.g. `trygg questionnaire validate`)."""
    if has_app_context():
        from flask_babel import gettext

        return gettext(message, **variables)
    text = _cli_translations().gettext(message)
    return text % variables if variables else text
