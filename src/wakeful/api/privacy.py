"""Personal data: erasure requests and the retention purge, for an admin of every brand.

POST /api/v1/privacy/erasures: forget one person (by handle or platform account id) across every brand's cases;
`dry_run` says what would be erased and changes nothing. GET /api/v1/privacy/erasures: the record for an auditor,
or with `platform` and `handle`/`account_id`, only the erasures that were for that person. POST
/api/v1/privacy/purge: run the retention purge now (or with `dry_run`, count what is due).

Only an every-brand admin (DeskAdmin): one person may be the customer of several brands, and an erasure reaches
all of them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import APIRouter, HTTPException, Query, Response, status
from pydantic import BaseModel, Field, model_validator

from wakeful.api.deps import DbSession, DeskAdmin, DeskDep
from wakeful.core.models import Platform
from wakeful.desk import privacy, retention

router = APIRouter(prefix="/api/v1/privacy", tags=["privacy"])


class ErasureRequest(BaseModel):
    platform: Platform
    handle: str | None = Field(default=None, min_length=1, max_length=128, description="With or without @")
    account_id: str | None = Field(default=None, min_length=1, max_length=128,
                                   description="The platform's id of the account, e.g. an X user id")
    reference: str | None = Field(default=None, max_length=128, description="The request's own reference, e.g. a "
                                  "ticket number; it must not name the person")
    dry_run: bool = False

    @model_validator(mode="after")
    def _one_identifier(self) -> ErasureRequest:
        if (self.handle is None) == (self.account_id is None):
            raise ValueError("give the person's handle or their platform account id (one of them)")
        return self


class PurgeResult(BaseModel):
    retention_days: int | None
    dry_run: bool
    counts: dict[str, int] = Field(description="Rows erased (or, for a dry run, due)")
    cutoff: datetime | None
    erasures: list[privacy.ErasureView] = Field(default_factory=list)


@router.post("/erasures", status_code=status.HTTP_201_CREATED, response_model=privacy.ErasureView,
             summary="Erase everything the desk holds about one person (GDPR Art. 17); dry_run only counts")
def erase(body: ErasureRequest, who: DeskAdmin, desk: DeskDep, response: Response) -> privacy.ErasureView:
    """201 with the record of the erasure; 200 for a dry run, which records and changes nothing."""
    handles = [h for b in desk.settings.brands for h in b.handles]
    if body.dry_run:
        response.status_code = status.HTTP_200_OK
    try:
        return privacy.request_erasure(desk.db, body.platform.value, handle=body.handle, account_id=body.account_id,
                                       requested_by=f"api:{who.name}", now=desk.clock.now(),
                                       reference=body.reference, brand_handles=handles, dry_run=body.dry_run)
    except privacy.ErasureRefused as err:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(err)) from None


@router.get("/erasures", response_model=list[privacy.ErasureView],
            summary="The record of erasures, newest first; with platform and handle or account_id, that person's")
def list_erasures(who: DeskAdmin, session: DbSession, platform: Platform | None = None,
                  handle: str | None = Query(default=None, max_length=128),
                  account_id: str | None = Query(default=None, max_length=128),
                  limit: int = Query(default=200, ge=1, le=10_000)) -> list[privacy.ErasureView]:
    identifier = handle or account_id
    if (platform is None) != (identifier is None):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            "to look a person up, give platform and handle (or account_id) together")
    rows = privacy.erasures(session, platform.value if platform else None, identifier, limit)
    return [privacy.view(r) for r in rows]


@router.post("/purge", response_model=PurgeResult,
             summary="Run the retention purge now (retention_days); dry_run counts what is due")
def purge(who: DeskAdmin, desk: DeskDep, dry_run: bool = False) -> PurgeResult:
    days, now = desk.settings.retention_days, desk.clock.now()
    if not days:
        return PurgeResult(retention_days=days, dry_run=dry_run, counts={}, cutoff=None)
    cutoff = now - timedelta(days=days)
    if dry_run:
        with desk.db.session() as session:
            return PurgeResult(retention_days=days, dry_run=True, counts=retention.count_due(session, now, days),
                               cutoff=cutoff)
    done = retention.sweep(desk.db, now, days)
    counts: dict[str, int] = {}
    for row in done:
        for kind, n in (row.counts or {}).items():
            counts[kind] = counts.get(kind, 0) + int(n)
    return PurgeResult(retention_days=days, dry_run=False, counts=counts, cutoff=cutoff,
                       erasures=[privacy.view(r) for r in done])
