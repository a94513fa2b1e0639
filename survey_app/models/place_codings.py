"""The survey's unsafe places coded into the walk observation categories (STANDARDS §4), one row per place.

A respondent names up to three places (``unsafe_place_area_N`` and ``unsafe_place_text_N``); an analyst puts each
described place in a category, helped by a suggestion from its words (survey_app/problem_picture/places.py). The row
holds the category and who set it, never the text, so the lägesbild counts places without reading any free text.
The place goes with its response (retention deletes both); every change is in the audit log.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from survey_app.db import Base, enum_type, utcnow
from survey_app.models.dialogues import ObservationCategory


class UnsafePlaceCoding(Base):
    __tablename__ = "unsafe_place_codings"
    __table_args__ = (UniqueConstraint("response_id", "place"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"))
    place: Mapped[int] = mapped_column(Integer)  # 1, 2 or 3: which of the respondent's places
    category: Mapped[ObservationCategory] = mapped_column(
        enum_type(ObservationCategory, length=16, check="place_category_known"))
    # what the words suggested when the analyst confirmed or changed it (None: no keyword matched)
    suggested: Mapped[ObservationCategory | None] = mapped_column(
        enum_type(ObservationCategory, length=16, check="place_suggested_known"))
    coded_by: Mapped[str] = mapped_column(String(254))
    coded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
