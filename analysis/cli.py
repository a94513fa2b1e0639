"""``trygg analyse``: the command-line front end of :func:`analysis.report.run_analysis`.

::

    trygg analyse RESPONSES.csv [--questionnaire FILE.yaml] [--measure NAME=ITEM:COUNTED/BASE ...]
                  [--population POP.csv] [--weighting none|design|poststrat|raking]
                  [--by area,gender,age_band] [--compare-wave OTHER.csv] [--min-cell 5]
                  [--format json|csv|xlsx] [--csv-dialect plain|excel-sv] [--output PATH]

Bad input is reported on stderr with the file, row and column, and exit code 2; never a traceback.
CSV files are read with pyarrow (UTF-8, comma-separated, header row). ``main(argv, write_tables=...)``
takes the arguments after ``analyse``. This module writes JSON itself; CSV and XLSX are written by the
``write_tables`` callable that ``trygg analyse`` passes in (the web app's exports module, which
``analysis`` may not import), from the tables of :func:`result_tables`.

JSON output: the contract's ``measures``, ``comparisons``, ``weighting`` and ``suppression``, with
these additions: each measure row also has ``df`` and ``margin_of_error`` (1.96·SE), and, for a
share with cut-points, ``level``, ``level_ci`` and ``level_uncertain``; ``associations`` holds a
Rao–Scott F (weighted) or Pearson/Fisher test (unweighted) per measure and dimension;
``measure_info`` the definition of each measure (and Cronbach's alpha for an index). Child-rights
groups use the key ``age_group`` (``under_18``, ``18_plus``). Hidden figures are ``null`` with an SCB
symbol: ``U`` when suppressed for disclosure risk (primary or complementary), ``..`` when fewer than
30 valid answers; ``uncertain`` is true for a figure shown on 30–49 answers. In CSV and XLSX the
value is left empty and the symbol stands in its own column.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from .data import DEFAULT_AGE_BANDS, Column, Population, Responses, band_ages, population_from_rows
from .errors import AnalysisError, InputError
from .measures import Measure, parse_measure
from .report import DIMENSIONS, AnalysisResult, run_analysis

if TYPE_CHECKING:
    from .instrument import MeasureDef

__all__ = ["TableWriter", "main", "read_population", "read_responses", "result_tables"]

BACKGROUND = ("area", "gender", "age", "age_band", "weight")
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
        result = _run(args)
        if args.format == "json":
            _write_json(result, args.output)
        elif write_tables is not None:  # always, by the check above
            write_tables(result_tables(result), fmt=args.format, output=args.output, csv_dialect=args.csv_dialect)
    except AnalysisError as exc:
        print(f"trygg analyse: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except OSError as exc:
        print(f"trygg analyse: error: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_INPUT
    return 0


def _run(args) -> AnalysisResult:
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
        header = set(_header(args.responses))
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
    resp = read_responses(args.responses, needed, instrument=instrument)
    other = read_responses(args.compare_wave, needed, instrument=instrument) if args.compare_wave else None
    pop = read_population(args.population) if args.population else None
    weighting = args.weighting
    if weighting in ("design", "poststrat", "raking") and pop is None:
        raise InputError(f"--weighting {weighting} needs --population POP.csv")
    return run_analysis(resp, list(measures.values()), weighting=weighting, population=pop, by=by,
                        min_cell=args.min_cell, compare=other)


def _header(path: str) -> list[str]:
    with open(path, encoding="utf-8", errors="replace", newline="") as fh:
        return next(csv.reader([fh.readline()]), [])


def _columns_of(measures) -> list[str]:
    cols = []
    for m in measures:
        cols += [m.item] if m.kind == "share" else list(m.items)
    return [c for c in cols if c]


def _check_measure_codes(instrument, measures) -> None:
    for m in measures:
        for col in _columns_of([m]):
            codes = instrument.codes_for(col)
            if codes is None:
                continue
            wanted = (*m.counted, *m.base) if m.kind == "share" else tuple(c for c, _ in m.scores)
            unknown = [c for c in wanted if c not in codes]
            if unknown:
                raise InputError(f"measure {m.name!r}: code {unknown[0]!r} is not an answer code of {col!r} in the "
                                 f"questionnaire ({', '.join(codes)})")


# ----------------------------------------------------------------------------------------------
def _read_table(path: str, columns: Collection[str] | None, float_cols: Sequence[str] = ()):
    import pyarrow as pa
    import pyarrow.csv as pacsv

    p = Path(path)
    with open(p, encoding="utf-8", newline="") as fh:
        try:
            header = next(csv.reader([fh.readline()]))
        except StopIteration:
            header = []
        except UnicodeDecodeError:
            raise InputError("is not UTF-8 text", source=p.name) from None
    if not header or header == [""]:
        raise InputError("is empty or has no header row", row=0, source=p.name)
    if len(set(header)) != len(header):
        dup = next(h for h in header if header.count(h) > 1)
        raise InputError("column appears twice in the header", row=0, column=dup, source=p.name)
    include = [c for c in header if columns is None or c in columns]
    types = {c: (pa.float64() if c in float_cols else pa.dictionary(pa.int32(), pa.string())) for c in include}
    try:
        table = pacsv.read_csv(p, read_options=pacsv.ReadOptions(encoding="utf8"),
                               convert_options=pacsv.ConvertOptions(column_types=types, include_columns=include,
                                                                    strings_can_be_null=False))
    except pa.ArrowInvalid as exc:
        msg = str(exc)
        if "double" in msg and any(c in include for c in float_cols):
            return None, header
        _locate_ragged_row(p, len(header))
        raise InputError(f"cannot be read as CSV: {msg.splitlines()[0]}", source=p.name) from None
    return table.unify_dictionaries(), header


def _locate_ragged_row(path: Path, width: int) -> None:
    """On a parse error, find the first data row whose number of fields differs from the header's."""
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        next(reader, None)
        for i, fields in enumerate(reader, start=1):
            if len(fields) != width:
                raise InputError(f"has {len(fields)} fields, the header has {width}", row=i,
                                 column=None, source=path.name)


