"""Survey waves: opening one from a questionnaire version, and its invitation codes."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from survey_app.models import Area, InvitationCode, Questionnaire, Response, Survey, SurveyDraft, SurveyStatus
from survey_app.survey.questionnaires import instrument_of

# Unambiguous when read aloud or printed: no 0/O, 1/I/L, 5/S, 2/Z, 8/B.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 10
SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,98}[a-z0-9]$")


class WaveError(ValueError):
    """A wave that cannot be opened as asked; `reason` is a stable code the caller translates."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def create_wave(
    session: Session,
    *,
    questionnaire: Questionnaire,
    slug: str,
    title: str,
    period_start: dt.date,
    period_end: dt.date,
    areas: Sequence[Area],
    languages: Sequence[str] = ("sv",),
    open_link: bool = True,
    invitation_codes: bool = False,
    status: SurveyStatus = SurveyStatus.DRAFT,
) -> Survey:
    if not SLUG_PATTERN.match(slug):
        raise WaveError("invalid_slug")
    if session.scalar(select(Survey.id).where(Survey.slug == slug)) is not None:
        raise WaveError("slug_taken")
    if period_end < period_start:
        raise WaveError("period_reversed")
    if not (open_link or invitation_codes):
        raise WaveError("no_access_mode")
    if not areas:
        raise WaveError("no_areas")
    instrument = instrument_of(questionnaire)
    unknown = [language for language in languages if language not in instrument.language_codes]
    if "sv" not in languages or unknown:
        raise WaveError("unsupported_language")
    survey = Survey(
        slug=slug,
        questionnaire=questionnaire,
        title=title,
        period_start=period_start,
        period_end=period_end,
        areas=list(areas),
        languages=list(dict.fromkeys(languages)),
        open_link=open_link,
        invitation_codes=invitation_codes,
        status=status,
    )
    session.add(survey)
    session.flush()
    return survey


def hash_code(code: str) -> str:
    """Codes are random and 10 characters from 25 (about 46 bits), so a plain SHA-256 cannot be reversed by guessing."""
    normalised = re.sub(r"[\s-]", "", code).upper()
    return hashlib.sha256(normalised.encode("ascii", errors="replace")).hexdigest()


def generate_invitation_codes(session: Session, survey: Survey, count: int) -> list[str]:
    """Make `count` single-use codes; only their hashes are stored, so they are shown once, to print."""
    codes = ["".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)) for _ in range(count)]
    session.add_all(InvitationCode(survey_id=survey.id, code_hash=hash_code(code), used=False) for code in codes)
    session.flush()
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def use_invitation_code(session: Session, survey: Survey, code: str) -> bool:
    """Mark a code used, atomically: of two simultaneous uses exactly one gets True."""
    result = session.execute(
        update(InvitationCode)
        .where(
            InvitationCode.survey_id == survey.id,
            InvitationCode.code_hash == hash_code(code),
            InvitationCode.used.is_(False),
        )
        .values(used=True)
    )
    return result.rowcount == 1


@dataclass(frozen=True, slots=True)
class WaveCounts:
    responses: int
    drafts: int  # answers in progress, not yet sent
    codes: int
    codes_used: int


def wave_counts(session: Session, survey: Survey) -> WaveCounts:
    def count(query: Select[tuple[int]]) -> int:
        return session.scalar(query) or 0

    codes = select(func.count()).select_from(InvitationCode).where(InvitationCode.survey_id == survey.id)
    return WaveCounts(
        responses=count(select(func.count()).select_from(Response).where(Response.survey_id == survey.id)),
        drafts=count(select(func.count()).select_from(SurveyDraft).where(
            SurveyDraft.survey_id == survey.id, SurveyDraft.submitted.is_(False))),
        codes=count(codes),
        codes_used=count(codes.where(InvitationCode.used)),
    )


def open_wave(survey: Survey) -> None:
    """Open a draft or reopened wave for answers (its period decides when residents can actually answer)."""
    survey.status = SurveyStatus.OPEN


def all_waves(session: Session) -> list[Survey]:
    return list(session.scalars(select(Survey).order_by(Survey.period_start.desc(), Survey.title)))
