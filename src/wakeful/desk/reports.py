"""The morning numbers: volume and negative share over time, case counts and first-response times."""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Callable, Collection, Iterable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import ColumnElement, Integer, String, and_, cast, func, literal, or_, select, text
from sqlalchemy.orm import InstrumentedAttribute, Session

from wakeful.core.clock import as_utc
from wakeful.desk.cases import one_per_matter
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


def _quarter_start(session: Session, column: InstrumentedAttribute[datetime]) -> ColumnElement[Any]:
    """The UTC quarter hour a stored time falls in: the finest step any time zone's offset takes (+05:45)."""
    if session.get_bind().dialect.name == "postgresql":
        return func.date_bin(text("interval '15 minutes'"), func.timezone("UTC", column),
                             literal(datetime(2000, 1, 1)))
    minute = func.printf("%02d", cast(func.strftime("%M", column), Integer) / 15 * 15)
    return func.strftime("%Y-%m-%d %H:", column).op("||")(minute).op("||")(":00")


def offsets(zone: tzinfo, since: datetime, until: datetime) -> set[timedelta]:
    """The offsets from UTC `zone` takes in [since, until], read once a day (a zone keeps an offset for months)."""
    t, end, found = as_utc(since), as_utc(until), set()
    while True:
        found.add(t.astimezone(zone).utcoffset() or timedelta(0))
        if t >= end:
            return found
        t = min(t + timedelta(days=1), end)


def local_day_of(session: Session, column: InstrumentedAttribute[datetime], zone: tzinfo, since: datetime,
                 until: datetime) -> tuple[ColumnElement[Any], Callable[[datetime | str], date]]:
    """What to group a stored time by in SQL so that each group lies within one day of `zone`, and how to read a
    group back as that day: the UTC day where the zone is UTC over the range, else the UTC hour (the quarter hour
    for a zone such as India's +05:30), turned into its local date here. Neither database needs the zone's rules."""
    seen = offsets(zone, since, until)
    if seen == {timedelta(0)}:
        return utc_start(session, column, "day"), lambda v: utc_time(v).date()
    hourly = all(offset.total_seconds() % 3600 == 0 for offset in seen)
    bucket = utc_start(session, column, "hour") if hourly else _quarter_start(session, column)
    return bucket, lambda v: utc_time(v).astimezone(zone).date()


def day_bounds(day: date, zone: tzinfo) -> tuple[datetime, datetime]:
    """The UTC instants at which the local day starts and ends (23 or 25 hours apart across a clock change)."""
    return (datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC),
            datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone).astimezone(UTC))


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
    case_q = select(CaseRow.state, CaseRow.lang, CaseRow.opened_at, CaseRow.first_response_at).where(
        one_per_matter())
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


def backlog_cases(since: datetime, until: datetime) -> ColumnElement[bool]:
    """Cases that can show in a backlog over [since, until): opened before `until` and not resolved before the
    first hour mark (a case resolved earlier adds nothing to any hour), so a desk's long history is not read; a case
    merged into another counts as that one."""
    start = as_utc(since).replace(minute=0, second=0, microsecond=0)
    return and_(CaseRow.opened_at < until, one_per_matter(),
                or_(CaseRow.resolved_at.is_(None), CaseRow.resolved_at >= start, CaseRow.opened_at >= start,
                    CaseRow.first_response_at >= start))


def backlog_by_hour(session: Session, brands: Collection[str] | None, since: datetime,
                    until: datetime) -> list[BacklogPoint]:
    """The backlog at the top of each hour in [since, until) and the flow in each hour: whether the desk keeps up,
    and when it fell behind. A case that was reopened counts as open from its first post to its last resolution."""
    stmt = select(CaseRow.opened_at, CaseRow.first_response_at, CaseRow.resolved_at).where(
        backlog_cases(since, until))
    if brands is not None:
        stmt = stmt.where(CaseRow.brand.in_(list(brands)))
    return backlog_of(session.connection().execute(stmt).all(), since, until)


def backlog_of(cases: Iterable[tuple[datetime, datetime | None, datetime | None]], since: datetime,
               until: datetime) -> list[BacklogPoint]:
    """`backlog_by_hour` over cases already read, as (opened, first response, resolved) times."""
    start = as_utc(since).replace(minute=0, second=0, microsecond=0)
    hours = max(0, math.ceil((as_utc(until) - start).total_seconds() / 3600))
    opened_flow, answered_flow, resolved_flow = [0] * hours, [0] * hours, [0] * hours
    open_diff, unanswered_diff = [0] * (hours + 1), [0] * (hours + 1)
    naive_start = start.replace(tzinfo=None)
    until_h = (as_utc(until) - start).total_seconds() / 3600
    # inlined per case (a week is 10,000 cases): hours from `start` to each stored time, without converting each
    # to UTC (SQLite's come back zone-less, in UTC); a case opens at the first hour mark at or after it opened, and
    # leaves the backlog (or the unanswered) at the first mark at or after it was resolved (or answered)
    for opened_at, first_at, resolved_at in cases:
        opened = (opened_at - (naive_start if opened_at.tzinfo is None else start)).total_seconds() / 3600
        begin = min(hours, max(0, math.ceil(opened)))
        if 0 <= opened < hours:
            opened_flow[int(opened)] += 1
        closed, stop = until_h, hours
        if resolved_at is not None:
            closed = (resolved_at - (naive_start if resolved_at.tzinfo is None else start)).total_seconds() / 3600
            stop = min(hours, max(0, math.ceil(closed)))
            if 0 <= closed < hours:
                resolved_flow[int(closed)] += 1
        if stop > begin:
            open_diff[begin] += 1
            open_diff[stop] -= 1
        answered = closed
        if first_at is not None:
            first = (first_at - (naive_start if first_at.tzinfo is None else start)).total_seconds() / 3600
            answered = min(first, closed)
            if 0 <= first < hours:
                answered_flow[int(first)] += 1
        stop = min(hours, max(0, math.ceil(answered)))
        if stop > begin:
            unanswered_diff[begin] += 1
            unanswered_diff[stop] -= 1
    points, open_now, unanswered_now = [], 0, 0
    for h in range(hours):
        open_now += open_diff[h]
        unanswered_now += unanswered_diff[h]
        points.append(BacklogPoint(hour=start + timedelta(hours=h), open=open_now, unanswered=unanswered_now,
                                   opened=opened_flow[h], answered=answered_flow[h], resolved=resolved_flow[h]))
    return points
