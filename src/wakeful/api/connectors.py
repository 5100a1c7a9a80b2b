"""GET /api/v1/connectors: each platform connector's cursor and health, for leads and admins."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import select

from wakeful.api.deps import DbSession, DeskDep, Lead
from wakeful.core.clock import as_utc
from wakeful.store.connectors import ConnectorStateRow

router = APIRouter(prefix="/api/v1", tags=["connectors"])


class ConnectorHealth(BaseModel):
    name: str
    platform: str
    cursor: str | None
    last_event_at: datetime | None
    lag_s: float | None
    updated_at: datetime
    events: int
    errors: int
    last_error: str | None


@router.get("/connectors")
def list_connectors(_: Lead, session: DbSession, desk: DeskDep) -> list[ConnectorHealth]:
    """Lag is measured from the newest post a connector delivered, so a silent stream shows up as growing lag."""
    now = desk.clock.now()
    rows = session.scalars(select(ConnectorStateRow).order_by(ConnectorStateRow.name))
    return [ConnectorHealth(
        name=r.name, platform=r.platform, cursor=r.cursor,
        last_event_at=as_utc(r.last_event_at) if r.last_event_at else None,
        lag_s=(now - as_utc(r.last_event_at)).total_seconds() if r.last_event_at else None,
        updated_at=as_utc(r.updated_at), events=r.events, errors=r.errors, last_error=r.last_error,
    ) for r in rows]
