"""A survey wave's whole lifecycle: create, open, close (by hand or when its period has ended), invitation codes.

Every step that changes a wave writes its audit event here, whoever calls it: an admin page, the CLI or the survey
pages closing an expired wave on a visit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import Select, delete, func, select, update
from sqlalchemy.orm import Session

from survey_app import audit
from survey_app.db import rows_changed
from survey_app.errors import ServiceError
from survey_app.models import (
    Area,
    Channel,
    HeldResponse,
    InvitationCode,
    Questionnaire,
    Response,
    StaffUser,
    Survey,
    SurveyDraft,
    SurveyStatus,
)
from survey_app.survey.codes import touch_wave
from survey_app.survey.questionnaires import instrument_of

# Unambiguous when read aloud or printed: no 0/O, 1/I/L, 5/S, 2/Z, 8/B.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 10
SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,98}[a-z0-9]$")


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
    one_per_browser: bool = True,
    starts_per_hour: int = 60,
    status: SurveyStatus = SurveyStatus.DRAFT,
    actor: StaffUser | None,
    actor_label: str | None = None,
    title_translations: Mapping[str, str] | None = None,
    descriptions: Mapping[str, str] | None = None,
) -> Survey:
    """Create a wave. `title_translations` (language -> title) and `descriptions` (language -> text, Swedish
    included) are kept for the wave's languages only; blank texts are left out, and those languages show Swedish."""
    if not SLUG_PATTERN.match(slug):
        raise ServiceError("invalid_slug", "slug")
    if session.scalar(select(Survey.id).where(Survey.slug == slug)) is not None:
        raise ServiceError("slug_taken", "slug")
    if period_end < period_start:
        raise ServiceError("period_reversed", "period_end")
    if not (open_link or invitation_codes):
        raise ServiceError("no_access_mode", "access")
    if not areas:
        raise ServiceError("no_areas", "areas")
    if not 1 <= starts_per_hour <= MAX_STARTS_PER_HOUR:
        raise ServiceError("starts_per_hour", "starts_per_hour")
    instrument = instrument_of(questionnaire)
    unknown = [language for language in languages if language not in instrument.language_codes]
    if "sv" not in languages or unknown:
        raise ServiceError("unsupported_language", "languages")
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
        one_per_browser=one_per_browser,
        starts_per_hour=starts_per_hour,
        status=status,
        title_translations=_texts_in(title_translations, languages, exclude_swedish=True),
        descriptions=_texts_in(descriptions, languages),
    )
    session.add(survey)
    session.flush()
    audit.record(session, actor=actor, actor_label=actor_label, action="survey.create", target_type="survey",
                 target_id=survey.id, details={"slug": survey.slug, "status": str(survey.status)})
    return survey


MAX_STARTS_PER_HOUR = 100_000


def _texts_in(texts: Mapping[str, str] | None, languages: Sequence[str], *,
              exclude_swedish: bool = False) -> dict[str, str]:
    kept = {lang: " ".join(text.split()) for lang, text in (texts or {}).items()
            if lang in languages and text and text.strip()}
    if exclude_swedish:
        kept.pop("sv", None)
    return kept


def _normalise(code: str) -> bytes:
    return re.sub(r"[\s-]", "", code).upper().encode("ascii", errors="replace")


def hash_code(code: str) -> str:
    """The stored form of an invitation or resume code: HMAC-SHA256 under the server's code key.

    A code has about 46 bits, which a copy of the database and a plain hash would let anyone search through offline
    (and so learn which of the letters sent out were used). The key lives in the configuration, not the database:
    `CODE_KEY` (TRYGG_CODE_KEY), else one derived from SECRET_KEY — changing that key makes unused codes invalid.
    """
    return hmac.new(_code_key(), _normalise(code), hashlib.sha256).hexdigest()


def code_hashes(code: str) -> tuple[str, str]:
    """What a code may be stored as: the keyed hash, and the plain SHA-256 of codes made before keys were used."""
    return hash_code(code), hashlib.sha256(_normalise(code)).hexdigest()


def _code_key() -> bytes:
    key = current_app.config.get("CODE_KEY") or "trygg.codes:" + str(current_app.config["SECRET_KEY"])
    return hashlib.sha256(str(key).encode()).digest()


