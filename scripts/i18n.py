"""Keep the Babel catalogs in step with the code.

    python scripts/i18n.py update    extract messages.pot, update sv and en, fill en from the English source

The source strings are English, so the English catalog is the identity; every Swedish string is a translator's
work and is never filled automatically. A test fails while any catalog has a missing or fuzzy entry.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
LOCALES = ("sv", "en", "ar", "fi", "so", "fa")  # ar, fi, so, fa cover the resident pages only, as drafts for review
SOURCE_LOCALE = "en"


def _pybabel(*arguments: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *arguments], check=True, cwd=ROOT)  # noqa: S603


def update() -> None:
    pot = TRANSLATIONS / "messages.pot"
    _pybabel(
        "extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "-k", "ngettext:1,2",
        "--add-comments=i18n:", "--no-location", "--sort-output", "--project=Trygg", "-o", str(pot), ".",
    )
    for locale in LOCALES:
        po = TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"
        if po.exists():
            _pybabel("update", "-i", str(pot), "-d", str(TRANSLATIONS), "-l", locale, "--no-fuzzy-matching")
        else:
            _pybabel("init", "-i", str(pot), "-d", str(TRANSLATIONS), "-l", locale)
    _fill_source_locale(TRANSLATIONS / SOURCE_LOCALE / "LC_MESSAGES" / "messages.po")


def _fill_source_locale(po_path: Path) -> None:
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=SOURCE_LOCALE)
    for message in catalog:
        if isinstance(message.id, tuple):  # plural: msgid and msgid_plural
            if not all(message.string):
                message.string = message.id
        elif message.id and not message.string:
            message.string = message.id
        message.flags.discard("fuzzy")
    with po_path.open("wb") as handle:
        write_po(handle, catalog, omit_header=False, sort_output=True, no_location=True)


if __name__ == "__main__":
    if sys.argv[1:] != ["update"]:
        sys.exit(__doc__)
    update()
