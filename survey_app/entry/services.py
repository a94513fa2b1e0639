"""Staff data entry of returned paper questionnaires and assisted interviews, stored as anonymously as web answers.

One form holds the whole questionnaire. Its answers are read page by page with the resident flow's own reader
(`survey_app.survey.forms.read_page`: the instrument's validation and skip logic, nothing of its own), and then go the
web's way, in the web's transactions:

1. `claim`: the invitation code is marked used and an empty draft is made (`flow.start_draft`), then committed. The
   draft is keyed by a random token the form carries (`ENTRY_FIELD`), as a resident's draft is keyed by their cookie.
2. `send`: the draft takes the answers and is sent into the holding pool (`flow.submit`, channel paper or assisted),
   then committed. The pool stores it later among other responses, in random order (`survey/holding.py`).
3. `count_entry`: the audit log counts one entry by the staff member: the wave and the channel, no response, draft
   or code, in a transaction of its own.

So marking the code and holding the response never share a transaction, and nothing stored names the staff member
next to a response. The form's token makes a resent form safe: a double click, or a retry after the database
failed between the steps, finds its draft by the token and is stored once (`flow.submit` decides, as for a
double-clicked web send), instead of being refused for a code it used itself.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from analysis.instrument import AnswerState, Instrument
from survey_app import audit
from survey_app.errors import ServiceError
from survey_app.models import Channel, StaffUser, Survey, SurveyDraft
from survey_app.survey import flow
from survey_app.survey.forms import read_page
from survey_app.survey.waves import invitation_code_exists

ENTRY_CHANNELS = (Channel.PAPER, Channel.ASSISTED)
ENTRY_FIELD = "entry"  # the form field holding the entry's key
_TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")


def new_token() -> str:
    """The key of one entry's draft, carried by the form (only its hash is stored)."""
    return secrets.token_urlsafe(32)


def valid_token(token: str) -> bool:
    return _TOKEN_PATTERN.fullmatch(token) is not None


@dataclass(slots=True)
class EntryResult:
    """A whole questionnaire read from the form: the answers that count, and error messages by item code."""

    answers: dict[str, object] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    outside_audience: bool = False  # an age the questionnaire is not for: nothing may be kept (as on the web)


def read_entry(instrument: Instrument, form: MultiDict[str, str], *, areas: Sequence[str], language: str,
               today: dt.date) -> EntryResult:
    """Read every page in order, each against the answers of the pages before it, as the web flow would have."""
    result = EntryResult()
    for page_index in range(len(instrument.pages)):
        page = read_page(instrument, page_index, form, saved=result.answers, areas=areas, language=language,
                         today=today)
        result.answers.update({code: value for code, value in page.answers.items() if value is not None})
        result.errors.update(page.errors)
        result.outside_audience = result.outside_audience or page.below_audience_age or page.above_audience_age
    # What later skip logic hides (an answer a respondent gave although the paper said to skip it) is not kept.
    result.answers = dict(AnswerState(instrument, result.answers).answers)
    return result


def find_entry(session: Session, survey: Survey, token: str) -> SurveyDraft | None:
    """The draft an earlier sending of this very form made, if any."""
    return flow.find_draft(session, survey, token)


def claim(session: Session, survey: Survey, *, code: str | None, token: str, language: str) -> SurveyDraft:
    """Use the code (if the wave has codes) and make the entry's draft; ServiceError `code_used`, `code_unknown` or
    `code_required`. Commit before `send`.

    A resent form (a double click, a retry) gets the draft its first sending made, whatever code it says now: the
    code it used is not stored with the draft, so nothing could tell, and the answers are those of that paper.
    """
    earlier = find_entry(session, survey, token)
    if earlier is not None:
        return earlier
    try:
        return flow.start_draft(session, survey, language=language, invitation_code=code, token=token).draft
    except ServiceError as error:
        if error.reason != "code_invalid_or_used":
            raise
        # A simultaneous sending of this form used the code: its draft is there now (the code's row lock kept
        # this one waiting until that sending committed).
        earlier = find_entry(session, survey, token)
        if earlier is not None:
            return earlier
        given = (code or "").strip()
        known = len(given) <= 64 and invitation_code_exists(session, survey, given)
        raise ServiceError("code_used" if known else "code_unknown", field="code") from error


def send(session: Session, survey: Survey, draft: SurveyDraft, answers: Mapping[str, object], *, channel: Channel,
         today: dt.date) -> bool:
    """Send the entry into the holding pool, once; False when another sending of the same form already did."""
    if channel not in ENTRY_CHANNELS:
        raise ServiceError("unknown_channel")
    if draft.submitted:
        return False
    flow.save_answers(draft, answers, page=0)
    return flow.submit(session, survey, draft, today, channel=channel)


def count_entry(session: Session, survey: Survey, *, actor: StaffUser, channel: Channel) -> None:
    """Audit that the staff member entered one questionnaire: how many, never which."""
    audit.record(session, actor=actor, action="survey.entry", target_type="survey", target_id=survey.id,
                 details={"channel": str(channel), "count": 1})
