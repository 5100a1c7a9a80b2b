"""`POST /api/v1/ingest`: a batch of posts from a webhook or a connector.

Records are validated one by one, so a malformed record (a number or a list where a post object belongs too), or one
dated after the desk's clock, is reported by its index and field while the rest of the batch is stored. Rejected
records are also kept in the store, once each however often they are sent, for an operator to inspect
(`GET /api/v1/rejected`; `wakeful rejected` retries and dismisses them).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from wakeful.api.deps import DbSession, DeskAdmin, DeskDep
from wakeful.core.clock import as_utc
from wakeful.ingest import rejected as rejected_mod
from wakeful.ingest.jsonl import RecordError, read_post, storable

router = APIRouter(prefix="/api/v1", tags=["ingest"])


class IngestBody(BaseModel):
    posts: list[Any] = Field(description="Posts in wakeful's Post shape (see the schema of `Post`); an item that is "
                             "not an object is rejected alone, by its index", max_length=5000)


class Rejection(BaseModel):
    index: int = Field(description="0-based position of the record in `posts`")
    id: str | None = Field(description="The record's `id`, when it had one")
    field: str | None = Field(description="Dotted path of the first invalid field, e.g. `author.followers`")
    error: str


class IngestReply(BaseModel):
    accepted: int = Field(description="New posts stored")
    duplicates: int = Field(description="Posts already stored (delivered again); not stored twice")
    engagement_updates: int = Field(description="New engagement observations appended to known posts")
    edits: int = Field(default=0, description="Known posts whose author edited the text: stored posts updated and "
                                              "analysed again, the earlier text kept")
    rejected: list[Rejection]
    cases: list[int] = Field(description="Cases opened or updated by this batch")


@router.post("/ingest", response_model=IngestReply, summary="Take in a batch of posts, at-least-once, idempotently")
def ingest(body: IngestBody, who: DeskAdmin, desk: DeskDep) -> IngestReply:
    posts, indexes = [], []
    errors: list[RecordError] = []
    for index, record in enumerate(body.posts):
        try:
            posts.append(read_post(index, record))
            indexes.append(index)
        except RecordError as err:
            errors.append(err)
    source = f"api:{who.name}"
    result = desk.ingest.ingest(posts, numbers=indexes, source=source)  # keeps what the desk's clock refuses
    desk.ingest.reject(source, errors, dict(enumerate(body.posts)))
    errors = sorted([*errors, *result.rejected], key=lambda e: e.record)
    return IngestReply(
        accepted=result.accepted,
        duplicates=result.duplicates,
        engagement_updates=result.engagement_updates,
        edits=result.edits,
        rejected=[
            Rejection(index=e.record, id=_id_of(body.posts[e.record]), field=e.field, error=e.message) for e in errors
        ],
        cases=sorted(result.cases),
    )


def _id_of(record: object) -> str | None:
    value = record.get("id") if isinstance(record, dict) else None
    return storable(str(value)) if value is not None else None  # a JSON "\udce9" escape must not fail the reply


class RejectedOut(BaseModel):
    id: int
    at: datetime = Field(description="When the desk first refused it")
    source: str = Field(description="Where it came from: `file:NAME`, `api:TOKEN-NAME` or `connector:NAME`")
    record: int = Field(description="Its place in that delivery (a file's line, a batch's index)")
    field: str | None
    error: str
    payload: Any = Field(description="The record as received (its text, where it was not JSON)")
    resolution: str | None = Field(description="`replayed` or `dismissed`; null while it still needs a look")
    resolved_by: str | None
    resolved_at: datetime | None


@router.get("/rejected", response_model=list[RejectedOut],
            summary="Records the desk could not read, newest first (admins of every brand: they belong to no one "
                    "brand)")
def rejected(who: DeskAdmin, session: DbSession, source: str | None = None,
             resolved: Annotated[bool, Query(description="Also those replayed or dismissed")] = False,
             limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[RejectedOut]:
    return [RejectedOut(id=r.id, at=as_utc(r.at), source=r.source, record=r.record, field=r.field, error=r.error,
                        payload=json.loads(r.payload), resolution=r.resolution, resolved_by=r.resolved_by,
                        resolved_at=as_utc(r.resolved_at) if r.resolved_at else None)
            for r in rejected_mod.listing(session, source=source, resolved=resolved, limit=limit)]
