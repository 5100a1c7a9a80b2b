"""Brand settings that leads change from the dashboard, kept as versions so every change is on record."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from wakeful.store.models import Base


class BrandSettingsRow(Base):
    """One saved version of a brand's settings; the highest version per brand is in force."""

    __tablename__ = "brand_settings"
    __table_args__ = (UniqueConstraint("brand", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int]
    config: Mapped[dict[str, Any]] = mapped_column(JSON)
    changed_at: Mapped[datetime]
    changed_by: Mapped[str] = mapped_column(String(128))
