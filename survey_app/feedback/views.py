"""/aterkoppling/: the latest published tertialrapport for residents, per municipality and per area, in plain and
easy-to-read Swedish and for children, and its figures as open data (CSV and JSON, one stable URL per tertial).

Everything shown comes from a published report's frozen content, so the figures never change under a reader's eyes;
nothing unpublished and no free text from residents or staff notes is ever read here.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from flask import Blueprint, abort, render_template
from sqlalchemy import select
from werkzeug.wrappers import Response

from survey_app.dialogue import labels as dialogue_labels
from survey_app.extensions import db
from survey_app.indicators.labels import period_label
from survey_app.insights import formatting
from survey_app.models import Survey, SurveyStatus, TertialReport
from survey_app.promises import labels
from survey_app.promises.charts import indicator_chart
from survey_app.promises.services import period_or_none

blueprint = Blueprint("feedback", __name__, template_folder="templates", url_prefix="/aterkoppling")


@blueprint.context_processor
def helpers() -> dict[str, object]:
    return {"labels": labels, "period_label": period_label, "fmt": formatting, "indicator_chart": indicator_chart,
            "labels_dialogue": lambda code: dialogue_labels.label("category", code)}


def _latest(tertial: str | None = None) -> TertialReport | None:
    query = select(TertialReport).order_by(TertialReport.tertial.desc(), TertialReport.version.desc()).limit(1)
    if tertial is not None:
        query = query.where(TertialReport.tertial == tertial)
    return db.session().scalar(query)


def _open_wave() -> Survey | None:
    return db.session().scalar(select(Survey).where(Survey.status == SurveyStatus.OPEN, Survey.open_link.is_(True))
                               .order_by(Survey.period_end).limit(1))


def _page(template: str, area_code: str | None = None) -> str:
    report = _latest()
    content: dict[str, Any] = report.content if report else {}
    public = content.get("public", {})
    area = None
    promises = content.get("promises", [])
    if area_code is not None:
        area = public.get("areas", {}).get(area_code)
        if area is None:
            abort(404)
        promises = [p for p in promises if not p.get("area_codes") or area_code in p["area_codes"]]
    return render_template(f"feedback/{template}", report=report, content=content, public=public, area=area,
                           area_code=area_code, promises=promises, open_wave=_open_wave())


@blueprint.get("/")
def index() -> str:
    return _page("index.html")


@blueprint.get("/omrade/<code>")
def area(code: str) -> str:
    return _page("index.html", code)


@blueprint.get("/lattlast")
def easy() -> str:
    return _page("easy.html")


@blueprint.get("/barn")
def children() -> str:
    return _page("children.html")


def _published(tertial: str) -> TertialReport:
    if period_or_none(tertial) is None:
        abort(404)
    report = _latest(tertial)
    if report is None:
        abort(404)
    return report


def _rows(report: TertialReport) -> list[dict[str, Any]]:
    """The published figures, one row per promise indicator and period (the open data)."""
    rows = []
    for promise in report.content.get("promises", []):
        for indicator in promise.get("indicators", []):
            if indicator["kind"] == "narrative":
                continue
            for figure in indicator["figures"]:
                rows.append({"tertial": report.tertial, "version": report.version, "promise": promise["number"],
                             "status": promise.get("status", ""), "indicator": indicator["label"],
                             "kind": indicator["kind"], "period": figure["period"], "value": figure["value"],
                             "symbol": figure.get("text", "") if figure["value"] is None else ""})
    return rows


@blueprint.get("/data/<tertial>.json")
def data_json(tertial: str) -> Response:
    report = _published(tertial)
    body = {"tertial": report.tertial, "version": report.version,
            "published_at": report.published_at.isoformat(), "figures": _rows(report)}
    return Response(json.dumps(body, ensure_ascii=False, indent=1), mimetype="application/json",
                    headers={"Access-Control-Allow-Origin": "*"})


@blueprint.get("/data/<tertial>.csv")
def data_csv(tertial: str) -> Response:
    report = _published(tertial)
    text = io.StringIO()
    fields = ["tertial", "version", "promise", "status", "indicator", "kind", "period", "value", "symbol"]
    writer = csv.DictWriter(text, fieldnames=fields, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(_rows(report))
    return Response(text.getvalue(), mimetype="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="aterkoppling-{report.tertial}.csv"'})