def _indices(chunk) -> np.ndarray:
    """The int32 dictionary indices of one chunk, straight from its buffer (no nulls: strings_can_be_null=False).

    ``Array.to_numpy`` would import pandas (half a second of start-up) and copy; the buffer view costs nothing.
    """
    indices = chunk.indices
    if indices.null_count:  # cannot happen with the read options above; keep the general path for safety
        return np.asarray(indices.fill_null(0).to_pylist(), dtype=np.int32)
    return np.frombuffer(indices.buffers()[1], dtype=np.int32, count=len(indices), offset=indices.offset * 4)


def _column(chunked) -> Column:
    chunks = chunked.chunks
    if not chunks:
        return Column(codes=np.zeros(0, dtype=np.int32), labels=())
    labels = tuple(chunks[0].dictionary.to_pylist())
    codes = np.concatenate([_indices(c) for c in chunks]) if len(chunks) > 1 else _indices(chunks[0]).copy()
    return Column(codes=codes, labels=labels)


def read_responses(path: str, item_columns: Sequence[str], *, instrument=None,
                   bands=DEFAULT_AGE_BANDS) -> Responses:
    """Read a responses CSV into :class:`~analysis.data.Responses` (pyarrow, dictionary-encoded).

    Only the background columns and ``item_columns`` are read, plus, with a questionnaire, every
    column that is one of its coded items (their codes are checked against it).

    Raises
    ------
    InputError
        Missing columns, unreadable file, non-numeric weight or age, codes not in the questionnaire.
    """
    name = Path(path).name
    header = _header(path)
    coded = [c for c in header if instrument is not None and c not in BACKGROUND and instrument.codes_for(c)]
    wanted = set(BACKGROUND) | set(item_columns) | set(coded)
    table, header = _read_table(path, wanted, float_cols=("weight",))
    if table is None:  # a weight that does not parse: find its row
        _locate_bad_weight(path)
    for col in ("area", "gender"):
        if col not in header:
            raise InputError("required column is missing", row=0, column=col, source=name)
    if table.num_rows == 0:
        raise InputError("has a header but no data rows", source=name)
    if "age_band" not in header and "age" not in header:
        raise InputError("needs a column 'age' or 'age_band'", row=0, column="age", source=name)
    for col in item_columns:
        if col not in header:
            raise InputError("a measure reads this column, which is not in the file", row=0, column=col, source=name)
    cols = {c: _column(table.column(c)) for c in table.column_names if c != "weight"}
    band = cols["age_band"] if "age_band" in cols else _band_dictionary(cols["age"], bands, name)
    weight = None
    if "weight" in table.column_names:
        wcol = table.column("weight")
        if wcol.null_count:
            row = int(np.argmax(np.asarray(wcol.is_null().to_numpy(zero_copy_only=False)))) + 1
            raise InputError("weight is blank", row=row, column="weight", source=name)
        weight = np.concatenate([
            np.frombuffer(c.buffers()[1], dtype=np.float64, count=len(c), offset=c.offset * 8) for c in wcol.chunks
        ]) if wcol.num_chunks else np.zeros(0)
        bad = ~np.isfinite(weight) | (weight < 0)
        if bad.any():
            row = int(np.argmax(bad)) + 1
            raise InputError(f"weight {weight[row - 1]!r} must be finite and non-negative", row=row, column="weight",
                             source=name)
    if instrument is not None:
        for c in coded:
            allowed = set(instrument.codes_for(c))
            column = cols[c]
            for lab in column.labels:
                if lab and lab not in allowed:
                    raise InputError(f"code {lab!r} is not in the questionnaire for this item",
                                     row=column.first_row(lab), column=c, source=name)
    items = {c: cols[c] for c in cols if c not in BACKGROUND}
    return Responses(area=cols["area"], gender=cols["gender"], age_band=band, items=items, weight=weight, source=name)


