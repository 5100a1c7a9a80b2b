"""Every notification the desk accepted: the outbox while it waits, then the delivery log, whose `dead` rows are
the dead-letter log.

A row is written `pending` before anything is sent, so an event survives a crash of the process that accepted it;
a sender first claims the row (`sending`, with the time), in one conditional UPDATE, so two processes never both
take a pending row. A claim older than the lease is taken to be a dead sender's and may be claimed again: delivery
is at least once, and the row id (sent as the delivery id) lets a receiver drop a repeat.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text, and_, false, func, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from wakeful.store.models import Base

PENDING, SENDING, DELIVERED, DEAD = "pending", "sending", "delivered", "dead"


class NotificationRow(Base):
    """One event for one channel: `pending` until a sender claims it (`sending`), then `delivered` after a success
    or `dead` once the last retry failed (kept with its payload and last error, so it can be inspected and sent
    again)."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_status", "status", "created_at"),
                      # `accepted` (the morning report's once a day, read on every tick) reads one event since a time
                      Index("ix_notifications_event", "event", "created_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(64))
    event: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    claimed_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


def pending(channel: str, event: str, payload: dict[str, Any], now: datetime) -> NotificationRow:
    """A new outbox row; the payload as JSON will carry it (anything else as its text), so a resumed delivery sends
    exactly what the first one would have."""
    stored = json.loads(json.dumps(payload, default=str))
    return NotificationRow(channel=channel, event=event, payload=stored, status=PENDING, attempts=0, created_at=now)


def claim(session: Session, row_id: int, now: datetime, stale_before: datetime) -> NotificationRow | None:
    """Take the row for sending if it is pending, or claimed before `stale_before` by a sender presumed dead; None
    when another sender has it or it is finished."""
    free = or_(NotificationRow.status == PENDING,
               and_(NotificationRow.status == SENDING, NotificationRow.claimed_at < stale_before))
    won = session.execute(update(NotificationRow).where(NotificationRow.id == row_id, free)
                          .values(status=SENDING, claimed_at=now))
    if getattr(won, "rowcount", 0) != 1:
        return None
    return session.get(NotificationRow, row_id, populate_existing=True)


def finish(session: Session, row_id: int, attempts: int, error: str | None, now: datetime) -> None:
    """Record how the sender's tries ended: `delivered`, or `dead` with the last error."""
    session.execute(update(NotificationRow).where(NotificationRow.id == row_id).values(
        status=DEAD if error is not None else DELIVERED, attempts=NotificationRow.attempts + attempts,
        last_error=error, finished_at=now))


def unfinished(session: Session) -> list[tuple[int, datetime | None]]:
    """Rows still `pending` or `sending`, oldest first, with when they were claimed (None: never)."""
    stmt = (select(NotificationRow.id, NotificationRow.claimed_at)
            .where(NotificationRow.status.in_([PENDING, SENDING]))
            .order_by(NotificationRow.created_at, NotificationRow.id))
    return [(row_id, claimed) for row_id, claimed in session.execute(stmt)]


def serialize(session: Session, key: str, *, wait: bool = True) -> bool:
    """Hold, until the session's transaction ends, a lock that every other caller with `key` waits for, so that a
    check for an earlier row and the insert after it are one step across server processes (an event sent once a
    day, however many processes tick). PostgreSQL: a transaction advisory lock on the key. SQLite allows one writer
    at a time, so a write that changes nothing takes its lock; call this first in the transaction, before any
    read, so that what is read after it includes every row committed before it.

    With `wait=False`, False at once where another transaction holds the key on PostgreSQL: for a caller that
    already holds row locks others may wait for, and can leave the work to the holder (waiting could deadlock).
    SQLite always waits (up to its busy timeout): there, such a caller has written already, so holds the lock."""
    if session.get_bind().dialect.name == "postgresql":
        lock_id = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
        if not wait:
            return bool(session.scalar(select(func.pg_try_advisory_xact_lock(lock_id))))
        session.execute(select(func.pg_advisory_xact_lock(lock_id)))
    else:
        session.execute(update(NotificationRow).where(false()).values(status=NotificationRow.status),
                        execution_options={"synchronize_session": False})
    return True


def accepted(session: Session, event: str, since: datetime, **fields: str) -> list[NotificationRow]:
    """The rows of `event` accepted at or after `since` whose payload has these text fields, in any status (a
    dead-lettered event was accepted too), oldest first."""
    stmt = select(NotificationRow).where(NotificationRow.event == event, NotificationRow.created_at >= since,
                                         *(NotificationRow.payload[k].as_string() == v for k, v in fields.items()))
    return list(session.scalars(stmt.order_by(NotificationRow.id)))
