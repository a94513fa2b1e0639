"""The resident's way through a survey wave: drafts, pages, resume codes and the exactly-once submission.

A draft is found by a random token kept in the resident's (signed, HttpOnly) session cookie; the database keeps only
its SHA-256. Submitting marks the draft submitted (emptying its answers) and inserts the response in one transaction,
and only the request whose conditional UPDATE changed the row goes on to store anything: a double click, a retried
POST or a resubmit from the back button find the draft already submitted and are shown the thank-you page instead,
with nothing stored twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from survey_app.db import rows_changed
from survey_app.errors import ServiceError
from survey_app.models import Channel, Survey, SurveyDraft
from survey_app.survey import holding
from survey_app.survey.responses import SubmittedResponse
from survey_app.survey.waves import CODE_ALPHABET, code_hashes, hash_code, use_invitation_code


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", errors="replace")).hexdigest()


def find_open_survey(session: Session, slug: str, today: dt.date) -> Survey | None:
    """The wave with this slug if residents can answer it today, else None."""
    survey = session.scalar(select(Survey).where(Survey.slug == slug))
    if survey is None or not survey.is_answerable_on(today):
        return None
    return survey


@dataclass(frozen=True, slots=True)
class StartedDraft:
    draft: SurveyDraft
    token: str  # goes into the resident's cookie; only its hash is stored


def start_draft(session: Session, survey: Survey, *, language: str, invitation_code: str | None,
                token: str | None = None) -> StartedDraft:
    """Begin answering. A wave that needs codes marks the code used here, atomically and without linking it.

    `token` is the draft's key when the caller already has one (staff data entry keys the draft by its form, so a
    resent form finds it: `survey_app/entry/services.py`); else a new one is made.
    """
    if language not in survey.languages:
        raise ServiceError("unknown_language")
    code = (invitation_code or "").strip()
    if survey.invitation_codes and (code or not survey.open_link):
        if not code:
            raise ServiceError("code_required")
        if len(code) > 64 or not use_invitation_code(session, survey, code):
            raise ServiceError("code_invalid_or_used")
    token = token or secrets.token_urlsafe(32)
    draft = SurveyDraft(survey_id=survey.id, token_hash=_hash(token), language=language, answers={}, page=0)
    session.add(draft)
    session.flush()
    return StartedDraft(draft, token)


def find_draft(session: Session, survey: Survey, token: str | None) -> SurveyDraft | None:
    if not token or len(token) > 100:
        return None
    return session.scalar(
        select(SurveyDraft).where(SurveyDraft.token_hash == _hash(token), SurveyDraft.survey_id == survey.id)
    )


def save_answers(draft: SurveyDraft, answers: Mapping[str, object], *, page: int) -> None:
    """Merge one page's answers into the draft; a blank answer removes an earlier one."""
    merged = dict(draft.answers)
    for code, value in answers.items():
        if value is None:
            merged.pop(code, None)
        else:
            merged[code] = list(value) if isinstance(value, tuple) else value
    draft.answers = merged  # a new dict, so the JSON column is seen as changed
    draft.page = page


def new_resume_code(draft: SurveyDraft) -> str:
    """A fresh code to write down; it replaces any earlier one. Shown once, stored as a hash."""
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))
    draft.resume_code_hash = hash_code(code)
    return f"{code[:5]}-{code[5:]}"


def resume_draft(session: Session, survey: Survey, code: str) -> StartedDraft:
    """Continue a draft from its resume code, on any device; the old cookie token stops working, and so does the code.

    A code moves the draft once: whoever saw it written down cannot follow the resident afterwards. Saving again gives
    a new code.
    """
    if not code or len(code) > 64:
        raise ServiceError("resume_code_unknown")
    draft = session.scalar(
        select(SurveyDraft).where(
            SurveyDraft.resume_code_hash.in_(code_hashes(code)),
            SurveyDraft.survey_id == survey.id,
            SurveyDraft.submitted.is_(False),
        )
    )
    if draft is None:
        raise ServiceError("resume_code_unknown")
    token = secrets.token_urlsafe(32)
    draft.token_hash = _hash(token)
    draft.resume_code_hash = None
    session.flush()
    return StartedDraft(draft, token)


def submit(session: Session, survey: Survey, draft: SurveyDraft, today: dt.date, *,
           channel: Channel = Channel.WEB) -> bool:
    """Send the draft's answers, exactly once: into the holding pool (`holding.py`), which stores them later among
    other responses. Returns False when another request already sent them.

    The conditional UPDATE decides: of two simultaneous submissions of one draft, the database lets exactly one of
    them change the row (the other waits for the row lock, then finds `submitted` true), and only that one inserts.
    """
    answers = dict(draft.answers)
    language = draft.language
    won = rows_changed(
        session,
        update(SurveyDraft)
        .where(SurveyDraft.id == draft.id, SurveyDraft.submitted.is_(False))
        .values(submitted=True, answers={}, resume_code_hash=None)
        .execution_options(synchronize_session=False),
    )
    if won != 1:
        return False
    session.expunge(draft)
    holding.hold(session, survey, SubmittedResponse(answers, language, today, channel))  # stored later, among others
    return True


def discard_draft(session: Session, draft: SurveyDraft) -> None:
    session.execute(delete(SurveyDraft).where(SurveyDraft.id == draft.id))

