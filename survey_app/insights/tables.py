"""A wave's :class:`~analysis.report.AnalysisResult` as named tables, the same ones the pages show, for the exports.

Each table has a stable name (the last part of its download URL) and two faces:

- :func:`machine_table`: codes and exact numbers under the column names of ``trygg analyse --format csv``
  (:func:`analysis.tables.result_tables`), for R, pandas and the CSV for analysis tools;
- :func:`human_table`: translated headers, measure and area names and the SCB symbols, for Swedish Excel and the
  workbook. The numbers are the same, unrounded: a workbook shows shares as percentages with one decimal by its
  number format, so a reader who widens the column or computes with it still has the exact value.

A hidden figure (suppressed ``U``, or too few answers ``..``) is an empty cell with its symbol in its own column,
never a zero. Nothing here computes a figure: every number comes from ``run_analysis``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from analysis.instrument import Instrument, ItemType
from analysis.report import AnalysisResult, ComparisonRow, EstimateRow
from analysis.tables import result_tables
from survey_app.exports import Sheet, Styled

__all__ = ["TABLES", "TableSpec", "human_table", "machine_table", "method_sheet", "table_names", "workbook_sheets"]

PERCENT = "0.0%"
DECIMAL = "0.0"
PROBABILITY = "0.0000"
GROUP_KEYS = ("area", "gender", "age_band", "age_group")


@dataclass(frozen=True, slots=True)
class TableSpec:
    """One table of a wave: its URL name, its title, and which rows of the result it holds."""

    name: str
    title: object  # a lazy string: the title in the reader's language
    kind: str  # "estimates", "comparisons", "associations", "weighting"
    dims: tuple[tuple[str, ...], ...] = ()  # estimates: the group keys of its rows
    comparison: str = ""  # comparisons: the kind (gender_gap, area_vs_rest, trend)


TABLES: tuple[TableSpec, ...] = (
    TableSpec("kommunen", _l("The municipality"), "estimates", dims=((),)),
    TableSpec("omraden", _l("By area"), "estimates", dims=(("area",),)),
    TableSpec("kon", _l("By gender"), "estimates", dims=(("gender",),)),
    TableSpec("aldersgrupper", _l("By age band"), "estimates", dims=(("age_band",),)),
    TableSpec("omraden-kon", _l("Area by gender"), "estimates", dims=(("area", "gender"),)),
    TableSpec("omraden-aldersgrupper", _l("Area by age band"), "estimates", dims=(("area", "age_band"),)),
    TableSpec("barn", _l("Children and adults"), "estimates", dims=(("age_group",), ("age_group", "gender"))),
    TableSpec("konsskillnader", _l("Gender gap"), "comparisons", comparison="gender_gap"),
    TableSpec("omraden-mot-ovriga", _l("Each area against the rest"), "comparisons", comparison="area_vs_rest"),
    TableSpec("trend", _l("Change since the comparison wave"), "comparisons", comparison="trend"),
    TableSpec("samband", _l("Association tests"), "associations"),
    TableSpec("viktning", _l("Weighting"), "weighting"),
)
_BY_NAME = {t.name: t for t in TABLES}


def table_names() -> tuple[str, ...]:
    return tuple(_BY_NAME)


def spec(name: str) -> TableSpec | None:
    return _BY_NAME.get(name)


def _dims(group: Iterable[tuple[str, str]]) -> tuple[str, ...]:
    return tuple(key for key, _value in group)


def estimate_rows(result: AnalysisResult, table: TableSpec) -> list[EstimateRow]:
    return [r for r in result.measures if _dims(r.group) in table.dims]


def comparison_rows(result: AnalysisResult, table: TableSpec) -> list[ComparisonRow]:
    return [c for c in result.comparisons if c.kind == table.comparison]


# --- for analysis tools: the command line's columns ---------------------------------------------------------

def machine_table(result: AnalysisResult, table: TableSpec) -> list[list[object]]:
    """[header, *rows] with the columns of ``trygg analyse --format csv``; a hidden figure is an empty cell."""
    if table.kind in ("estimates", "comparisons"):
        # the command's own rows (analysis.tables.result_tables), so the columns and cells are exactly its CSV's
        header, *rows = result_tables(result)["measures" if table.kind == "estimates" else "comparisons"]
        if table.kind == "estimates":
            wanted, column = {"×".join(dims) or "total" for dims in table.dims}, header.index("breakdown")
        else:
            wanted, column = {table.comparison}, header.index("kind")
        return [list[object](header), *(row for row in rows if row[column] in wanted)]
    if table.kind == "associations":
        header = ["measure", "by", "method", "statistic", "p_value", "df"]
        return [list[object](header), *([_blank(a.get("measure")), _blank(a.get("by")), _blank(a.get("method")),
                           _blank(a.get("statistic")), _blank(a.get("p_value")),
                           " ".join(f"{x:.6g}" for x in a.get("df") or ())]  # type: ignore[attr-defined]
                          for a in result.associations)]
    return [["key", "value"], *([k, _blank(v)] for k, v in _weighting_pairs(result))]


def _blank(value: object) -> object:
    return "" if value is None else value


def _weighting_pairs(result: AnalysisResult) -> list[tuple[str, object]]:
    w = result.to_dict()["weighting"]
    pairs: list[tuple[str, object]] = [("method", w["method"]), ("iterations", w["iterations"]),
                                       ("converged", w["converged"])]
    return pairs + list(w["diagnostics"].items())


# --- for people: words and symbols --------------------------------------------------------------------------

class Labels:
    """Names a reader understands for the codes of a wave: measures, areas, genders, age groups."""

    def __init__(self, instrument: Instrument, areas: Mapping[str, str], lang: str) -> None:
        self.lang = lang
        self.measures = {m.name: m.label.get(lang) or m.label.get("sv") or m.name for m in instrument.measures}
        self.kinds = {m.name: m.kind for m in instrument.measures}
        self.areas = dict(areas)
        self.genders: dict[str, str] = {}
        for item in instrument.questions:
            if item.type == ItemType.GENDER:
                self.genders.update({o.code: o.label(lang) for o in item.options})

    def measure(self, name: str) -> str:
        return self.measures.get(name, name)

    def group_value(self, key: str, value: str) -> str:
        if key == "area":
            return self.areas.get(value, value)
        if key == "gender":
            return self.genders.get(value, value)
        if key == "age_group":
            return _("Under 18") if value == "under_18" else _("18 and over") if value == "18_plus" else value
        return value

    def number(self, measure: str, value: float | None) -> object:
        if value is None:
            return None
        return Styled(value, PERCENT if self.kinds.get(measure, "share") == "share" else DECIMAL)


def _group_headers(dims: tuple[tuple[str, ...], ...]) -> list[str]:
    keys = [k for k in GROUP_KEYS if any(k in d for d in dims)]
    names = {"area": _("Area"), "gender": _("Gender"), "age_band": _("Age band"), "age_group": _("Age group")}
    return [names[k] for k in keys], keys  # type: ignore[return-value]


def _yes(value: bool | None) -> str:
    if value is None:
        return ""
    return _("yes") if value else _("no")


def human_table(result: AnalysisResult, table: TableSpec, labels: Labels) -> tuple[list[str], list[list[object]]]:
    """(header, rows) in the reader's language; numbers are numbers (shares styled as percentages)."""
    if table.kind == "estimates":
        group_header, keys = _group_headers(table.dims)
        header = [_("Measure"), *group_header, _("Number of answers"), _("Estimate"), _("Standard error"),
                  _("95 % CI, lower"), _("95 % CI, upper"), _("Margin of error"), _("Symbol"), _("Few answers"),
                  _("CI method"), _("Measure code")]
        rows = []
        for r in estimate_rows(result, table):
            group = dict(r.group)
            rows.append([labels.measure(r.measure),
                         *(labels.group_value(k, group[k]) if k in group else "" for k in keys),
                         r.n, labels.number(r.measure, r.estimate), labels.number(r.measure, r.se),
                         labels.number(r.measure, r.ci_low), labels.number(r.measure, r.ci_high),
                         labels.number(r.measure, r.margin_of_error), r.symbol,
                         _yes(r.uncertain) if r.estimate is not None else "", r.ci_method, r.measure])
        return header, rows
    if table.kind == "comparisons":
        header = [_("Measure"), _("Area"), _("Gender"), _("Age group"), _("Difference"), _("95 % CI, lower"),
                  _("95 % CI, upper"), _("p-value"), _("p-value, Holm adjusted"), _("Statistically significant"),
                  _("Measure code")]
        rows = []
        for c in comparison_rows(result, table):
            group = dict(c.group)
            rows.append([labels.measure(c.measure),
                         *(labels.group_value(k, group[k]) if k in group else "" for k in ("area", "gender",
                                                                                           "age_group")),
                         labels.number(c.measure, c.difference), labels.number(c.measure, c.ci_low),
                         labels.number(c.measure, c.ci_high), _p(c.p_value), _p(c.p_adjusted),
                         _yes(c.significant) if c.difference is not None else "", c.measure])
        return header, rows
    if table.kind == "associations":
        header = [_("Measure"), _("Breakdown"), _("Test"), _("Test statistic"), _("p-value"), _("Measure code")]
        by = {"area": _("Area"), "gender": _("Gender"), "age_band": _("Age band")}
        return header, [[labels.measure(str(a.get("measure"))), by.get(str(a.get("by")), str(a.get("by"))),
                         a.get("method"), a.get("statistic"), _p(a.get("p_value")),  # type: ignore[arg-type]
                         a.get("measure")] for a in result.associations]
    names = _weighting_names()
    return [_("Key"), _("Value")], [[names.get(k, k), _blank(v)] for k, v in _weighting_pairs(result)]


