"""Each case's latest risk assessment, recomputed as engagement arrives (desk/risk.py writes it)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, Float, ForeignKey, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column

from wakeful.store.models import Base


class CaseRiskRow(Base):
    __tablename__ = "case_risk"

    case_id: Mapped[int] = mapped_column(Integer, ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    score: Mapped[float] = mapped_column(Float)
    summary: Mapped[str] = mapped_column(Text)
    factors: Mapped[list[dict[str, object]]] = mapped_column(JSON, default=list)
    promoted: Mapped[bool] = mapped_column(Boolean, default=False)
    forecast_6h: Mapped[int | None] = mapped_column(BigInteger)
    forecast_6h_low: Mapped[int | None] = mapped_column(BigInteger)
    forecast_6h_high: Mapped[int | None] = mapped_column(BigInteger)
    forecast_24h: Mapped[int | None] = mapped_column(BigInteger)
    fake_share: Mapped[float] = mapped_column(Float, default=0.0)
    genuine_reach: Mapped[int] = mapped_column(
        BigInteger, doc="The audience the case's posts have now, less views judged bought")
    computed_at: Mapped[datetime]
    alerted_at: Mapped[datetime | None] = mapped_column(doc="When the desk alerted on this case's risk, once")
