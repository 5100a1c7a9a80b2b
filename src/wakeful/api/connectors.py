"""Connector health and the reply queue, for leads and admins, each limited to the caller's brands.

GET /api/v1/connectors: each platform connector's cursor and health; `needs_action` flags a refusal no retry mends
(`action`: credentials rejected, or a rule the platform refused) that a person must fix before it listens again,
and `action_message` says what to fix; a passing error since then does not hide it.
GET /api/v1/connectors/replies: replies on their way to the platforms (filter by state, e.g. `failed`);
POST …/replies/{id}/retry queues a failed one again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, Field
from sqlalchemy import select

from wakeful.api.deps import DbSession, DeskDep, Lead, RowId
from wakeful.core.clock import as_utc
from wakeful.store.connectors import Action, ConnectorStateRow, OutboundReplyRow, mark_delivery
from wakeful.store.models import CaseEventRow

router = APIRouter(prefix="/api/v1", tags=["connectors"])


class ConnectorHealth(BaseModel):
    name: str
    platform: str
    brands: list[str] | None
    cursor: str | None
    last_event_at: datetime | None
    lag_s: float | None
    updated_at: datetime
    events: int
    errors: int
    last_error: str | None
    needs_action: bool
    action: str | None = Field(description=f"What a person must fix: {', '.join(Action)}; null when nothing")
    action_message: str | None = Field(description="What to fix first, then the platform's words")


@router.get("/connectors")
def list_connectors(who: Lead, session: DbSession, desk: DeskDep) -> list[ConnectorHealth]:
    """Lag is measured from the newest post a connector delivered, so a silent stream shows up as growing lag.

    A lead sees the connectors that listen for their brand (and those serving every brand)."""
    now = desk.clock.now()
    mine = who.brands
    rows = session.scalars(select(ConnectorStateRow).order_by(ConnectorStateRow.name))
    return [ConnectorHealth(
        name=r.name, platform=r.platform, brands=r.brands, cursor=r.cursor,
        last_event_at=as_utc(r.last_event_at) if r.last_event_at else None,
        lag_s=(now - as_utc(r.last_event_at)).total_seconds() if r.last_event_at else None,
        updated_at=as_utc(r.updated_at), events=r.events, errors=r.errors, last_error=r.last_error,
        needs_action=r.needs_action is not None, action=r.needs_action, action_message=r.action_message,
    ) for r in rows if mine is None or not r.brands or mine & set(r.brands)]


ReplyState = Literal["pending", "sending", "sent", "failed", "not_sent", "unknown"]


class OutboundReply(BaseModel):
    id: int
    case_id: int
    brand: str
    platform: str
    in_reply_to: str | None
    text: str
    actor: str
    state: str
    attempts: int
    created_at: datetime
    next_attempt_at: datetime
    sent_at: datetime | None
    platform_reply_id: str | None
    last_error: str | None


def _view(r: OutboundReplyRow) -> OutboundReply:
    return OutboundReply(
        id=r.id, case_id=r.case_id, brand=r.brand, platform=r.platform, in_reply_to=r.in_reply_to, text=r.text,
        actor=r.actor, state=r.state,
        attempts=r.attempts, created_at=as_utc(r.created_at), next_attempt_at=as_utc(r.next_attempt_at),
        sent_at=as_utc(r.sent_at) if r.sent_at else None, platform_reply_id=r.platform_reply_id,
        last_error=r.last_error)


@router.get("/connectors/replies")
def list_replies(who: Lead, session: DbSession, state: ReplyState | None = None,
                 limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[OutboundReply]:
    """The newest replies first; `state=failed` lists those that need a person's attention."""
    stmt = select(OutboundReplyRow).order_by(OutboundReplyRow.id.desc()).limit(limit)
    if who.brands is not None:
        stmt = stmt.where(OutboundReplyRow.brand.in_(who.brands))
    if state is not None:
        stmt = stmt.where(OutboundReplyRow.state == state)
    return [_view(r) for r in session.scalars(stmt)]


@router.post("/connectors/replies/{reply_id}/retry")
def retry_reply(reply_id: RowId, who: Lead, session: DbSession, desk: DeskDep) -> OutboundReply:
    """Queue a failed (or unknown-outcome) reply again, e.g. after fixing credentials; the next dispatch sends it."""
    row = session.get(OutboundReplyRow, reply_id)
    if row is None or (who.brands is not None and row.brand not in who.brands):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no reply {reply_id}")
    if row.state not in ("failed", "unknown", "not_sent"):
        raise HTTPException(status.HTTP_409_CONFLICT, f"reply {reply_id} is {row.state}; only failed, unknown or "
                                                      "not_sent replies can be retried")
    row.state, row.attempts, row.next_attempt_at = "pending", 0, desk.clock.now()
    event = session.get(CaseEventRow, row.event_id) if row.event_id else None
    if event is not None:
        mark_delivery(event, "pending", retried_by=who.name)
    session.flush()
    return _view(row)
