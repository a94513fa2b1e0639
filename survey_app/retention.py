"""Gallring: deleting what has been kept long enough, on the schedule an admin sets (`RetentionPolicy`).

What goes, counted from the last day of each wave (survey data) or from the event (audit log):

- responses (with their answers) `response_years` after their wave ended: what the landing page promises;
- free-text answers `free_text_months` after their wave ended (they may hold what masking missed), the coded answers
  staying for the analysis;
- drafts not touched for `draft_days` (unsent answers, and the empty rows of sent ones), whatever the wave;
- audit events older than `audit_months`.

Held responses (sent, waiting to be stored) are never deleted here. Trygg keeps no exported file: every export is
streamed to the person who asked for it, so there is nothing of them to delete. `trygg retention run` applies the
schedule and writes an audit event with the counts; `--dry-run` only counts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from survey_app import audit
from survey_app.db import rows_changed
from survey_app.models import (
    Answer,
    AuditEvent,
    Response,
    RetentionPolicy,
    StaffUser,
    Survey,
    SurveyDraft,
    UnsafePlaceCoding,
)
from survey_app.survey.codes import touch_wave


@dataclass(frozen=True, slots=True)
class RetentionResult:
    responses: int
    free_texts: int
    drafts: int
    audit_events: int


def policy(session: Session) -> RetentionPolicy:
    """The schedule; the defaults until an admin has saved one."""
    found = session.get(RetentionPolicy, 1)
    return found if found is not None else RetentionPolicy(id=1, response_years=5, free_text_months=12, draft_days=30,
                                                           audit_months=24)


def save_policy(session: Session, *, response_years: int, free_text_months: int, draft_days: int, audit_months: int,
                actor: StaffUser | None) -> RetentionPolicy:
    current = session.get(RetentionPolicy, 1)
    if current is None:
        current = RetentionPolicy(id=1)
        session.add(current)
    before = {name: getattr(current, name) for name in ("response_years", "free_text_months", "draft_days",
                                                          "audit_months")}
    current.response_years, current.free_text_months = response_years, free_text_months
    current.draft_days, current.audit_months = draft_days, audit_months
    current.updated_at = dt.datetime.now(dt.UTC)
    after = {"response_years": response_years, "free_text_months": free_text_months, "draft_days": draft_days,
             "audit_months": audit_months}
    session.flush()
    audit.record(session, actor=actor, action="retention.policy", target_type="retention_policy", target_id=1,
                 details={"before": before, "after": after})
    return current


def _months_before(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    last = [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30, 31, 30, 31, 31, 30, 31,
            30, 31][month - 1]
    return dt.date(year, month, min(day.day, last))


def run(session: Session, *, today: dt.date, now: dt.datetime, actor_label: str = "system",
        dry_run: bool = False) -> RetentionResult:
    """Apply the schedule as of `today`/`now`; with `dry_run`, only count what would go."""
    rules = policy(session)
    old_waves = select(Survey.id).where(Survey.period_end < _months_before(today, 12 * rules.response_years))
    text_waves = select(Survey.id).where(Survey.period_end < _months_before(today, rules.free_text_months))
    old_responses = Response.survey_id.in_(old_waves)
    old_texts = (Answer.value_text.is_not(None),
                 Answer.response_id.in_(select(Response.id).where(Response.survey_id.in_(text_waves))))
    old_drafts = SurveyDraft.updated_on < today - dt.timedelta(days=rules.draft_days)
    old_events = AuditEvent.at < _as_aware(now) - dt.timedelta(days=round(30.44 * rules.audit_months))

    def count(model: type, *conditions: object) -> int:
        return session.scalar(select(func.count()).select_from(model).where(*conditions)) or 0  # type: ignore[arg-type]

    if dry_run:
        return RetentionResult(count(Response, old_responses), count(Answer, *old_texts),
                               count(SurveyDraft, old_drafts), count(AuditEvent, old_events))
    # Cached analyses are keyed by the wave's data version: raise it for every wave that loses responses.
    # Also every wave that loses free text: the lägesbild's counts of described places are kept by data version
    # (survey_app/problem_picture/places.py).
    for survey in session.scalars(select(Survey).where(or_(
            Survey.id.in_(select(Response.survey_id).where(old_responses).distinct()),
            Survey.id.in_(select(Response.survey_id).where(Response.id.in_(
                select(Answer.response_id).where(*old_texts))).distinct())))):
        touch_wave(session, survey)
    # Answers first: on SQLite without foreign keys enforced (a copy, a tool) nothing may be left behind.
    session.execute(delete(Answer).where(Answer.response_id.in_(select(Response.id).where(old_responses))),
                    execution_options={"synchronize_session": False})
    session.execute(delete(UnsafePlaceCoding).where(
        UnsafePlaceCoding.response_id.in_(select(Response.id).where(old_responses))),
        execution_options={"synchronize_session": False})
    def gone(model: type, *conditions: object) -> int:
        statement = delete(model).where(*conditions).execution_options(synchronize_session=False)  # type: ignore[arg-type]
        return rows_changed(session, statement)

    result = RetentionResult(responses=gone(Response, old_responses), free_texts=gone(Answer, *old_texts),
                             drafts=gone(SurveyDraft, old_drafts), audit_events=gone(AuditEvent, old_events))
    audit.record(session, actor=None, actor_label=actor_label, action="retention.run", target_type="retention_policy",
                 target_id=1, details=asdict(result))
    return result


def _as_aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
