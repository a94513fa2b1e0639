"""The cut-point form (admins) and the choices of the results pages' GET forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DecimalField
from wtforms.validators import InputRequired, NumberRange

from survey_app.forms import REQUIRED, StaffForm

PERCENT_RANGE = _l("Enter a percentage from 0 to 100.")


class PercentField(DecimalField):
    """A percentage typed with a decimal comma or point."""

    def process_formdata(self, valuelist: list[str]) -> None:
        if valuelist:
            valuelist = [valuelist[0].replace(",", ".").replace("%", "").replace("\u00a0", "").strip()]
        super().process_formdata(valuelist)


def _cut(label: str) -> PercentField:
    return PercentField(label, places=None, validators=[InputRequired(REQUIRED), NumberRange(0, 100, PERCENT_RANGE)],
                        render_kw={"inputmode": "decimal", "autocomplete": "off"})


class CutpointsForm(StaffForm):
    """Six cut-points in per cent; the level of a share is the number of them it exceeds."""

    cut1 = _cut(_l("Level 1 from (%)"))
    cut2 = _cut(_l("Level 2 from (%)"))
    cut3 = _cut(_l("Level 3 from (%)"))
    cut4 = _cut(_l("Level 4 from (%)"))
    cut5 = _cut(_l("Level 5 from (%)"))
    cut6 = _cut(_l("Level 6 from (%)"))

    def values(self) -> list[float]:
        return [float(getattr(self, f"cut{i}").data) / 100 for i in range(1, 7)]
