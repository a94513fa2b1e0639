"""The demo's indicator series: the eight police counts of the Karlskoga promise 3 (STANDARDS §5), per tertial with
the sub-series the agreement names, and Brå's reported violent crimes per area and year. Invented figures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
from sqlalchemy.orm import Session

from survey_app.indicators.importing import store_value
from survey_app.indicators.periods import PeriodKind, make_period, tertial_of
from survey_app.models import Area, Direction, Indicator

POLICE_COUNTS = (  # code, name (verbatim from the agreement), mean per tertial, sub-series with their share
    ("lob", "Antal LOB", 40, (("under 18", 0.15), ("under 20", 0.3))),
    ("pl13", "PL 13 (avvisade, stör ordningen)", 25, ()),
    ("urinering_drickning", "Rapportering av urinering och drickning på allmän plats", 30, ()),
    ("drograttfylleri", "Antal rapporterade för drograttfylleri", 18, ()),
    ("rattfylleri", "Antal rapporterade för rattfylleri", 22, ()),
    ("narkotikabrott", "Antal rapporterade för narkotikabrott", 35, (("under 18", 0.2), ("under 20", 0.35))),
    ("vardererbjudande", "Antal vårderbjudande", 12, ()),
    ("trafikkontroller", "Antal trafikkontroller", 60, ()),
)


def load_demo_indicators(session: Session, *, areas: Sequence[Area], today: dt.date, seed: int = 2026) -> None:
    rng = np.random.default_rng(seed)
    current = tertial_of(today)
    tertials = [current.previous(steps) for steps in range(6, 0, -1)]  # the six before the running one
    for code, name, mean, subseries in POLICE_COUNTS:
        indicator = Indicator(code=code, name=name, unit="antal", source="Polisen, lokalpolisområdet",
                              owner="Polisen", direction=(Direction.HIGHER_IS_BETTER if code == "trafikkontroller"
                                                          else Direction.HIGHER_IS_WORSE).value)
        session.add(indicator)
        session.flush()
        for tertial in tertials:
            total = int(rng.poisson(mean))
            store_value(session, indicator, None, "", tertial, total, "", recorded_by="demo")
            counted = 0  # "under 18" is part of "under 20": each sub-series holds the one before it
            for label, share in subseries:
                counted += int(rng.binomial(total - counted, share))
                store_value(session, indicator, None, label, tertial, counted, "", recorded_by="demo")
    crimes = Indicator(code="anmalda_valdsbrott", name="Anmälda våldsbrott", unit="antal",
                       source="Brå, anmälda brott", owner="Kommunens säkerhetssamordnare",
                       direction=Direction.HIGHER_IS_WORSE.value)
    session.add(crimes)
    session.flush()
    for year in (today.year - 3, today.year - 2, today.year - 1):
        period = make_period(PeriodKind.YEAR, year)
        for area in areas:
            store_value(session, crimes, area, "", period, int(rng.poisson(60)), "", recorded_by="demo")
    session.flush()
