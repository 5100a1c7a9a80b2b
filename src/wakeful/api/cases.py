"""Case endpoints: the queue, a case with its timeline, and the agent's actions on it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, Field, field_validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wakeful.api.auth import Principal, Role
from wakeful.api.deps import MAX_ROW_ID, AnyUser, DbSession, Desk, DeskDep, RowId, bearer, principal_of
from wakeful.api.paging import MAX_LIST, PAGE_HEADERS, page_links
from wakeful.api.reports import csv_download
from wakeful.core.clock import as_utc
from wakeful.core.models import refuse_nul
from wakeful.core.settings import report_zone
from wakeful.desk import agents, service
from wakeful.desk.cases import CaseState, lock_cases
from wakeful.desk.daily import Breakdown, DailyRow, breakdown, daily_report, to_csv
from wakeful.desk.fairness import FairnessReport, GroupStats, fairness_report
from wakeful.desk.merge import CorrectionConflict, merge, unmerge
from wakeful.desk.reports import DeskSummary, summary, volume_by_hour
from wakeful.desk.schemas import CaseDetail, CaseSummary, QueueCounts, RevealedText, VolumePoint
from wakeful.desk.split import split
from wakeful.store.models import CaseRow

router = APIRouter(prefix="/api/v1", tags=["cases"])
CHANGE_POLL_S = 0.5
KEEPALIVE_S = 15.0  # seconds of quiet before a keep-alive comment, and a fresh check of the caller


def _case(session: Session, case_id: int, who: Principal, *, merged: bool = False, lock: bool = True) -> CaseRow:
    """The caller's case to act on (404 for another brand's, as for none); one merged into another takes no action
    but an unmerge (`merged`), so nothing lands on a case nobody looks at.

    Its row is locked (`cases.lock_cases`) and read again before these checks and the action, so an action decides
    on the case as it is, not as it was before another agent's action committed: a state change or reply on a case
    merged away meanwhile would put a merged case back in the queue, and an assignment that read `new` while a lead
    resolved the case would reopen it with a resolution time. Merge, unmerge and split lock their cases themselves
    (in id order), so take `lock=False`."""
    try:
        case = service.load_case(session, case_id, who.brands)
    except service.CaseNotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"case {case_id} not found") from None
    if lock:
        lock_cases(session, [case.id])
    if case.merged_into_id is not None and not merged:
        raise HTTPException(status.HTTP_409_CONFLICT, f"case {case_id} was merged into case {case.merged_into_id}: "
                                                      "act on that case, or unmerge this one first")
    return case


@router.get("/cases", response_model=list[CaseSummary], summary="The queue, highest priority first",
            responses={200: {"headers": PAGE_HEADERS}})
def list_cases(
    request: Request,
    response: Response,
    who: AnyUser,
    session: DbSession,
    desk: DeskDep,
    state: Annotated[list[CaseState] | None, Query(description="Default: every state but resolved")] = None,
    assignee: str | None = None,
    unassigned: bool = False,
    mine: bool = False,
    lang: str | None = None,
    topic: str | None = None,
    customer: Annotated[str | None, Query(max_length=128, description="Only cases whose customer's handle or "
                                          "display name contains this (any case; a leading @ is ignored)")] = None,
    breached: Annotated[bool, Query(description="Only cases past their first-response target")] = False,
    min_priority: Annotated[int, Query(ge=0, le=3)] = 0,
    offset: Annotated[int, Query(ge=0, description="Cases of the ranked queue to skip, for the next page")] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIST, description=f"Cases per page, at most {MAX_LIST}")] = 200,
) -> list[CaseSummary]:
    """A page of the queue; X-Total-Count says how many cases match, Link where the next and previous pages are.
    The queue is ranked as it stands at each request, so a case can move across pages between two requests."""
    filters = service.QueueFilters(
        states=tuple(s.value for s in state) if state else service.ACTIVE_STATES,
        assignee=who.name if mine else assignee, unassigned=unassigned, lang=lang.strip().lower() if lang else None,
        topic=topic, breached=breached, min_level=min_priority, customer=customer,
    )
    page = service.list_slice(session, who.brands, desk.clock.now(), desk.settings, filters, offset=offset, limit=limit)
    response.headers["X-Total-Count"] = str(page.matched)
    if links := page_links(request, page):
        response.headers["Link"] = links
    return page.cases


def _queue_mark(desk: Desk, brands: set[str] | None) -> tuple[int, str]:
    stmt = select(func.count(), func.max(CaseRow.updated_at))
    if brands is not None:
        stmt = stmt.where(CaseRow.brand.in_(list(brands)))
    with desk.db.session() as session:
        count, latest = session.execute(stmt).one()
    return int(count), str(latest)


async def changes(request: Request, desk: Desk, brands: set[str] | None,
                  signed_in: Callable[[], bool]) -> AsyncIterator[str]:
    """The change stream's events: `changed` when the queue's mark moves, a keep-alive comment when quiet. At each
    keep-alive the caller's token or session is checked again, so a revoked one stops hearing about the queue
    within `KEEPALIVE_S` rather than for as long as the browser stays open."""
    yield "retry: 2000\n\n"
    last = await run_in_threadpool(_queue_mark, desk, brands)
    quiet = 0
    while not await request.is_disconnected():
        await asyncio.sleep(CHANGE_POLL_S)
        mark = await run_in_threadpool(_queue_mark, desk, brands)
        quiet += 1
        if mark != last:
            last, quiet = mark, 0
            yield f"event: changed\ndata: {json.dumps({'cases': mark[0]})}\n\n"
        elif quiet * CHANGE_POLL_S >= KEEPALIVE_S:
            quiet = 0
            if not await run_in_threadpool(signed_in):
                return
            yield ": keep-alive\n\n"


@router.get("/cases/changes", summary="Server-sent events: `changed` whenever the caller's queue changes",
            response_class=StreamingResponse)
async def case_changes(request: Request, who: AnyUser, desk: DeskDep,
                       creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> StreamingResponse:
    """A stream the dashboard listens to, so a new case shows within about a second of being stored.

    It watches the cases table (any process may write it: the server, a replay, a connector) twice a second, and
    ends when the caller's token is revoked or session ends.
    """
    stream = changes(request, desk, who.brands, lambda: principal_of(request, desk, creds) is not None)
    return StreamingResponse(stream, media_type="text/event-stream", headers={"Cache-Control": "no-store"})


@router.get("/cases/{case_id}", response_model=CaseDetail, summary="A case with its timeline and earlier cases")
def get_case(case_id: RowId, who: AnyUser, session: DbSession, desk: DeskDep) -> CaseDetail:
    try:
        return service.case_detail(session, case_id, who.brands, desk.clock.now(), desk.settings)
    except service.CaseNotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"case {case_id} not found") from None


def refuse_blank(value: str) -> str:
    """Text that is only whitespace says nothing: as a reply it would stop the first-response clock unanswered."""
    if not value.strip():
        raise ValueError("must not be blank (only spaces)")
    return value


class AssignBody(BaseModel):
    assignee: str | None = Field(max_length=128,
                                 description="Agent name; null to unassign. Agents may only take or drop cases "
                                             "themselves; leads and admins may assign any agent of the case's brand.")

    @field_validator("assignee")
    @classmethod
    def _named(cls, value: str | None) -> str | None:
        if value is None:
            return None
        refuse_nul(value)
        if not value.strip():  # "" would take the case out of the unassigned queue with nobody owning it
            raise ValueError("must name an agent; send null to unassign")
        return value.strip()


@router.post("/cases/{case_id}/assign", response_model=CaseSummary)
def assign(case_id: RowId, body: AssignBody, who: AnyUser, session: DbSession, desk: DeskDep) -> CaseSummary:
    case = _case(session, case_id, who)
    if not who.at_least(Role.LEAD) and body.assignee not in (who.name, None):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "agents may assign cases only to themselves")
    if not who.at_least(Role.LEAD) and body.assignee is None and case.assignee not in (who.name, None):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "agents may unassign only their own cases")
    assignee = body.assignee
    if assignee not in (who.name, None):
        try:
            assignee = agents.person(session, case.brand, assignee, "assignee",
                                     "POST /api/v1/agents; or send null to unassign")
        except agents.AgentError as err:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(err)) from None
    now = desk.clock.now()
    service.assign(session, case, assignee, who.name, now)
    return service.summarize(session, case, now, desk.settings)


class StateBody(BaseModel):
    state: CaseState


@router.post("/cases/{case_id}/state", response_model=CaseSummary)
def change_state(case_id: RowId, body: StateBody, who: AnyUser, session: DbSession, desk: DeskDep) -> CaseSummary:
    case = _case(session, case_id, who)
    if body.state is CaseState.MERGED:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            "state: a case is merged with POST /api/v1/cases/{id}/merge, which says into which")
    now = desk.clock.now()
    service.set_state(session, case, body.state, who.name, now)
    return service.summarize(session, case, now, desk.settings)


class ReplyBody(BaseModel):
    text: str = Field(min_length=1, max_length=10_000)
    resolve: bool = Field(default=False, description="Resolve the case with this reply")
    legal_reviewed: bool = Field(default=False, description="The reply was reviewed for legal risk; required when "
                                                            "the case has legal flags (recorded on the reply)")

    _text = field_validator("text")(refuse_nul)  # a 422 naming it, not a database error on PostgreSQL
    _said = field_validator("text")(refuse_blank)


@router.post("/cases/{case_id}/replies", response_model=CaseSummary, status_code=status.HTTP_201_CREATED)
def reply(case_id: RowId, body: ReplyBody, who: AnyUser, session: DbSession, desk: DeskDep) -> CaseSummary:
    """Record the desk's reply and queue it for the platform's connector; 409 while legal flags await review."""
    case = _case(session, case_id, who)
    now = desk.clock.now()
    try:
        service.add_reply(session, case, body.text, who.name, now, resolve=body.resolve,
                          legal_reviewed=body.legal_reviewed)
    except service.LegalReviewNeeded as err:
        raise HTTPException(status.HTTP_409_CONFLICT, str(err)) from None
    return service.summarize(session, case, now, desk.settings)


@router.post("/cases/{case_id}/reveal", response_model=list[RevealedText],
             summary="Unmask the personal data in a case's posts; the reveal is recorded on the case")
def reveal(case_id: RowId, who: AnyUser, session: DbSession, desk: DeskDep) -> list[RevealedText]:
    case = _case(session, case_id, who)
    return service.reveal(session, case, who.name, desk.clock.now(), desk.settings.loyalty_programmes(case.brand))


class NoteBody(BaseModel):
    text: str = Field(min_length=1, max_length=10_000)

    _text = field_validator("text")(refuse_nul)
    _said = field_validator("text")(refuse_blank)


@router.post("/cases/{case_id}/notes", response_model=CaseSummary, status_code=status.HTTP_201_CREATED)
def note(case_id: RowId, body: NoteBody, who: AnyUser, session: DbSession, desk: DeskDep) -> CaseSummary:
    case = _case(session, case_id, who)
    now = desk.clock.now()
    service.add_note(session, case, body.text, who.name, now)
    return service.summarize(session, case, now, desk.settings)


class MergeBody(BaseModel):
    into: int = Field(ge=1, le=MAX_ROW_ID, description="The case of the same brand that takes this one's posts, "
                                                       "events and customer")


@router.post("/cases/{case_id}/merge", response_model=CaseSummary,
             summary="Merge this case into another of the same brand (one customer, one matter); the merged case")
def merge_case(case_id: RowId, body: MergeBody, who: AnyUser, session: DbSession, desk: DeskDep) -> CaseSummary:
    """The posts, notes, replies and events join the target; this case is kept, closed as merged into it. How the
    clocks, severity, topics, reach and assignee combine is in `desk/merge.py`; `/unmerge` undoes it."""
    source, target = _case(session, case_id, who, lock=False), _case(session, body.into, who, lock=False)
    now = desk.clock.now()
    try:
        merge(session, source, target, who.name, now)
    except ValueError as err:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"into: {err}") from None
    except CorrectionConflict as err:
        raise HTTPException(status.HTTP_409_CONFLICT, str(err)) from None
    return service.summarize(session, target, now, desk.settings)


@router.post("/cases/{case_id}/unmerge", response_model=CaseSummary,
             summary="Undo the merge of this case: it takes back its posts and events; the restored case")
def unmerge_case(case_id: RowId, who: AnyUser, session: DbSession, desk: DeskDep) -> CaseSummary:
    source = _case(session, case_id, who, merged=True, lock=False)
    now = desk.clock.now()
    try:
        unmerge(session, source, who.name, now)
    except CorrectionConflict as err:
        raise HTTPException(status.HTTP_409_CONFLICT, str(err)) from None
    return service.summarize(session, source, now, desk.settings)


class SplitBody(BaseModel):
    post_ids: list[Annotated[str, Field(min_length=1, max_length=128)]] = Field(
        min_length=1, max_length=1000, description="The customer's posts to move (their ids as the timeline shows)")


@router.post("/cases/{case_id}/split", response_model=CaseSummary, status_code=status.HTTP_201_CREATED,
             summary="Move some of the customer's posts into a new case of their own; the new case")
def split_case(case_id: RowId, body: SplitBody, who: AnyUser, session: DbSession, desk: DeskDep) -> CaseSummary:
    """The new case's clocks start from its first moved post (see `desk/split.py`)."""
    case = _case(session, case_id, who, lock=False)
    now = desk.clock.now()
    try:
        new = split(session, case, body.post_ids, who.name, now)
    except ValueError as err:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(err)) from None
    except CorrectionConflict as err:  # merged into another meanwhile
        raise HTTPException(status.HTTP_409_CONFLICT, str(err)) from None
    return service.summarize(session, new, now, desk.settings)


