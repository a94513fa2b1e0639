"""Fixtures for tests/analysis: the committed oracle data set and R's reference values."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

RESULTS = Path(__file__).parent / "results"

UNSAFE_COUNTED = ("fairly_unsafe", "very_unsafe", "no_out_fear")
UNSAFE_BASE = ("very_safe", "fairly_safe", *UNSAFE_COUNTED)
WORRY_SCORE = {"very_often": 0.0, "fairly_often": 100 / 3, "fairly_rarely": 200 / 3, "never": 100.0}
WORRY_ITEMS = ("worry_assault", "worry_burglary", "worry_robbery", "worry_vandalism")


class Oracle:
    """R's values from results/oracles.csv (written by make_oracles.R)."""

    def __init__(self, path: Path) -> None:
        with open(path, encoding="utf-8") as fh:
            self._v = {row["key"]: row["value"] for row in csv.DictReader(fh)}

    def __call__(self, key: str) -> float:
        return float(self._v[key])

    def __contains__(self, key: str) -> bool:
        return key in self._v

    def text(self, key: str) -> str:
        return self._v[key]

    def series(self, prefix: str) -> np.ndarray:
        vals = []
        i = 1
        while f"{prefix}.{i}" in self._v:
            vals.append(float(self._v[f"{prefix}.{i}"]))
            i += 1
        return np.array(vals)


@pytest.fixture(scope="session")
def oracle() -> Oracle:
    return Oracle(RESULTS / "oracles.csv")


def share(column, counted, base) -> np.ndarray:
    """0/1 with NaN outside the base, coded here (independently of analysis.measures)."""
    return np.array([(1.0 if c in counted else 0.0) if c in base else np.nan for c in column])


@pytest.fixture(scope="session")
def survey():
    """Columns of results/responses.csv plus independently coded outcomes and weights."""
    with open(RESULTS / "responses.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    cols = {k: np.array([r[k] for r in rows], dtype=object) for k in rows[0]}
    with open(RESULTS / "population.csv", encoding="utf-8") as fh:
        pop = list(csv.DictReader(fh))
    n_pop = {}
    for r in pop:
        n_pop[r["area"]] = n_pop.get(r["area"], 0) + int(r["population"])
    area = cols["area"]
    n_h = {a: int((area == a).sum()) for a in n_pop}
    d = np.array([n_pop[a] / n_h[a] for a in area])
    scores = np.array([[WORRY_SCORE.get(c, np.nan) for c in cols[i]] for i in WORRY_ITEMS]).T
    nvalid = (~np.isnan(scores)).sum(axis=1)
    with np.errstate(invalid="ignore"):
        idx = np.where(nvalid >= 3, np.nanmean(np.where(nvalid[:, None] > 0, scores, 0.0), axis=1), np.nan)
    return {
        **cols,
        "population_rows": pop,
        "n_pop": n_pop,
        "d": d,
        "w": d * cols["w_factor"].astype(float),
        "Nh": np.array([n_pop[a] for a in area], dtype=float),
        "y_unsafe": share(cols["unsafe_evening"], UNSAFE_COUNTED, UNSAFE_BASE),
        "y_robbery": share(cols["victim_robbery"], ("yes",), ("yes", "no")),
        "y_trust": share(cols["trust_police_cares"], ("agree_fully", "agree_mostly"),
                         ("agree_fully", "agree_mostly", "disagree_mostly", "disagree_fully")),
        "idx": idx,
        "scores": scores,
    }


def domain_masks(s) -> dict[str, np.ndarray]:
    """The same domains, with the same names, as make_oracles.R."""
    out = {"total": np.ones(len(s["area"]), dtype=bool)}
    for dim in ("area", "gender", "age_band"):
        for v in sorted(set(s[dim])):
            out[f"{dim}={v}"] = s[dim] == v
    for a in sorted(set(s["area"])):
        for g in sorted(set(s["gender"])):
            m = (s["area"] == a) & (s["gender"] == g)
            if m.any():
                out[f"area={a}&gender={g}"] = m
    return out
