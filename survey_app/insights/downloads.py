"""Downloads of a wave's results and microdata, under `/analys/<wave>/`: every file audited, large ones streamed.

Tables (analysts, admins, facilitators): `export/excel-sv/<table>.csv` (Swedish Excel), `export/plain/<table>.csv`
(analysis tools), `export/tabeller.xlsx` (every table, and a sheet on method), `export/resultat.json` (the
`trygg analyse` JSON). The options come from the query like the pages': `weighting` (none, design, poststrat,
raking; raking by default when the areas have population figures) and `compare` (the slug of an earlier wave of
the same questionnaire).

Microdata (analysts and admins only; the role matrix says so): `mikrodata/svar.csv` (the input of `trygg analyse`),
`svar.sav`, `svar.dta`, `kodbok.xlsx`, and `befolkning.csv` (the population table `--population` reads, so the
command reproduces a weighted page). `?fritext=1` adds the masked free text.

A HEAD request answers with the headers of the file and writes no audit event: it sends no data.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.cli import data_quality, result_json
from analysis.report import AnalysisResult
from survey_app import audit, exports
from survey_app.auth.access import current_staff
from survey_app.extensions import db
from survey_app.insights import codebook, microdata_export, results, tables
from survey_app.insights.messages import INSIGHTS_MESSAGES
from survey_app.insights.service import WaveInput, wave_input
from survey_app.models import StaffUser, Survey
from survey_app.survey.microdata import POPULATION_COLUMNS, population_rows
from survey_app.survey.questionnaires import instrument_of

blueprint = Blueprint("insights_downloads", __name__, template_folder="templates", url_prefix="/analys")

WEIGHTINGS = results.WEIGHTINGS  # the pages' weightings: a download is a page's figures
NEEDS_POPULATION = ("design", "poststrat", "raking")
JSON_MIMETYPE = "application/json"
SAV_MIMETYPE = "application/x-spss-sav"
DTA_MIMETYPE = "application/x-stata-dta"


class DownloadError(Exception):
    """Something in the URL that a person can fix: shown as a sentence with a 4xx status."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@blueprint.errorhandler(DownloadError)
def _download_error(error: DownloadError) -> tuple[str, int]:
    return render_template("insights/downloads/error.html", message=error.message), error.status


def _actor() -> StaffUser:
    user = current_staff()
    if user is None:  # the role matrix lets only staff in; this guards a misconfigured matrix
        abort(403)
    return user


def _wave(session: Session, slug: str) -> Survey:
    survey = session.scalar(select(Survey).where(Survey.slug == slug))
    if survey is None:
        raise DownloadError(_("There is no survey wave called “%(slug)s”.", slug=slug), 404)
    return survey


@dataclass(frozen=True, slots=True)
class Options:
    weighting: str
    compare: Survey | None

    def as_dict(self) -> dict[str, str | None]:
        return {"weighting": self.weighting, "compare": self.compare.slug if self.compare else None}


def _options(session: Session, survey: Survey, data: WaveInput) -> Options:
    weighting = request.args.get("weighting") or ("raking" if data.population is not None else "none")
    if weighting not in WEIGHTINGS:
        raise DownloadError(_("Unknown weighting “%(name)s”: choose none, design, poststrat or raking.",
                              name=weighting))
    if weighting in NEEDS_POPULATION and data.population is None:
        raise DownloadError(_("The wave's areas have no population figures, so the answers cannot be weighted. "
                              "Choose the weighting “none”."), 409)
    compare = None
    if slug := request.args.get("compare"):
        compare = session.scalar(select(Survey).where(Survey.slug == slug))
        if compare is None or compare.id == survey.id:
            raise DownloadError(_("There is no other survey wave called “%(slug)s” to compare with.", slug=slug))
        if compare.questionnaire.slug != survey.questionnaire.slug:
            raise DownloadError(_("The comparison wave “%(slug)s” used another questionnaire, so its figures "
                                  "cannot be compared.", slug=slug), 409)
    return Options(weighting, compare)


