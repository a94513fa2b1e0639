"""Seeded generator of the small oracle data set (run once; its output is committed).

    .venv/bin/python tests/analysis/results/make_data.py

Writes ``responses.csv`` (one row per respondent) and ``population.csv`` (area x gender x age_band
cells) next to this file. ``make_oracles.R`` reads both and computes the reference values with R's
survey package. Properties required by STATISTICS.md "How to validate" item 5: four unequal
strata, unequal weights, domains crossing strata, blanks and "vet ej" answers, a gender present in
only some areas (empty domain in a stratum, a one-respondent domain), an outcome with p = 0 in an
area, small cells, and a large sampling fraction (area D: 60 of 90).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
SEED = 20261125
AREAS = {"A": (260, 9000), "B": (190, 5000), "C": (130, 2500), "D": (60, 90)}
OTHER_GENDER = {"A": 4, "B": 2, "C": 1, "D": 0}
BANDS = ["12-17", "18-34", "35-64", "65+"]
BAND_AGES = {"12-17": (12, 17), "18-34": (18, 34), "35-64": (35, 64), "65+": (65, 90)}


def main() -> None:
    rng = np.random.default_rng(SEED)
    rows = []
    for area, (n, _pop) in AREAS.items():
        k_other = OTHER_GENDER[area]
        genders = ["annan"] * k_other + list(rng.choice(["kvinna", "man"], size=n - k_other, p=[0.52, 0.48]))
        for g in genders:
            band = str(rng.choice(BANDS, p=[0.12, 0.25, 0.40, 0.23]))
            lo, hi = BAND_AGES[band]
            age = int(rng.integers(lo, hi + 1))
            p_unsafe = {"A": 0.18, "B": 0.3, "C": 0.4, "D": 0.25}[area] + (0.1 if g == "kvinna" else 0.0)
            u = rng.random()
            if u < 0.05:
                unsafe = ""
            elif u < 0.09:
                unsafe = "no_out_other"
            elif u < 0.12:
                unsafe = "no_out_fear"
            else:
                unsafe = str(rng.choice(["very_safe", "fairly_safe", "fairly_unsafe", "very_unsafe"],
                                        p=[(1 - p_unsafe) * 0.45, (1 - p_unsafe) * 0.55, p_unsafe * 0.7,
                                           p_unsafe * 0.3]))
            robbery = "" if rng.random() < 0.04 else ("yes" if (area != "D" and rng.random() < 0.04) else "no")
            trust = "" if rng.random() < 0.03 else str(rng.choice(
                ["agree_fully", "agree_mostly", "disagree_mostly", "disagree_fully", "dont_know"],
                p=[0.2, 0.35, 0.2, 0.1, 0.15]))
            level = rng.normal(0.0, 1.0)
            worry = []
            for _ in range(4):
                if rng.random() < 0.07:
                    worry.append("")
                    continue
                x = level + rng.normal(0.0, 0.8)
                worry.append("very_often" if x > 1.3 else "fairly_often" if x > 0.4 else
                             "fairly_rarely" if x > -0.6 else "never")
            w_factor = float(np.exp(rng.normal(0.0, 0.35)))
            rows.append([area, g, age, band, unsafe, robbery, trust, *worry, f"{w_factor:.6f}"])
    header = ["area", "gender", "age", "age_band", "unsafe_evening", "victim_robbery", "trust_police_cares",
              "worry_assault", "worry_burglary", "worry_robbery", "worry_vandalism", "w_factor"]
    with open(HERE / "responses.csv", "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(header)
        out.writerows(rows)
    with open(HERE / "population.csv", "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(["area", "gender", "age_band", "population"])
        band_share = [0.09, 0.27, 0.42, 0.22]
        for area, (_n, pop) in AREAS.items():
            for g, gs in (("kvinna", 0.495), ("man", 0.495), ("annan", 0.01)):
                for b, bs in zip(BANDS, band_share, strict=True):
                    out.writerow([area, g, b, max(1, round(pop * gs * bs))])


if __name__ == "__main__":
    main()
