"""The lägesbild as an XLSX workbook: one sheet per table of the page, numbers as numbers (shares with a percent
format, so Swedish Excel shows decimal commas), hidden figures as their symbol, and a sheet on method and symbols."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask_babel import gettext as _

from survey_app.exports import Row, Sheet, Styled
from survey_app.problem_picture.labels import label

PERCENT = "0.0%"


def _share(cell: dict[str, Any] | None) -> object:
    if cell is None:
        return "–"
    if cell.get("value") is None:
        return cell.get("symbol") or "–"
    return Styled(cell["value"], PERCENT)


def _survey_rows(evidence: dict[str, Any]) -> Iterator[Row]:
    for wave in evidence["survey"]:
        for group in ("unsafe", "worry", "problems", "victims"):
            for row in wave[group]:
                ci = row.get("ci") or [None, None]
                change = row.get("change") or {}
                yield (
                    wave["wave"], wave["labels"].get(row["measure"], row["measure"]), _share(row),
                    Styled(ci[0], PERCENT) if ci[0] is not None else "–",
                    Styled(ci[1], PERCENT) if ci[1] is not None else "–",
                    row["n"] if row["n"] is not None else "–", _share(row["women"]), _share(row["men"]),
                    _share(row["children"]),
                    change.get("difference") if change.get("difference") is not None else "–",
                    _("yes") if change.get("significant") else _("no") if change else "–",
                )


def _place_rows(evidence: dict[str, Any]) -> Iterator[Row]:
    """Counts of the survey's unsafe places per area (the municipality) or for the area, by category: numbers only,
    never a description (a saved version made before the places were counted has none)."""
    places = evidence.get("places")
    if not places:
        return
    scopes = places["by_area"] or [{"name": evidence.get("area") or _("The whole municipality"), **places}]
    for scope in scopes:
        for category, count in scope["by_category"]:
            yield (scope["name"], label("category", category), count)
        yield (scope["name"], _("Not coded"), scope["uncoded"] + scope["without_text"])


def sheets(evidence: dict[str, Any], analysis: dict[str, Any], focus_areas: list[Any]) -> list[Sheet]:
    dialogues = evidence["dialogues"]
    names = {focus_area.code: focus_area.name for focus_area in focus_areas}
    return [
        Sheet(_("Survey"), [_("Wave"), _("Measure"), _("Share"), _("CI low"), _("CI high"), "n", _("Women"),
                            _("Men"), _("Under 18"), _("Change (share)"), _("Statistically significant")],
              _survey_rows(evidence)),
        Sheet(_("Indicators"), [_("Indicator"), _("Unit"), _("Period"), _("Value")],
              [(series["name"], series["unit"], code, value) for series in evidence["indicators"]
               for code, value in series["values"]]),
        Sheet(_("Observations"), [_("Category"), _("Observations")],
              [(label("category", category), count) for category, count in dialogues["by_category"]]),
        Sheet(_("Measures"), [_("Status"), _("Observations")],
              [(label("status", status), count) for status, count in dialogues["statuses"].items()]),
        Sheet(_("Places"), [_("Place"), _("Observations")], [tuple(place) for place in dialogues["places"]]),
        Sheet(_("Survey places"), [_("Area"), _("Category"), _("Places")], _place_rows(evidence)),
        Sheet(_("Participants"), [_("Gender"), _("Age"), _("Participants")],
              [(label("gender", g), label("band", band), n) for g, band, n in dialogues["participants"]]),
        Sheet(_("Analysis"), [_("Focus area"), _("Causes"), _("Conclusions")],
              [(names.get(code, _("Overall conclusions") if code == "_general" else code), text.get("causes", ""),
                text.get("conclusions", "")) for code, text in analysis.items()]),
        Sheet(_("Method and symbols"), [_("Symbol"), _("Meaning")], [
            ("U", _("suppressed to protect respondents")),
            ("..", _("too uncertain to show, or not available")),
            (".", _("cannot occur")),
            ("–", _("zero, or no figure")),
            (_("Weighting"), _("Survey figures are weighted to the population of the areas by gender and age band "
                               "(raking) when population figures exist, and unweighted otherwise.")),
        ]),
    ]
