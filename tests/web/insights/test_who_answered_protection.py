"""The "who answered" tables give no hidden count away: an attacker who reads every count the overview publishes
(the five tables, the number of responses, the respondents outside the population table) and solves them as one
linear program cannot narrow a hidden count below the protection interval.

The attacker is written here from the page's text, with scipy's linprog, independently of
:mod:`analysis.protection`; the true counts come from the database.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from flask import Flask
from flask.testing import FlaskClient
from scipy.optimize import linprog
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey_app.models import Area, AreaPopulation, Response
from tests.factories import make_staff
from tests.web.client import log_in
from tests.web.insights.waves import NOW_SLUG, make_result_waves, survey_by_slug, tables

NBSP = "\u00a0"
GENDERS = {"Kvinnor": "woman", "Män": "man", "Annat kön": "other", "Kön ej angivet": "no_answer"}
MIN_CELL, RATIO = 5, 0.5  # the rule: a hidden n must range over [n/2, 3n/2] and over at least 5


def _number(text: str) -> int | None:
    text = text.replace(NBSP, "").replace(" ", "")
    return None if text == "U" else int(text)


@pytest.fixture
def analyst(app: Flask, staff_db: Session) -> FlaskClient:
    make_staff(staff_db, "analyst", email="analys@kommun.se")
    staff_db.commit()
    client = app.test_client()
    assert log_in(client, "analys@kommun.se").status_code == 302
    return client


def published_counts(html: str, area_codes: dict[str, str]) -> dict[tuple, int | None]:
    """Every count of the page by (dimension, value) pairs: an int, or None where the page shows U."""
    found = tables(html)

    def value(dimension: str, text: str) -> str:
        if dimension == "area":
            return area_codes[text]
        if dimension == "gender":
            return GENDERS[text]
        return text.removesuffix(" år")

    out: dict[tuple, int | None] = {}
    for table_id, dims in (("who-area", ("area",)), ("who-gender", ("gender",)), ("who-age", ("age_band",)),
                           ("who-area-gender", ("area", "gender")), ("who-area-age", ("area", "age_band"))):
        for row in found[table_id][1:]:
            key = tuple((d, value(d, text)) for d, text in zip(dims, row, strict=False))
            out[key] = _number(row[len(dims)])
    return out


def attack(published: dict[tuple, int | None], total: int, outside: int | None,
           finest: list[tuple[str, str, str]], population_cells: set[tuple[str, str, str]]) -> dict[tuple, tuple]:
    """(low, high) of every hidden count, given every published count as an equation on the finest cells."""
    dims = {"area": 0, "gender": 1, "age_band": 2}

    def membership(key: tuple) -> np.ndarray:
        return np.array([all(cell[dims[d]] == v for d, v in key) for cell in finest], dtype=float)

    rows, rhs = [np.ones(len(finest))], [float(total)]
    for key, n in published.items():
        if n is not None:
            rows.append(membership(key))
            rhs.append(float(n))
    if outside is not None:
        rows.append(np.array([cell not in population_cells for cell in finest], dtype=float))
        rhs.append(float(outside))
    a_eq, b_eq = np.vstack(rows), np.array(rhs)
    ranges = {}
    for key, n in published.items():
        if n is not None:
            continue
        objective = membership(key)
        low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        high = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        assert low.status == 0
        assert high.status == 0
        ranges[key] = (low.fun, -high.fun)
    return ranges


def test_no_hidden_count_of_who_answered_can_be_worked_out(app: Flask, staff_db: Session, analyst: FlaskClient,
                                                           tmp_path: Path) -> None:
    make_result_waves(staff_db, tmp_path, responses=400, earlier=False)
    survey = survey_by_slug(staff_db, NOW_SLUG)
    response = analyst.get(f"/analys/{NOW_SLUG}?weighting=none")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    areas = {a.name: a.code for a in survey.areas}
    published = published_counts(html, areas)

    rows = staff_db.execute(select(Response.area_code, Response.gender, Response.age_band)
                            .where(Response.survey_id == survey.id)).all()
    truth_cells = Counter((a or "", g or "", b or "") for a, g, b in rows)
    population_cells = {(code, p.gender, p.age_band)
                        for code, p in staff_db.execute(select(Area.code, AreaPopulation).join(AreaPopulation.area))
                        if p.age_band != "12-15"}  # the adult questionnaire asks 16 and older
    total = sum(truth_cells.values())
    assert re.search(rf"{total:,} svar;".replace(",", NBSP), html)
    outside_text = re.search(r"([\d\u00a0]+) svarande med annat kön", html)
    outside = _number(outside_text.group(1)) if outside_text else None
    if outside is None:  # then the page says that a hidden number of them exists, or there are none
        assert "deras antal är dolt" in html or all(c in population_cells for c in truth_cells)
        if all(c in population_cells for c in truth_cells):
            outside = 0
    # the attacker knows which categories exist: the structure of the data, not its counts
    levels = [sorted({c[i] for c in truth_cells} | {c[i] for c in population_cells}) for i in range(3)]
    finest = list(itertools.product(*levels))

    def true_count(key: tuple) -> int:
        dims = {"area": 0, "gender": 1, "age_band": 2}
        return sum(n for cell, n in truth_cells.items() if all(cell[dims[d]] == v for d, v in key))

    for key, n in published.items():
        if n is not None:
            assert n == true_count(key), key  # what is shown is true
    hidden = [key for key, n in published.items() if n is None]
    primary = [key for key in hidden if 0 < true_count(key) < MIN_CELL]
    assert primary, "the test wave must have small cells"
    ranges = attack(published, total, outside, finest, population_cells)
    failures = []
    for key in primary:
        n = true_count(key)
        low, high = ranges[key]
        if not (low <= (1 - RATIO) * n + 1e-6 and high >= (1 + RATIO) * n - 1e-6 and high - low >= MIN_CELL - 1e-6):
            failures.append((key, n, round(low, 3), round(high, 3)))
    assert failures == [], f"hidden counts narrowed by the published ones: {failures}"
    # every count below the threshold is hidden, and not more than needed is: the totals stay
    assert all(n is None for key, n in published.items() if 0 < true_count(key) < MIN_CELL)
    assert all(published[(("area", code),)] is not None for code in areas.values())


def test_when_no_pattern_can_be_found_only_the_number_of_responses_is_shown(staff_db: Session, analyst: FlaskClient,
                                                                           tmp_path: Path, monkeypatch) -> None:
    from survey_app.insights import participation

    def failing(*args: object, **kwargs: object) -> None:
        raise ValueError("no pattern")

    make_result_waves(staff_db, tmp_path, responses=400, earlier=False)
    monkeypatch.setattr(participation, "protect", failing)
    participation.protected_counts.cache_clear()
    response = analyst.get(f"/analys/{NOW_SLUG}?weighting=none")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    survey = survey_by_slug(staff_db, NOW_SLUG)
    published = published_counts(html, {a.name: a.code for a in survey.areas})
    assert published
    assert all(n in (None, 0) for n in published.values())  # a zero tells nothing about anyone
    assert sum(n is None for n in published.values()) > len(published) / 2
    assert "deras antal är dolt" in html
    participation.protected_counts.cache_clear()
