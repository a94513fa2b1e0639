"""What a person reads for each administration error reason."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

ADMIN_MESSAGES = {
    "code_taken": _l("That code is already in use."),
}

# How a response was given (`Channel`), as the wave page counts them
CHANNEL_LABELS = {"web": _l("Web"), "paper": _l("Paper"), "assisted": _l("Interview")}
