"""Areas with their population, and the focus areas of the samverkansöverenskommelse."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

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
        UniqueConstraint("area_id", "gender", "age_band"),
        CheckConstraint("population >= 0", name="population_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"))
    gender: Mapped[str] = mapped_column(String(32))
    age_band: Mapped[str] = mapped_column(String(16))
    population: Mapped[int] = mapped_column(Integer)

    area: Mapped[Area] = relationship(back_populates="population")


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
