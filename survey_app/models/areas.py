"""Areas with their population, and the focus areas of the samverkansöverenskommelse."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from survey_app.db import Base


class Area(Base):
    """An område: the unit of breakdown and of design weighting."""

    __tablename__ = "areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    geometry: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # GeoJSON geometry object

    population: Mapped[list[AreaPopulation]] = relationship(
        back_populates="area", cascade="all, delete-orphan", order_by="AreaPopulation.id"
    )


class AreaPopulation(Base):
    """Population of an area by gender and age band: the margins that weighting calibrates to."""

    __tablename__ = "area_populations"
    __table_args__ = (
        UniqueConstraint("area_id", "year", "gender", "age_band"),
        CheckConstraint("population >= 0", name="population_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"))
    # The year the figures refer to (SCB counts the population on 31 December); an area keeps every year it was given,
    # and a wave is weighted to one of them (`Survey.population_year`).
    year: Mapped[int] = mapped_column(Integer)
    gender: Mapped[str] = mapped_column(String(32))
    age_band: Mapped[str] = mapped_column(String(16))
    population: Mapped[int] = mapped_column(Integer)

    area: Mapped[Area] = relationship(back_populates="population")


def population_years(session: Session, area_ids: Iterable[int]) -> list[int]:
    """The years some of these areas have population figures for, newest first."""
    ids = list(area_ids)
    return list(session.scalars(select(AreaPopulation.year).where(AreaPopulation.area_id.in_(ids))
                                .group_by(AreaPopulation.year).order_by(AreaPopulation.year.desc()))) if ids else []


def population_of(session: Session, area_id: int, year: int | None) -> list[AreaPopulation]:
    """An area's population cells for `year`, or for its latest year when `year` is None (a wave that names no year).

    The one place that chooses which year's figures weight a wave: whatever reads a wave's population reads it here.
    """
    if year is None:
        year = session.scalar(select(func.max(AreaPopulation.year)).where(AreaPopulation.area_id == area_id))
        if year is None:
            return []
    return list(session.scalars(select(AreaPopulation).where(AreaPopulation.area_id == area_id,
                                                             AreaPopulation.year == year)
                                .order_by(AreaPopulation.gender, AreaPopulation.age_band)))


class FocusArea(Base):
    """A fokusområde of the samverkansöverenskommelse; the seven Karlskoga ones are seeded, admin edits them.

    Dialogues and observations are tagged with them today; the problem picture and the promises are organised by them.
    """

    __tablename__ = "focus_areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
