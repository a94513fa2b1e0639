"""Measure definitions: shares from answer codes and 0–100 indices.

A measure is configuration (STANDARDS.md §3): a share names the item, the codes that count and the
codes in the base (every other code and blank is outside the base); an index names items and a
score per code. :class:`Measure` has the same fields as the questionnaire parser's ``MeasureDef``
(:mod:`analysis.instrument`), so either can be passed to :func:`analysis.report.run_analysis`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from .errors import MeasureError

__all__ = ["Measure", "parse_measure", "score_lookup", "share_lookup"]

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")


@dataclass(frozen=True, slots=True)
class Measure:
    """A measure; field names and meaning as ``analysis.instrument.MeasureDef``.

    Attributes
    ----------
    name : str
    kind : {"share", "index"}
    item : str or None
        Share: the item (column) code.
    counted, base : tuple of str
        Share: codes in the numerator and in the denominator (counted ⊆ base).
    items : tuple of str
        Index: the item codes averaged.
    scores : tuple of (str, float)
        Index: code -> item score 0–100 (codes not listed are missing).
    min_valid : int or None
        Index: minimum valid items for a person score (default ceil(3/4 · items)).
    cutpoints : tuple of float or None
        Share: six increasing cut-points for the problem level 0–6.
    label : mapping
        Language -> label.
    """

    name: str
    kind: str
    item: str | None
    counted: tuple[str, ...] = ()
    base: tuple[str, ...] = ()
    items: tuple[str, ...] = ()
    scores: tuple[tuple[str, float], ...] = ()
    min_valid: int | None = None
    cutpoints: tuple[float, ...] | None = None
    label: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind == "share":
            if not self.item or not self.counted or not self.base:
                raise MeasureError(f"measure {self.name!r}: a share needs an item, counted codes and base codes")
            extra = [c for c in self.counted if c not in self.base]
            if extra:
                raise MeasureError(f"measure {self.name!r}: counted code(s) {', '.join(extra)} not in the base")
        elif self.kind == "index":
            if len(self.items) < 2 or not self.scores:
                raise MeasureError(f"measure {self.name!r}: an index needs at least two items and scores")
        else:
            raise MeasureError(f"measure {self.name!r}: kind must be 'share' or 'index', not {self.kind!r}")

    def columns(self) -> tuple[str, ...]:
        """Data columns the measure reads."""
        return (self.item,) if self.kind == "share" and self.item is not None else tuple(self.items)


def parse_measure(text: str) -> Measure:
    """Parse ``NAME=ITEM:COUNTED/BASE``, e.g. ``otrygg=trygg_kvall:3,4/1,2,3,4``.

    Codes are comma-separated; COUNTED must be a subset of BASE.

    Raises
    ------
    MeasureError
        With a message that shows the expected form.
    """
    form = "expected NAME=ITEM:COUNTED/BASE, e.g. otrygg=trygg_kvall:3,4/1,2,3,4"
    m = re.fullmatch(r"\s*([^=\s]+)\s*=\s*([^:\s]+)\s*:\s*([^/]*)/(.*)", text or "")
    if not m:
        raise MeasureError(f"--measure {text!r}: {form}")
    name, item, counted, base = m.groups()
    if not _NAME.match(name):
        raise MeasureError(f"--measure {text!r}: measure name {name!r} must be letters, digits, '_', '.' or '-'")
    cs = tuple(c.strip() for c in counted.split(",") if c.strip())
    bs = tuple(c.strip() for c in base.split(",") if c.strip())
    if not cs or not bs:
        raise MeasureError(f"--measure {text!r}: counted and base codes must not be empty; {form}")
    if len(set(bs)) != len(bs) or len(set(cs)) != len(cs):
        raise MeasureError(f"--measure {text!r}: a code is listed twice")
    try:
        return Measure(name=name, kind="share", item=item, counted=cs, base=bs)
    except MeasureError as exc:
        raise MeasureError(f"--measure {text!r}: {exc}") from exc


def share_lookup(measure, codes: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(valid, counted) indicator arrays over a column's dictionary of codes."""
    base, counted = set(measure.base), set(measure.counted)
    valid = np.array([c in base for c in codes], dtype=bool)
    y = np.array([c in counted for c in codes], dtype=bool)
    return valid, y


def score_lookup(measure, codes: list[str]) -> np.ndarray:
    """Item score per code of a column's dictionary (NaN = missing)."""
    scores = dict(measure.scores)
    return np.array([float(scores[c]) if c in scores else np.nan for c in codes])
