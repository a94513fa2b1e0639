"""One suppression pattern for the who-answered tables and the results tables of a wave.

The overview publishes respondents per group (:mod:`survey_app.insights.participation`); each results table publishes,
per group, the valid answers ``n`` of a measure. Cell by cell, valid answers never exceed respondents, so the tables
bound each other: a published respondent count caps a hidden ``n`` (and pins it for an item nearly everyone answers),
and a published ``n`` is a floor under a hidden respondent count. Protected one by one, each kind of table chose its
own complementary groups, and together they gave hidden counts away (tests/web/insights/test_cross_table_protection.py).

Here every table of the wave hides the same groups, the union of what each hides alone:

1. the results tables are protected on their own (:func:`analysis.report.run_analysis`, unweighted; the pattern does
   not depend on the weighting), and every inner group (area × gender, area × age band, under 18 × gender) that any
   measure hides is collected (:func:`results_hidden`). Margins (an area, a gender, an age band) that one measure
   hides as a complement are left out: hidden in every table they would take the gender gap or an area's figures
   off every page; the who-answered search hides a margin only when its own primary groups need it;
2. the who-answered tables are protected starting from those groups
   (:func:`survey_app.insights.participation.who_hidden`);
3. every results table hides every group hidden in step 2 (:func:`hide_in_results`; ``run_analysis(hide=...)``).
   Each measure's own pattern is inside the union, and suppressing more never narrows a range, so its primary groups
   keep their protection; and since the union contains every measure's pattern, step 3 adds nothing step 1 must see
   again: one round reaches the common pattern.

With one pattern, a hidden group's respondents and its valid answers in every measure are hidden together, and the
published equations leave the same directions free in each table.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from analysis.grid import Group
from survey_app.insights import service
from survey_app.models import Survey

__all__ = ["hide_in_results", "results_hidden"]

# who-answered table -> the dimensions of a results group of that kind
TABLES = {("area",): "area", ("gender",): "gender", ("age_band",): "age_band", ("area", "gender"): "area_gender",
          ("area", "age_band"): "area_age_band", ("age_group",): "age_group",
          ("age_group", "gender"): "age_group_gender"}
RESULT_DIMENSIONS = {table: dims for dims, table in TABLES.items()}


def results_hidden(session: Session, survey: Survey) -> frozenset:
    """(who-answered table, key) of every group some results table of the wave hides on its own."""
    try:
        result = service.analyse_wave(session, survey, weighting="none", joint=False)
    except ValueError:
        return frozenset()
    out = set()
    for row in result.measures:
        # inner groups only: a margin (an area, a gender) one measure hides as a complement is not hidden in all
        if row.n is None and row.suppressed and len(row.group) == 2:
            table = TABLES.get(tuple(d for d, _ in row.group))
            if table is not None:
                out.add((table, tuple(v for _, v in row.group)))
    return frozenset(out)


def hide_in_results(session: Session, survey: Survey) -> tuple[Group, ...]:
    """The results groups to hide in every measure: those the who-answered tables hide."""
    from survey_app.insights.participation import who_hidden

    out = []
    for key in sorted(who_hidden(session, survey), key=repr):
        if len(key) != 2 or key[0] not in RESULT_DIMENSIONS:
            continue  # the total, the respondents outside the population table
        table, values = key
        out.append(tuple(zip(RESULT_DIMENSIONS[table], values, strict=True)))
    return tuple(out)