@router.get("/stats/volume", response_model=list[VolumePoint], tags=["reports"])
def volume(who: AnyUser, session: DbSession) -> list[VolumePoint]:
    return volume_by_hour(session, who.brands)


@router.get("/stats/queue", response_model=QueueCounts, tags=["reports"])
def queue_counts(who: AnyUser, session: DbSession, desk: DeskDep) -> QueueCounts:
    return service.queue_counts(session, who.brands, desk.clock.now(), desk.settings)


@router.get("/stats/summary", response_model=DeskSummary, tags=["reports"])
def desk_summary(who: AnyUser, session: DbSession) -> DeskSummary:
    return summary(session, who.brands)


class Range(BaseModel):
    since: datetime
    until: datetime


def report_range(desk: Desk, since: datetime | None, until: datetime | None, days: int = 7) -> Range:
    """A date range from the query, defaulting to the last `days` days up to now; naive times are UTC."""
    try:
        until = as_utc(until) if until else desk.clock.now()
        since = as_utc(since) if since else until - timedelta(days=days)
    except OverflowError:  # 0001-01-01T00:00+01:00 is before the calendar once in UTC
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            "`since` or `until` lies outside the calendar (years 1 to 9999) in UTC") from None
    if since >= until:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "`since` must be before `until`")
    return Range(since=since, until=until)


