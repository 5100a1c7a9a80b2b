"""Report endpoints beyond the morning summary: fairness by reach and language, first response per brand."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter

from wakeful.api.deps import AnyUser, DbSession
from wakeful.desk.fairness import FairnessReport, fairness_report
from wakeful.desk.metrics import BrandResponse, first_response_by_brand

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])


@router.get("/fairness", response_model=FairnessReport,
            summary="First response and resolution by reach band and language, with the gap between them")
def fairness(who: AnyUser, session: DbSession, since: datetime | None = None,
             until: datetime | None = None) -> FairnessReport:
    return fairness_report(session, who.brands, since, until)


@router.get("/first-response", response_model=list[BrandResponse],
            summary="First-response median and p90 per brand, slowest first")
def first_response(who: AnyUser, session: DbSession, since: datetime | None = None,
                   until: datetime | None = None) -> list[BrandResponse]:
    return first_response_by_brand(session, who.brands, since, until)
