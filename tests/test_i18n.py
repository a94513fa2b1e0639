"""Every string a person reads goes through Babel, and every catalog is complete."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
LOCALES = ("sv", "en")  # complete catalogs
# Arabic, Finnish, Somali and Persian cover what residents read: the survey flow, the shared layout with its language
# menu and the error pages (drafts for review).
RESIDENT_LOCALES = ("ar", "fi", "so", "fa")
RESIDENT_SOURCES = """
[python: survey_app/survey/**.py]
[jinja2: survey_app/survey/**/templates/**.html]
[jinja2: survey_app/templates/base.html]
[jinja2: survey_app/templates/_language_menu.html]
[jinja2: survey_app/templates/errors/**.html]
"""


def _catalog(path: Path, locale: str | None = None):
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def _extract(tmp_path: Path, mapping: Path | None = None):
    fresh = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", str(mapping or ROOT / "babel.cfg"),
         "-k", "_l", "-k", "lazy_gettext", "-k", "ngettext:1,2", "--no-location", "-o", str(fresh), "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    return _catalog(fresh)


def _ids(catalog) -> set[object]:
    return {message.id for message in catalog if message.id}


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_is_complete_and_has_no_fuzzy_entries(locale: str) -> None:
    catalog = _catalog(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", locale)
    template = _catalog(TRANSLATIONS / "messages.pot")
    assert _ids(template) <= _ids(catalog), f"run `python scripts/i18n.py update`: {_ids(template) - _ids(catalog)}"
    problems = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            problems.append(f"missing: {message.id!r}")
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        if message.python_format:
            for check_problem in message.check(catalog):
                problems.append(f"{message.id!r}: {check_problem}")
    assert problems == []


def test_template_is_up_to_date_with_the_code(tmp_path: Path) -> None:
    """messages.pot holds exactly the strings the code marks for translation."""
    assert _ids(_extract(tmp_path)) == _ids(_catalog(TRANSLATIONS / "messages.pot")), (
        "run `python scripts/i18n.py update` and translate the new strings"
    )


@pytest.mark.parametrize("locale", RESIDENT_LOCALES)
def test_resident_languages_cover_every_text_residents_read(tmp_path: Path, locale: str) -> None:
    mapping = tmp_path / "resident.cfg"
    mapping.write_text(RESIDENT_SOURCES, encoding="utf-8")
    resident = _ids(_extract(tmp_path, mapping))
    catalog = _catalog(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", locale)
    translated = {message.id for message in catalog if message.id and message.string and not message.fuzzy}
    assert resident - translated == set()
    assert "needs a translator's review" in catalog.header_comment
    problems = [f"{message.id!r}: {problem}" for message in catalog if message.id in resident and message.python_format
                for problem in message.check(catalog)]
    assert problems == []  # every placeholder of the source is in the translation


def test_swedish_is_the_default_and_actually_translated(client) -> None:
    page = client.get("/").get_data(as_text=True)
    assert "Hoppa till innehållet" in page
    assert "Skip to content" not in page


def test_text_direction_comes_from_cldr() -> None:
    from survey_app.i18n import text_direction

    assert [text_direction(code) for code in ("ar", "fa", "ur", "he")] == ["rtl"] * 4
    assert [text_direction(code) for code in ("sv", "en", "fi", "so", "not-a-language")] == ["ltr"] * 5
