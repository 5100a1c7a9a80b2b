"""Every notification the desk sent or gave up on: the delivery log, whose `dead` rows are the dead-letter log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from wakeful.store.models import Base


class NotificationRow(Base):
    """One event sent to one channel: `delivered` after a success, `dead` once the last retry failed (kept with
    its payload and last error, so it can be inspected and sent again)."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_status", "status", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(64))
    event: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime]
