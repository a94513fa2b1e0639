"""``trygg analyse``: the command-line front end of :func:`analysis.report.run_analysis`.

::

    trygg analyse RESPONSES.csv [--questionnaire FILE.yaml] [--measure NAME=ITEM:COUNTED/BASE ...]
                  [--population POP.csv] [--weighting none|design|poststrat|raking]
                  [--by area,gender,age_band] [--compare-wave OTHER.csv] [--min-cell 5]
                  [--format json|csv|xlsx] [--csv-dialect plain|excel-sv] [--output PATH] [--encoding NAME]

Bad input is reported on stderr with the file, row and column, and exit code 2; never a traceback.
CSV files are read by :mod:`analysis.readers` (UTF-8 with or without a byte-order mark, or ``--encoding``;
comma, semicolon or tab separated, decimal comma with semicolons; header row). Answer codes, gender and
area are normalised (:mod:`analysis.normalise`); what was not recognised, the respondents without a known
area and those outside the population table's categories are counted in ``data_quality`` and noted on
stderr. ``main(argv, write_tables=...)``
takes the arguments after ``analyse``. This module writes JSON itself; CSV and XLSX are written by the
``write_tables`` callable that ``trygg analyse`` passes in (the web app's exports module, which
``analysis`` may not import), from the tables of :func:`result_tables`.

JSON output: the contract's ``measures``, ``comparisons``, ``weighting`` and ``suppression``, with
these additions: each measure row also has ``df`` and ``margin_of_error`` (1.96·SE), and, for a
share with cut-points, ``level``, ``level_ci`` and ``level_uncertain``; ``associations`` holds a
Rao–Scott F (weighted) or Pearson/Fisher test (unweighted) per measure and dimension;
``measure_info`` the definition of each measure (and Cronbach's alpha for an index); ``data_quality``
what the reader normalised or did not recognise (:func:`data_quality`). Child-rights
groups use the key ``age_group`` (``under_18``, ``18_plus``). Hidden figures are ``null`` with an SCB
symbol: ``U`` when suppressed for disclosure risk (primary or complementary), ``..`` when fewer than
30 valid answers; ``uncertain`` is true for a figure shown on 30–49 answers. In CSV and XLSX the
value is left empty and the symbol stands in its own column.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from .data import Responses
from .errors import AnalysisError, InputError
from .measures import Measure, parse_measure
from .readers import read_header, read_population, read_responses
from .report import DIMENSIONS, AnalysisResult, run_analysis

if TYPE_CHECKING:
    from .instrument import MeasureDef

__all__ = ["TableWriter", "data_quality", "main", "result_json", "result_tables"]

EXIT_INPUT = 2


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="trygg analyse", description="Perceived-safety measures with design-based "
                                "statistics, from a CSV file of responses.")
    p.add_argument("responses", metavar="RESPONSES.csv", help="one row per respondent: area, gender, age or "
                   "age_band, optional weight, one column per item code")
    p.add_argument("--questionnaire", metavar="FILE.yaml", help="questionnaire declaring measures and codes")
    p.add_argument("--measure", action="append", default=[], metavar="NAME=ITEM:COUNTED/BASE",
                   help="a share, e.g. otrygg=trygg_kvall:3,4/1,2,3,4 (repeatable)")
    p.add_argument("--population", metavar="POP.csv", help="columns area,gender,age_band,population")
    p.add_argument("--weighting", choices=("none", "design", "poststrat", "raking"),
                   help="default: the weight column if present, else none")
    p.add_argument("--by", default="area,gender,age_band", help="breakdown dimensions (default all three)")
    p.add_argument("--compare-wave", metavar="OTHER.csv", help="earlier wave for trends (RESPONSES minus OTHER)")
    p.add_argument("--min-cell", type=int, default=5, help="suppress cells with 0 < n < this (default 5)")
    p.add_argument("--format", choices=("json", "csv", "xlsx"), default="json")
    p.add_argument("--csv-dialect", choices=("plain", "excel-sv"), default="plain",
                   help="plain: UTF-8, comma, decimal point (default); excel-sv: what Swedish Excel opens as is "
                   "(BOM, semicolon, decimal comma)")
    p.add_argument("--output", metavar="PATH", help="write here instead of standard output")
    p.add_argument("--encoding", metavar="NAME", help="text encoding of the CSV files (default UTF-8, with or "
                   "without a byte-order mark; e.g. cp1252 for older Excel)")
    return p


class TableWriter(Protocol):
    """Writes the result tables (:func:`result_tables`) as ``fmt`` (``csv`` or ``xlsx``) to ``output``.

    ``output`` is None for standard output (CSV only); ``csv_dialect`` is ``plain`` or ``excel-sv``.
    """

    def __call__(self, tables: dict[str, list[list]], *, fmt: str, output: str | None, csv_dialect: str) -> None:
        ...


def main(argv: list[str] | None = None, *, write_tables: TableWriter | None = None) -> int:
    """Run ``trygg analyse``; returns the exit code (0 ok, 2 bad input or arguments).

    ``write_tables`` writes ``--format csv`` and ``xlsx``; without it only JSON can be written.
    """
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse has printed usage and the error
        return int(exc.code or 0)
    try:
        if args.format != "json" and write_tables is None:
            raise InputError(f"--format {args.format} is written by `trygg analyse`; on its own this module "
                             "writes JSON")
        if args.format == "xlsx" and not args.output:
            raise InputError("--format xlsx needs --output PATH")
        result, resp, instrument = _run(args)
        quality = data_quality(resp, result, instrument=instrument)
        _note_quality(quality, resp.source)
        if args.format == "json":
            _write_json(result, args.output, quality)
        elif write_tables is not None:  # always, by the check above
            write_tables(result_tables(result, quality), fmt=args.format, output=args.output,
                         csv_dialect=args.csv_dialect)
    except AnalysisError as exc:
        print(f"trygg analyse: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except OSError as exc:
        print(f"trygg analyse: error: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_INPUT
    return 0


def _run(args) -> tuple[AnalysisResult, Responses, object]:
    by = [d.strip() for d in args.by.split(",") if d.strip()]
    for d in by:
        if d not in DIMENSIONS:
            raise InputError(f"--by: unknown dimension {d!r}; use area, gender, age_band")
    if args.min_cell < 1:
        raise InputError("--min-cell must be at least 1")
    measures: dict[str, MeasureDef | Measure] = {}
    instrument = None
    if args.questionnaire:
        from .instrument import load_instrument  # lazy: PyYAML only when a questionnaire is given
        instrument = load_instrument(args.questionnaire)
        header = set(read_header(args.responses, encoding=args.encoding))
        skipped = []
        for m in instrument.measures:
            if all(c in header for c in _columns_of([m])):
                measures[m.name] = m
            else:
                skipped.append(m.name)
        if skipped:
            print(f"trygg analyse: note: {len(skipped)} questionnaire measure(s) skipped, their columns are not in "
                  f"{Path(args.responses).name}: {', '.join(skipped)}", file=sys.stderr)
    for text in args.measure:
        parsed = parse_measure(text)
        measures[parsed.name] = parsed
    if not measures:
        raise InputError("no measures: give --measure NAME=ITEM:COUNTED/BASE or a --questionnaire with measures")
    if instrument is not None:
        _check_measure_codes(instrument, measures.values())
    needed = sorted(set(_columns_of(measures.values())))
    codes = _measure_codes(measures.values())
    enc = args.encoding
    resp = read_responses(args.responses, needed, instrument=instrument, codes=codes, encoding=enc)
    other = read_responses(args.compare_wave, needed, instrument=instrument, codes=codes, encoding=enc) \
        if args.compare_wave else None
    pop = read_population(args.population, encoding=enc) if args.population else None
    weighting = args.weighting
    if weighting in ("design", "poststrat", "raking") and pop is None:
        raise InputError(f"--weighting {weighting} needs --population POP.csv")
    return run_analysis(resp, list(measures.values()), weighting=weighting, population=pop, by=by,
                        min_cell=args.min_cell, compare=other), resp, instrument


def _measure_codes(measures) -> dict[str, set[str]]:
    """Per column, every code a measure names (the known codes of columns no questionnaire declares)."""
    out: dict[str, set[str]] = {}
    for m in measures:
        if m.kind == "share":
            out.setdefault(m.item, set()).update((*m.counted, *m.base))
        else:
            for col in m.items:
                out.setdefault(col, set()).update(c for c, _ in m.scores)
    return out


def _columns_of(measures) -> list[str]:
    cols = []
    for m in measures:
        cols += [m.item] if m.kind == "share" else list(m.items)
    return [c for c in cols if c]


def _check_measure_codes(instrument, measures) -> None:
    """The questionnaire validator's rule: a share's codes are its item's; an index scores codes of its items.

    An index's items may use different scales, so a scored code must be an answer code of one of them
    (``yes_often`` belongs to ``avoid_going_out``, not to ``unsafe_evening``).
    """
    for m in measures:
        per_item = [instrument.codes_for(col) for col in _columns_of([m])]
        if any(codes is None for codes in per_item):
            continue
        if m.kind == "share":
            allowed, wanted, what = per_item[0], (*m.counted, *m.base), f"of {m.item!r}"
        else:
            allowed = tuple(dict.fromkeys(c for codes in per_item for c in codes))
            wanted, what = tuple(c for c, _ in m.scores), f"of any of its items ({', '.join(m.items)})"
        unknown = [c for c in wanted if c not in allowed]
        if unknown:
            raise InputError(f"measure {m.name!r}: code {unknown[0]!r} is not an answer code {what} in the "
                             f"questionnaire ({', '.join(allowed)})")


# ----------------------------------------------------------------------------------------------
MEASURE_COLUMNS = ("measure", "area", "gender", "age_band", "age_group", "n", "estimate", "se", "ci_low", "ci_high",
                   "ci_method", "margin_of_error", "df", "suppressed", "symbol", "uncertain", "level",
                   "level_uncertain")
COMPARISON_COLUMNS = ("measure", "kind", "area", "gender", "age_band", "age_group", "difference", "se", "ci_low",
                      "ci_high", "statistic", "p_value", "p_adjusted", "significant")


def data_quality(resp: Responses, result: AnalysisResult, *, instrument=None) -> dict:
    """What the reader normalised or did not recognise, and who was outside the population table.

    ``unknown_area``: respondents without a known area (blank, "vet inte"), in the totals only;
    ``normalised_codes``: per item, answers read as a code after clean-up (``3.0`` -> ``3``);
    ``unrecognised_codes``: per item of the questionnaire, values that are not answer codes of the item
    (outside every base), with the first row and the values; ``outside_measure_codes``: the same for
    items no questionnaire declares, against the codes the measures name (a "vet ej" code outside the
    base is expected there); ``normalised_gender`` / ``unrecognised_gender`` the same for gender;
    ``outside_population``: per weighting dimension, respondents whose category the population
    table lacks (other or no gender answer, unknown area, blank age band), weighted by the rule in
    :mod:`analysis.cellweights`.
    """
    q = resp.quality

    def report(r):
        return None if r is None else {"rows": r.rows, "first_row": r.first_row, "values": list(r.values)}

    def declared(item: str) -> bool:
        return instrument is not None and instrument.codes_for(item) is not None

    return {"rows": resp.n, "unknown_area": resp.unknown_area, "normalised_codes": dict(q.normalised_codes),
            "unrecognised_codes": {k: report(r) for k, r in q.unrecognised_codes.items() if declared(k)},
            "outside_measure_codes": {k: report(r) for k, r in q.unrecognised_codes.items() if not declared(k)},
            "normalised_gender": q.normalised_gender, "unrecognised_gender": report(q.unrecognised_gender),
            "outside_population": dict(result.weighting.outside_population)}


def _note_quality(q: dict, source: str) -> None:
    def note(text: str) -> None:
        print(f"trygg analyse: note: {source}: {text}", file=sys.stderr)

    def values(r: dict) -> str:
        return ", ".join(repr(v) for v in r["values"])

    if q["normalised_codes"]:
        note(f"{sum(q['normalised_codes'].values())} answer(s) written with spaces, as a decimal or in another case "
             f"were read as their code (e.g. '3.0' as '3'), in column(s) {', '.join(q['normalised_codes'])}")
    for item, r in q["unrecognised_codes"].items():
        note(f"column {item!r}: {r['rows']} row(s) hold values that are not answer codes of the item and are left "
             f"outside its base: {values(r)} (first at row {r['first_row']})")
    if outside := q["outside_measure_codes"]:  # one line: without a questionnaire "vet ej" codes land here
        shown = "; ".join(f"{item!r} {r['rows']} row(s): {values(r)}" for item, r in list(outside.items())[:3])
        note(f"values that no measure names are outside the base in {len(outside)} column(s): {shown}"
             f"{' ...' if len(outside) > 3 else ''} (data_quality.outside_measure_codes has them all)")
    if (r := q["unrecognised_gender"]) is not None:
        note(f"column 'gender': {r['rows']} row(s) hold a gender that is not a form of woman, man, other or no "
             f"answer; kept as written, as groups of their own: {values(r)} (first at row {r['first_row']})")
    if q["unknown_area"]:
        note(f"{q['unknown_area']} respondent(s) have no known area (blank or don't know); they count in the "
             "municipality total only")
    what = {"area": "an unknown area", "gender": "a gender other than those of the population table (other, no "
            "answer, blank)", "age_band": "a blank age band"}
    for dim, n in q["outside_population"].items():
        if n:
            note(f"{n} respondent(s) with {what[dim]} are weighted keeping their design-weighted share of the "
                 "population; the population table's categories share the rest")


def result_tables(result: AnalysisResult, quality: dict | None = None) -> dict[str, list[list]]:
    """The result as tables, in order: name -> [header, *rows]; a hidden figure is an empty cell.

    With ``quality`` (:func:`data_quality`) a last table ``data_quality`` lists its counts as key, value rows.
    """
    d = result.to_dict()

    def flat(row, columns):
        g = row.get("group", {})
        return [g.get(c, "") if c in ("area", "gender", "age_band", "age_group") else
                ("" if row.get(c) is None else row.get(c)) for c in columns]

    measures = [list(MEASURE_COLUMNS)]
    for r in d["measures"]:
        measures.append(flat(r, MEASURE_COLUMNS))
    comps = [list(COMPARISON_COLUMNS)] + [flat(c, COMPARISON_COLUMNS) for c in d["comparisons"]]
    w = d["weighting"]
    weighting = [["key", "value"], ["method", w["method"]], ["iterations", w["iterations"]],
                 ["converged", w["converged"]]] + [[k, "" if v is None else v] for k, v in w["diagnostics"].items()]
    assoc = [["measure", "by", "method", "statistic", "p_value", "df"]] + [
        [a["measure"], a["by"], a["method"], a["statistic"], a["p_value"], " ".join(f"{x:.6g}" for x in a["df"])]
        for a in d["associations"]]
    sup = [["key", "value"]] + [[k, v] for k, v in d["suppression"].items()]
    tables = {"measures": measures, "comparisons": comps, "weighting": weighting, "associations": assoc,
              "suppression": sup}
    if quality is not None:
        tables["data_quality"] = [["key", "value"], *_quality_rows(quality)]
    return tables


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


def _json_default(o):
    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, np.floating):
        return float(o) if math.isfinite(o) else None
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def _finite(value):
    return None if isinstance(value, float) and not math.isfinite(value) else value


def result_json(result: AnalysisResult, quality: dict) -> str:
    """The JSON document ``trygg analyse`` writes: the result's contract layout plus ``data_quality``."""
    # No indent: only then does json use its C encoder (an indented 1M-row analysis takes 5x longer to write).
    doc = result.to_dict()
    # a Fisher test on a table with a zero cell has an infinite odds ratio, which JSON cannot hold
    doc["associations"] = [{k: _finite(v) for k, v in a.items()} for a in doc["associations"]]
    return json.dumps({**doc, "data_quality": quality}, ensure_ascii=False, separators=(",", ":"),
                      default=_json_default, allow_nan=False) + "\n"


def _write_json(result: AnalysisResult, output: str | None, quality: dict) -> None:
    _emit(result_json(result, quality), output)


def _emit(text: str, output: str | None) -> None:
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
