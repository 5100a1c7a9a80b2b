"""The one path every post takes into the desk: store once, analyse, append engagement, group into cases.

Delivery is at-least-once, so storage is idempotent on (platform, post id): a repeated delivery adds nothing but
a new engagement observation, which is appended to the post's reach curve rather than overwriting it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from wakeful.core.clock import Clock, as_utc
from wakeful.core.models import Analysis, Post
from wakeful.core.settings import Settings
from wakeful.desk.cases import attach_post
from wakeful.ingest.jsonl import RecordError
from wakeful.risk.reach import audience
from wakeful.store.db import Database
from wakeful.store.models import (
    AuthorRow,
    CasePostRow,
    CaseRow,
    EngagementRow,
    PostRow,
    RejectedRecordRow,
)
from wakeful.store.upsert import get_or_insert, insert_ignore


def _numbered(count: int, numbers: Sequence[int] | None) -> Iterator[tuple[int, int]]:
    """(index, record number) of each of `count` posts: the caller's numbers, else 1-based places."""
    if numbers is not None and len(numbers) != count:
        raise ValueError(f"{len(numbers)} record numbers for {count} posts")
    return enumerate(numbers if numbers is not None else range(1, count + 1))


def _span(delta: timedelta) -> str:
    """A time difference as a person reads it: '20 min', '5 h', '1,461 days'."""
    minutes = delta.total_seconds() / 60
    if minutes < 120:
        return f"{minutes:.0f} min"
    return f"{minutes / 60:.0f} h" if minutes < 48 * 60 else f"{minutes / 1440:,.0f} days"


def rejected_rows(source: str, errors: Iterable[RecordError], payloads: Mapping[int, object],
                  at: datetime) -> list[RejectedRecordRow]:
    """Rows keeping refused records with their error and payload, so an operator can see, fix and replay them."""
    return [
        RejectedRecordRow(at=at, source=source[:256], record=e.record, field=e.field, error=e.message,
                          payload=json.dumps(payloads.get(e.record), default=str)[:100_000])
        for e in errors
    ]


class PostAnalyzer(Protocol):
    def analyze_many(self, posts: Sequence[Post]) -> list[Analysis]: ...


CaseHook = Callable[[Session, set[int], datetime], None]
"""Called inside a batch's transaction with the cases it opened or updated (routing, risk, alerts)."""


@dataclass
class IngestResult:
    accepted: int = 0
    duplicates: int = 0
    engagement_updates: int = 0
    rejected: list[RecordError] = field(default_factory=list)
    cases: set[int] = field(default_factory=set)

    def merge(self, other: IngestResult) -> None:
        self.accepted += other.accepted
        self.duplicates += other.duplicates
        self.engagement_updates += other.engagement_updates
        self.rejected.extend(other.rejected)
        self.cases |= other.cases


def _author_values(post: Post) -> dict[str, Any]:
    """The profile as this post saw it; `updated_at` is when it was observed, so older replays never win."""
    a = post.author
    return {
        "platform": post.platform.value,
        "platform_id": a.id,
        "handle": a.handle,
        "display_name": a.display_name,
        "followers": a.followers,
        "following": a.following,
        "account_created_at": a.created_at,
        "verified": a.verified,
        "default_profile": a.default_profile,
        "description": a.description,
        "updated_at": post.observed_at(),
    }


def _post_values(post: Post, author_id: int, analysis: Analysis, now: datetime) -> dict[str, Any]:
    return {
        "platform": post.platform.value,
        "platform_id": post.id,
        "author_id": author_id,
        "text": post.text,
        "created_at": post.created_at,
        "ingested_at": now,
        "platform_lang": post.lang,
        "reply_to_id": post.reply_to_id,
        "conversation_id": post.conversation_id,
        "promoted": post.promoted,
        "url": post.url,
        "raw": post.raw,
        "lang": analysis.lang,
        "sentiment": analysis.sentiment.value,
        "sentiment_score": analysis.sentiment_score,
        "complaint": analysis.complaint,
        "complaint_p": analysis.complaint_p,
        "question": analysis.question,
        "spam": analysis.spam,
        "severity": analysis.severity,
        "topics": analysis.topics,
        "brands": analysis.brands,
        "pii": analysis.pii,
        "signals": analysis.signals,
        "deadline_minutes": analysis.deadline_minutes,
        "legal": analysis.legal,
    }


