"""Incidents: spikes the desk detected, grouped per brand and topic, with the holding statement a lead approves."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from wakeful.store.models import Base


class IncidentRow(Base):
    __tablename__ = "incidents"
    __table_args__ = (Index("ix_incidents_brand_open", "brand", "closed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(64), doc="The topic, or 'negative-share'")
    opened_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    peak_score: Mapped[float] = mapped_column(Float)
    peak_observed: Mapped[int] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(Text)
    statement: Mapped[str | None] = mapped_column(Text)
    statement_by: Mapped[str | None] = mapped_column(String(128))
    statement_at: Mapped[datetime | None]
