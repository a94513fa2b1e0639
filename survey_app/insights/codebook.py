"""The codebook that comes with every microdata export: variables, codes and labels, and the measures' definitions.

The same :class:`~survey_app.insights.microdata_export.Variable` list writes the microdata and the codebook, so a
code can never mean one thing in the file and another in its codebook (the .sav carries the same labels inside).
"""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _

from analysis.instrument import Instrument
from survey_app.exports import Sheet
from survey_app.insights.microdata_export import Variable

__all__ = ["codebook_sheets"]


def _kind(v: Variable) -> str:
    return {"background": _("Background (coded)"), "coded": _("Coded answer"), "number": _("Number"),
            "text": _("Text")}[v.source]


def codebook_sheets(instrument: Instrument, columns: Sequence[Variable], *, lang: str, wave_title: str) -> list[Sheet]:
    variables = Sheet(_("Variables"), [_("Variable"), _("Question"), _("Type"), _("Codes")], [
        [v.name, v.question, _kind(v), "; ".join(f"{c} = {v.labels.get(c, c)}" for c in v.codes)] for v in columns])
    codes = Sheet(_("Codes"), [_("Variable"), _("Code in CSV"), _("Value in SPSS and Stata"), _("Label")], [
        [v.name, code, number, v.labels.get(code, code)] for v in columns for code, number in v.numeric.items()])
    measures = Sheet(_("Measures"), [_("Measure"), _("Name"), _("Kind"), _("Variables"), _("Counted answers"),
                                     _("Answers in the base"), _("Scores"), _("Definition")], [
        [m.name, m.label.get(lang) or m.label.get("sv") or m.name,
         _("share") if m.kind == "share" else _("index"),
         m.item if m.kind == "share" else ", ".join(m.items),
         ", ".join(m.counted), ", ".join(m.base), ", ".join(f"{c} = {s:g}" for c, s in m.scores),
         _("Share of the answers in the base that are counted answers; other answers and blanks are outside the "
           "base.") if m.kind == "share" else
         _("Mean of the item scores (0–100, 100 the safest) of respondents with at least %(n)s valid items.",
           n=m.min_valid if m.min_valid is not None else "¾")]
        for m in instrument.measures])
    about = Sheet(_("About the file"), [_("Key"), _("Value")], [
        [_("Wave"), wave_title],
        [_("Questionnaire"), f"{instrument.key}"],
        [_("Rows"), _("One row per response, in no order of submission.")],
        [_("Missing"), _("An empty cell (CSV) or system-missing (SPSS, Stata): not answered, or not asked.")],
        [_("Free text"), _("Left out unless asked for; then masked (personal identity numbers, phone numbers and "
                           "e-mail addresses replaced).")],
    ])
    return [variables, codes, measures, about]
