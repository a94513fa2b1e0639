"""The parser's part for pages, items, grid rows and their ``show_if`` conditions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from analysis.instrument.conditions import Condition
from analysis.instrument.model import (
    CHOICE_TYPES,
    GENDER_CODES,
    MAX_FREE_TEXT,
    SOURCE_LANGUAGE,
    WORDING_STATUSES,
    FrozenMap,
    Item,
    ItemTexts,
    ItemType,
    Option,
    Page,
)
from analysis.instrument.parse_texts import CODE_RE, TextReader

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
_CONDITION_OPS: Final = ("equals", "in", "not_in", "answered", "blank")


@dataclass(slots=True)
class Seen:
    """What the parser knows about an item already parsed (for show_if and measures)."""

    item: Item
    enabled: bool


class ItemParser:
    """Reads ``pages:``: builds the pages and items and records every item code it has seen.

    Parameters
    ----------
    reader : TextReader
        Collects the problems; knows the declared languages.
    scales : Mapping[str, tuple[Option, ...]]
        The shared scales (``scales:``), by name.
    declared_codes : Mapping[str, int]
        Every item code in the file -> the index of the page it is on, to tell a ``show_if`` on a later
        item from one on an unknown item.
    """

    def __init__(self, reader: TextReader, scales: Mapping[str, tuple[Option, ...]],
                 declared_codes: Mapping[str, int]) -> None:
        self.reader = reader
        self.problem = reader.problem
        self.texts = reader.texts
        self.options = reader.options
        self.integer = reader.integer
        self.scales = scales
        self.declared_codes = declared_codes
        self.seen: dict[str, Seen] = {}
        self.codes_used: set[str] = set()
        self.disabled: list[str] = []

    # -- pages and items ----------------------------------------------------------------------------

    def parse_pages(self, pages_raw: list[Any]) -> tuple[Page, ...]:
        pages: list[Page] = []
        page_ids: set[str] = set()
        for position, raw in enumerate(pages_raw):
            where = f"pages[{position}]"
            if not isinstance(raw, dict):
                self.problem(None, where, "a page must be a mapping with id and items")
                continue
            page_id = raw.get("id")
            label = page_id if isinstance(page_id, str) else where
            if not isinstance(page_id, str) or not CODE_RE.match(page_id):
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
                pages.append(Page(id=str(page_id), index=index, title=FrozenMap(title), items=items))
        return tuple(pages)

    def _parse_item(self, raw: object, page_index: int, page_label: str) -> Item | None:
        if not isinstance(raw, dict):
            self.problem(page_label, "items", "every item must be a mapping with code and type")
            return None
        code = self._item_code(raw.get("code"), page_label)
        type_raw = raw.get("type")
        item_type = next((t for t in ItemType if t.value == type_raw), None)  # YAML may give any type here
        if item_type is None:
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
        if item_type in CHOICE_TYPES or item_type == ItemType.GRID:
            options, scale = self._item_options(raw, code)
            if item_type == ItemType.GENDER and options and {o.code for o in options} != set(GENDER_CODES):
                self.problem(code, "options", f"gender options must be exactly {', '.join(GENDER_CODES)}")
        elif item_type == ItemType.AREA:
            options = self.options(raw.get("options", []), code, "options", allow_empty=True)
        kwargs: dict[str, Any] = {}
        if item_type == ItemType.FREE_TEXT:
            kwargs["max_length"] = self.integer(raw.get("max_length"), code, "max_length", 1, MAX_FREE_TEXT,
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
                        lang for lang in texts if lang in self.reader.review_languages), source=source, **kwargs)
        self.seen[code] = Seen(item, enabled)
        if not enabled:
            self.disabled.append(code)
            for row in rows:  # the rows of a disabled grid are disabled too
                self.seen[row.code] = Seen(row, enabled=False)
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
            review |= frozenset(lang for lang in texts if lang in self.reader.review_languages)
            row = Item(code=code, type=ItemType.SINGLE_CHOICE, page_index=page_index, texts=texts,
                       options=options, grid=grid_code, scale=scale, show_if=show_if, wording_status=status,
                       review_languages=review, source=source)
            self.seen[code] = Seen(row, enabled)
            if enabled:
                rows.append(row)
            else:
                self.disabled.append(code)
        return tuple(rows)

    def _item_code(self, code: object, context: str) -> str:
        if not isinstance(code, str) or not CODE_RE.match(code):
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
        if not isinstance(value, list) or not all(isinstance(v, str) and v in self.reader.languages for v in value):
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
            texts[lang] = ItemTexts(question=question, help=help_in_lang, options=FrozenMap(labels))
        for lang in help_text:
            if lang not in text:
                self.problem(code, f"help.{lang}", f"help text in {lang} but no {lang} question text")
        if SOURCE_LANGUAGE not in texts:
            texts[SOURCE_LANGUAGE] = ItemTexts(question="", help=None, options=FrozenMap({}))
        return FrozenMap(texts)

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

