"""Questionnaire versions in the database, and the parsed instrument behind each one."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.instrument import Instrument, InstrumentError, loads_instrument
from survey_app.errors import ServiceError
from survey_app.models import Questionnaire


class QuestionnaireLoadError(ServiceError):
    """A questionnaire file that cannot be loaded; `lines` say why, one problem each (for the command line)."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("questionnaire_invalid")
        self.lines = lines

    def __str__(self) -> str:
        return "\n".join(self.lines)


def load_questionnaire(session: Session, path: Path) -> tuple[Questionnaire, bool]:
    """Store a questionnaire version from a YAML file; returns it and whether it was new.

    A loaded version is never changed: loading a different file under the same slug and version is refused,
    because survey waves and their answers refer to that version.
    """
    try:
        data = path.read_bytes()
    except OSError as error:
        raise QuestionnaireLoadError([f"{path}: {error.strerror}"]) from None
    try:
        instrument = loads_instrument(data, source=str(path))
    except InstrumentError as error:
        raise QuestionnaireLoadError([str(problem) for problem in error.errors]) from None
    existing = session.scalar(
        select(Questionnaire).where(Questionnaire.slug == instrument.slug, Questionnaire.version == instrument.version)
    )
    if existing is not None:
        if existing.content_hash != instrument.content_hash:
            raise QuestionnaireLoadError(
                [f"{path}: {instrument.slug} {instrument.version} is already loaded with other content; "
                 "give the changed questionnaire a new version"]
            )
        return existing, False
    questionnaire = Questionnaire(
        slug=instrument.slug,
        version=instrument.version,
        content_hash=instrument.content_hash,
        source=data.decode("utf-8"),
    )
    session.add(questionnaire)
    session.flush()
    return questionnaire, True


@lru_cache(maxsize=32)
def _parse(source: str, content_hash: str) -> Instrument:
    return loads_instrument(source.encode("utf-8"), source=content_hash)


def instrument_of(questionnaire: Questionnaire) -> Instrument:
    """The parsed, frozen instrument of a stored version (parsed once per process and version)."""
    try:
        return _parse(questionnaire.source, questionnaire.content_hash)
    except InstrumentError as error:  # a stored version was valid when loaded; this means the parser changed
        raise RuntimeError(
            f"stored questionnaire {questionnaire.slug} {questionnaire.version} no longer parses"
        ) from error
