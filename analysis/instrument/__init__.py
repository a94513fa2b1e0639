"""Questionnaire instruments: the one parser of the versioned YAML files in ``questionnaires/``, and its data.

A questionnaire version is a YAML file (format documented in ``questionnaires/README.md``). This package
turns it into frozen dataclasses that both the web form factory and :mod:`analysis` consume, validates
it (every problem, located by file, item code and field), and offers the small pure API the resident
flow needs: skip logic (:class:`AnswerState`) and server-side answer validation (:func:`validate_answer`).

Data columns are item codes (``unsafe_evening``, ``problem_litter``, ...); every grid row is its own
item and its own column. Answers are option codes (strings), integers for number, age and birth-year
items, tuples of codes for multiple choice and masked text for free text.

Nothing here is prose for residents: errors of :func:`validate_answer` are stable codes
(:data:`ERROR_CODES`) that the web layer translates; validator messages are for the analyst who edits
the YAML file.

Modules
-------
model
    The frozen dataclasses: :class:`Instrument`, :class:`Page`, :class:`Item`, :class:`MeasureDef` ...
conditions
    :class:`Condition`, an item's ``show_if``.
answers
    :class:`AnswerState` (skip logic over one respondent's answers) and :func:`validate_answer`.
parser
    :func:`load_instrument` and the other loaders; ``parse_items``, ``parse_measures`` and
    ``parse_texts`` hold its parts.
errors
    :class:`InstrumentProblem` and :class:`InstrumentError`.

References
----------
Trygg ``STANDARDS.md`` §2 (item bank, scales) and §3 (measures).
"""

from analysis.instrument.answers import ERROR_CODES, AnswerState, validate_answer
from analysis.instrument.conditions import Condition
from analysis.instrument.errors import InstrumentError, InstrumentProblem
from analysis.instrument.model import (
    FORMAT_VERSION,
    GENDER_CODES,
    SOURCE_LANGUAGE,
    FrozenMap,
    Instrument,
    Item,
    ItemTexts,
    ItemType,
    Language,
    MeasureDef,
    Option,
    Page,
)
from analysis.instrument.parser import (
    default_directory,
    load_directory,
    load_instrument,
    loads_instrument,
    validate_bytes,
    validate_file,
)

__all__ = [
    "ERROR_CODES",
    "FORMAT_VERSION",
    "GENDER_CODES",
    "SOURCE_LANGUAGE",
    "AnswerState",
    "Condition",
    "FrozenMap",
    "Instrument",
    "InstrumentError",
    "InstrumentProblem",
    "Item",
    "ItemTexts",
    "ItemType",
    "Language",
    "MeasureDef",
    "Option",
    "Page",
    "default_directory",
    "load_directory",
    "load_instrument",
    "loads_instrument",
    "validate_answer",
    "validate_bytes",
    "validate_file",
]
