"""The follow-up list as a file: one row per observation, written by the shared exports module, and audited."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence

from sqlalchemy.orm import Session

from survey_app import audit, exports
from survey_app.dialogue.queries import Filters
from survey_app.models import Observation, StaffUser

FILE_FORMATS = {"csv": exports.CSV_MIMETYPE, "xlsx": exports.XLSX_MIMETYPE}


def observation_rows(observations: Iterable[Observation], label: dict[str, dict[str, str]]) -> Iterator[list[object]]:
    """The follow-up list, one row per observation; `label` turns codes into words for the reader."""
    def word(kind: str, code: str | None) -> str:
        return label.get(kind, {}).get(code or "", code or "")

    for o in observations:
        d = o.dialogue
        yield [
            o.id, d.id, d.held_on.isoformat(), word("format", d.format), d.area.name, o.place_name or "",
            word("kind", o.kind), word("category", o.category), "; ".join(f.name for f in o.focus_areas), o.text,
            o.proposed_measure or "", word("responsible", o.responsible), o.responsible_detail or "",
            word("decision", o.decision), o.deadline.isoformat() if o.deadline else "", word("status", o.status),
            o.status_reason or "", "x" if o.from_children else "", o.latitude, o.longitude,
            word("raised_by", o.raised_by),
        ]


def observation_file(file_format: str, header: Sequence[str], rows: Iterable[Sequence[object]], *,
                     title: str) -> Iterator[bytes]:
    """The list as CSV for Swedish Excel or as a workbook with one sheet called `title`, in chunks."""
    if file_format == "csv":
        return exports.csv_chunks(itertools.chain([header], rows), dialect=exports.EXCEL_SV)
    return exports.xlsx_chunks([exports.Sheet(title, header, rows)])


def record_export(session: Session, *, actor: StaffUser, file_format: str, filters: Filters, count: int) -> None:
    audit.record(session, actor=actor, action="observations.export", target_type="observations",
                 details={"format": file_format, "filters": filters.as_dict(), "rows": count})
