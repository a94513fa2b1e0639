"""Benchmark of the analysis package (issue 4): prints figures, asserts nothing.

    .venv/bin/python benchmarks/analysis.py [--rows 1000000] [--svy-measures 30]

Seeded synthetic data: 1,000,000 respondents, 20 areas of unequal size, gender (kvinna, man,
annan), age 12-90 (default bands), 30 share measures on 4-option items with blanks and a
"don't know" code. It times

(a) the complete default analysis in memory: raking to the area, gender and age-band margins,
    all 30 measures, all breakdowns (total, area, gender, age band, area x gender, area x age
    band, child-rights groups), modified Wilson CIs, gender gaps, area vs rest, Holm,
    Rao-Scott tests and suppression;
(b) ``trygg analyse`` end to end on the 1M-row CSV (a subprocess: the installed ``trygg`` entry
    point, or ``python -m analysis.cli`` without it) against ``pyarrow.csv.read_csv`` of the same
    file in this process;
(c) peak memory: tracemalloc peak of (a), and the maximum resident set size of (b);
(d) the general survey package ``svy`` computing the same domain estimates and SEs (Taylor,
    strata = areas, the raked weights as fixed weights, domain estimation with drop_nulls) for
    the same breakdowns, in the same run. With ``--svy-measures k < 30`` svy runs k measures and
    its time is scaled by 30/k (printed as such).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis.data import DEFAULT_AGE_BANDS, Column, Population, Responses  # noqa: E402
from analysis.measures import Measure  # noqa: E402
from analysis.report import run_analysis  # noqa: E402

SEED = 20261125
N_MEASURES = 30
AREAS = [f"omr{i:02d}" for i in range(1, 21)]
GENDERS = ["annan", "kvinna", "man"]
CODES = ["1", "2", "3", "4", "9", ""]  # 9 = vet ej, "" = blank


def generate(n: int):
    rng = np.random.default_rng(SEED)
    area_p = rng.uniform(0.5, 2.0, len(AREAS))
    area = rng.choice(len(AREAS), size=n, p=area_p / area_p.sum()).astype(np.int32)
    gender = rng.choice(3, size=n, p=[0.02, 0.52, 0.46]).astype(np.int32)
    age = rng.integers(12, 91, size=n)
    lows = np.array([b[1] for b in DEFAULT_AGE_BANDS])
    band = (np.searchsorted(lows, age, side="right") - 1).astype(np.int32)
    items = {}
    base_level = rng.normal(0, 0.4, len(AREAS))
    for j in range(N_MEASURES):
        p_unsafe = 1 / (1 + np.exp(-(-0.8 + base_level[area] + 0.3 * (gender == 1) + 0.1 * j / N_MEASURES)))
        u = rng.random(n)
        unsafe = u < p_unsafe
        code = np.where(unsafe, np.where(rng.random(n) < 0.6, 2, 3), np.where(rng.random(n) < 0.45, 0, 1))
        r = rng.random(n)
        code = np.where(r < 0.04, 4, np.where(r < 0.09, 5, code)).astype(np.int32)
        items[f"q{j + 1:02d}"] = code
    return area, gender, band, age, items


def responses(area, gender, band, items) -> Responses:
    return Responses(area=Column(area, tuple(AREAS)), gender=Column(gender, tuple(GENDERS)),
                     age_band=Column(band, tuple(b[0] for b in DEFAULT_AGE_BANDS)),
                     items={k: Column(v, tuple(CODES)) for k, v in items.items()}, source="synthetic")


def population(area, gender, band) -> Population:
    rng = np.random.default_rng(SEED + 1)
    cells = {}
    for a in range(len(AREAS)):
        size = rng.integers(20_000, 80_000)
        for g, gs in enumerate([0.01, 0.50, 0.49]):
            for lab, lo, hi in DEFAULT_AGE_BANDS:
                width = (hi if hi is not None else 90) - lo + 1
                cells[(AREAS[a], GENDERS[g], lab)] = float(round(size * gs * width / 79))
    margins: dict = {"area": {}, "gender": {}, "age_band": {}}
    for (a, g, b), v in cells.items():
        for d, k in (("area", a), ("gender", g), ("age_band", b)):
            margins[d][k] = margins[d].get(k, 0.0) + v
    return Population(cells=cells, margins=margins)


MEASURES = [Measure(f"m{j + 1:02d}", "share", f"q{j + 1:02d}", counted=("3", "4"), base=("1", "2", "3", "4"))
            for j in range(N_MEASURES)]


def write_csv(path: Path, area, gender, age, items) -> None:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    def dict_col(codes, labels):
        return pa.DictionaryArray.from_arrays(pa.array(codes, pa.int32()), pa.array(labels)).cast(pa.string())

    cols = {"area": dict_col(area, AREAS), "gender": dict_col(gender, GENDERS), "age": pa.array(age)}
    for k, v in items.items():
        cols[k] = dict_col(v, CODES)
    pacsv.write_csv(pa.table(cols), path)


def write_population(path: Path, pop: Population) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("area,gender,age_band,population\n")
        for (a, g, b), v in pop.cells.items():
            fh.write(f"{a},{g},{b},{int(v)}\n")


def svy_reference(area, gender, band, items, weights, n_measures: int) -> float:
    import polars as pl
    import svy

    df = pl.DataFrame({
        "area": np.asarray(AREAS)[area], "gender": np.asarray(GENDERS)[gender],
        "age_band": np.asarray([b[0] for b in DEFAULT_AGE_BANDS])[band], "w": weights,
        **{f"y{k}": np.where(np.isin(v, [0, 1, 2, 3]), (v >= 2).astype(float), np.nan)
           for k, v in list(items.items())[:n_measures]},
    }).with_columns(pl.selectors.starts_with("y").fill_nan(None))
    sample = svy.Sample(df, svy.Design(stratum="area", wgt="w"))
    t0 = time.perf_counter()
    for k in list(items)[:n_measures]:
        for by in (None, "area", "gender", "age_band", ["area", "gender"], ["area", "age_band"]):
            sample.estimation.mean(f"y{k}", by=by, drop_nulls=True)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--svy-measures", type=int, default=N_MEASURES)
    args = ap.parse_args()
    print(f"rows={args.rows:,} measures={N_MEASURES} areas={len(AREAS)} cpus={os.cpu_count()}")
    t0 = time.perf_counter()
    area, gender, band, age, items = generate(args.rows)
    resp = responses(area, gender, band, items)
    pop = population(area, gender, band)
    print(f"generate: {time.perf_counter() - t0:.2f} s")

    run_analysis(resp, MEASURES[:2], weighting="raking", population=pop)  # warm-up (imports, caches)
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        result = run_analysis(resp, MEASURES, weighting="raking", population=pop)
        times.append(time.perf_counter() - t0)
    tracemalloc.start()
    run_analysis(resp, MEASURES, weighting="raking", population=pop)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"(a) in-memory full analysis: best {min(times):.3f} s, median {sorted(times)[1]:.3f} s "
          f"({len(result.measures):,} estimates, {len(result.comparisons):,} comparisons, "
          f"{len(result.associations)} association tests, raking {result.weighting.iterations} iterations)")
    print(f"(c) peak traced memory of (a): {peak / 2**20:.0f} MiB")

    with tempfile.TemporaryDirectory() as tmp:
        csv_path, pop_path, out = Path(tmp) / "responses.csv", Path(tmp) / "pop.csv", Path(tmp) / "out.json"
        write_csv(csv_path, area, gender, age, items)
        write_population(pop_path, pop)
        print(f"CSV: {csv_path.stat().st_size / 2**20:.0f} MiB")
        import pyarrow.csv as pacsv
        read_times = []
        for _ in range(3):
            t0 = time.perf_counter()
            pacsv.read_csv(csv_path)
            read_times.append(time.perf_counter() - t0)
        trygg = Path(sys.executable).with_name("trygg")
        # the installed `trygg analyse` entry point when present (it adds the CLI framework's start-up)
        prefix = [str(trygg), "analyse"] if trygg.exists() else [sys.executable, "-m", "analysis.cli"]
        cmd = [*prefix, str(csv_path), "--population", str(pop_path), "--weighting", "raking", "--output", str(out)]
        for m in MEASURES:
            cmd += ["--measure", f"{m.name}={m.item}:{','.join(m.counted)}/{','.join(m.base)}"]
        cli_times = []
        for _ in range(2):
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True, cwd=ROOT)
            cli_times.append(time.perf_counter() - t0)
        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        read = min(read_times)
        cli = min(cli_times)
        print(f"(b) {Path(prefix[0]).name} {' '.join(prefix[1:])} end to end: {cli:.2f} s; "
              f"pyarrow.csv.read_csv: {read:.2f} s; ratio {cli / read:.1f}x")
        print(f"(c) peak RSS of trygg analyse: {rss:.0f} MiB")

    k = max(1, min(args.svy_measures, N_MEASURES))
    try:
        t_svy = svy_reference(area, gender, band, items, _weights_of(resp, pop), k)
    except ImportError:
        print("(d) svy is not installed: pip install svy")
        return
    import svy
    scaled = t_svy * N_MEASURES / k
    ours = min(times)
    print(f"(d) svy {svy.__version__}: {t_svy:.2f} s for {k} measures x 6 breakdowns"
          + (f" (scaled to {N_MEASURES}: {scaled:.1f} s)" if k < N_MEASURES else "")
          + f"; analysis (a) is {scaled / ours:.0f}x faster (svy without raking, comparisons or suppression)")


def _weights_of(resp: Responses, pop: Population) -> np.ndarray:
    from analysis.cellweights import cell_weights
    from analysis.grid import build_grid
    grid = build_grid(resp)
    wts = cell_weights(resp, grid, "raking", pop, tol=1e-10, max_iter=1000, lonely="fail")
    return wts.cell_w[grid.cell]


if __name__ == "__main__":
    main()
