"""Replies posted as the brand: the outbox that `desk.service.add_reply` fills, drained through each platform.

A reply is queued in the agent's own transaction (`store.connectors.queue_reply`), so it cannot be lost between
"sent" in the desk and the platform. The dispatcher claims due replies, calls the platform's `ReplySender` outside
any transaction, and records the outcome on the queue row and on the case's reply event. Transient failures
(network, 429, 5xx) are retried with growing delays up to `max_attempts`; a refusal (4xx) fails at once with the
platform's reason. A reply claimed by a dispatcher that died mid-call is marked `unknown` rather than re-sent,
because it may already be public and a customer must not get it twice.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

import httpx
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from wakeful.core.clock import Clock
from wakeful.ingest.connectors.base import rate_limit_wait
from wakeful.store.connectors import OutboundReplyRow, mark_delivery
from wakeful.store.db import Database
from wakeful.store.models import CaseEventRow, PostRow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outgoing:
    """What a sender needs: the text, and the customer's post it answers (its platform id and payload)."""

    id: int
    platform: str
    text: str
    in_reply_to: str
    parent_raw: dict[str, Any] = field(default_factory=dict)
    parent_handle: str | None = None


class SendError(Exception):
    """A send that did not happen; `permanent` means retrying cannot help, `wait` is the platform's back-off."""

    def __init__(self, message: str, *, permanent: bool = False, wait: float | None = None) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.wait = wait


class ReplySender(Protocol):
    def send(self, reply: Outgoing) -> str:
        """Post the reply; returns the platform's id of the new post, or raises SendError."""
        ...


def check_response(r: httpx.Response, now: datetime) -> None:
    """Raise SendError for a failed platform call: 429/408/5xx may pass, any other 4xx will not."""
    if r.status_code == 429:
        raise SendError("rate limited (HTTP 429)", wait=rate_limit_wait(r.headers, now))
    if r.status_code >= 500 or r.status_code == 408:
        raise SendError(f"HTTP {r.status_code} from the platform")
    if r.status_code >= 400:
        raise SendError(f"HTTP {r.status_code}: {r.text[:300]}", permanent=True)


@dataclass
class DispatchResult:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    not_sent: int = 0


class ReplyDispatcher:
    """Sends queued replies through the senders configured per platform value ("x", "mastodon", …)."""

    def __init__(self, db: Database, clock: Clock, senders: Mapping[str, ReplySender], max_attempts: int = 8,
                 stale_after: timedelta = timedelta(minutes=10)) -> None:
        self.db, self.clock, self.senders = db, clock, dict(senders)
        self.max_attempts, self.stale_after = max_attempts, stale_after

    def dispatch(self, limit: int = 50) -> DispatchResult:
        result = DispatchResult()
        now = self.clock.now()
        pending = OutboundReplyRow.state == "pending"
        sendable = OutboundReplyRow.platform.in_(list(self.senders)) & OutboundReplyRow.in_reply_to.is_not(None)
        with self.db.session() as s:
            for row in s.scalars(select(OutboundReplyRow).where(
                    OutboundReplyRow.state == "sending", OutboundReplyRow.next_attempt_at < now - self.stale_after)):
                self._finish(s, row, "unknown", "unknown: the sender stopped mid-call; check the platform")
            # Nothing can send these: say so at once, in one transaction (a demo day queues thousands).
            for row in s.scalars(select(OutboundReplyRow).where(pending, ~sendable).limit(1000)):
                why = "no customer post to answer" if row.in_reply_to is None else f"no connector for {row.platform}"
                row.attempts += 1
                self._finish(s, row, "not_sent", f"not sent: {why}")
                result.not_sent += 1
            due = list(s.scalars(select(OutboundReplyRow.id).where(
                pending, sendable, OutboundReplyRow.next_attempt_at <= now).order_by(OutboundReplyRow.id).limit(limit)))
        for reply_id in due:
            self._one(reply_id, result)
        return result

    def _claim(self, reply_id: int) -> Outgoing | None:
        """Mark the reply as being sent (only one dispatcher wins) and read what the sender needs."""
        now = self.clock.now()
        with self.db.session() as s:
            won = s.execute(update(OutboundReplyRow).where(
                OutboundReplyRow.id == reply_id, OutboundReplyRow.state == "pending",
            ).values(state="sending", next_attempt_at=now))
            if getattr(won, "rowcount", 0) != 1:
                return None
            row = s.get(OutboundReplyRow, reply_id)
            assert row is not None
            parent = s.scalars(select(PostRow).where(
                PostRow.platform == row.platform, PostRow.platform_id == row.in_reply_to)).first()
            return Outgoing(id=row.id, platform=row.platform, text=row.text, in_reply_to=row.in_reply_to or "",
                            parent_raw=dict(parent.raw or {}) if parent else {},
                            parent_handle=parent.author.handle if parent else None)

    def _one(self, reply_id: int, result: DispatchResult) -> None:
        out = self._claim(reply_id)
        if out is None:
            return
        error: SendError | None = None
        platform_id: str | None = None
        try:
            platform_id = self.senders[out.platform].send(out)
        except SendError as e:
            error = e
        except (httpx.HTTPError, OSError) as e:
            error = SendError(f"{type(e).__name__}: {e}")
        except Exception as e:  # e.g. an unreadable answer: the reply may be public already, so do not resend
            log.exception("sending reply %s on %s failed unexpectedly", reply_id, out.platform)
            with self.db.session() as s:
                row = s.get(OutboundReplyRow, reply_id)
                assert row is not None
                row.attempts += 1
                self._finish(s, row, "unknown", f"unknown: {type(e).__name__}: {e}; check the platform")
            result.failed += 1
            return
        now = self.clock.now()
        with self.db.session() as s:
            row = s.get(OutboundReplyRow, reply_id)
            assert row is not None
            row.attempts += 1
            if error is None:
                row.sent_at, row.platform_reply_id = now, platform_id
                self._finish(s, row, "sent", "sent", platform_reply_id=platform_id)
                result.sent += 1
            elif error.permanent or row.attempts >= self.max_attempts:
                self._finish(s, row, "failed", f"failed after {row.attempts} attempt(s): {error}")
                result.failed += 1
            else:
                delay = error.wait if error.wait is not None else min(30.0 * 2 ** (row.attempts - 1), 3600.0)
                row.next_attempt_at = now + timedelta(seconds=delay)
                self._finish(s, row, "pending", "retrying", error=str(error))
                result.retrying += 1

    @staticmethod
    def _finish(s: Session, row: OutboundReplyRow, state: str, delivery: str, error: str | None = None,
                **extra: Any) -> None:
        """Set the queue row's state and show `delivery` (and the error, if any) on the case's reply event."""
        row.state = state
        error = error or (delivery if state in ("not_sent", "failed", "unknown") else None)
        row.last_error = error[:1000] if error else None
        event = s.get(CaseEventRow, row.event_id) if row.event_id else None
        if event is not None:
            mark_delivery(event, delivery[:300], **({"error": error[:300]} if error and error != delivery else {}),
                          **extra)
