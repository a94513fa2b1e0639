"""Analysts' exclusions: responses left out of a wave's analysis and exports, by a rule with a reason, reversibly.

A rule (`ResponseExclusion`) names the days the responses were sent on (from `first_day` to `last_day`, either end
open) and/or a set of answer patterns (a response's analysis values, column -> value, exactly); it excludes the
responses that match all of what it names. The rows themselves are not marked: every reader of a wave's responses
for the analysis (`insights/service.py` through :func:`included_codes`, the microdata exports and the slow path
through :func:`included_conditions`) applies the wave's active rules. So a response of an excluded day that the
holding pool releases later is excluded too, and reversing a rule lets its responses back in without a trace on them.

Making or reversing a rule raises the wave's data version (`codes.touch_wave`) in the same transaction, so no cached
figure outlives it, and writes an audit event with who, what and how many.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, Table, and_, false, func, not_, or_, select
from sqlalchemy.orm import Session

from survey_app import audit
from survey_app.errors import ServiceError
from survey_app.models import Response, ResponseExclusion, StaffUser, Survey, WaveCodebook
from survey_app.survey.codes import Codebook, touch_wave

MAX_PATTERNS = 50
MAX_REASON = 2000

Reader = Session | Connection


@dataclass(frozen=True, slots=True)
class Rule:
    """What a rule excludes (the terms of a `ResponseExclusion`)."""

    first_day: dt.date | None
    last_day: dt.date | None
    patterns: Sequence[Mapping[str, str]]


def active_rules(reader: Reader, survey_id: int) -> list[Rule]:
    """The wave's rules that are not reversed; read with Core, so a bare connection (a streamed export) can too."""
    table: Table = ResponseExclusion.__table__  # type: ignore[assignment]
    rows = reader.execute(select(table.c.first_day, table.c.last_day, table.c.patterns)
                          .where(table.c.survey_id == survey_id, table.c.reversed_at.is_(None)).order_by(table.c.id))
    return [Rule(first_day, last_day, patterns or []) for first_day, last_day, patterns in rows]


def _codebook(reader: Reader, survey_id: int) -> Codebook | None:
    layout = reader.execute(select(WaveCodebook.layout).where(WaveCodebook.survey_id == survey_id)).scalar()
    try:
        return Codebook.from_layout(layout) if layout is not None else None
    except (KeyError, TypeError):
        return None


def pattern_codes(codebook: Codebook | None, pattern: Mapping[str, str]) -> bytes | None:
    """A pattern as the `codes` of a response with exactly those values, or None when no response can have them."""
    if codebook is None or set(pattern) - set(codebook.columns):
        return None
    for column in codebook.columns:
        value = pattern.get(column, "")
        if value and value not in codebook.labels[column]:
            return None
    return codebook.encode(pattern)


def rule_condition(rule: Rule, codebook: Codebook | None) -> ColumnElement[bool]:
    """The responses (of its wave) that `rule` excludes, as a condition on `responses`."""
    parts: list[ColumnElement[bool]] = []
    if rule.first_day is not None:
        parts.append(Response.submitted_on >= rule.first_day)
    if rule.last_day is not None:
        parts.append(Response.submitted_on <= rule.last_day)
    if rule.patterns:
        blobs = [b for b in (pattern_codes(codebook, p) for p in rule.patterns) if b is not None]
        parts.append(Response.codes.in_(blobs) if blobs else false())
    return and_(*parts) if parts else false()


def excluded_condition(reader: Reader, survey_id: int) -> ColumnElement[bool] | None:
    """What the wave's active rules exclude, or None when it has none."""
    rules = active_rules(reader, survey_id)
    if not rules:
        return None
    codebook = _codebook(reader, survey_id) if any(r.patterns for r in rules) else None
    return or_(*(rule_condition(rule, codebook) for rule in rules))


def included_conditions(reader: Reader, survey_id: int) -> list[ColumnElement[bool]]:
    """Conditions to add to a query of the wave's responses so that it reads only those not excluded."""
    excluded = excluded_condition(reader, survey_id)
    return [] if excluded is None else [not_(excluded)]


