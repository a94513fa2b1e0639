"""Questionnaire versions in the database, and the parsed instrument behind each one."""

from __future__ import annotations

import threading
from collections import OrderedDict
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


_PARSED_KEPT = 32
_parsed: OrderedDict[str, Instrument] = OrderedDict()
_parsed_lock = threading.Lock()


def instrument_of(questionnaire: Questionnaire) -> Instrument:
    """The parsed, frozen instrument of a stored version (parsed once per process and version).

    Cached by `content_hash`, the SHA-256 of the very source text, so a cached instrument is read without loading the
    source (a deferred column) or hashing it again: a page of the flow asks for it on every request.
    """
    key = questionnaire.content_hash
    with _parsed_lock:
        found = _parsed.get(key)
        if found is not None:
            _parsed.move_to_end(key)
            return found
    try:
        found = loads_instrument(questionnaire.source.encode("utf-8"), source=key)
    except InstrumentError as error:  # a stored version was valid when loaded; this means the parser changed
        raise RuntimeError(
            f"stored questionnaire {questionnaire.slug} {questionnaire.version} no longer parses"
        ) from error
    if found.content_hash == key:  # a row whose hash does not match its text is parsed every time, never cached
        with _parsed_lock:
            _parsed[key] = found
            while len(_parsed) > _PARSED_KEPT:
                _parsed.popitem(last=False)
    return found
