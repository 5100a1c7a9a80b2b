"""Where each platform connector stands, and the desk's replies waiting to go out through one.

Kept in its own module so the connectors feature owns its tables (see `store/registry.py`).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from wakeful.store.models import Base, CaseEventRow, CasePostRow, CaseRow, PostRow


class Action(StrEnum):
    """What an operator must change before a connector listens (fully) again: no retry mends it. Stored in
    `connector_state.needs_action`, and cleared once the connector gets in again."""

    CREDENTIALS = "credentials"
    """The platform rejected the credentials (401 after any token renewal, or 403)."""
    RULE = "rule"
    """The platform refused what a brand listens for: an X rule or query, a subreddit closed to the app."""

    @property
    def prefix(self) -> str:
        """How the line an operator reads begins, e.g. "credentials rejected by X: fix … and restart. X said …"."""
        return f"{self.value} rejected"


CREDENTIALS_REJECTED = Action.CREDENTIALS.prefix
RULE_REJECTED = Action.RULE.prefix
LAST_ERROR_CHARS = 500
"""A passing error (a timeout, a 500) is one line on the dashboard; the platform's words in it are cut before, by
`ingest.connectors.base.reason_of`: at 300 characters, or 200 of a body that is not JSON."""
ACTION_CHARS = 2000
"""An action line names each refused rule or subreddit with the platform's reason (up to 600 characters each)."""


def clip(message: str, limit: int, keep: int = 0) -> str:
    """`message` cut to `limit` characters, the cut marked with "…", but never within its first `keep`."""
    end = max(limit - 1, keep)
    return message if len(message) <= limit or end >= len(message) else message[:end].rstrip() + "…"


def clip_action(message: str) -> str:
    """An action line cut to ACTION_CHARS, its first sentence (what to fix, however many brands or subreddits it
    names) kept whole: only the platform's words after it may be cut."""
    head = message.find(". ")
    return clip(message, ACTION_CHARS, keep=len(message) if head < 0 else head + 1)


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
    last_error: Mapped[str | None] = mapped_column(Text, doc="The latest failure, passing or not")
    brands: Mapped[list[str] | None] = mapped_column(JSON, doc="Brand keys it listens for; null: every brand")
    needs_action: Mapped[str | None] = mapped_column(
        String(16), doc="An `Action` (credentials, rule) an operator must take; null when none. Kept apart from "
                        "last_error, which a passing failure after the refusal overwrites")
    action_message: Mapped[str | None] = mapped_column(Text, doc="What to fix, then the platform's words")


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


def queue_reply(session: Session, case: CaseRow, event: CaseEventRow, now: datetime,
                to: PostRow | None = None) -> OutboundReplyRow:
    """Queue the reply `event` to go out as an answer to `to`, the customer's latest post (the desk knows which
    accounts are the customer's: a merged case has several); without one, the case's latest post."""
    post = to if to is not None else session.scalars(
        select(PostRow).join(CasePostRow, CasePostRow.post_id == PostRow.id)
        .where(CasePostRow.case_id == case.id).order_by(PostRow.created_at.desc()).limit(1)
    ).first()
    session.flush()  # the event's id, which the reply row names
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