def generate_invitation_codes(
    session: Session, survey: Survey, count: int, *, actor: StaffUser | None, actor_label: str | None = None
) -> list[str]:
    """Make `count` single-use codes; only their hashes are stored, so they are shown once, to print."""
    codes = ["".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)) for _ in range(count)]
    session.add_all(InvitationCode(survey_id=survey.id, code_hash=hash_code(code), used=False) for code in codes)
    session.flush()
    audit.record(session, actor=actor, actor_label=actor_label, action="survey.codes", target_type="survey",
                 target_id=survey.id, details={"count": count})
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def use_invitation_code(session: Session, survey: Survey, code: str) -> bool:
    """Mark a code used, atomically: of two simultaneous uses exactly one gets True."""
    changed = rows_changed(
        session,
        update(InvitationCode)
        .where(
            InvitationCode.survey_id == survey.id,
            InvitationCode.code_hash.in_(code_hashes(code)),
            InvitationCode.used.is_(False),
        )
        .values(used=True),
    )
    return changed == 1


def invitation_code_exists(session: Session, survey: Survey, code: str) -> bool:
    """Whether the wave has this code, used or not: lets staff entering a paper questionnaire tell a used code from a
    mistyped one. Residents are never told which (it would help guessing)."""
    return session.scalar(select(InvitationCode.id).where(
        InvitationCode.survey_id == survey.id, InvitationCode.code_hash.in_(code_hashes(code))).limit(1)) is not None


@dataclass(frozen=True, slots=True)
class WaveCounts:
    responses: int
    drafts: int  # answers in progress, not yet sent
    held: int  # sent, waiting in the holding pool to be stored among others (survey/holding.py)
    codes: int
    codes_used: int
    by_channel: Mapping[str, int]  # responses stored or held, by how they were given (web, paper, assisted)


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
        held=count(select(func.count()).select_from(HeldResponse).where(HeldResponse.survey_id == survey.id)),
        by_channel=_by_channel(session, survey),
    )


def _by_channel(session: Session, survey: Survey) -> dict[str, int]:
    counts: dict[str, int] = {}
    for model in (Response, HeldResponse):
        for channel, number in session.execute(select(model.channel, func.count()).where(model.survey_id == survey.id)
                                               .group_by(model.channel)).tuples():
            counts[str(channel)] = counts.get(str(channel), 0) + number
    return {channel.value: counts[channel.value] for channel in Channel if channel.value in counts}


def open_wave(session: Session, survey: Survey, *, actor: StaffUser | None, actor_label: str | None = None) -> None:
    """Open a draft or closed wave for answers (its period decides when residents can actually answer)."""
    survey.status = SurveyStatus.OPEN
    touch_wave(session, survey)
    audit.record(session, actor=actor, actor_label=actor_label, action="survey.open", target_type="survey",
                 target_id=survey.id, details={"drafts_deleted": 0})


def close_wave(session: Session, survey: Survey, *, actor: StaffUser | None, actor_label: str | None = None) -> int:
    """Close a wave, store every response it still holds, and delete its unsubmitted drafts; returns how many drafts
    were deleted."""
    from survey_app.survey import holding  # holding stores through responses.py, which needs no waves: no cycle

    survey.status = SurveyStatus.CLOSED
    holding.release_all(session, survey)
    touch_wave(session, survey)
    deleted = rows_changed(session, delete(SurveyDraft).where(SurveyDraft.survey_id == survey.id))
    audit.record(session, actor=actor, actor_label=actor_label, action="survey.close", target_type="survey",
                 target_id=survey.id, details={"drafts_deleted": deleted})
    return deleted


def close_expired_waves(session: Session, today: dt.date, *, actor_label: str = "system") -> list[Survey]:
    """Close every open wave whose period has ended (run daily, e.g. from cron with `trygg survey close-expired`)."""
    expired = list(
        session.scalars(select(Survey).where(Survey.status == SurveyStatus.OPEN, Survey.period_end < today))
    )
    for survey in expired:
        close_wave(session, survey, actor=None, actor_label=actor_label)
    return expired


def purge_orphan_drafts(session: Session) -> int:
    """Delete drafts of waves that are not open (a wave reopened after closing starts clean)."""
    not_open = select(Survey.id).where(Survey.status != SurveyStatus.OPEN)
    return rows_changed(session, delete(SurveyDraft).where(SurveyDraft.survey_id.in_(not_open)))


def all_waves(session: Session) -> list[Survey]:
    return list(session.scalars(select(Survey).order_by(Survey.period_start.desc(), Survey.title)))
