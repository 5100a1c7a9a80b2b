"""Report endpoints beyond the morning summary (fairness by reach and language, first response per brand), and
suggested replies for a case."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from fastapi import APIRouter, HTTPException, status

from wakeful.api.deps import AnyUser, DbSession, DeskDep
from wakeful.desk import service
from wakeful.desk.fairness import FairnessReport, fairness_report
from wakeful.desk.metrics import BrandResponse, care_handles, first_response_by_brand
from wakeful.desk.replies import ReplyIndex, Suggestion, context_for_case, suggest
from wakeful.ingest.datasets import load_twcs

router = APIRouter(prefix="/api/v1", tags=["reports"])


@router.get("/reports/fairness", response_model=FairnessReport,
            summary="First response and resolution by reach band and language, with the gap between them")
def fairness(who: AnyUser, session: DbSession, since: datetime | None = None,
             until: datetime | None = None) -> FairnessReport:
    return fairness_report(session, who.brands, since, until)


@router.get("/reports/first-response", response_model=list[BrandResponse],
            summary="First-response median and p90 per brand, slowest first")
def first_response(who: AnyUser, session: DbSession, since: datetime | None = None,
                   until: datetime | None = None) -> list[BrandResponse]:
    return first_response_by_brand(session, who.brands, since, until)


@lru_cache(maxsize=1)
def past_replies() -> ReplyIndex | None:
    """Real care replies from the TWCS sample, built once on first use; None where the data set is absent."""
    try:
        posts = load_twcs()
    except FileNotFoundError:
        return None
    return ReplyIndex.from_threads(posts, care_handles(posts))


@router.get("/cases/{case_id}/suggestions", response_model=list[Suggestion], tags=["cases"],
            summary="Draft replies in the customer's language: templates, then similar past care replies")
def suggestions(case_id: int, who: AnyUser, session: DbSession, desk: DeskDep,
                similar: bool = True) -> list[Suggestion]:
    try:
        case = service.load_case(session, case_id, who.brands)
    except service.CaseNotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"case {case_id} not found") from None
    return suggest(context_for_case(session, case, desk.settings), past_replies() if similar else None)