def _p(value: float | None) -> object:
    return None if value is None else Styled(value, PROBABILITY)


def _weighting_names() -> dict[str, str]:
    return {"method": _("Method"), "iterations": _("Iterations"), "converged": _("Converged"),
            "n": _("Respondents"), "sum_w": _("Sum of weights"), "min": _("Smallest weight"),
            "max": _("Largest weight"), "max_min_ratio": _("Largest to smallest weight"),
            "cv": _("Coefficient of variation of the weights"), "n_eff_kish": _("Effective sample size (Kish)"),
            "deff_kish": _("Design effect of the weights (Kish)"),
            "max_margin_deviation": _("Largest deviation from a population margin")}


def method_sheet(result: AnalysisResult, *, wave_title: str, options: Sequence[tuple[str, str]]) -> Sheet:
    """The sheet on method, weighting and symbols that comes with every workbook."""
    sup = result.suppression
    rows: list[list[object]] = [
        [_("Wave"), wave_title],
        *(list[object]([name, value]) for name, value in options),
        [_("Weighting method"), result.weighting.method],
        [_("Weighting converged"), _yes(result.weighting.converged)],
        [_("Estimates"), _("Shares with confidence intervals at the 95 per cent level (Wilson; modified Wilson "
                           "when weighted); indices as means with t intervals. Variances by linearisation over the "
                           "weighting cells.")],
        [_("Comparisons"), _("Differences with a two-sided z test; p-values adjusted with Holm's method within "
                             "each measure and kind of comparison.")],
        ["U", _("Suppressed: fewer than %(n)s respondents, or hidden so that such a figure cannot be worked out "
                "from other figures of the wave.", n=sup.get("min_cell", ""))],
        ["..", _("Not shown: fewer than %(n)s valid answers.", n=sup.get("min_n_share", ""))],
        [_("Few answers"), _("Shown, but on fewer than %(n)s valid answers: read with care.",
                             n=sup.get("flag_n_below", ""))],
        [_("Suppressed cells, primary"), sup.get("primary", "")],
        [_("Suppressed cells, complementary"), sup.get("secondary", "")],
        [_("Figures not shown for precision"), sup.get("precision_hidden", "")],
    ]
    return Sheet(_("Method"), [_("Key"), _("Value")], rows)


def workbook_sheets(result: AnalysisResult, labels: Labels, *, wave_title: str,
                    options: Sequence[tuple[str, str]]) -> list[Sheet]:
    """One sheet per table that has rows, then the method sheet."""
    sheets = []
    for table in TABLES:
        header, rows = human_table(result, table, labels)
        if rows:
            sheets.append(Sheet(str(table.title), header, rows))
    sheets.append(method_sheet(result, wave_title=wave_title, options=options))
    return sheets

