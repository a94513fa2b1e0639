"""The LP attacker (tests/analysis/attacker.py) against the analysis of the demo municipality's responses."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from analysis.data import Responses
from analysis.measures import Measure
from analysis.report import run_analysis
from survey_app.cli import main
from survey_app.extensions import db
from survey_app.models import Answer, Response
from tests.analysis.attacker import attack, protection_failures, true_counts

UNSAFE = ("fairly_unsafe", "very_unsafe", "no_out_fear")
BASE = (*UNSAFE, "very_safe", "fairly_safe")
MEASURES = (Measure("unsafe_evening", "share", "unsafe_evening", counted=UNSAFE, base=BASE),
            Measure("very_unsafe", "share", "unsafe_evening", counted=("very_unsafe",), base=BASE),
            Measure("police_cares", "share", "trust_police_cares", counted=("agree_fully", "agree_mostly"),
                    base=("agree_fully", "agree_mostly", "disagree_mostly", "disagree_fully")))


def demo_columns(session) -> dict[str, list]:
    """The demo's responses as analysis input: blank area, gender or age band stays a category of its own."""
    items = {m.item for m in MEASURES}
    answers: dict = {}
    for response_id, item, code in session.execute(
            select(Answer.response_id, Answer.item_code, Answer.value_code).where(Answer.item_code.in_(items))):
        answers[(response_id, item)] = code or ""
    cols: dict[str, list] = {"area": [], "gender": [], "age_band": [], **{i: [] for i in sorted(items)}}
    for r in session.scalars(select(Response).order_by(Response.area_code, Response.gender, Response.age_band)):
        cols["area"].append(r.area_code or "unknown")
        cols["gender"].append(r.gender or "")
        cols["age_band"].append(r.age_band or "")
        for i in items:
            cols[i].append(answers.get((r.id, i), ""))
    return cols


def test_attacker_finds_no_suppressed_demo_cell_narrower_than_its_protection_interval(app: Flask) -> None:
    result = app.test_cli_runner().invoke(main, ["demo", "--no-earlier-wave"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        cols = demo_columns(db.session)
    assert len(cols["area"]) >= 3000
    published = run_analysis(Responses.from_columns(cols), list(MEASURES)).to_dict()
    assert any(r["symbol"] == "U" for r in published["measures"])
    assert all(r["n"] is not None for r in published["measures"] if r["group"] == {})
    intervals, pinned = attack(published)
    assert pinned == []
    failures = []
    for m in MEASURES:
        failures += protection_failures([iv for iv in intervals if iv.measure == m.name], true_counts(cols, m),
                                        published)
    assert failures == []
