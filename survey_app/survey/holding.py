"""The holding pool: sent responses wait here and are stored later, a day's worth at a time, in random order.

Why: someone with a copy of the database (a backup, a `pg_dump`, an administrator) must not be able to tell in which
order responses were sent, nor pair a response with the invitation code, draft or resume code of the resident who
sent it. Stored the moment it is sent, a response would sit in the table in the order of sending (SQLite's rowid,
PostgreSQL's ctid and the row order of a dump) and share a transaction id (PostgreSQL's `xmin`) with the update of
the resident's draft. So sending only marks the draft submitted and adds a `HeldResponse` (one transaction, as
before: exactly once), and *releasing* stores held responses in a later transaction of its own, shuffled.

When (`TRYGG_RESPONSE_RELEASE`):

- ``daily`` (production default): the responses received before today are released together, once there are at
  least `TRYGG_RELEASE_MIN_BATCH` (k, default 10) of them or the oldest has waited `TRYGG_RELEASE_MAX_WAIT_DAYS`
  (default 3). Within a day the stored order is then random; across days it says only the day, which the response
  keeps anyway. Results therefore show a day's responses from the next day on.
- ``immediate`` (development and tests): each sent response is released right after its request commits, in a
  transaction of its own. Same path, but the order protection is off: never use it in production.

Releasing is triggered after a sending request commits (cheap when nothing is due), by `trygg survey release` (for
cron), and by closing a wave, which releases everything it holds whatever the batch size: nothing acknowledged is
ever lost, because a held row is deleted only in the transaction that stores its response (DELETE … RETURNING: of two
releasers, each stores only the rows it deleted).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from flask import current_app, g
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from survey_app.models import HeldResponse, Survey
from survey_app.survey.questionnaires import instrument_of
from survey_app.survey.responses import SubmittedResponse, store_responses

MODES = ("daily", "immediate")


def hold(session: Session, survey: Survey, entry: SubmittedResponse) -> None:
    """Put a sent response in the pool (in the transaction that marks the draft submitted)."""
    session.add(HeldResponse(survey_id=survey.id, received_on=entry.submitted_on, language=entry.language,
                             channel=entry.channel, answers=dict(entry.answers)))


def held_count(session: Session, survey: Survey) -> int:
    return session.scalar(select(func.count()).select_from(HeldResponse).where(HeldResponse.survey_id == survey.id)) \
        or 0


def release_after_this_request(*, sent_to: Survey | None = None) -> None:
    """Ask `extensions.commit_or_roll_back` to release what is due once this request has committed, and to count a
    send to `sent_to` in its hour (`survey_app/survey/hourly.py`), in that later transaction, not the sending one."""
    g.release_held = True
    if sent_to is not None:
        g.sent_to_wave = sent_to.id


def release_due(session: Session, today: dt.date, *, mode: str | None = None, min_batch: int | None = None,
                max_wait_days: int | None = None) -> int:
    """Release, for every wave, what the policy says is due; returns how many responses were stored."""
    config = current_app.config
    mode = mode or config.get("RESPONSE_RELEASE", "daily")
    k = int(config.get("RELEASE_MIN_BATCH", 10) if min_batch is None else min_batch)
    wait = int(config.get("RELEASE_MAX_WAIT_DAYS", 3) if max_wait_days is None else max_wait_days)
    stored = 0
    for survey_id in session.scalars(select(HeldResponse.survey_id).distinct()).all():
        survey = session.get(Survey, survey_id)
        if survey is None:
            continue
        if mode == "immediate":
            stored += _release(session, survey, HeldResponse.survey_id == survey_id)
            continue
        before_today = (HeldResponse.survey_id == survey_id, HeldResponse.received_on < today)
        count, oldest = session.execute(select(func.count(), func.min(HeldResponse.received_on))
                                        .where(*before_today)).one()
        if count and (count >= k or oldest <= today - dt.timedelta(days=wait)):
            stored += _release(session, survey, *before_today)
    return stored


def release_all(session: Session, survey: Survey) -> int:
    """Store everything the wave holds (closing it: no more responses will come to hide these among)."""
    return _release(session, survey, HeldResponse.survey_id == survey.id)


def _release(session: Session, survey: Survey, *conditions: object) -> int:
    taken = session.execute(
        delete(HeldResponse).where(*conditions)  # type: ignore[arg-type]
        .returning(HeldResponse.received_on, HeldResponse.language, HeldResponse.channel, HeldResponse.answers)
        .execution_options(synchronize_session=False)
    ).all()
    if not taken:
        return 0
    entries: Sequence[SubmittedResponse] = [
        SubmittedResponse(answers=answers, language=language, submitted_on=received_on, channel=channel)
        for received_on, language, channel, answers in taken
    ]
    store_responses(session, survey, instrument_of(survey.questionnaire), entries)  # shuffles the batch
    return len(entries)
