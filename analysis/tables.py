"""The result of :func:`analysis.report.run_analysis` as tables a person can read, and as the command's JSON.

``trygg analyse --format csv|xlsx`` writes these tables (the web app's exports write them too); ``--format json``
writes :func:`result_json`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from .disclosure import SYMBOL_IMPOSSIBLE, SYMBOL_ZERO
from .numbers import clean
from .report import AnalysisResult

__all__ = ["COMPARISON_COLUMNS", "DEFINITION_COLUMNS", "MEASURE_COLUMNS", "result_json", "result_tables"]

MEASURE_COLUMNS = ("measure", "measure_label", "breakdown", "group_label", "area", "gender", "age_band", "age_group",
                   "n", "estimate", "se", "ci_low", "ci_high", "ci_method", "margin_of_error", "df", "deff_kish",
                   "suppressed", "symbol", "uncertain", "flags", "level", "level_uncertain")
COMPARISON_COLUMNS = ("measure", "measure_label", "kind", "breakdown", "group_label", "area", "gender", "age_band",
                      "age_group", "difference", "se", "ci_low", "ci_high", "statistic", "p_value", "p_adjusted",
                      "holm_family", "significant", "flags")
DEFINITION_COLUMNS = ("measure", "label", "kind", "item", "question", "counted", "counted_labels", "base",
                      "base_labels", "items", "alpha", "alpha_n")
GROUP_DIMENSIONS = ("area", "gender", "age_band", "age_group")
NO_ANSWER_LABEL = "(ej svar)"   # a blank gender or age band: a group of its own, never a total
UNKNOWN_AREA_LABEL = "(okänt område)"
TOTAL_LABEL = "Totalt"
AGE_GROUP_LABELS = {"under_18": "under 18 år", "18_plus": "18 år och äldre"}


def result_tables(result: AnalysisResult, quality: dict | None = None, *, instrument=None) -> dict[str, list[list]]:
    """The result as tables a person can read, in order: name -> [header, *rows].

    Tables: ``measures`` (one row per measure and group), ``comparisons``, ``definitions`` (what each
    measure counts: codes counted and base with their Swedish labels, the question, the items of an index
    and Cronbach's α), ``weighting``, ``associations``, ``suppression`` and, with ``quality``
    (:func:`data_quality`), ``data_quality`` as key, value rows.

    * ``breakdown`` names the table a row belongs to (``total``, ``area``, ``gender``, ``area×gender``, ...)
      and ``group_label`` spells the group out (``Totalt``, ``A, kvinna``); a blank gender or age band is
      the group ``(ej svar)``, so no row but the total has empty group columns that matter.
    * ``measure_label`` is the questionnaire's Swedish label (``instrument``), else the measure's name.
    * Hidden and special figures are empty cells with an SCB symbol in ``symbol``: ``U`` (suppressed),
      ``..`` (too few answers), ``–`` (a true zero: no counted answers, or no respondents in the group);
      ``.`` (cannot occur) stands in a column that does not exist for the row (the problem level of a
      measure without cut-points, Cronbach's α of a share). ``flags`` lists why a figure is absent or needs
      care (:data:`analysis.report.FLAGS`). Every number is finite (:mod:`analysis.numbers`).
    """
    d = result.to_dict()
    labels = _measure_labels(result, instrument)
    with_cutpoints = {r["measure"] for r in d["measures"] if "level" in r}

    def group_cells(group: dict) -> list:
        dims = [k for k in GROUP_DIMENSIONS if k in group]
        values = [_group_value(k, group[k]) for k in dims]
        return ["×".join(dims) or "total", ", ".join(values) or TOTAL_LABEL,
                *(_group_value(k, group[k]) if k in group else "" for k in GROUP_DIMENSIONS)]

    def value(row: dict, key: str):
        v = row.get(key)
        if isinstance(v, list):
            return " ".join(str(x) for x in v)
        return "" if v is None else v

    measures = [list(MEASURE_COLUMNS)]
    for r in d["measures"]:
        symbol = r["symbol"]
        if (not symbol and r["n"] == 0) or (not symbol and r["estimate"] == 0 and r["measure"] in labels.shares):
            symbol = SYMBOL_ZERO
        level = value(r, "level") if r["measure"] in with_cutpoints else SYMBOL_IMPOSSIBLE
        level_unc = value(r, "level_uncertain") if r["measure"] in with_cutpoints else SYMBOL_IMPOSSIBLE
        measures.append([r["measure"], labels.label(r["measure"]), *group_cells(r["group"]), value(r, "n"),
                         *(value(r, k) for k in ("estimate", "se", "ci_low", "ci_high", "ci_method",
                                                 "margin_of_error", "df", "deff_kish", "suppressed")),
                         symbol, r["uncertain"], value(r, "flags"), level, level_unc])
    comps = [list(COMPARISON_COLUMNS)]
    for c in d["comparisons"]:
        comps.append([c["measure"], labels.label(c["measure"]), c["kind"], *group_cells(c["group"]),
                      *(value(c, k) for k in ("difference", "se", "ci_low", "ci_high", "statistic", "p_value",
                                              "p_adjusted", "holm_family", "significant", "flags"))])
    w = d["weighting"]
    weighting = [["key", "value"], ["method", w["method"]], ["iterations", w["iterations"]],
                 ["converged", w["converged"]], ["lonely", w["lonely"]],
                 ["lonely_strata", " ".join(w["lonely_strata"])], ["fpc", w["fpc"]]]
    weighting += [[k, "" if v is None else v] for k, v in w["diagnostics"].items()]
    weighting += [[f"before_trim.{k}", "" if v is None else v] for k, v in (w.get("diagnostics_before_trim")
                                                                              or {}).items()]
    weighting += [[f"collapsed.{c['poststratum']}", " ".join(c["cells"])] for c in w["collapsed_poststrata"]]
    assoc = [["measure", "measure_label", "by", "method", "statistic", "p_value", "df", "note"]] + [
        [a["measure"], labels.label(a["measure"]), a["by"], a["method"], value(a, "statistic"), value(a, "p_value"),
         " ".join(f"{x:.6g}" for x in a["df"]), a.get("note", "")] for a in d["associations"]]
    sup = [["key", "value"]] + [[k, v] for k, v in d["suppression"].items()]
    tables = {"measures": measures, "comparisons": comps, "definitions": _definitions(d, labels, instrument),
              "weighting": weighting, "associations": assoc, "suppression": sup}
    if quality is not None:
        tables["data_quality"] = [["key", "value"], *_quality_rows(clean(quality))]
    return tables


def _group_value(dim: str, v: str) -> str:
    if dim == "age_group":
        return AGE_GROUP_LABELS.get(v, v)
    if v == "":
        return UNKNOWN_AREA_LABEL if dim == "area" else NO_ANSWER_LABEL
    return v


@dataclass(frozen=True, slots=True)
class _Labels:
    names: dict
    shares: frozenset

    def label(self, measure: str) -> str:
        return self.names.get(measure, measure)


def _measure_labels(result: AnalysisResult, instrument) -> _Labels:
    names = {}
    if instrument is not None:
        for m in instrument.measures:
            names[m.name] = m.label.get("sv") or next(iter(m.label.values()), m.name)
    return _Labels(names, frozenset(m["measure"] for m in result.measure_info if m.get("kind") == "share"))


def _definitions(d: dict, labels: _Labels, instrument) -> list[list]:
    """One row per measure: what it counts, in codes and in the questionnaire's Swedish words."""
    def question(item: str | None) -> str:
        if instrument is None or not item or instrument.get(item) is None:
            return ""
        texts = instrument.item(item).texts
        t = texts.get("sv") or next(iter(texts.values()), None)
        return "" if t is None else t.question

    def option_labels(item: str | None, codes) -> str:
        if instrument is None or not item or instrument.get(item) is None:
            return ""
        texts = instrument.item(item).texts
        t = texts.get("sv") or next(iter(texts.values()), None)
        return "; ".join(t.options.get(c, c) for c in codes) if t is not None else ""

    rows = [list(DEFINITION_COLUMNS)]
    for m in d["measure_info"]:
        if m["kind"] == "share":
            rows.append([m["measure"], labels.label(m["measure"]), "share", m["item"], question(m["item"]),
                         " ".join(m["counted"]), option_labels(m["item"], m["counted"]), " ".join(m["base"]),
                         option_labels(m["item"], m["base"]), SYMBOL_IMPOSSIBLE, SYMBOL_IMPOSSIBLE,
                         SYMBOL_IMPOSSIBLE])
        else:
            items = m.get("items", [])
            rows.append([m["measure"], labels.label(m["measure"]), m["kind"], SYMBOL_IMPOSSIBLE,
                         " | ".join(q for q in (question(i) for i in items) if q), SYMBOL_IMPOSSIBLE,
                         SYMBOL_IMPOSSIBLE, SYMBOL_IMPOSSIBLE, SYMBOL_IMPOSSIBLE, " ".join(items),
                         "" if m.get("alpha") is None else m["alpha"], m.get("alpha_n", "")])
    return rows


def _quality_rows(q: dict) -> list[list]:
    rows: list[list] = [["rows", q["rows"]], ["unknown_area", q["unknown_area"]],
                        ["normalised_gender", q["normalised_gender"]]]
    if (r := q["unrecognised_gender"]) is not None:
        rows.append(["unrecognised_gender", f"{r['rows']} rows: {', '.join(r['values'])}"])
    rows += [[f"normalised_codes.{k}", v] for k, v in q["normalised_codes"].items()]
    rows += [[f"{key}.{k}", f"{r['rows']} rows: {', '.join(r['values'])}"]
             for key in ("unrecognised_codes", "outside_measure_codes") for k, r in q[key].items()]
    rows += [[f"outside_population.{k}", v] for k, v in q["outside_population"].items()]
    return rows


def result_json(result: AnalysisResult, quality: dict) -> str:
    """The JSON document ``trygg analyse`` writes: the result's contract layout plus ``data_quality``."""
    # No indent: only then does json use its C encoder (an indented 1M-row analysis takes 5x longer to write).
    # to_dict() and clean() have turned every NaN and infinity into null; allow_nan=False proves it.
    return json.dumps({**result.to_dict(), "data_quality": clean(quality)}, ensure_ascii=False,
                      separators=(",", ":"), allow_nan=False) + "\n"