def _analyse(session: Session, survey: Survey, data: WaveInput, options: Options) -> AnalysisResult:
    """The wave's result with the URL's options, through the pages' own `analyse_wave` (the admin's cut-points,
    the same refusals, the same cache): a download holds exactly the figures of the page it was taken from."""
    if data.responses is None:
        raise DownloadError(_("The wave has no responses yet, so there are no figures to download."), 409)
    try:
        return results.analyse_wave(session, survey, weighting=options.weighting or "none",
                                    compare=options.compare, data=data).result
    except results.ResultsUnavailable as refusal:
        if refusal.reason == "compare_no_responses":
            raise DownloadError(_("The comparison wave has no responses."), 409) from refusal
        status = 409 if refusal.reason.startswith("compare") else 422
        raise DownloadError(str(INSIGHTS_MESSAGES[refusal.reason]) % {"detail": refusal.detail}, status) from refusal


def _lang() -> str:
    return str(get_locale() or "sv")


def _headers(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}


def _download(name: str, mimetype: str, body: Iterable[bytes] | bytes | str, *, actor: StaffUser | None,
              action: str, survey: Survey, details: dict[str, object]) -> Response:
    """The file, after its audit event; a HEAD gets the headers only and leaves no trace in the log."""
    if request.method == "HEAD":  # Flask answers HEAD with the GET view; nothing is sent, so nothing is audited
        return Response(mimetype=mimetype, headers=_headers(name))
    audit.record(db.session(), actor=actor, action=action, target_type="survey", target_id=survey.id,
                 details={"wave": survey.slug, **details})
    return Response(body, mimetype=mimetype, headers=_headers(name))


# --- tables ------------------------------------------------------------------------------------------------------

def _prepare(slug: str) -> tuple[Session, Survey, WaveInput, Options]:
    session = db.session()
    survey = _wave(session, slug)
    data = wave_input(session, survey)
    return session, survey, data, _options(session, survey, data)


@blueprint.get("/<slug>/export/<dialect>/<table>.csv")
def table_csv(slug: str, dialect: str, table: str) -> Response:
    if dialect not in exports.CSV_DIALECTS:
        raise DownloadError(_("Unknown CSV kind “%(name)s”: choose excel-sv (Swedish Excel) or plain (analysis "
                              "tools).", name=dialect), 404)
    spec = tables.spec(table)
    if spec is None:
        raise DownloadError(_("There is no table called “%(name)s”. The tables are: %(names)s.", name=table,
                              names=", ".join(tables.table_names())), 404)
    session, survey, data, options = _prepare(slug)
    if request.method == "HEAD":
        return _download(f"{survey.slug}-{spec.name}.csv", exports.CSV_MIMETYPE, b"", actor=None, action="",
                         survey=survey, details={})
    result = _analyse(session, survey, data, options)
    rows: list[list[object]]
    if dialect == "plain":
        rows = tables.machine_table(result, spec)
    else:
        header, body = tables.human_table(result, spec, _labels(survey, data))
        rows = [list[object](header), *body]
    return _download(f"{survey.slug}-{spec.name}.csv", exports.CSV_MIMETYPE,
                     exports.csv_chunks(rows, dialect=exports.CSV_DIALECTS[dialect]), actor=_actor(),
                     action="insights.export", survey=survey,
                     details={"table": spec.name, "format": f"csv-{dialect}", **options.as_dict()})


def _labels(survey: Survey, data: WaveInput) -> tables.Labels:
    return tables.Labels(data.instrument, {a.code: a.name for a in survey.areas}, _lang())


def _option_rows(options: Options) -> list[tuple[str, str]]:
    names = {"none": _("none"), "design": _("design weights"), "poststrat": _("post-stratification"),
             "raking": _("raking to area, gender and age band")}
    rows = [(_("Weighting chosen"), names[options.weighting])]
    if options.compare is not None:
        rows.append((_("Compared with"), options.compare.title + f" ({options.compare.slug})"))
    return rows


@blueprint.get("/<slug>/export/tabeller.xlsx")
def tables_xlsx(slug: str) -> Response:
    session, survey, data, options = _prepare(slug)
    name = f"{survey.slug}-tabeller.xlsx"
    if request.method == "HEAD":
        return _download(name, exports.XLSX_MIMETYPE, b"", actor=None, action="", survey=survey, details={})
    result = _analyse(session, survey, data, options)
    sheets = tables.workbook_sheets(result, _labels(survey, data), wave_title=survey.title,
                                    options=_option_rows(options))
    return _download(name, exports.XLSX_MIMETYPE, exports.xlsx_chunks(sheets), actor=_actor(),
                     action="insights.export", survey=survey,
                     details={"table": "all", "format": "xlsx", **options.as_dict()})


