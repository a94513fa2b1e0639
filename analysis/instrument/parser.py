"""Loading questionnaire files: the one parser of the versioned YAML files in ``questionnaires/``.

A questionnaire version is a YAML file (format documented in ``questionnaires/README.md``). The parser
reads it in one pass that builds the frozen dataclasses of :mod:`analysis.instrument.model` and collects
every problem, located by file, item code and field. Its messages are for the analyst who edits the file.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any, Final

import yaml

from analysis.instrument.errors import InstrumentError, InstrumentProblem
from analysis.instrument.model import FORMAT_VERSION, FrozenMap, Instrument, Option
from analysis.instrument.parse_items import ItemParser
from analysis.instrument.parse_measures import MeasureParser
from analysis.instrument.parse_texts import CODE_RE, TextReader

_SLUG_RE: Final = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_VERSION_RE: Final = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,31}$")
_MAX_FILE_BYTES: Final = 1_000_000
_TOP_KEYS: Final = frozenset({"format", "slug", "version", "title", "description", "audience", "languages",
                              "scales", "pages", "measures", "note"})


def default_directory() -> Path:
    """The repository's ``questionnaires/`` directory."""
    return Path(__file__).resolve().parents[2] / "questionnaires"


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

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        """Refuse aliases: a few hundred bytes of nested ``*refs`` expand to gigabytes (a "billion laughs"), and a
        questionnaire has no need for them; each text is written out where it is used."""
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not allowed in a questionnaire: "
                                              "write the value out where it is used", mark)
        return super().compose_node(parent, index)


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


class _Parser:
    """The top level of a file; pages and items, measures and texts have their own parts."""

    def __init__(self, source: str, content_hash: str) -> None:
        self.reader = TextReader(source)
        self.content_hash = content_hash
        self.problems = self.reader.problems
        self.problem = self.reader.problem
        self.texts = self.reader.texts
        self.options = self.reader.options
        self.integer = self.reader.integer

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
        self.reader.parse_languages(doc.get("languages"))
        title = self.texts(doc.get("title"), None, "title")
        description = self.texts(doc.get("description"), None, "description", required=False)
        min_age, max_age = self._parse_audience(doc.get("audience"))
        scales = self._parse_scales(doc.get("scales", {}))
        pages_raw = doc.get("pages")
        if not isinstance(pages_raw, list) or not pages_raw:
            self.problem(None, "pages", "required: a non-empty list of pages")
            pages_raw = []
        items = ItemParser(self.reader, scales, _prescan(pages_raw))
        pages = items.parse_pages(pages_raw)
        measures = MeasureParser(self.reader, items.seen).parse_measures(doc.get("measures", []))
        if self.problems:
            return None
        languages = tuple(self.reader.language(code, pages, title) for code in self.reader.languages)
        return Instrument(slug=slug, version=version, content_hash=self.content_hash, title=FrozenMap(title),
                          description=FrozenMap(description), languages=languages, pages=pages,
                          measures=measures, min_age=min_age, max_age=max_age,
                          disabled_codes=tuple(items.disabled), source=self.reader.source)

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

    def _parse_scales(self, raw: object) -> dict[str, tuple[Option, ...]]:
        scales: dict[str, tuple[Option, ...]] = {}
        if not isinstance(raw, dict):
            self.problem(None, "scales", "must be a mapping of scale name -> list of options")
            return scales
        for name, options in raw.items():
            if not isinstance(name, str) or not CODE_RE.match(name):
                self.problem(None, f"scales.{name}", "scale names are lowercase codes such as evening_safety")
                continue
            scales[name] = self.options(options, None, f"scales.{name}")
        return scales


def _prescan(pages_raw: list[Any]) -> dict[str, int]:
    """Every item code in the file -> the index of the page it is on (before any item is parsed)."""
    declared: dict[str, int] = {}
    for index, page in enumerate(pages_raw):
        items = page.get("items") if isinstance(page, dict) else None
        for raw in items if isinstance(items, list) else ():
            if not isinstance(raw, dict):
                continue
            code = raw.get("code")
            if isinstance(code, str):
                declared.setdefault(code, index)
            rows = raw.get("rows")
            for row in rows if isinstance(rows, list) else ():
                if isinstance(row, dict) and isinstance(row.get("code"), str):
                    declared.setdefault(row["code"], index)
    return declared
