"""Report endpoints beyond the morning summary (fairness by reach and language, first response per brand, backlog
by hour, figures per agent and team), and suggested replies for a case."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from typing import Literal

from fastapi import APIRouter, HTTPException, Response, status
from pydantic import BaseModel

from wakeful.api.deps import AnyUser, DbSession, DeskDep, Lead, RowId
from wakeful.core.clock import as_utc
from wakeful.desk import service
from wakeful.desk.agent_report import PersonStats, agent_report, desk_figures
from wakeful.desk.daily import to_csv
from wakeful.desk.fairness import FairnessReport, fairness_report
from wakeful.desk.metrics import BrandResponse, care_handles, first_response_by_brand
from wakeful.desk.replies import Suggestion, context_for_case, suggest
from wakeful.desk.reply_index import ReplyIndex
from wakeful.desk.reports import BacklogPoint, backlog_by_hour
from wakeful.ingest.datasets import load_twcs

router = APIRouter(prefix="/api/v1", tags=["reports"])


def csv_download(body: str, name: str) -> Response:
    """A CSV body the browser saves as a file."""
    return Response(body, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
MAX_BACKLOG = timedelta(days=31)


def open_range(since: datetime | None, until: datetime | None) -> tuple[datetime | None, datetime | None]:
    """Optional bounds, naive ones read as UTC; a range that ends before it starts is a 422, not an empty report."""
    try:
        since, until = (as_utc(since) if since else None), (as_utc(until) if until else None)
    except OverflowError:  # 0001-01-01T00:00+01:00 is before the calendar once in UTC
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            "`since` or `until` lies outside the calendar (years 1 to 9999) in UTC") from None
    if since is not None and until is not None and since >= until:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "`since` must be before `until`")
    return since, until


@router.get("/reports/fairness", response_model=FairnessReport,
            summary="First response and resolution by reach band and language, with the gap between them")
def fairness(who: AnyUser, session: DbSession, since: datetime | None = None,
             until: datetime | None = None) -> FairnessReport:
    return fairness_report(session, who.brands, *open_range(since, until))


@router.get("/reports/first-response", response_model=list[BrandResponse],
            summary="First-response median and p90 per brand, slowest first")
def first_response(who: AnyUser, session: DbSession, since: datetime | None = None,
                   until: datetime | None = None) -> list[BrandResponse]:
    return first_response_by_brand(session, who.brands, *open_range(since, until))


@router.get("/reports/backlog", response_model=list[BacklogPoint],
            summary="Open and unanswered cases at the top of each hour, and cases opened, answered, resolved in it")
def backlog(who: AnyUser, session: DbSession, desk: DeskDep, since: datetime | None = None,
            until: datetime | None = None,
            format: Literal["json", "csv"] = "json") -> Response | list[BacklogPoint]:
    edge = "lies outside the calendar (years 1 to 9999) in UTC"  # e.g. 0001-01-01T00:00+01:00: a 500 before
    try:
        until = as_utc(until) if until else desk.clock.now()
    except OverflowError:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"`until` {until} {edge}") from None
    try:
        since = as_utc(since) if since else until - timedelta(hours=24)
    except OverflowError:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"`since` {since} {edge}" if since else
                            f"`until` {until.isoformat()} leaves no room for the default 24 hours before it: "
                            "give `since` too") from None
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
           until: datetime | None = None, format: Literal["json", "csv"] = "json") -> Response | TeamFigures:
    """Cases opened in [since, until), either bound optional."""
    since, until = open_range(since, until)
    people, teams = agent_report(session, who.brands, desk.settings, since, until)
    figures = TeamFigures(overall=desk_figures(session, who.brands, desk.settings, since, until), agents=people,
                          teams=teams)
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
def suggestions(case_id: RowId, who: AnyUser, session: DbSession, desk: DeskDep,
                similar: bool = True) -> list[Suggestion]:
    try:
        case = service.load_case(session, case_id, who.brands)
    except service.CaseNotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"case {case_id} not found") from None
    return suggest(context_for_case(session, case, desk.settings), past_replies() if similar else None)
