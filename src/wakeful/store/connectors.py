"""Where each platform connector stands, and the desk's replies waiting to go out through one.

Kept in its own module so the connectors feature owns its tables (see `store/registry.py`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from wakeful.store.models import Base, CaseEventRow, CasePostRow, CaseRow, PostRow

CREDENTIALS_REJECTED = "credentials rejected"
RULE_REJECTED = "rule rejected"
NEEDS_ACTION = (CREDENTIALS_REJECTED, RULE_REJECTED)
"""How `last_error` begins when no retry mends it and the operator must change a setting and restart; the column
holds it (no schema change), and a connector clears it once it connects again."""


def needs_action(last_error: str | None) -> bool:
    """Whether a stored error is one the operator must fix (rejected credentials, a rule the platform refused)."""
    return bool(last_error) and str(last_error).startswith(NEEDS_ACTION)


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
    brands: Mapped[list[str] | None] = mapped_column(JSON, doc="Brand keys it listens for; null: every brand")


class OutboundReplyRow(Base):
    """A reply an agent wrote, on its way to the platform: queued in the reply's transaction, so none is lost.

    `state` is pending (to send at `next_attempt_at`), sending (claimed by a dispatcher), sent, failed (gave up or
    the platform refused), not_sent (no connector for the platform) or unknown (a dispatcher died mid-send: it
    may be on the platform, so it is not sent twice blindly).
    """

    __tablename__ = "outbound_replies"
    __table_args__ = (Index("ix_outbound_replies_due", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("case_events.id", ondelete="SET NULL"))
    brand: Mapped[str] = mapped_column(String(64))
    platform: Mapped[str] = mapped_column(String(16))
    in_reply_to: Mapped[str | None] = mapped_column(String(256), doc="The platform id of the customer's post")
    text: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(128))
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    platform_reply_id: Mapped[str | None] = mapped_column(String(256))
    last_error: Mapped[str | None] = mapped_column(Text)


def queue_reply(session: Session, case: CaseRow, event: CaseEventRow, now: datetime) -> OutboundReplyRow:
    """Queue the reply `event` to go out as an answer to the customer's latest post in the case."""
    post = session.scalars(
        select(PostRow).join(CasePostRow, CasePostRow.post_id == PostRow.id)
        .where(CasePostRow.case_id == case.id).order_by(PostRow.created_at.desc()).limit(1)
    ).first()
    session.flush([event])
    row = OutboundReplyRow(case_id=case.id, event_id=event.id, brand=case.brand,
                           platform=post.platform if post else case.platform,
                           in_reply_to=post.platform_id if post else None, text=event.text or "", actor=event.actor,
                           state="pending", attempts=0, created_at=now, next_attempt_at=now)
    session.add(row)
    mark_delivery(event, "pending")
    return row


def mark_delivery(event: CaseEventRow, delivery: str, **extra: Any) -> None:
    """Show the reply's delivery on the case timeline (the event's data; a new dict so the JSON change is saved)."""
    event.data = {**(event.data or {}), "delivery": delivery, **extra}
