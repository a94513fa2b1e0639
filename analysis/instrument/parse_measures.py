"""The parser's part for ``measures:``: shares and indexes over the items already parsed (STANDARDS §3)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Any, Final

from analysis.instrument.model import FrozenMap, Item, ItemType, MeasureDef
from analysis.instrument.parse_items import Seen
from analysis.instrument.parse_texts import CODE_RE, TextReader

_MEASURE_KEYS: Final = frozenset({"name", "kind", "label", "item", "counted", "base", "cutpoints", "items",
                                  "scores", "steps", "min_valid", "note"})


class MeasureParser:
    """Reads ``measures:``; a measure may only use enabled single-choice items with fixed answer codes."""

    def __init__(self, reader: TextReader, seen: Mapping[str, Seen]) -> None:
        self.problem = reader.problem
        self.texts = reader.texts
        self.seen = seen

    def parse_measures(self, raw: object) -> tuple[MeasureDef, ...]:
        if not isinstance(raw, list):
            self.problem(None, "measures", "must be a list of measures")
            return ()
        measures: list[MeasureDef] = []
        names: set[str] = set()
        for position, spec in enumerate(raw):
            if not isinstance(spec, dict):
                self.problem(None, f"measures[{position}]", "a measure is a mapping with name and kind")
                continue
            name = spec.get("name")
            if not isinstance(name, str) or not CODE_RE.match(name):
                self.problem(f"measures[{position}]", "name", "required: a lowercase code, e.g. share_unsafe")
                continue
            if name in names:
                self.problem(name, "name", "duplicate measure name")
            names.add(name)
            for key in spec:
                if key not in _MEASURE_KEYS:
                    self.problem(name, str(key), "not a field of a measure")
            label = self.texts(spec.get("label"), name, "label")
            kind = spec.get("kind")
            if kind == "share":
                measure = self._share(name, spec, label)
            elif kind == "index":
                measure = self._index(name, spec, label)
            else:
                self.problem(name, "kind", "must be share or index")
                measure = None
            if measure is not None:
                measures.append(measure)
        return tuple(measures)

    def _measure_item(self, name: str, code: object, where: str) -> Item | None:
        seen = self.seen.get(code) if isinstance(code, str) else None
        if seen is None or not seen.item.is_answerable:
            self.problem(name, where, f"{code!r} is not an item code of this questionnaire")
            return None
        if not seen.enabled:
            self.problem(name, where, f"{code} is disabled")
            return None
        if not seen.item.options or seen.item.type in {ItemType.AREA, ItemType.MULTIPLE_CHOICE}:
            self.problem(name, where, f"{code} is not a single-choice item with fixed answer codes")
            return None
        return seen.item

    def _code_list(self, name: str, raw: object, where: str,
                   allowed: Sequence[str]) -> tuple[str, ...] | None:
        if not isinstance(raw, list) or not raw:
            self.problem(name, where, "required: a non-empty list of answer codes")
            return None
        good = True
        for code in raw:
            if not isinstance(code, str) or code not in allowed:
                self.problem(name, where, f"{code!r} is not an answer code of the item "
                             f"({', '.join(allowed)})")
                good = False
        if len(set(map(str, raw))) != len(raw):
            self.problem(name, where, "a code is listed twice")
            good = False
        return tuple(raw) if good else None

    def _share(self, name: str, spec: dict[str, Any], label: Mapping[str, str]) -> MeasureDef | None:
        for key in ("items", "scores", "steps", "min_valid"):
            if key in spec:
                self.problem(name, key, "only index measures have this field")
        item = self._measure_item(name, spec.get("item"), "item")
        codes = item.codes if item is not None else ()
        counted = self._code_list(name, spec.get("counted"), "counted", codes) if item else None
        base = self._code_list(name, spec.get("base"), "base", codes) if item else None
        if counted is not None and base is not None:
            outside = [c for c in counted if c not in base]
            if outside:
                self.problem(name, "counted", f"counted codes must be in the base: {', '.join(outside)}")
            elif set(base) == set(counted):
                self.problem(name, "base", "the base must contain at least one code that is not counted")
        cutpoints = None
        if "cutpoints" in spec:
            cutpoints = self._cutpoints(name, spec["cutpoints"])
        if item is None or counted is None or base is None:
            return None
        return MeasureDef(name=name, kind="share", item=item.code, counted=counted, base=base,
                          cutpoints=cutpoints, label=FrozenMap(label))

    def _cutpoints(self, name: str, raw: object) -> tuple[float, ...] | None:
        if not (isinstance(raw, list) and len(raw) == 6
                and all(isinstance(v, int | float) and not isinstance(v, bool) and 0 < v < 1 for v in raw)
                and all(a < b for a, b in itertools.pairwise(raw))):
            self.problem(name, "cutpoints", "must be 6 strictly increasing fractions between 0 and 1")
            return None
        return tuple(float(v) for v in raw)

    def _index(self, name: str, spec: dict[str, Any], label: Mapping[str, str]) -> MeasureDef | None:
        for key in ("item", "counted", "base", "cutpoints"):
            if key in spec:
                self.problem(name, key, "only share measures have this field")
        items_raw = spec.get("items")
        if not isinstance(items_raw, list) or not items_raw:
            self.problem(name, "items", "required: a non-empty list of item codes")
            return None
        items = [self._measure_item(name, code, "items") for code in items_raw]
        if len({str(c) for c in items_raw}) != len(items_raw):
            self.problem(name, "items", "an item is listed twice")
        valid_items = [it for it in items if it is not None]
        scores = self._scores(name, spec, valid_items)
        for it in valid_items:
            scored = [c for c in it.codes if c in dict(scores)]
            if scores and len(scored) < 2:
                self.problem(name, "scores", f"{it.code} has fewer than two scored answer codes")
        n = len(items_raw)
        min_valid = spec.get("min_valid", math.ceil(3 * n / 4))
        if isinstance(min_valid, bool) or not isinstance(min_valid, int) or not 1 <= min_valid <= n:
            self.problem(name, "min_valid", f"must be a whole number from 1 to {n}")
            min_valid = None
        if len(valid_items) != n or not scores or min_valid is None:
            return None
        return MeasureDef(name=name, kind="index", item=None, counted=(), base=(),
                          items=tuple(it.code for it in valid_items), scores=scores, min_valid=min_valid,
                          label=FrozenMap(label))

    def _scores(self, name: str, spec: dict[str, Any], items: list[Item]) -> tuple[tuple[str, float], ...]:
        """Scores from ``scores`` (code: 0..100) or ``steps`` (worst -> best, scored (x−1)/(K−1)·100)."""
        all_codes = {c for it in items for c in it.codes}
        pairs: list[tuple[str, float]] = []
        if ("scores" in spec) == ("steps" in spec):
            self.problem(name, "scores", "give exactly one of scores (code: 0..100) or steps (worst to best)")
            return ()
        if "scores" in spec:
            raw = spec["scores"]
            if not isinstance(raw, dict) or not raw:
                self.problem(name, "scores", "must be a mapping of answer code -> score 0..100")
                return ()
            for code, score in raw.items():
                if isinstance(score, bool) or not isinstance(score, int | float) or not 0 <= score <= 100:
                    self.problem(name, f"scores.{code}", "a score is a number from 0 to 100")
                    continue
                pairs.append((str(code), float(score)))
        else:
            raw = spec["steps"]
            if not (isinstance(raw, list) and raw and all(isinstance(s, list) and len(s) >= 2 for s in raw)):
                self.problem(name, "steps", "must be a list of lists of 2+ answer codes, worst first")
                return ()
            for steps in raw:
                for position, code in enumerate(steps):
                    pairs.append((str(code), 100.0 * position / (len(steps) - 1)))
        codes = [c for c, _ in pairs]
        for code in codes:
            if code not in all_codes:
                self.problem(name, "scores" if "scores" in spec else "steps",
                             f"{code!r} is not an answer code of the index items")
        if len(set(codes)) != len(codes):
            self.problem(name, "scores" if "scores" in spec else "steps", "an answer code is scored twice")
        return tuple(pairs)

