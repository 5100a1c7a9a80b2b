"""Records the desk could not read: list them, try them again, set them aside.

Every refused delivery is kept (`IngestService.reject`, once per record), so nothing sent to the desk is lost. That
only helps if an operator can see them, replay the ones that now read (a post refused for a time ahead of the
desk's clock reads once the clock has caught up; one refused by an older version may read after an upgrade), and
dismiss the ones nobody will fix, so the list holds only what still needs a look. A replayed record goes through
the ordinary ingest path, so replaying twice stores nothing twice.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from wakeful.ingest.jsonl import RecordError, read_post
from wakeful.ingest.service import IngestService
from wakeful.store.models import RejectedRecordRow

REPLAYED, DISMISSED = "replayed", "dismissed"


@dataclass
class Retry:
    """What a retry did: records stored (or found stored already) and marked replayed, and why the others still
    cannot be read, by record id."""

    replayed: list[int] = field(default_factory=list)
    refused: dict[int, str] = field(default_factory=dict)


def _select(ids: Sequence[int] | None, source: str | None, resolved: bool) -> Select[RejectedRecordRow]:
    stmt = select(RejectedRecordRow)
    if not resolved:
        stmt = stmt.where(RejectedRecordRow.resolved_at.is_(None))
    if ids is not None:
        stmt = stmt.where(RejectedRecordRow.id.in_(list(ids)))
    if source is not None:
        stmt = stmt.where(RejectedRecordRow.source == source)
    return stmt


def listing(session: Session, *, source: str | None = None, resolved: bool = False,
            limit: int = 100) -> list[RejectedRecordRow]:
    """The newest records first; only those not yet replayed or dismissed unless `resolved`."""
    stmt = _select(None, source, resolved).order_by(RejectedRecordRow.at.desc(), RejectedRecordRow.id.desc())
    return list(session.scalars(stmt.limit(limit)))


def open_by_source(session: Session) -> dict[str, int]:
    """How many records still need a look, per source (a file, an API caller, a connector)."""
    rows = session.execute(select(RejectedRecordRow.source, func.count()).where(
        RejectedRecordRow.resolved_at.is_(None)).group_by(RejectedRecordRow.source).order_by(RejectedRecordRow.source))
    return {source: int(n) for source, n in rows}


def _record(payload: str) -> dict[str, Any] | None:
    """The kept record as an object: a refused object as it was sent, or a line kept as text that parses now."""
    try:
        value = json.loads(payload)
        if isinstance(value, str):
            value = json.loads(value)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _post_or_reason(row: RejectedRecordRow) -> tuple[Any, str | None]:
    if row.source.startswith("connector:"):
        return None, "a platform event: its connector reads the platform again, this record is kept to look at"
    data = _record(row.payload)
    if data is None:
        return None, "not a post object; fix it in a file and `wakeful ingest` that file, then dismiss this record"
    try:
        return read_post(row.record, data), None
    except RecordError as err:
        return None, f"field '{err.field}': {err.message}" if err.field else err.message


def retry(ingest: IngestService, who: str, ids: Sequence[int] | None = None,
          source: str | None = None) -> Retry:
    """Read the open records (those named, or of one source, or all) again and store the ones that read now."""
    with ingest.db.session() as session:
        rows = list(session.scalars(_select(ids, source, False).order_by(RejectedRecordRow.id)))
        session.expunge_all()
    result = Retry()
    for row in rows:
        post, reason = _post_or_reason(row)
        if post is None:
            result.refused[row.id] = reason or "unreadable"
            continue
        outcome = ingest.ingest([post], numbers=[row.record], source=row.source)
        if outcome.rejected:
            result.refused[row.id] = outcome.rejected[0].message
            continue
        result.replayed.append(row.id)
    if result.replayed:
        _resolve(ingest, result.replayed, REPLAYED, who)
    return result


def dismiss(ingest: IngestService, who: str, ids: Sequence[int] | None = None,
            source: str | None = None) -> int:
    """Set open records aside (nobody will fix them); how many. They stay stored, marked with who and when."""
    with ingest.db.session() as session:
        chosen = list(session.scalars(_select(ids, source, False).with_only_columns(RejectedRecordRow.id)))
    return _resolve(ingest, chosen, DISMISSED, who)


def _resolve(ingest: IngestService, ids: Sequence[int], resolution: str, who: str) -> int:
    now: datetime = ingest.clock.now()
    with ingest.db.session() as session:
        done = session.execute(update(RejectedRecordRow).where(
            RejectedRecordRow.id.in_(list(ids)), RejectedRecordRow.resolved_at.is_(None)).values(
            resolved_at=now, resolution=resolution, resolved_by=who[:256]))
        return int(getattr(done, "rowcount", 0) or 0)
