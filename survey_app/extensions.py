"""Extension objects, created unbound; `create_app` binds them."""

from __future__ import annotations

from flask import Flask
from flask_babel import Babel
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from survey_app.db import Base, configure_sqlite

db = SQLAlchemy(model_class=Base, disable_autonaming=True)
csrf = CSRFProtect()
babel = Babel()


def register_database(app: Flask) -> None:
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine)
