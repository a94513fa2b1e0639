"""Resident-facing pages."""

from __future__ import annotations

from flask import Blueprint, render_template

from survey_app.db import today
from survey_app.extensions import db
from survey_app.survey import services

blueprint = Blueprint("survey", __name__, template_folder="templates")


@blueprint.get("/")
def start() -> str:
    surveys = services.open_surveys(db.session, today())
    return render_template("survey/start.html", surveys=surveys)
