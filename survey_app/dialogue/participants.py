"""Who took part: participant tallies by gender and age band summed over the dialogues of a period and area, shown
and exported (CSV for Swedish Excel, XLSX), each export audited. Counts, never persons."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from survey_app import audit, exports
from survey_app.auth.access import current_staff
from survey_app.db import today
from survey_app.dialogue import labels, queries
from survey_app.dialogue.views import _filter_form, _filters, _query_string
from survey_app.extensions import db
from survey_app.models import Dialogue, StaffUser

blueprint = Blueprint("participants", __name__, template_folder="templates", url_prefix="/dialoger/deltagare")


@dataclass(frozen=True, slots=True)
class ParticipantSummary:
    dialogues: int
    estimated: int  # dialogues whose numbers were estimated
    children_dialogues: int  # dialogues where children under 18 took part
    counts: dict[tuple[str, str], int]  # (gender, age band) -> participants

    def band_total(self, band: str) -> int:
        return sum(n for (_, b), n in self.counts.items() if b == band)

    def gender_total(self, gender: str) -> int:
        return sum(n for (g, _), n in self.counts.items() if g == gender)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def summarise(dialogues: Iterable[Dialogue]) -> ParticipantSummary:
    counts: dict[tuple[str, str], int] = {}
    found = estimated = children = 0
    for dialogue in dialogues:
        found += 1
        estimated += bool(dialogue.tallies_estimated)
        children += dialogue.children_took_part
        for tally in dialogue.tallies:
            key = (str(tally.gender), tally.age_band)
            counts[key] = counts.get(key, 0) + tally.count
    return ParticipantSummary(dialogues=found, estimated=estimated, children_dialogues=children, counts=counts)


def summary_rows(summary: ParticipantSummary) -> list[list[object]]:
    """The table as a file writes it: one row per age band, a column per gender, totals last."""
    rows: list[list[object]] = []
    for band in queries.TALLY_BANDS:
        rows.append([labels.label("band", band), *(summary.counts.get((g, band), 0) for g in queries.TALLY_GENDERS),
                     summary.band_total(band)])
    rows.append([_("Total"), *(summary.gender_total(g) for g in queries.TALLY_GENDERS), summary.total])
    return rows


def record_export(session: Session, *, actor: StaffUser, file_format: str, filters: queries.Filters,
                  summary: ParticipantSummary) -> None:
    audit.record(session, actor=actor, action="participants.export", target_type="dialogues",
                 details={"format": file_format, "filters": filters.as_dict(), "dialogues": summary.dialogues})


def _summary() -> tuple[object, queries.Filters | None, ParticipantSummary]:
    form = _filter_form()
    filters = _filters(form)
    found = queries.find_dialogues(db.session(), filters) if filters else []
    return form, filters, summarise(found)


@blueprint.get("/")
def summary() -> tuple[str, int]:
    form, filters, result = _summary()
    return render_template("dialogue/participants.html", form=form, summary=result, labels=labels,
                           bands=queries.TALLY_BANDS, genders=queries.TALLY_GENDERS, query=_query_string(),
                           show_status_hint=True), (200 if filters else 400)


def _export(file_format: str) -> Response | tuple[str, int]:
    form, filters, result = _summary()
    if filters is None:
        return render_template("dialogue/participants.html", form=form, summary=result, labels=labels,
                               bands=queries.TALLY_BANDS, genders=queries.TALLY_GENDERS, query=_query_string(),
                               show_status_hint=True), 400
    headers = {"Content-Disposition": f'attachment; filename="deltagare-{today().isoformat()}.{file_format}"',
               "Cache-Control": "no-store"}
    mimetype = exports.CSV_MIMETYPE if file_format == "csv" else exports.XLSX_MIMETYPE
    if request.method == "HEAD":
        return Response(mimetype=mimetype, headers=headers)
    user = current_staff()
    if user is None:
        abort(403)
    header = [_("Age"), *(labels.label("gender", g) for g in queries.TALLY_GENDERS), _("Total")]
    rows = summary_rows(result)
    record_export(db.session(), actor=user, file_format=file_format, filters=filters, summary=result)
    if file_format == "csv":
        chunks = exports.csv_chunks([header, *rows], dialect=exports.EXCEL_SV)
    else:
        chunks = exports.xlsx_chunks([exports.Sheet(_("Participants"), header, rows)])
    return Response(chunks, mimetype=mimetype, headers=headers)


@blueprint.get("/export.csv")
def export_csv() -> Response | tuple[str, int]:
    return _export("csv")


@blueprint.get("/export.xlsx")
def export_xlsx() -> Response | tuple[str, int]:
    return _export("xlsx")
