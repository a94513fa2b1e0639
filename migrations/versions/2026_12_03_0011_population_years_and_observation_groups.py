"""population years and observation groups

Issue 12: an area keeps its population per year (the year SCB's figures refer to), and a wave records which year it
is weighted to. The figures already stored get the year 2025 (the demo's and the first municipalities' figures are
end-of-2025 counts); an admin corrects the year in the population form if theirs differ. An observation may name the
group that raised it (girls, boys, older residents ...).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 16:40:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RAISED_BY = ("girls", "boys", "young_people", "women", "men", "older_residents", "parents", "businesses", "mixed")


def upgrade() -> None:
    with op.batch_alter_table("area_populations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("year", sa.Integer(), nullable=False, server_default="2025"))
        batch_op.drop_constraint(batch_op.f("uq_area_populations_area_id_gender_age_band"), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_area_populations_area_id_year_gender_age_band"), ["area_id", "year", "gender", "age_band"])
    with op.batch_alter_table("area_populations", schema=None) as batch_op:
        batch_op.alter_column("year", server_default=None)
    with op.batch_alter_table("surveys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("population_year", sa.Integer(), nullable=True))
    with op.batch_alter_table("observations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("raised_by", sa.String(length=32), nullable=True))
        batch_op.create_check_constraint(
            batch_op.f("ck_observations_raised_by_known"),
            "raised_by IN (" + ", ".join(f"'{v}'" for v in RAISED_BY) + ")")


def downgrade() -> None:
    with op.batch_alter_table("observations", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_observations_raised_by_known"), type_="check")
        batch_op.drop_column("raised_by")
    with op.batch_alter_table("surveys", schema=None) as batch_op:
        batch_op.drop_column("population_year")
    # Only the latest year of each area fits the old table (one figure per area, gender and age band).
    op.execute("DELETE FROM area_populations WHERE year < (SELECT MAX(p.year) FROM area_populations p "
               "WHERE p.area_id = area_populations.area_id)")
    with op.batch_alter_table("area_populations", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_area_populations_area_id_year_gender_age_band"), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_area_populations_area_id_gender_age_band"), ["area_id", "gender", "age_band"])
        batch_op.drop_column("year")