class IngestService:
    """Stores batches of posts; each batch is one transaction, so a crash mid-batch leaves no half-stored post."""

    def __init__(self, db: Database, analyzer: PostAnalyzer, settings: Settings, clock: Clock,
                 case_hooks: Sequence[CaseHook] = ()) -> None:
        self.db = db
        self.analyzer = analyzer
        self.settings = settings
        self.clock = clock
        self.case_hooks = list(case_hooks)

    def ingest(self, posts: Sequence[Post], *, numbers: Sequence[int] | None = None,
               source: str = "ingest") -> IngestResult:
        """Store a batch. A post the desk's clock says cannot have been seen yet is refused alone: kept in
        rejected_records under `source` and listed in `result.rejected` as record `numbers[i]` (its place in the
        caller's input, e.g. a line of a file; by default its 1-based place in `posts`), while the rest is stored."""
        result = IngestResult()
        if not posts:
            return result
        now = self.clock.now()
        with self.db.session() as session:
            known = self._known_keys(session, posts)
            refused = self._refuse_impossible(posts, numbers, known, now)
            if refused:
                payloads = {e.record: posts[i].model_dump(mode="json") for i, e in refused.items()}
                session.add_all(rejected_rows(source, refused.values(), payloads, now))
                result.rejected.extend(refused.values())
                posts = [p for i, p in enumerate(posts) if i not in refused]
            fresh = [p for p in posts if p.key not in known]
            analyses = dict(zip((p.key for p in fresh), self.analyzer.analyze_many(fresh), strict=True))
            for post in posts:
                self._store_one(session, post, analyses.get(post.key), now, result)
            if result.cases:
                session.flush()
                for hook in self.case_hooks:
                    hook(session, result.cases, now)
        return result

    def _refuse_impossible(self, posts: Sequence[Post], numbers: Sequence[int] | None,
                           known: Mapping[tuple[str, str], datetime], now: datetime) -> dict[int, RecordError]:
        """Posts dated after the desk's clock (beyond senders' usual skew), and new counters of a stored post seen
        before it was created: stored, the first would open a case that waits no time and never breaches, and the
        second would put a point before the start of its reach curve. By index in `posts`."""
        tolerance = timedelta(minutes=self.settings.future_tolerance_minutes)
        refused: dict[int, RecordError] = {}
        for i, number in _numbered(len(posts), numbers):
            post = posts[i]
            ahead = post.created_at - now
            stored = known.get(post.key)
            if ahead > tolerance:
                refused[i] = RecordError(number, "created_at", (
                    f"{post.created_at.isoformat()} is {_span(ahead)} after the desk's clock ({now.isoformat()}); "
                    f"a post may be dated at most {_span(tolerance)} ahead (a wrong clock, time zone or year?)"))
            elif post.engagement is not None and stored is not None and post.engagement.observed_at < stored:
                refused[i] = RecordError(number, "engagement.observed_at", (
                    f"{post.engagement.observed_at.isoformat()} is before the stored post's created_at "
                    f"{stored.isoformat()}: counters cannot be seen before the post exists (a wrong time zone?)"))
        return refused

    def reject(self, source: str, errors: Iterable[RecordError], payloads: Mapping[int, object] | None = None) -> int:
        """Keep unreadable records with their error, so an operator can see and replay them."""
        rows = rejected_rows(source, errors, payloads or {}, self.clock.now())
        if rows:
            with self.db.session() as session:
                session.add_all(rows)
        return len(rows)

    @staticmethod
    def _known_keys(session: Session, posts: Sequence[Post]) -> dict[tuple[str, str], datetime]:
        """The stored posts among `posts`, with when each was created."""
        ids = {p.id for p in posts}
        rows = session.execute(
            select(PostRow.platform, PostRow.platform_id, PostRow.created_at).where(PostRow.platform_id.in_(ids)))
        return {(platform, pid): as_utc(created) for platform, pid, created in rows}

    def _store_one(
        self, session: Session, post: Post, analysis: Analysis | None, now: datetime, result: IngestResult
    ) -> None:
        profile = _author_values(post)
        author_id, created = get_or_insert(session, AuthorRow, profile, ["platform", "platform_id"])
        author = session.get(AuthorRow, author_id)
        assert author is not None
        if not created and post.observed_at() > as_utc(author.updated_at):
            for key, value in profile.items():
                setattr(author, key, value)
        post_id: int | None = None
        if analysis is not None:
            post_id = insert_ignore(session, PostRow, _post_values(post, author_id, analysis, now),
                                    ["platform", "platform_id"])
        if post_id is None:
            result.duplicates += 1
            post_id = session.execute(
                select(PostRow.id).where(PostRow.platform == post.platform.value, PostRow.platform_id == post.id)
            ).scalar_one()
            if self._append_engagement(session, post, post_id):
                result.engagement_updates += 1
                result.cases |= self._raise_reach(session, post_id, audience(post.author.followers, post.engagement))
            return
        result.accepted += 1
        self._append_engagement(session, post, post_id)
        post_row = session.get(PostRow, post_id)
        assert post_row is not None and analysis is not None
        reach = audience(post.author.followers, post.engagement)
        result.cases.update(attach_post(session, post_row, post, analysis, reach, self.settings, now))

    @staticmethod
    def _append_engagement(session: Session, post: Post, post_id: int) -> bool:
        e = post.engagement
        if e is None:
            return False
        values = {
            "post_id": post_id, "observed_at": e.observed_at, "likes": e.likes, "reposts": e.reposts,
            "replies": e.replies, "quotes": e.quotes, "impressions": e.impressions,
        }
        return insert_ignore(session, EngagementRow, values, ["post_id", "observed_at"]) is not None

    @staticmethod
    def _raise_reach(session: Session, post_id: int, reach: int) -> set[int]:
        case_ids = set(session.scalars(select(CasePostRow.case_id).where(CasePostRow.post_id == post_id)))
        if case_ids:
            session.execute(
                update(CaseRow).where(CaseRow.id.in_(case_ids), CaseRow.reach < reach).values(reach=reach)
            )
        return case_ids
