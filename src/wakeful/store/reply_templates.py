"""Reply templates a brand has approved, per topic and language: the first drafts the desk suggests."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from wakeful.store.models import Base


class ReplyTemplateRow(Base):
    """One approved line for one topic ('general' for any) in one language; `approved_by` is the lead who saved it."""

    __tablename__ = "reply_templates"
    __table_args__ = (UniqueConstraint("brand", "topic", "lang", name="uq_reply_template"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand: Mapped[str] = mapped_column(String(64))
    topic: Mapped[str] = mapped_column(String(64))
    lang: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    approved_by: Mapped[str] = mapped_column(String(128))
    approved_at: Mapped[datetime]
