"""The parser's shared part: the problems found so far, the declared languages, and readers of texts and options."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Final

from analysis.instrument.errors import InstrumentProblem
from analysis.instrument.model import LANGUAGE_STATUSES, SOURCE_LANGUAGE, FrozenMap, Language, Option, Page

CODE_RE: Final = re.compile(r"^[a-z][a-z0-9_]{0,47}$")
_LANG_RE: Final = re.compile(r"^[a-z]{2,3}$")
_MAX_TEXT_CHARS: Final = 4000
_OPTION_KEYS: Final = frozenset({"code", "text", "exclusive"})


class TextReader:
    """Collects every problem of one file and reads the fields that hold texts, options and numbers.

    The parts of the parser (:mod:`~analysis.instrument.parse_items`,
    :mod:`~analysis.instrument.parse_measures`) share one reader, so problems keep the order of the file.
    """

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[InstrumentProblem] = []
        self.languages: dict[str, dict[str, str]] = {}
        self.review_languages: frozenset[str] = frozenset()

    def problem(self, item: str | None, field_name: str, message: str) -> None:
        self.problems.append(InstrumentProblem(self.source, item, field_name, message))

    def parse_languages(self, raw: object) -> None:
        """Read ``languages:``; texts in any other language are problems."""
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
            if not isinstance(code, str) or not CODE_RE.match(code):
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
                out.append(Option(code=code, labels=FrozenMap(labels), exclusive=exclusive))
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

    def language(self, code: str, pages: tuple[Page, ...], title: Mapping[str, str]) -> Language:
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