@blueprint.get("/<slug>/export/resultat.json")
def result_json_file(slug: str) -> Response:
    session, survey, data, options = _prepare(slug)
    name = f"{survey.slug}-resultat.json"
    if request.method == "HEAD":
        return _download(name, JSON_MIMETYPE, b"", actor=None, action="", survey=survey, details={})
    result = _analyse(session, survey, data, options)
    assert data.responses is not None  # noqa: S101 (checked by _analyse)
    text = result_json(result, data_quality(data.responses, result, instrument=data.instrument))
    return _download(name, JSON_MIMETYPE, text, actor=_actor(), action="insights.export", survey=survey,
                     details={"table": "all", "format": "json", **options.as_dict()})


# --- microdata ---------------------------------------------------------------------------------------------------

def _free_text() -> bool:
    value = request.args.get("fritext", "")
    if value not in ("", "0", "1"):
        raise DownloadError(_("fritext is 1 (include the masked free text) or 0."))
    return value == "1"


def _microdata(slug: str, fmt: str) -> Response:
    session = db.session()
    survey = _wave(session, slug)
    free_text = _free_text()
    instrument = instrument_of(survey.questionnaire)
    columns = microdata_export.variables(instrument, survey, lang="sv" if fmt != "csv" else _lang(),
                                         free_text=free_text)
    name = f"{survey.slug}-mikrodata.{fmt}"
    mimetype = {"csv": exports.CSV_MIMETYPE, "sav": SAV_MIMETYPE, "dta": DTA_MIMETYPE}[fmt]
    engine = db.engine
    if fmt == "csv":
        body: Iterator[bytes] = microdata_export.csv_chunks(engine, survey.id, columns)
    else:
        body = microdata_export.stats_file_chunks(engine, survey.id, columns, fmt=fmt, file_label=survey.title)
    return _download(name, mimetype, body, actor=current_staff(), action="insights.microdata_export", survey=survey,
                     details={"table": "microdata", "format": fmt, "free_text": free_text})


@blueprint.get("/<slug>/mikrodata/svar.csv")
def microdata_csv(slug: str) -> Response:
    return _microdata(slug, "csv")


@blueprint.get("/<slug>/mikrodata/svar.sav")
def microdata_sav(slug: str) -> Response:
    return _microdata(slug, "sav")


@blueprint.get("/<slug>/mikrodata/svar.dta")
def microdata_dta(slug: str) -> Response:
    return _microdata(slug, "dta")


@blueprint.get("/<slug>/mikrodata/kodbok.xlsx")
def codebook_xlsx(slug: str) -> Response:
    survey = _wave(db.session(), slug)
    instrument = instrument_of(survey.questionnaire)
    lang = _lang()
    columns = microdata_export.variables(instrument, survey, lang=lang, free_text=_free_text())
    sheets = codebook.codebook_sheets(instrument, columns, lang=lang, wave_title=survey.title)
    return _download(f"{survey.slug}-kodbok.xlsx", exports.XLSX_MIMETYPE, exports.xlsx_chunks(sheets),
                     actor=current_staff(), action="insights.microdata_export", survey=survey,
                     details={"table": "codebook", "format": "xlsx"})


@blueprint.get("/<slug>/mikrodata/befolkning.csv")
def population_csv(slug: str) -> Response:
    session = db.session()
    survey = _wave(session, slug)
    rows: list[list[object]] = [list(POPULATION_COLUMNS)]
    rows += ([r[c] for c in POPULATION_COLUMNS] for r in population_rows(session, survey))
    return _download(f"{survey.slug}-befolkning.csv", exports.CSV_MIMETYPE,
                     exports.csv_chunks(rows, dialect=exports.PLAIN), actor=current_staff(),
                     action="insights.microdata_export", survey=survey,
                     details={"table": "population", "format": "csv"})
