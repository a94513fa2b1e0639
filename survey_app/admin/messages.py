"""What a person reads for each administration error reason."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

ADMIN_MESSAGES = {
    "code_taken": _l("That code is already in use."),
}
