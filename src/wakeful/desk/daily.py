"""Daily report rows and breakdowns for a date range: what a team lead reads each morning, and downloads."""

from __future__ import annotations

import csv
import io
import json
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping
from datetime import UTC, date, datetime, tzinfo

from pydantic import BaseModel, Field
from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session

from wakeful.core.clock import as_utc
from wakeful.core.settings import Settings
from wakeful.desk.cases import one_per_matter
from wakeful.desk.fairness import percentile
from wakeful.desk.quiet import resolved_quietly
from wakeful.desk.reports import local_day_of, mentions
from wakeful.store.models import CaseRow, PostRow


class DailyRow(BaseModel):
    day: date
    posts: int
    negative: int
    positive: int
    complaints: int
    cases_opened: int
    answered: int = Field(description="Of the cases opened that day, those with a first response")
    first_response_median_min: float | None
    first_response_p90_min: float | None
    sla_met_share: float | None = Field(description="Answered cases whose first response met the target of their "
                                                    "severity level (waiting and reach boosts not counted)")
    resolved: int
    resolved_quiet: int = Field(0, description="Of those resolved, the ones the desk resolved itself after the "
                                               "customer went quiet (`resolve_quiet_after_hours`)")


class Breakdown(BaseModel):
    by_topic: dict[str, int]
    by_language: dict[str, int]


def daily_report(session: Session, brands: Collection[str] | None, since: datetime, until: datetime,
                 settings: Settings, zone: tzinfo = UTC) -> list[DailyRow]:
    """One row per day of `zone` in [since, until) that has posts or cases."""
    case_q = select(CaseRow.opened_at, CaseRow.first_response_at, CaseRow.resolved_at, CaseRow.severity,
                    resolved_quietly()).where(CaseRow.opened_at >= since, CaseRow.opened_at < until, one_per_matter())
    if brands is not None:
        case_q = case_q.where(CaseRow.brand.in_(list(brands)))
    return daily_rows(post_days(session, brands, since, until, zone), session.connection().execute(case_q).all(),
                      settings, zone)


def post_days(session: Session, brands: Collection[str] | None, since: datetime, until: datetime,
              zone: tzinfo = UTC) -> dict[date, Counter[str]]:
    """Posts mentioning the brands per day of `zone` in [since, until): all, by sentiment, and complaints."""
    posts: dict[date, Counter[str]] = defaultdict(Counter)
    bucket, local_day = local_day_of(session, PostRow.created_at, zone, since, until)
    day_of = bucket.label("day")
    sub = select(day_of, PostRow.sentiment, PostRow.complaint).where(
        mentions(brands), PostRow.created_at >= since, PostRow.created_at < until).subquery()
    stmt = select(sub.c.day, sub.c.sentiment, sub.c.complaint, func.count()).group_by(
        sub.c.day, sub.c.sentiment, sub.c.complaint)
    for start, sentiment, complaint, count in session.execute(stmt):  # counted in SQL, not per post here
        day = local_day(start)
        posts[day]["posts"] += count
        posts[day][sentiment] += count
        posts[day]["complaints"] += count if complaint else 0
    return posts


def daily_rows(posts: Mapping[date, Counter[str]], cases: Iterable[tuple[datetime, datetime | None,
               datetime | None, int, bool]], settings: Settings, zone: tzinfo = UTC) -> list[DailyRow]:
    """`daily_report` from its posts per day and its cases already read, as (opened, first response, resolved,
    severity, resolved by the desk as quiet); a case counts on the day of `zone` it was opened."""
    local = str(zone) not in ("UTC", "Etc/UTC")
    waits: dict[date, list[float]] = defaultdict(list)
    met: Counter[date] = Counter()
    opened: Counter[date] = Counter()
    resolved: Counter[date] = Counter()
    quiet: Counter[date] = Counter()
    targets = settings.first_response_target_minutes
    for opened_at, first, done, severity, by_desk in cases:
        # SQLite's times come back zone-less in UTC: their date is the UTC day without a conversion per case, and
        # two times of one row are alike, so their difference is the same either way
        day = as_utc(opened_at).astimezone(zone).date() if local else (
            opened_at.date() if opened_at.tzinfo is None else as_utc(opened_at).date())
        opened[day] += 1
        resolved[day] += done is not None
        quiet[day] += bool(by_desk)
        if first is not None:
            wait = (first - opened_at).total_seconds() / 60
            waits[day].append(wait)
            met[day] += wait <= targets[max(0, min(3, severity))]
    per_day: dict[date, Counter[str]] = defaultdict(Counter, posts)
    return [
        DailyRow(
            day=day, posts=per_day[day]["posts"], negative=per_day[day]["negative"], positive=per_day[day]["positive"],
            complaints=per_day[day]["complaints"], cases_opened=opened[day], answered=len(waits[day]),
            first_response_median_min=statistics.median(waits[day]) if waits[day] else None,
            first_response_p90_min=percentile(waits[day], 0.9),
            sla_met_share=met[day] / len(waits[day]) if waits[day] else None,
            resolved=resolved[day], resolved_quiet=quiet[day],
        )
        for day in sorted(set(posts) | set(opened))
    ]


def breakdown(session: Session, brands: Collection[str] | None, since: datetime, until: datetime) -> Breakdown:
    """Posts mentioning the brands by topic and by language in the range.

    Posts are counted per stored topic list and language in SQL, so each distinct list is read once, not once per
    post (a week is tens of thousands of posts with a few dozen lists).
    """
    topics: Counter[str] = Counter()
    langs: Counter[str] = Counter()
    listed = cast(PostRow.topics, String)
    stmt = select(listed, PostRow.lang, func.count()).where(
        mentions(brands), PostRow.created_at >= since, PostRow.created_at < until).group_by(listed, PostRow.lang)
    for post_topics, lang, count in session.execute(stmt):
        for topic in (json.loads(post_topics) if post_topics else None) or []:  # SQL NULL, JSON null or a list
            topics[topic] += count
        langs[lang or "unknown"] += count
    return Breakdown(by_topic=dict(topics.most_common()), by_language=dict(langs.most_common()))


# What a spreadsheet reads as the start of a formula (OWASP "CSV injection"), with the full-width forms some read too.
_FORMULA_START = tuple("=+-@\t\r\uff1d\uff0b\uff0d\uff20")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def csv_safe(value: object) -> object:
    """A text cell a spreadsheet would run as a formula (an agent or team named `=HYPERLINK(...)`), prefixed with a
    quote so it shows as text; numbers, and text that is just a number such as "-3", are left as they are."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def to_csv(rows: Iterable[BaseModel]) -> str:
    """Rows as CSV with a header from the model's fields, for spreadsheets (text cells made formula-safe)."""
    out = io.StringIO()
    writer: csv.DictWriter[str] | None = None
    for row in rows:
        data = row.model_dump(mode="json")
        if writer is None:
            writer = csv.DictWriter(out, fieldnames=list(data))
            writer.writeheader()
        writer.writerow({key: csv_safe(value) for key, value in data.items()})
    return out.getvalue()
