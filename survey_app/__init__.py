"""Trygg: the Flask application. `create_app` is a table of contents; nothing runs at import."""

from __future__ import annotations

from typing import Any

from flask import Flask


def create_app(config: dict[str, Any] | None = None) -> Flask:
    from survey_app import cli, errors, i18n, security
    from survey_app import config as configuration
    from survey_app.auth import access as auth_access
    from survey_app.extensions import csrf, register_database

    app = Flask(__name__)
    configuration.load_config(app, config)
    register_url_converters(app)
    register_database(app)
    auth_access.register_auth(app)  # staff login and the role matrix, checked before CSRF and every view
    csrf.init_app(app)
    i18n.register_i18n(app)
    security.register_security_headers(app)
    register_blueprints(app)
    errors.register_errorhandlers(app)
    cli.register_commands(app)
    return app


def register_blueprints(app: Flask) -> None:
    from survey_app.health import blueprint as health
    from survey_app.survey.views import blueprint as survey

    app.register_blueprint(health)
    app.register_blueprint(survey)
    from survey_app.admin.views import blueprint as admin
    from survey_app.auth.views import blueprint as auth
    from survey_app.dialogue.views import blueprint as dialogue
    from survey_app.indicators.views import blueprint as indicators
    from survey_app.insights.views import blueprint as insights
    from survey_app.problem_picture.views import blueprint as problem_picture
    from survey_app.promises.views import blueprint as promises

    app.register_blueprint(auth)
    app.register_blueprint(dialogue)
    from survey_app.dialogue.participants import blueprint as participants

    app.register_blueprint(participants)
    app.register_blueprint(admin)
    from survey_app.admin.area_views import blueprint as area_data

    app.register_blueprint(area_data)
    app.register_blueprint(insights)
    app.register_blueprint(indicators)
    app.register_blueprint(promises)
    app.register_blueprint(problem_picture)
    from survey_app.feedback.views import blueprint as feedback

    app.register_blueprint(feedback)
    from survey_app.insights.downloads import blueprint as insights_downloads

    app.register_blueprint(insights_downloads)
    from survey_app.entry.views import blueprint as entry

    app.register_blueprint(entry)


def register_url_converters(app: Flask) -> None:
    from werkzeug.routing import IntegerConverter, Map

    class RowIdConverter(IntegerConverter):
        """`<id:name>`: a row id, 1 to 2**31 - 1; anything else is a 404 before a query (PostgreSQL refuses more)."""

        def __init__(self, url_map: Map) -> None:
            super().__init__(url_map, min=1, max=2**31 - 1)

    app.url_map.converters["id"] = RowIdConverter
