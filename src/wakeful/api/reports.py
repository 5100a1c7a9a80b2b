"""Report endpoints beyond the morning summary (fairness by reach and language, first response per brand, backlog
by hour, figures per agent and team), and suggested replies for a case."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from typing import Literal

from fastapi import APIRouter, HTTPException, Response, status
from pydantic import BaseModel

from wakeful.api.deps import AnyUser, DbSession, DeskDep, Lead
from wakeful.core.clock import as_utc
from wakeful.desk import service
from wakeful.desk.agent_report import PersonStats, agent_report, desk_figures
from wakeful.desk.daily import to_csv
from wakeful.desk.fairness import FairnessReport, fairness_report
from wakeful.desk.metrics import BrandResponse, care_handles, first_response_by_brand
from wakeful.desk.replies import ReplyIndex, Suggestion, context_for_case, suggest
from wakeful.desk.reports import BacklogPoint, backlog_by_hour
from wakeful.ingest.datasets import load_twcs

router = APIRouter(prefix="/api/v1", tags=["reports"])


def csv_download(body: str, name: str) -> Response:
    """A CSV body the browser saves as a file."""
    return Response(body, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
MAX_BACKLOG = timedelta(days=31)


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


@router.get("/reports/backlog", response_model=list[BacklogPoint],
            summary="Open and unanswered cases at the top of each hour, and cases opened, answered, resolved in it")
def backlog(who: AnyUser, session: DbSession, desk: DeskDep, since: datetime | None = None,
            until: datetime | None = None,
            format: Literal["json", "csv"] = "json") -> Response | list[BacklogPoint]:
    until = as_utc(until) if until else desk.clock.now()
    since = as_utc(since) if since else until - timedelta(hours=24)
    if until <= since or until - since > MAX_BACKLOG:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            f"since must be before until, at most {MAX_BACKLOG.days} days apart")
    points = backlog_by_hour(session, who.brands, since, until)
    return csv_download(to_csv(points), "wakeful-backlog.csv") if format == "csv" else points


class TeamFigures(BaseModel):
    overall: PersonStats
    agents: list[PersonStats]
    teams: list[PersonStats]


@router.get("/reports/agents", response_model=TeamFigures,
            summary="First response, resolution and SLA attainment over all cases, per agent and per team (leads)")
def agents(who: Lead, session: DbSession, desk: DeskDep, since: datetime | None = None,
           format: Literal["json", "csv"] = "json") -> Response | TeamFigures:
    since = as_utc(since) if since else None
    people, teams = agent_report(session, who.brands, desk.settings, since)
    figures = TeamFigures(overall=desk_figures(session, who.brands, desk.settings, since), agents=people, teams=teams)
    if format == "json":
        return figures
    return csv_download(to_csv([figures.overall, *figures.teams, *figures.agents]), "wakeful-agents.csv")


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