def _band_dictionary(age: Column, bands, source: str) -> Column:
    """Band each distinct age once, then map the rows (errors name the first row with that age)."""
    try:
        per_label = band_ages(list(age.labels), bands=bands, source=source)
    except InputError as exc:
        if exc.row is None:  # band_ages names the row of every error
            raise
        bad = age.labels[exc.row - 1]
        raise InputError(exc.message, row=age.first_row(bad), column="age", source=source) from None
    return Column(codes=per_label.codes[age.codes], labels=per_label.labels)


def _locate_bad_weight(path: str) -> None:
    name = Path(path).name
    table, _ = _read_table(path, {"weight"})
    col = _column(table.column("weight"))
    for lab in col.labels:
        try:
            float(lab)
        except ValueError:
            raise InputError(f"weight {lab!r} is not a number", row=col.first_row(lab), column="weight",
                             source=name) from None
    raise InputError("the weight column cannot be read as numbers", column="weight", source=name)


def read_population(path: str) -> Population:
    """Read ``POP.csv`` (area,gender,age_band,population): cells or one-way margins."""
    name = Path(path).name
    with open(path, encoding="utf-8", newline="") as fh:
        try:
            rows = list(csv.DictReader(fh))
        except (UnicodeDecodeError, csv.Error) as exc:
            raise InputError(f"cannot be read as UTF-8 CSV: {exc}", source=name) from None
    if not rows:
        raise InputError("has no rows", source=name)
    return population_from_rows(rows, source=name)


# ----------------------------------------------------------------------------------------------
MEASURE_COLUMNS = ("measure", "area", "gender", "age_band", "age_group", "n", "estimate", "se", "ci_low", "ci_high",
                   "ci_method", "margin_of_error", "df", "suppressed", "symbol", "uncertain", "level",
                   "level_uncertain")
COMPARISON_COLUMNS = ("measure", "kind", "area", "gender", "age_band", "age_group", "difference", "se", "ci_low",
                      "ci_high", "statistic", "p_value", "p_adjusted", "significant")


def result_tables(result: AnalysisResult) -> dict[str, list[list]]:
    """The result as tables, in order: name -> [header, *rows]; a hidden figure is an empty cell."""
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
    return {"measures": measures, "comparisons": comps, "weighting": weighting, "associations": assoc,
            "suppression": sup}


def _json_default(o):
    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, np.floating):
        return float(o) if math.isfinite(o) else None
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def _write_json(result: AnalysisResult, output: str | None) -> None:
    # No indent: only then does json use its C encoder (an indented 1M-row analysis takes 5x longer to write).
    text = json.dumps(result.to_dict(), ensure_ascii=False, separators=(",", ":"), default=_json_default,
                      allow_nan=False)
    _emit(text + "\n", output)


def _emit(text: str, output: str | None) -> None:
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