def included_codes(session: Session, survey: Survey) -> list[bytes | None] | None:
    """The `codes` of the wave's responses that no rule excludes, in the order of their keys; None when the wave has
    no active rule (the caller then reads every response its own, faster way)."""
    conditions = included_conditions(session, survey.id)
    if not conditions:
        return None
    return list(session.execute(select(Response.codes).where(Response.survey_id == survey.id, *conditions)
                                .order_by(Response.id)).scalars())


def count_matching(session: Session, survey: Survey, *, first_day: dt.date | None, last_day: dt.date | None,
                   patterns: Sequence[Mapping[str, str]], only_included: bool = True) -> int:
    """How many stored responses a rule with these terms would exclude (by default: that are not excluded yet)."""
    rule = Rule(first_day, last_day, patterns)
    conditions = [Response.survey_id == survey.id, rule_condition(rule, _codebook(session, survey.id))]
    if only_included:
        conditions += included_conditions(session, survey.id)
    return int(session.scalar(select(func.count()).select_from(Response).where(*conditions)) or 0)


def count_excluded(session: Session, survey: Survey) -> int:
    excluded = excluded_condition(session, survey.id)
    if excluded is None:
        return 0
    return int(session.scalar(select(func.count()).select_from(Response)
                              .where(Response.survey_id == survey.id, excluded)) or 0)


def exclude(session: Session, survey: Survey, *, first_day: dt.date | None, last_day: dt.date | None,
            patterns: Sequence[Mapping[str, str]], reason: str, actor: StaffUser | None) -> ResponseExclusion:
    """Make a rule; ServiceError when it names nothing, its days are reversed, or the reason is missing."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("exclusion_reason_required", field="reason")
    if len(reason) > MAX_REASON:
        raise ServiceError("exclusion_reason_too_long", field="reason")
    if first_day is None and last_day is None and not patterns:
        raise ServiceError("exclusion_names_nothing")
    if first_day is not None and last_day is not None and last_day < first_day:
        raise ServiceError("exclusion_days_reversed", field="last_day")
    if len(patterns) > MAX_PATTERNS:
        raise ServiceError("exclusion_too_many_patterns")
    touch_wave(session, survey)  # first: the wave's lock, and no cached figure outlives the rule
    count = count_matching(session, survey, first_day=first_day, last_day=last_day, patterns=patterns)
    rule = ResponseExclusion(survey_id=survey.id, first_day=first_day, last_day=last_day,
                             patterns=[dict(p) for p in patterns], reason=reason, excluded_when_made=count,
                             made_by=actor.email if actor else "system")
    session.add(rule)
    session.flush()
    audit.record(session, actor=actor, action="responses.exclude", target_type="survey", target_id=survey.id,
                 details=_details(survey, rule, count))
    return rule


def reverse(session: Session, survey: Survey, rule_id: int, *, actor: StaffUser | None) -> ResponseExclusion:
    """Reverse an active rule of the wave: its responses count again (unless another rule excludes them)."""
    rule = session.get(ResponseExclusion, rule_id)
    if rule is None or rule.survey_id != survey.id:
        raise ServiceError("exclusion_unknown")
    if rule.reversed_at is not None:
        raise ServiceError("exclusion_already_reversed")
    touch_wave(session, survey)
    before = count_excluded(session, survey)
    rule.reversed_at = dt.datetime.now(dt.UTC)
    rule.reversed_by = actor.email if actor else "system"
    session.flush()
    back = before - count_excluded(session, survey)
    audit.record(session, actor=actor, action="responses.exclusion_reversed", target_type="survey",
                 target_id=survey.id, details={**_details(survey, rule, rule.excluded_when_made), "returned": back})
    return rule


def _details(survey: Survey, rule: ResponseExclusion, count: int) -> dict[str, Any]:
    return {"wave": survey.slug, "rule": rule.id, "reason": rule.reason, "responses": count,
            "first_day": rule.first_day.isoformat() if rule.first_day else None,
            "last_day": rule.last_day.isoformat() if rule.last_day else None, "patterns": len(rule.patterns)}
