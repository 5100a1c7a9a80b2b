"""The one path every post takes into the desk: store once, analyse, append engagement, group into cases.

Delivery is at-least-once, so storage is idempotent on (platform, post id): a repeated delivery adds nothing but
a new engagement observation, which is appended to the post's reach curve rather than overwriting it. A newer
version of a stored post (its author edited it) replaces its text and is analysed again (`ingest/edits.py`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.orm import Session

from wakeful.core.clock import Clock, as_utc
from wakeful.core.models import Analysis, Platform, Post
from wakeful.core.settings import Settings
from wakeful.desk.cases import CasesBusy, attach_post, cases_joined, lock_cases, unheld
from wakeful.ingest import edits
from wakeful.ingest.jsonl import RecordError, storable
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


_FUTURE = {"created_at": "a post may be dated", "engagement.observed_at": "counters may be observed",
           "author.created_at": "an account may be created"}
"""The times checked against the desk's clock, in the order they are reported (counters are never seen before
their post is made, so a future post is named by its own time)."""


def _ahead_of(post: Post, now: datetime, tolerance: timedelta) -> tuple[str, datetime] | None:
    """The first of the post's times that is more than `tolerance` after `now`, by its dotted field name."""
    times = {"created_at": post.created_at,
             "engagement.observed_at": post.engagement.observed_at if post.engagement else None,
             "author.created_at": post.author.created_at}
    return next(((name, at) for name, at in times.items() if at is not None and at - now > tolerance), None)


def _span(delta: timedelta) -> str:
    """A time difference as a person reads it: '20 min', '5 h', '1,461 days'."""
    minutes = delta.total_seconds() / 60
    if minutes < 120:
        return f"{minutes:.0f} min"
    return f"{minutes / 60:.0f} h" if minutes < 48 * 60 else f"{minutes / 1440:,.0f} days"


def rejected_values(source: str, errors: Iterable[RecordError], payloads: Mapping[int, object],
                    at: datetime) -> list[dict[str, Any]]:
    """Rows keeping refused records with their error and payload, so an operator can see, fix and replay them.

    Every string is storable (`RecordError` makes its own so; the source may be a file name holding a byte that was
    not UTF-8, which would fail the insert and with it every rejection of the file; the payload is ASCII JSON).
    `fingerprint` is the record's identity: the same record (source, place, field and payload) refused again, as
    when a file is replayed or a webhook retries, is kept once, with its first refusal; the error is not part of it,
    as it may name the desk's clock at the time."""
    rows = []
    for e in errors:
        values = {"at": at, "source": storable(source)[:256], "record": e.record,
                  "field": e.field[:256] if e.field is not None else None, "error": e.message,
                  "payload": json.dumps(payloads.get(e.record), default=str)[:100_000]}
        identity = json.dumps([values[k] for k in ("source", "record", "field", "payload")])
        rows.append({**values, "fingerprint": hashlib.sha256(identity.encode()).hexdigest()})
    return rows


def _keep_rejected(session: Session, rows: Iterable[dict[str, Any]]) -> int:
    """Insert the rows not kept already; how many were new."""
    return sum(insert_ignore(session, RejectedRecordRow, row, ["fingerprint"]) is not None for row in rows)


def _storage_order(post: Post) -> tuple[datetime, str, str, datetime]:
    """The order a batch stores its posts in: by time, then key, whatever order they came in.

    Two batches writing the same new key (a repeated delivery, an author in both) each wait, on PostgreSQL, for the
    other's uncommitted row; had each written the other's first, they would wait for each other (a deadlock, one
    batch lost). Written in one order everywhere, the second batch only waits for the first. By time first, so a
    thread's root is stored before its replies delivered with it, and an original before its edit."""
    return (post.created_at, post.platform.value, post.id, post.version_at)


def _keyed(model: type[AuthorRow] | type[PostRow], keys: Iterable[tuple[str, str]]) -> ColumnElement[bool]:
    """SQL: the row is one of these (platform, platform id) keys, in a form their unique index serves."""
    by_platform: dict[str, set[str]] = {}
    for platform, pid in keys:
        by_platform.setdefault(platform, set()).add(pid)
    return or_(*(and_(model.platform == platform, model.platform_id.in_(pids))
                 for platform, pids in by_platform.items()))


