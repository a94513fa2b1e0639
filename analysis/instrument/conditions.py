"""``show_if`` conditions: the skip logic of one item, evaluated on answers to items of earlier pages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class Condition:
    """A ``show_if`` condition on answers to earlier items.

    ``op`` is ``"in"`` (the answer is one of ``values``; for multiple choice: one of them is
    selected), ``"not_in"`` (answered, and none of ``values``), ``"answered"``, ``"blank"``,
    ``"all"`` or ``"any"`` (over ``clauses``).
    """

    op: str
    item: str | None = None
    values: tuple[str, ...] = ()
    clauses: tuple[Condition, ...] = ()

    def evaluate(self, answers: Mapping[str, object]) -> bool:
        """Evaluate on ``answers`` (item code -> answer; missing, None, ``""`` and empty lists are blank)."""
        if self.op == "all":
            return all(c.evaluate(answers) for c in self.clauses)
        if self.op == "any":
            return any(c.evaluate(answers) for c in self.clauses)
        selected = _selected_codes(answers.get(self.item or ""))
        if self.op == "answered":
            return bool(selected)
        if self.op == "blank":
            return not selected
        if self.op == "in":
            return any(code in self.values for code in selected)
        if self.op == "not_in":
            return bool(selected) and not any(code in self.values for code in selected)
        raise AssertionError(f"unknown condition op {self.op!r}")  # the parser admits no other op

    @property
    def items(self) -> tuple[str, ...]:
        """The item codes this condition reads."""
        if self.clauses:
            return tuple(code for c in self.clauses for code in c.items)
        return (self.item,) if self.item else ()


def _selected_codes(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,) if value.strip() else ()
    if isinstance(value, list | tuple | set | frozenset):
        return tuple(v for v in value if isinstance(v, str) and v.strip())
    if isinstance(value, bool):
        return ()
    if isinstance(value, int | float):
        return (str(value),)
    return ()