@router.get("/stats/daily", response_model=list[DailyRow], tags=["reports"],
            summary="Per day: volume, sentiment, complaints, cases, first response, SLA; `format=csv` to download")
def daily(who: AnyUser, session: DbSession, desk: DeskDep, since: datetime | None = None,
          until: datetime | None = None, format: Literal["json", "csv"] = "json",
          tz: Annotated[str | None, Query(description="IANA time zone whose midnights divide the days, e.g. "
                                          "Europe/Berlin; the desk's `report_timezone` when left out")] = None,
          ) -> Response | list[DailyRow]:
    try:
        zone = report_zone(tz) if tz else desk.settings.report_zone
    except ValueError as err:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"tz: {err}") from None
    r = report_range(desk, since, until)
    rows = daily_report(session, who.brands, r.since, r.until, desk.settings, zone)
    return csv_download(to_csv(rows), "wakeful-daily.csv") if format == "csv" else rows


class BreakdownRow(BaseModel):
    dimension: Literal["topic", "language"]
    key: str
    posts: int


@router.get("/stats/breakdown", response_model=Breakdown, tags=["reports"],
            summary="Posts by topic and by language in a range; `format=csv` to download")
def posts_breakdown(who: AnyUser, session: DbSession, desk: DeskDep, since: datetime | None = None,
                    until: datetime | None = None, format: Literal["json", "csv"] = "json") -> Response | Breakdown:
    r = report_range(desk, since, until)
    result = breakdown(session, who.brands, r.since, r.until)
    if format == "json":
        return result
    rows = [BreakdownRow(dimension="topic", key=k, posts=v) for k, v in result.by_topic.items()]
    rows += [BreakdownRow(dimension="language", key=k, posts=v) for k, v in result.by_language.items()]
    return csv_download(to_csv(rows), "wakeful-breakdown.csv")


class FairnessRow(GroupStats):
    """One group's figures as a CSV row, saying whether the group is a reach band or a language."""

    dimension: Literal["reach_band", "language"]


@router.get("/stats/fairness", response_model=FairnessReport, tags=["reports"],
            summary="First response and resolution by reach band and language for cases opened in a range, with "
                    "the gap between the slowest and fastest group; `format=csv` to download")
def fairness_stats(who: AnyUser, session: DbSession, desk: DeskDep, since: datetime | None = None,
                   until: datetime | None = None,
                   format: Literal["json", "csv"] = "json") -> Response | FairnessReport:
    r = report_range(desk, since, until)
    result = fairness_report(session, who.brands, r.since, r.until)
    if format == "json":
        return result
    rows = [FairnessRow(dimension="reach_band", **g.model_dump()) for g in result.by_band]
    rows += [FairnessRow(dimension="language", **g.model_dump()) for g in result.by_lang]
    return csv_download(to_csv(rows), "wakeful-fairness.csv")