def _claim_authors(session: Session, posts: Sequence[Post]) -> dict[tuple[str, str], int]:
    """The row id of each post's author by (platform, author id), inserting those not stored in key order (see
    `_storage_order`), each with the profile its first post in `posts` saw."""
    first: dict[tuple[str, str], Post] = {}
    for post in posts:
        first.setdefault((post.platform.value, post.author.id), post)
    return {key: get_or_insert(session, AuthorRow, _author_values(first[key]), ["platform", "platform_id"])[0]
            for key in sorted(first)}


def _hold_cases_of(session: Session, post_id: int) -> set[int]:
    """The ids of the cases holding a stored post, their rows locked: the batch locked them at its start, unless a
    merge or split moved the post meanwhile (then taken without waiting, as `attach_post` takes its cases)."""
    case_ids = set(session.scalars(select(CasePostRow.case_id).where(CasePostRow.post_id == post_id)))
    lock_cases(session, unheld(session, case_ids), wait=False)
    return case_ids


class PostAnalyzer(Protocol):
    def analyze_many(self, posts: Sequence[Post]) -> list[Analysis]: ...


CaseHook = Callable[[Session, set[int], datetime], None]
"""Called inside a batch's transaction with the cases it opened or updated (routing, risk, alerts)."""


@dataclass
class IngestResult:
    accepted: int = 0
    duplicates: int = 0
    engagement_updates: int = 0
    edits: int = 0
    rejected: list[RecordError] = field(default_factory=list)
    cases: set[int] = field(default_factory=set)

    @property
    def all_refused(self) -> bool:
        """Records came and every one was refused: the input as a whole is wrong (a command exits non-zero)."""
        return bool(self.rejected) and not (self.accepted or self.duplicates or self.engagement_updates
                                            or self.edits)

    def merge(self, other: IngestResult) -> None:
        self.accepted += other.accepted
        self.duplicates += other.duplicates
        self.engagement_updates += other.engagement_updates
        self.edits += other.edits
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
        **edits.analysis_values(analysis),
        "edited_at": post.edited_at,
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
        if not posts:
            return IngestResult()
        now = self.clock.now()
        analysed: dict[int, Analysis] = {}
        busy: set[int] = set()
        while True:  # each round waits for more cases at its start: ends once it holds every case its posts join
            try:
                return self._batch(posts, numbers, source, now, analysed, busy)
            except CasesBusy as err:
                if err.ids <= busy:  # waited for at the start of this try: not another's, so nothing to wait for
                    raise
                busy |= err.ids

    def _batch(self, posts: Sequence[Post], numbers: Sequence[int] | None, source: str, now: datetime,
               analysed: dict[int, Analysis], busy: set[int]) -> IngestResult:
        """One try at storing a batch, in one transaction, with the analyses of an earlier try (`analysed`, by
        index in `posts`) and the cases it found another transaction holding (`busy`).

        Before it writes anything, it locks every stored case it will write to, at once and in id order
        (`_cases_to_lock`), so that it waits for an agent's action on one of them, or for another batch, holding
        no row anybody else waits for; and since all such lockers take their cases in id order, none waits in a
        circle (a deadlock). A case its posts join that it did not lock then (another transaction changed what they
        join in between) is taken only where free: where another transaction holds it, `CasesBusy` rolls the batch
        back, and the next try waits for that case with the others."""
        result = IngestResult()
        with self.db.session() as session:
            known = self._known_keys(session, posts)
            refused = self._refuse_impossible(posts, numbers, known, now)
            kept = [i for i in range(len(posts)) if i not in refused]
            # new posts and newer versions of stored ones (edits) are analysed; repeats are not
            fresh = {i for i in kept if posts[i].key not in known or posts[i].version_at > known[posts[i].key][1]}
            todo = sorted(fresh - analysed.keys())
            analysed.update(zip(todo, self.analyzer.analyze_many([posts[i] for i in todo]), strict=True))
            posts_kept = [posts[i] for i in kept]
            analyses = {j: analysed[i] for j, i in enumerate(kept) if i in fresh}
            lock_cases(session, self._cases_to_lock(session, posts_kept, analyses, known) | busy)
            if refused:
                payloads = {e.record: posts[i].model_dump(mode="json") for i, e in refused.items()}
                _keep_rejected(session, rejected_values(source, refused.values(), payloads, now))
                result.rejected.extend(refused.values())
            order = sorted(range(len(posts_kept)), key=lambda j: _storage_order(posts_kept[j]))
            authors = _claim_authors(session, [posts_kept[j] for j in order])
            for j in order:
                self._store_one(session, posts_kept[j], authors, analyses.get(j), now, result)
            if result.cases:
                session.flush()
                for hook in self.case_hooks:
                    hook(session, result.cases, now)
        return result

    def _cases_to_lock(self, session: Session, posts: Sequence[Post], analyses: Mapping[int, Analysis],
                       known: Mapping[tuple[str, str], object]) -> set[int]:
        """The stored cases the batch will write to, read without a lock: those holding its stored posts (new
        counters raise their reach, an edit folds into them), and those its new posts and edits (`analyses`, by
        index) may join (`cases.cases_joined`)."""
        ids: set[int] = set()
        stored = {p.key for p in posts if p.key in known}
        if stored:
            ids |= set(session.scalars(select(CasePostRow.case_id).join(PostRow, PostRow.id == CasePostRow.post_id)
                                       .where(_keyed(PostRow, stored))))
        if analyses:
            authors = {(platform, pid): author_id for platform, pid, author_id in session.execute(
                select(AuthorRow.platform, AuthorRow.platform_id, AuthorRow.id)
                .where(_keyed(AuthorRow, {(posts[i].platform.value, posts[i].author.id) for i in analyses})))}
            ids |= cases_joined(session, [(posts[i], authors.get((posts[i].platform.value, posts[i].author.id)), a)
                                          for i, a in analyses.items()], self.settings)
        return ids

    def _refuse_impossible(self, posts: Sequence[Post], numbers: Sequence[int] | None,
                           known: Mapping[tuple[str, str], tuple[datetime, datetime, bool]],
                           now: datetime) -> dict[int, RecordError]:
        """Posts with a time after the desk's clock (beyond senders' usual skew), and new counters of a stored post
        seen before it was created. Stored, a future post would open a case that waits no time and never breaches,
        future counters would date its author's profile so late that no later post updates it, and counters seen
        before the post would put a point before the start of its reach curve. By index in `posts`."""
        tolerance = timedelta(minutes=self.settings.future_tolerance_minutes)
        refused: dict[int, RecordError] = {}
        for i, number in _numbered(len(posts), numbers):
            post = posts[i]
            stored = known[post.key][0] if post.key in known else None
            if stored is not None and edits.is_earlier_version(post, *known[post.key][1:]):
                stored = min(stored, post.created_at)  # an original after its edit: it was created earlier
            ahead = _ahead_of(post, now, tolerance)
            if ahead is not None:
                name, at = ahead
                refused[i] = RecordError(number, name, (
                    f"{at.isoformat()} is {_span(at - now)} after the desk's clock ({now.isoformat()}); "
                    f"{_FUTURE[name]} at most {_span(tolerance)} ahead (a wrong clock, time zone or year?)"))
            elif post.engagement is not None and stored is not None and post.engagement.observed_at < stored:
                refused[i] = RecordError(number, "engagement.observed_at", (
                    f"{post.engagement.observed_at.isoformat()} is before the stored post's created_at "
                    f"{stored.isoformat()}: counters cannot be seen before the post exists (a wrong time zone?)"))
        return refused

    def reject(self, source: str, errors: Iterable[RecordError], payloads: Mapping[int, object] | None = None) -> int:
        """Keep unreadable records with their error, so an operator can see and replay them; a record kept already
        (the same file ingested again) is not kept twice. How many were new."""
        rows = rejected_values(source, errors, payloads or {}, self.clock.now())
        if not rows:
            return 0
        with self.db.session() as session:
            return _keep_rejected(session, rows)

    def delete(self, platform: Platform, deleted: Mapping[str, datetime]) -> int:
        """Record that authors deleted these posts, post id -> when (see `edits.mark_deleted`); how many stored
        posts it marked.

        The post, its case and what the desk answered stay: the desk's record of a conversation is not the
        platform's to erase, and a reply already sent cannot be unsent."""
        with self.db.session() as session:
            return edits.mark_deleted(session, platform, deleted)

    def stored(self, platform: Platform, ids: Sequence[str]) -> set[str]:
        """Which of these post ids the desk holds (a connector asks before taking an edit of a post it would not
        take new)."""
        with self.db.session() as session:
            return set(session.scalars(select(PostRow.platform_id).where(
                PostRow.platform == platform.value, PostRow.platform_id.in_(list(ids)))))

    @staticmethod
    def _known_keys(session: Session, posts: Sequence[Post]
                    ) -> dict[tuple[str, str], tuple[datetime, datetime, bool]]:
        """The stored posts among `posts`: when each was created, when its stored text was written, and whether
        that text is an edit."""
        rows = session.execute(select(PostRow.platform, PostRow.platform_id, PostRow.created_at, PostRow.edited_at)
                               .where(_keyed(PostRow, {p.key for p in posts})))
        return {(platform, pid): (as_utc(created), as_utc(edited or created), edited is not None)
                for platform, pid, created, edited in rows}

    def _store_one(self, session: Session, post: Post, authors: Mapping[tuple[str, str], int],
                   analysis: Analysis | None, now: datetime, result: IngestResult) -> None:
        author_id = authors[(post.platform.value, post.author.id)]
        author = session.get(AuthorRow, author_id)
        assert author is not None
        if post.observed_at() > as_utc(author.updated_at):
            for key, value in _author_values(post).items():
                setattr(author, key, value)
        post_id: int | None = None
        if analysis is not None:
            post_id = insert_ignore(session, PostRow, _post_values(post, author_id, analysis, now),
                                    ["platform", "platform_id"])
        if post_id is None:
            row = session.execute(
                select(PostRow).where(PostRow.platform == post.platform.value, PostRow.platform_id == post.id)
            ).scalar_one()
            reach = audience(post.author.followers, post.engagement)
            version_at = edits.stored_version(row)
            if post.version_at > version_at:
                self._edit(session, row, post, analysis, reach, now, result)
            else:
                result.duplicates += 1
                if edits.is_earlier_version(post, version_at, row.edited_at is not None):
                    edits.keep_older(session, row, post, now)
            if self._append_engagement(session, post, row.id):
                result.engagement_updates += 1
                result.cases |= self._raise_reach(session, row.id, reach)
            return
        result.accepted += 1
        self._append_engagement(session, post, post_id)
        post_row = session.get(PostRow, post_id)
        assert post_row is not None and analysis is not None
        reach = audience(post.author.followers, post.engagement)
        result.cases.update(attach_post(session, post_row, post, analysis, reach, self.settings, now))

    def _edit(self, session: Session, row: PostRow, post: Post, analysis: Analysis | None, reach: int,
              now: datetime, result: IngestResult) -> None:
        """A newer version of a stored post: one edit, its cases refreshed, or opened if it now needs an answer."""
        result.edits += 1
        if analysis is None:  # stored by a concurrent batch after this one looked
            analysis = self.analyzer.analyze_many([post])[0]
        if not edits.apply_edit(session, row, post, analysis, now):
            return
        session.flush()
        _hold_cases_of(session, row.id)
        cases = edits.fold_into_cases(session, row, analysis, now)
        if not cases:
            cases = set(attach_post(session, row, post, analysis, reach, self.settings, now))
        result.cases |= cases

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
        case_ids = _hold_cases_of(session, post_id)
        if case_ids:
            session.execute(
                update(CaseRow).where(CaseRow.id.in_(case_ids), CaseRow.reach < reach).values(reach=reach)
            )
        return case_ids
