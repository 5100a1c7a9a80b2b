"""The morning numbers: volume and negative share over time, case counts and first-response times."""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import ColumnElement, String, cast, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from wakeful.core.clock import as_utc
from wakeful.desk.fairness import percentile
from wakeful.desk.schemas import VolumePoint
from wakeful.store.jsonq import json_list_has
from wakeful.store.models import CaseRow, PostRow


def mentions(brands: Collection[str] | None) -> ColumnElement[bool]:
    """Posts that mention any of `brands` (any brand when None), matched in SQL on the stored JSON list."""
    if brands is None:
        return cast(PostRow.brands, String).like('%"%')
    return json_list_has(PostRow.brands, *brands)


def utc_start(session: Session, column: InstrumentedAttribute[datetime],
              unit: Literal["hour", "day"]) -> ColumnElement[Any]:
    """The UTC hour or day a stored time falls in, computed by the database (read it back with `utc_time`):
    PostgreSQL's timestamptz truncated in UTC, or SQLite's UTC text cut to the hour or day."""
    if session.get_bind().dialect.name == "postgresql":
        return func.date_trunc(unit, func.timezone("UTC", column))
    return func.strftime("%Y-%m-%d %H:00:00" if unit == "hour" else "%Y-%m-%d 00:00:00", column)


def utc_time(value: datetime | str) -> datetime:
    """A `utc_start` value as an aware datetime: SQLite gives text, PostgreSQL a zone-less timestamp in UTC."""
    return as_utc(value if isinstance(value, datetime) else datetime.fromisoformat(value))


def volume_by_hour(
    session: Session, brands: Collection[str] | None, since: datetime | None = None, until: datetime | None = None
) -> list[VolumePoint]:
    """Posts mentioning the brands per hour, with how many read negative; empty hours included.

    Counted per hour in SQL: the queue page charts 72 hours, which at a busy desk is tens of thousands of posts.
    """
    posts = select(utc_start(session, PostRow.created_at, "hour").label("hour"), PostRow.sentiment).where(
        mentions(brands))
    if since:
        posts = posts.where(PostRow.created_at >= since)
    if until:
        posts = posts.where(PostRow.created_at < until)
    sub = posts.subquery()
    stmt = select(sub.c.hour, func.count(), func.count().filter(sub.c.sentiment == "negative")).group_by(sub.c.hour)
    totals: dict[datetime, tuple[int, int]] = {}
    for hour, count, negative in session.execute(stmt):
        totals[utc_time(hour)] = (count, negative)
    if not totals:
        return []
    hour, last = min(totals), max(totals)
    points = []
    while hour <= last:
        count, negative = totals.get(hour, (0, 0))
        points.append(VolumePoint(hour=hour, posts=count, negative=negative))
        hour += timedelta(hours=1)
    return points


class DeskSummary(BaseModel):
    posts: int
    negative_share: float
    complaints: int
    cases_by_state: dict[str, int]
    cases_by_lang: dict[str, int]
    answered: int
    first_response_median_min: float | None
    first_response_p90_min: float | None


def summary(session: Session, brands: Collection[str] | None) -> DeskSummary:
    points = volume_by_hour(session, brands)
    posts = sum(p.posts for p in points)
    negative = sum(p.negative for p in points)
    case_q = select(CaseRow.state, CaseRow.lang, CaseRow.opened_at, CaseRow.first_response_at)
    if brands is not None:
        case_q = case_q.where(CaseRow.brand.in_(list(brands)))
    by_state: Counter[str] = Counter()
    by_lang: Counter[str] = Counter()
    waits: list[float] = []
    for state, lang, opened, first in session.execute(case_q):
        by_state[state] += 1
        by_lang[lang or "unknown"] += 1
        if first is not None:
            waits.append((as_utc(first) - as_utc(opened)).total_seconds() / 60)
    complaints_q = select(func.count()).select_from(PostRow).where(PostRow.complaint.is_(True), mentions(brands))
    return DeskSummary(
        posts=posts,
        negative_share=negative / posts if posts else 0.0,
        complaints=session.execute(complaints_q).scalar_one(),
        cases_by_state=dict(by_state),
        cases_by_lang=dict(by_lang),
        answered=len(waits),
        first_response_median_min=statistics.median(waits) if waits else None,
        first_response_p90_min=percentile(waits, 0.9),
    )


class BacklogPoint(BaseModel):
    hour: datetime
    open: int
    """Cases opened by this hour and not resolved yet."""
    unanswered: int
    """Of those, cases still waiting for the desk's first response."""
    opened: int
    answered: int
    resolved: int
    """Cases opened, first answered and resolved in the hour that starts here."""


def backlog_by_hour(session: Session, brands: Collection[str] | None, since: datetime,
                    until: datetime) -> list[BacklogPoint]:
    """The backlog at the top of each hour in [since, until) and the flow in each hour: whether the desk keeps up,
    and when it fell behind. A case that was reopened counts as open from its first post to its last resolution."""
    start = as_utc(since).replace(minute=0, second=0, microsecond=0)
    hours = max(0, math.ceil((as_utc(until) - start).total_seconds() / 3600))
    stmt = select(CaseRow.opened_at, CaseRow.first_response_at, CaseRow.resolved_at).where(CaseRow.opened_at < until)
    if brands is not None:
        stmt = stmt.where(CaseRow.brand.in_(list(brands)))
    flows = {name: [0] * hours for name in ("opened", "answered", "resolved")}
    open_diff, unanswered_diff = [0] * (hours + 1), [0] * (hours + 1)
    naive_start = start.replace(tzinfo=None)
    until_h = (as_utc(until) - start).total_seconds() / 3600

    def hours_in(at: datetime | None) -> float | None:
        """Hours from `start` to a stored time (SQLite's come back zone-less, in UTC), without converting each."""
        if at is None:
            return None
        return ((at - naive_start) if at.tzinfo is None else (at - start)).total_seconds() / 3600

    def mark_at_or_after(at: float | None) -> int:
        """Index of the first hour mark at or after `at` hours (clipped to the window; never for None)."""
        return hours if at is None else min(hours, max(0, math.ceil(at)))

    for opened_at, first_at, resolved_at in session.execute(stmt):
        opened, first, resolved = hours_in(opened_at), hours_in(first_at), hours_in(resolved_at)
        closed = resolved if resolved is not None else until_h
        answered = min(first if first is not None else closed, closed)
        begin = mark_at_or_after(opened)
        for diff, end in ((open_diff, resolved), (unanswered_diff, answered)):
            stop = mark_at_or_after(end)
            if stop > begin:
                diff[begin] += 1
                diff[stop] -= 1
        for at, counts in ((opened, flows["opened"]), (first, flows["answered"]), (resolved, flows["resolved"])):
            index = math.floor(at) if at is not None else -1
            if 0 <= index < hours:
                counts[index] += 1
    points, open_now, unanswered_now = [], 0, 0
    for h in range(hours):
        open_now += open_diff[h]
        unanswered_now += unanswered_diff[h]
        points.append(BacklogPoint(hour=start + timedelta(hours=h), open=open_now, unanswered=unanswered_now,
                                   opened=flows["opened"][h], answered=flows["answered"][h],
                                   resolved=flows["resolved"][h]))
    return points
