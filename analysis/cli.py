"""``trygg analyse``: the command-line front end of :func:`analysis.report.run_analysis`.

::

    trygg analyse RESPONSES.csv [--questionnaire FILE.yaml] [--measure NAME=ITEM:COUNTED/BASE ...]
                  [--population POP.csv] [--weighting none|design|poststrat|raking] [--trim RATIO]
                  [--by area,gender,age_band] [--compare-wave OTHER.csv] [--compare-population POP.csv]
                  [--min-cell 5] [--min-n-share 30] [--flag-n-below 50] [--min-poststratum 20]
                  [--ci-method METHOD] [--lonely adjust|certainty|fail] [--fpc]
                  [--format json|csv|xlsx] [--csv-dialect plain|excel-sv] [--output PATH|DIR/] [--encoding NAME]

A ``weight`` column under ``--weighting design|poststrat|raking`` is ignored with a warning on stderr, and so
is ``--population`` without ``--weighting`` (unless ``--fpc`` uses it). ``--trim`` needs raking, ``--fpc``
a population table, ``--compare-population`` a ``--compare-wave``: otherwise exit 2. The inputs are built in
one place (:func:`_inputs` -> :class:`Inputs`) and analysed by :func:`analyse_inputs`, so another source of
responses (a wave in the database) can replace the files.

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
30 valid answers; ``uncertain`` is true for a figure shown on 30–49 answers. Every row has ``flags``
(why a figure is absent or needs care, :data:`analysis.report.FLAGS`) and weighted rows ``deff_kish``;
comparisons name their ``holm_family``; ``weighting`` tells the lonely-stratum rule and areas, the finite
population correction and the collapsed post-strata. No number is ever NaN or infinite
(:mod:`analysis.numbers`): what cannot be computed is ``null`` with its reason.

CSV and XLSX (:func:`result_tables`): one table per sheet, or per file with ``--output DIR/`` (a path
ending in ``/`` or an existing directory: ``DIR/measures.csv``, ``DIR/comparisons.csv``, ...); to standard
output or a single file, one CSV with a ``# name`` line above each table. The value of a hidden figure is
left empty and the symbol stands in its own column; ``–`` marks a true zero and ``.`` a figure that cannot
occur. Rows carry ``breakdown`` and ``group_label`` columns and a blank gender or age band is the group
``(ej svar)``, so no row but the total has empty group columns; the ``definitions`` table lists what each
measure counts, with the questionnaire's Swedish labels and question texts.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from .cellweights import LONELY
from .data import Population, Responses
from .errors import AnalysisError, InputError
from .intervals import CIMethod
from .measures import Measure, parse_measure
from .readers import read_header, read_population, read_responses
from .report import DIMENSIONS, AnalysisResult, run_analysis
from .tables import result_json, result_tables

if TYPE_CHECKING:
    from .instrument import Instrument, MeasureDef

__all__ = ["TableWriter", "data_quality", "main", "result_json", "result_tables"]

EXIT_INPUT = 2


def _parser(waves: bool = False) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="trygg analyse", description="Perceived-safety measures with design-based "
                                "statistics, from a CSV file of responses.")
    p.add_argument("responses", metavar="RESPONSES.csv", nargs="?" if waves else None, help="one row per "
                   "respondent: area, gender, age or age_band, optional weight, one column per item code")
    if waves:  # `trygg analyse` in the app reads waves from its database (``read_wave``)
        p.add_argument("--wave", metavar="SLUG", help="a survey wave in the database instead of RESPONSES.csv (its "
                       "questionnaire, and its population when weighting needs one; --compare-wave is then a slug)")
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
    p.add_argument("--trim", type=float, metavar="RATIO", help="with --weighting raking: cap the weights at RATIO × "
                   "their median and re-rake until both hold (typically 3-5)")
    p.add_argument("--ci-method", choices=[m.value for m in CIMethod], help="interval method (default "
                   "modified_wilson for weighted shares, wilson unweighted; indices always use a t interval)")
    p.add_argument("--lonely", choices=LONELY, default="adjust", help="an area with a single respondent: adjust "
                   "(default; centred at the grand mean, as R survey.lonely.psu='adjust'), certainty (no variance "
                   "contribution) or fail (stop with an error naming the area)")
    p.add_argument("--fpc", action="store_true", help="finite population correction (1 - n/N per area), N from "
                   "--population")
    p.add_argument("--min-n-share", type=int, default=30, metavar="N",
                   help="precision rule: a share on fewer valid answers is not shown, '..' (default 30)")
    p.add_argument("--flag-n-below", type=int, default=50, metavar="N",
                   help="a share shown on fewer valid answers is flagged uncertain (default 50)")
    p.add_argument("--min-poststratum", type=int, default=20, metavar="N",
                   help="with --weighting poststrat: collapse post-strata with fewer respondents (default 20; "
                   "0 = never)")
    p.add_argument("--compare-population", metavar="POP.csv", help="population of the --compare-wave (default: "
                   "--population)")
    return p


#: ``read_wave(slug) -> (responses, population or None, instrument)``, given by the app (``trygg analyse --wave``).
WaveReader = Callable[[str], "tuple[Responses, Population | None, Instrument]"]


class TableWriter(Protocol):
    """Writes the result tables (:func:`result_tables`) as ``fmt`` (``csv`` or ``xlsx``) to ``output``.

    ``output`` is None for standard output (CSV only); ``csv_dialect`` is ``plain`` or ``excel-sv``.
    """

    def __call__(self, tables: dict[str, list[list]], *, fmt: str, output: str | None, csv_dialect: str) -> None:
        ...


def main(argv: list[str] | None = None, *, write_tables: TableWriter | None = None,
         read_wave: WaveReader | None = None) -> int:
    """Run ``trygg analyse``; returns the exit code (0 ok, 2 bad input or arguments).

    ``write_tables`` writes ``--format csv`` and ``xlsx``; without it only JSON can be written. With ``read_wave``
    the command takes ``--wave SLUG`` instead of a CSV file: ``read_wave(slug)`` gives the wave's responses, its
    population (or None) and its questionnaire, or raises InputError.
    """
    parser = _parser(waves=read_wave is not None)
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
        result, resp, instrument = _run(args, read_wave)
        quality = data_quality(resp, result, instrument=instrument)
        _note_quality(quality, resp.source)
        if args.format == "json":
            _write_json(result, args.output, quality)
        elif write_tables is not None:  # always, by the check above
            write_tables(result_tables(result, quality, instrument=instrument), fmt=args.format, output=args.output,
                         csv_dialect=args.csv_dialect)
    except AnalysisError as exc:
        print(f"trygg analyse: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except OSError as exc:
        print(f"trygg analyse: error: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_INPUT
    return 0


@dataclass(frozen=True, slots=True)
class Inputs:
    """What one run analyses: the data, the population tables and the measures (from files here; another
    source, such as a wave in the database, can build the same and call :func:`analyse_inputs`)."""

    responses: Responses
    measures: list
    population: Population | None = None
    other: Responses | None = None
    other_population: Population | None = None
    instrument: object = None


def _run(args, read_wave: WaveReader | None = None) -> tuple[AnalysisResult, Responses, object]:
    """Read the inputs named on the command line (or the wave, with --wave) and analyse them with its options."""
    inputs = _inputs(args, read_wave)
    return analyse_inputs(inputs, args), inputs.responses, inputs.instrument


def analyse_inputs(inputs: Inputs, args) -> AnalysisResult:
    """:func:`run_analysis` of ``inputs`` with the options of ``args`` (checked, with warnings on stderr)."""
    by = [d.strip() for d in args.by.split(",") if d.strip()]
    for d in by:
        if d not in DIMENSIONS:
            raise InputError(f"--by: unknown dimension {d!r}; use area, gender, age_band")
    if args.min_cell < 1:
        raise InputError("--min-cell must be at least 1")
    for name in ("min_n_share", "flag_n_below", "min_poststratum"):
        if getattr(args, name) < 0:
            raise InputError(f"--{name.replace('_', '-')} cannot be negative")
    weighting = args.weighting
    pop = inputs.population
    if weighting in ("design", "poststrat", "raking") and pop is None:
        raise InputError(f"--weighting {weighting} needs --population POP.csv")
    if args.trim is not None and weighting != "raking":
        raise InputError("--trim needs --weighting raking")
    if args.fpc and pop is None:
        raise InputError("--fpc needs --population POP.csv (the areas' population)")
    if inputs.other_population is not None and inputs.other is None:
        raise InputError("--compare-population needs --compare-wave")
    source = inputs.responses.source
    if weighting in ("design", "poststrat", "raking") and inputs.responses.weight is not None:
        _warn(f"{source}: the weight column is ignored: --weighting {weighting} makes the weights from the "
              "population table")
    if pop is not None and weighting is None and not args.fpc:
        _warn("--population is not used without --weighting design, poststrat or raking (or --fpc); the "
              f"{'weight column' if inputs.responses.weight is not None else 'unweighted data'} is analysed")
    if args.min_poststratum != 20 and weighting != "poststrat":
        _warn("--min-poststratum applies to --weighting poststrat only")
    return run_analysis(inputs.responses, inputs.measures, weighting=weighting, population=pop, by=by,
                        min_cell=args.min_cell, min_n_share=args.min_n_share, flag_n_below=args.flag_n_below,
                        compare=inputs.other, compare_population=inputs.other_population, ci_method=args.ci_method,
                        lonely=args.lonely, trim_ratio=args.trim, fpc=args.fpc,
                        min_poststratum=args.min_poststratum)


def _warn(text: str) -> None:
    print(f"trygg analyse: warning: {text}", file=sys.stderr)


def _inputs(args, read_wave: WaveReader | None = None) -> Inputs:
    """Responses, population tables and measures from the files named on the command line, or from the database
    wave that ``--wave`` names (through ``read_wave``)."""
    measures: dict[str, MeasureDef | Measure] = {}
    instrument = None
    wave = None
    if getattr(args, "wave", None) and read_wave is not None:
        if args.responses:
            raise InputError("give either RESPONSES.csv or --wave SLUG, not both")
        wave = read_wave(args.wave)
        instrument = wave[2]
    elif not args.responses:
        raise InputError("give RESPONSES.csv or --wave SLUG")
    if args.questionnaire:
        from .instrument import load_instrument  # lazy: PyYAML only when a questionnaire is given
        instrument = load_instrument(args.questionnaire)
    if instrument is not None:
        header = set(read_header(args.responses, encoding=args.encoding)) if wave is None else \
            {"area", "gender", "age_band", *wave[0].items}
        skipped = []
        for m in instrument.measures:
            if all(c in header for c in _columns_of([m])):
                measures[m.name] = m
            else:
                skipped.append(m.name)
        if skipped:
            print(f"trygg analyse: note: {len(skipped)} questionnaire measure(s) skipped, their columns are not in "
                  f"{Path(args.responses).name if wave is None else args.wave}: {', '.join(skipped)}", file=sys.stderr)
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
    resp = read_responses(args.responses, needed, instrument=instrument, codes=codes, encoding=enc) \
        if wave is None else wave[0]
    if not args.compare_wave:
        other = None
    elif wave is not None and read_wave is not None:
        other = read_wave(args.compare_wave)[0]
    else:
        other = read_responses(args.compare_wave, needed, instrument=instrument, codes=codes, encoding=enc)
    pop = read_population(args.population, encoding=enc) if args.population else None
    if wave is not None and pop is None and (args.weighting in ("design", "poststrat", "raking") or args.fpc):
        pop = wave[1]
    other_pop = read_population(args.compare_population, encoding=enc) if args.compare_population else None
    return Inputs(resp, list(measures.values()), pop, other, other_pop, instrument)


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


def _write_json(result: AnalysisResult, output: str | None, quality: dict) -> None:
    _emit(result_json(result, quality), output)


def _emit(text: str, output: str | None) -> None:
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
