"""Where the flow goes and how far along it is: the progress count, and the way back to the summary after a change.

Skip logic decides which pages are shown, and a condition only reads answers of earlier pages. So a page the flow
has passed is decided, and so is a later page whose conditions read only items of passed pages; a later page whose
condition reads an item of the current page or after it may still be shown. The progress count includes those
undecided pages, so its total never grows as the resident goes forward: it shrinks when an answer rules pages out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from analysis.instrument import AnswerState, Instrument

RETURN_TO_SUMMARY = "sammanfattning"  # the value of `?till=` that brings a changed page back to the summary


# The pages whose answers each page's conditions read, per instrument, keyed by its content hash (the same text gives
# the same instrument). Not `functools.cache` on the instrument: hashing a frozen instrument walks every item, and the
# progress count asks for every page on every request.
_condition_pages_by_instrument: dict[str, tuple[frozenset[int], ...]] = {}


def _condition_pages(instrument: Instrument, page_index: int) -> frozenset[int]:
    """The pages whose answers a condition on this page reads."""
    found = _condition_pages_by_instrument.get(instrument.content_hash)
    if found is None or len(found) != len(instrument.pages):
        where = {it.code: page.index for page in instrument.pages for item in page.items for it in (item, *item.rows)}
        found = tuple(
            frozenset(where[code] for item in page.items for it in (item, *item.rows) if it.show_if is not None
                      for code in it.show_if.items if code in where)
            for page in instrument.pages
        )
        _condition_pages_by_instrument[instrument.content_hash] = found
    return found[page_index]


def counted_pages(state: AnswerState, page_index: int) -> tuple[int, ...]:
    """The pages the progress counts while the resident is on `page_index`: those shown, and later ones that an
    answer on this page or after it may still open."""
    shown = set(state.shown_pages)
    return tuple(
        index for index in range(len(state.instrument.pages))
        if index in shown
        or (index > page_index and any(p >= page_index for p in _condition_pages(state.instrument, index)))
    )


def progress(state: AnswerState, page_index: int) -> tuple[int, int]:
    """(position, total) for "Page n of total"."""
    pages = counted_pages(state, page_index)
    position = sum(1 for index in pages if index <= page_index)
    return max(position, 1), max(len(pages), 1)


def _visible_codes(state: AnswerState, pages: Iterable[int]) -> set[str]:
    return {item.code for index in pages for item in state.visible_questions(index)}


def opened_pages(before: AnswerState, after: AnswerState, page_index: int) -> list[int]:
    """Later pages on which a change on `page_index` made questions appear that were hidden before."""
    opened = []
    for index in after.shown_pages:
        if index > page_index and _visible_codes(after, [index]) - _visible_codes(before, [index]):
            opened.append(index)
    return opened


def pages_to_walk(after: AnswerState, pending: Sequence[int], opened: Sequence[int], page_index: int) -> list[int]:
    """After a change made from the summary: the pages still to visit before the summary (those the change opened,
    and those an earlier change opened and the resident has not reached yet), in order."""
    return sorted({index for index in (*pending, *opened) if index > page_index and index in after.shown_pages})


def parse_pending(raw: str | None, instrument: Instrument) -> list[int]:
    """The pages still to visit, as the page form carries them ("7,8"); anything else is ignored."""
    pages = []
    for part in (raw or "").split(",")[:50]:
        if part.isdigit() and int(part) < len(instrument.pages):
            pages.append(int(part))
    return pages
