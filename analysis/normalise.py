"""Background values and answer codes as real exports write them, mapped to the codes the analysis uses.

Everything here works on the dictionary of a :class:`~analysis.data.Column` (one entry per distinct
value), never on the rows, so it costs nothing on a million respondents.

* Answer codes: surrounding spaces are dropped, and a whole number written as a decimal (``3.0``,
  ``3,0``: a float column from pandas or Excel) becomes ``3``; a value whose case differs from exactly
  one known code becomes that code. What is still not a known code is counted per item, not guessed.
* Gender: the common Swedish and English forms, in any case, become the questionnaire codes
  ``woman``, ``man``, ``other`` and ``no_answer`` (STANDARDS §2.1); other values are kept as written
  and counted.
* Area: blank and "don't know" forms (``dont_know``, ``Vet inte`` ...) become :data:`UNKNOWN_AREA`.
"""

from __future__ import annotations

import re
from collections.abc import Collection

import numpy as np

from .data import UNKNOWN_AREA, Column, ValueReport

__all__ = ["GENDER_FORMS", "UNKNOWN_AREA_FORMS", "normalise_area", "normalise_codes", "normalise_gender"]

#: Written form (lower case, stripped) -> gender code.
GENDER_FORMS: dict[str, str] = {
    **dict.fromkeys(("woman", "women", "kvinna", "kvinnor", "k", "kv", "female", "f", "tjej", "flicka", "girl",
                     "kvinnlig"), "woman"),
    **dict.fromkeys(("man", "men", "män", "m", "male", "kille", "pojke", "boy", "manlig"), "man"),
    **dict.fromkeys(("other", "annan", "annat", "annan könsidentitet", "icke-binär", "ickebinär", "non-binary",
                     "nonbinary"), "other"),
    **dict.fromkeys(("no_answer", "no answer", "vill inte svara", "vill ej svara", "prefer not to say"),
                    "no_answer"),
}
#: Area values (lower case, stripped) that mean the area is not known.
UNKNOWN_AREA_FORMS = frozenset({"", "dont_know", "don't know", "do not know", "unknown", "vet inte", "vet ej",
                                "okänt", "okänd", "uppgift saknas"})

_WHOLE_DECIMAL = re.compile(r"([+-]?\d+)[.,]0+")
_MAX_VALUES = 10


def _relabel(col: Column, mapped: list[str]) -> Column:
    """The column with label i replaced by ``mapped[i]``, merging labels that become equal."""
    if tuple(mapped) == col.labels:
        return col
    labels = tuple(dict.fromkeys(mapped))
    pos = {lab: i for i, lab in enumerate(labels)}
    lut = np.array([pos[m] for m in mapped], dtype=np.int32)
    return Column(codes=lut[col.codes] if col.codes.size else col.codes, labels=labels)


def _counts(col: Column) -> np.ndarray:
    return np.bincount(col.codes, minlength=len(col.labels))


def _report(col: Column, flagged: list[bool], counts: np.ndarray | None = None) -> ValueReport | None:
    """Rows, first row and values (most frequent first) of the flagged labels."""
    if not any(flagged):
        return None
    counts = _counts(col) if counts is None else counts
    idx = [i for i, f in enumerate(flagged) if f and counts[i] > 0]
    if not idx:
        return None
    mask = np.zeros(len(col.labels), dtype=bool)
    mask[idx] = True
    first = int(np.argmax(mask[col.codes])) + 1
    idx.sort(key=lambda i: (-counts[i], col.labels[i]))
    return ValueReport(rows=int(counts[idx].sum()), first_row=first,
                       values=tuple(col.labels[i] for i in idx[:_MAX_VALUES]))


def _changed_rows(col: Column, changed: list[bool], counts: np.ndarray | None = None) -> int:
    if not any(changed):
        return 0
    counts = _counts(col) if counts is None else counts
    return int(counts[np.array(changed, dtype=bool)].sum())


def normalise_codes(col: Column, known: Collection[str] | None) -> tuple[Column, int, ValueReport | None]:
    """Answer codes: (column, rows rewritten, rows whose value is not a known code).

    ``known`` is the item's set of answer codes (None: only spaces and whole decimals are fixed, nothing is
    reported). Blank is a missing answer, never unrecognised.
    """
    known_set = set(known) if known is not None else set()
    by_fold: dict[str, list[str]] = {}
    for k in known_set:
        by_fold.setdefault(k.casefold(), []).append(k)
    mapped = []
    for lab in col.labels:
        s = lab.strip()
        m = _WHOLE_DECIMAL.fullmatch(s)
        if m and s not in known_set:
            s = str(int(m.group(1)))
        if s not in known_set and len(by_fold.get(s.casefold(), ())) == 1:
            s = by_fold[s.casefold()][0]
        mapped.append(s)
    changed = [a != b for a, b in zip(col.labels, mapped, strict=True)]
    if not any(changed):  # the usual case: one count of the codes serves the report
        flagged = [known is not None and lab != "" and lab not in known_set for lab in col.labels]
        return col, 0, _report(col, flagged, _counts(col)) if any(flagged) else None
    rows = _changed_rows(col, changed)
    out = _relabel(col, mapped)
    report = None
    if known is not None:
        report = _report(out, [lab != "" and lab not in known_set for lab in out.labels])
    return out, rows, report


def normalise_gender(col: Column) -> tuple[Column, int, ValueReport | None]:
    """Gender: (column with the codes woman/man/other/no_answer, rows rewritten, rows with other values)."""
    mapped = []
    for lab in col.labels:
        s = lab.strip()
        mapped.append(GENDER_FORMS.get(s.casefold().rstrip("."), s))
    changed = [a != b for a, b in zip(col.labels, mapped, strict=True)]
    rows = _changed_rows(col, changed)
    out = _relabel(col, mapped)
    return out, rows, _report(out, [lab != "" and lab not in GENDER_FORMS.values() for lab in out.labels])


def normalise_area(col: Column) -> Column:
    """Areas stripped of spaces; blank and "don't know" forms become :data:`UNKNOWN_AREA`."""
    mapped = [UNKNOWN_AREA if lab.strip().casefold() in UNKNOWN_AREA_FORMS else lab.strip() for lab in col.labels]
    return _relabel(col, mapped)
