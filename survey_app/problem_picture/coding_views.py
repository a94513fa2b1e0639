"""The staff page where an analyst codes the survey's unsafe places into the walk categories.

Staff read the masked descriptions here and nowhere else: the lägesbild, its saved versions, PDF and workbook, and
the public återkoppling pages only ever get the counts (survey_app/problem_picture/places.py). Analysts and admins
code; facilitators read (the role matrix). A page of places is saved at once: the category shown beside each place
(the suggestion from its words, or the category already coded) is what saving confirms.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import ngettext
from sqlalchemy import select
from werkzeug.wrappers import Response

from survey_app.db import utcnow
from survey_app.extensions import db
from survey_app.models import Area
from survey_app.problem_picture import places as place_coding
from survey_app.problem_picture.evidence import waves_in
from survey_app.problem_picture.views import _actor, _period, _years, blueprint

PAGE_SIZE = 40
SHOWS = ("uncoded", "coded", "all")


def _filters() -> tuple[Area | None, str, int]:
    source = request.args if request.method == "GET" else request.form
    area = None
    if source.get("area"):
        area = db.session().scalar(select(Area).where(Area.code == source["area"]))
        if area is None:
            abort(404)
    show = source.get("show") or "uncoded"
    if show not in SHOWS:
        abort(404)
    try:
        page = max(int(source.get("page") or 1), 1)
    except ValueError:
        abort(404)
    return area, show, page


@blueprint.get("/otrygga-platser/")
def places() -> str:
    session = db.session()
    period = _period()
    area, show, page = _filters()
    waves = waves_in(session, period)
    described = place_coding.places_of(session, waves, area_code=area.code if area else None, with_text=True)
    chosen = [place for place in described if show == "all" or (place.category is None) == (show == "uncoded")]
    pages = max((len(chosen) + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    if page > pages:
        page = pages
    areas = list(session.scalars(select(Area).order_by(Area.name)))
    return render_template(
        "problem_picture/places.html", period=period, years=_years(), area=area, show=show, page=page, pages=pages,
        places=chosen[(page - 1) * PAGE_SIZE:page * PAGE_SIZE], total=len(described),
        uncoded=sum(1 for place in described if place.category is None), matching=len(chosen),
        areas=areas, area_names={each.code: each.name for each in areas}, waves=waves,
        categories=place_coding.CATEGORIES)


@blueprint.post("/otrygga-platser/spara")
def places_save() -> Response:
    session = db.session()
    period = _period()
    area, show, page = _filters()
    keys = request.form.getlist("place")
    chosen = {key: request.form.get(f"category-{key}", "") for key in keys}
    changed = place_coding.save_codings(session, waves_in(session, period),
                                        {key: value for key, value in chosen.items() if value},
                                        actor=_actor(), now=utcnow())
    skipped = sum(1 for value in chosen.values() if not value)
    flash(ngettext("%(num)d place was coded.", "%(num)d places were coded.", changed), "success")
    if skipped:
        flash(ngettext("%(num)d place has no category yet: choose one for it.",
                       "%(num)d places have no category yet: choose one for each.", skipped), "warning")
    return redirect(url_for("problem_picture.places", period=period.code, area=area.code if area else None,
                            show=show, page=page if show != "uncoded" else None))

