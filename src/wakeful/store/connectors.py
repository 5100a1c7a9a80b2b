"""Where each platform connector stands, so a restart resumes from its cursor instead of losing or re-reading posts.

Kept in its own module so the connectors feature owns its table (see `store/registry.py`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from wakeful.store.models import Base


class ConnectorStateRow(Base):
    """One connector's resume position and health; written after each delivered batch."""

    __tablename__ = "connector_state"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    cursor: Mapped[str | None] = mapped_column(Text, doc="Platform-specific resume position (since-id, time_us)")
    last_event_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]
    events: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
