"""Extension objects, created unbound; `create_app` binds them."""

from __future__ import annotations

from flask_babel import Babel
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from survey_app.db import Base

db = SQLAlchemy(model_class=Base, disable_autonaming=True)
csrf = CSRFProtect()
babel = Babel()
