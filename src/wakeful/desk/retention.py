"""Retention: customers' words are not kept forever. `retention_days` after a case is resolved (or, for a post in no
case, after it was written) its posts' texts, raw payloads, links (which name the author: x.com/<handle>/status/..)
and earlier versions are erased, and so are the payloads of refused records that old and the errors saying why they
were refused (which can quote the post or name its author). So are the desk's own words
about such a case, as an erasure request erases them (`desk/privacy_words.py`): the texts of its replies and notes
and of the replies queued to the platform (one never sent is not sent now) with the platform's errors about them,
and what its notifications quote of the customer (a snippet, a text, their handle, a channel's error).

What a report counts stays: each post's time, language, sentiment, complaint, severity, topics and brands, and
every case row, so the daily report, fairness report and desk summary read the same before and after. A post in
any case that is open, or was resolved within the period, is not touched: the agent still needs it, and a case
reopened by the customer keeps its history. A case merged into another (state 'merged') is never resolved itself:
it counts as its target. The author rows stay (a purge is not an erasure request). Each purge that erased something
is recorded in `privacy_erasures` (kind 'retention', with its cutoff).

Every server process runs the sweep on its own hourly timer, so two may start at the same moment: a sweep holds
`LOCK` (`store.notify.serialize`) from before it reads what is due until its record has committed, so one runs at a
time and the next finds nothing left (no second, empty or overlapping record). On PostgreSQL the lock is an advisory
one held by a transaction of its own, and each batch commits in its own transaction, so only other sweeps wait. On
SQLite the lock is the database's one write lock, which a second transaction could not take: there the batches run
in the lock's transaction, so a first purge of a long-running desk is one write transaction.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import ColumnElement, Select, String, and_, case, cast, delete, exists, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from wakeful.core.settings import Settings
from wakeful.desk.privacy import ERASED_RESOLUTION, erase_late_posts, nonzero
from wakeful.desk.privacy_scrub import ERASED_TEXT, MARKERS, RETENTION_TEXT
from wakeful.desk.privacy_words import (
    ERASED_EVENT_KINDS,
    FREE_TEXT_KEYS,
    HANDLE_KEYS,
    NOT_SENT_EXPIRED,
    erase_events,
    erase_payload,
    erase_replies,
    holding_words,
    replies_holding_words,
)
from wakeful.store.connectors import OutboundReplyRow
from wakeful.store.db import Database
from wakeful.store.models import (
    CaseEventRow,
    CasePostRow,
    CaseRow,
    PostEditRow,
    PostRow,
    RejectedRecordRow,
    erased_fingerprint_sql,
)
from wakeful.store.notify import NotificationRow, serialize
from wakeful.store.privacy import RETENTION, ErasureRow

BATCH = 1000
"""Posts per transaction: a first purge of a long-running desk does not hold one long write lock."""
EVERY = timedelta(hours=1)
"""How often the server's job purges: a day's retention is honoured to within the hour."""
PURGED_PAYLOAD = json.dumps(RETENTION_TEXT)
GONE_PAYLOADS = (PURGED_PAYLOAD, json.dumps(ERASED_TEXT))
LOCK = "retention"
"""What a process about to sweep waits for while another sweeps (`serialize`)."""
NOT_SENT = NOT_SENT_EXPIRED
WORD_KEYS = (*FREE_TEXT_KEYS, *HANDLE_KEYS)
"""What of a notification about a case past the period is erased: the author stays, so no pseudonym replaces it."""


def _due_posts(cutoff: datetime) -> Select[int]:
    """Posts written before `cutoff` in no case that is open or was resolved since, not purged yet (or edited
    again after a purge: a platform may deliver an edit of an old post; or purged before links were erased too).

    A case merged into another is never resolved itself: its matter is its target's, so a post still linked to it
    (one that joined it as it was being merged) is kept while the target is open or recently resolved, whatever the
    merged case's own `resolved_at` from before the merge says, and purged once the target's period is over."""
    target = aliased(CaseRow)
    target_done = exists().where(target.id == CaseRow.merged_into_id, target.resolved_at < cutoff)
    kept_case = exists().where(CasePostRow.post_id == PostRow.id, CaseRow.id == CasePostRow.case_id, or_(
        and_(CaseRow.merged_into_id.is_(None), or_(CaseRow.resolved_at.is_(None), CaseRow.resolved_at >= cutoff)),
        and_(CaseRow.merged_into_id.is_not(None), ~target_done)))
    not_purged = or_(PostRow.erased.is_(None), and_(PostRow.erased == RETENTION, or_(
        PostRow.text != RETENTION_TEXT, PostRow.url.is_not(None))))
    return select(PostRow.id).where(PostRow.created_at < cutoff, not_purged, ~kept_case)


def _past(cutoff: datetime) -> ColumnElement[bool]:
    """Cases whose period is over: resolved before `cutoff`, or merged into one that was (the matter is the
    target's, as for its posts in `_due_posts`)."""
    target = aliased(CaseRow)
    return or_(and_(CaseRow.merged_into_id.is_(None), CaseRow.resolved_at < cutoff),
               exists().where(target.id == CaseRow.merged_into_id, target.resolved_at < cutoff))


def _due_events(cutoff: datetime) -> Select[int]:
    """Replies and notes of cases past the period, not erased yet."""
    return select(CaseEventRow.id).join(CaseRow, CaseRow.id == CaseEventRow.case_id).where(
        _past(cutoff), CaseEventRow.kind.in_(ERASED_EVENT_KINDS), CaseEventRow.text.is_not(None),
        CaseEventRow.text.not_in(MARKERS))


def _due_replies(cutoff: datetime) -> Select[int]:
    """Queued replies of cases past the period whose text, or the platform's error about them, is not erased yet."""
    return select(OutboundReplyRow.id).join(CaseRow, CaseRow.id == OutboundReplyRow.case_id).where(
        _past(cutoff), replies_holding_words())


def _due_notifications(cutoff: datetime) -> Select[int]:
    """Notifications about cases past the period that still quote or name the customer. The case id is compared
    as text: a payload is free JSON, and a cast to integer would fail on PostgreSQL for one that is not a number."""
    about = NotificationRow.payload["case_id"].as_string() == cast(CaseRow.id, String)
    return select(NotificationRow.id).join(CaseRow, about).where(_past(cutoff), holding_words(WORD_KEYS))


def _due_rejected(cutoff: datetime) -> Select[int]:
    """Refused records kept before `cutoff` whose payload or error is not erased yet (or whose error a purge or
    an erasure before errors were erased too left)."""
    return select(RejectedRecordRow.id).where(RejectedRecordRow.at < cutoff, or_(
        RejectedRecordRow.payload.not_in(GONE_PAYLOADS), RejectedRecordRow.error.not_in(MARKERS)))


def count_due(session: Session, now: datetime, days: int) -> dict[str, int]:
    """What a purge would erase now: posts, their earlier versions, refused records, and the desk's words about
    cases past the period (replies and notes, queued replies, notifications)."""
    cutoff = now - timedelta(days=days)
    posts = _due_posts(cutoff).subquery()

    def count(stmt: Select[int]) -> int:
        return session.scalar(select(func.count()).select_from(stmt.subquery())) or 0

    return {
        "posts": count(select(posts.c.id)),
        "post_edits": count(select(PostEditRow.id).where(PostEditRow.post_id.in_(select(posts.c.id)))),
        "rejected_records": count(_due_rejected(cutoff)),
        "case_events": count(_due_events(cutoff)),
        "outbound_replies": count(_due_replies(cutoff)),
        "notifications": count(_due_notifications(cutoff)),
    }


def _purge_words(session: Session, cutoff: datetime, counts: Counter[str]) -> int:
    """A batch of the desk's words about cases past the period, erased as an erasure request erases them."""
    def due(model: type[CaseEventRow | OutboundReplyRow | NotificationRow], stmt: Select[int]) -> list[Any]:
        ids = list(session.scalars(stmt.order_by(model.id).limit(BATCH)))
        return list(session.scalars(select(model).where(model.id.in_(ids)))) if ids else []

    events = len(erase_events(due(CaseEventRow, _due_events(cutoff)), RETENTION_TEXT))
    replies = erase_replies(session, due(OutboundReplyRow, _due_replies(cutoff)), RETENTION_TEXT, NOT_SENT)
    notes = sum(erase_payload(row, RETENTION_TEXT, WORD_KEYS) for row in due(NotificationRow,
                                                                             _due_notifications(cutoff)))
    counts["case_events"] += events
    counts["outbound_replies"] += replies
    counts["notifications"] += notes
    session.flush()
    return events + replies + notes


def _purge_batch(session: Session, cutoff: datetime, now: datetime, counts: Counter[str]) -> int:
    ids = list(session.scalars(_due_posts(cutoff).order_by(PostRow.id).limit(BATCH)))
    if ids:
        gone = session.execute(delete(PostEditRow).where(PostEditRow.post_id.in_(ids)))
        counts["post_edits"] += int(getattr(gone, "rowcount", 0) or 0)
        session.execute(update(PostRow).where(PostRow.id.in_(ids)).values(
            text=RETENTION_TEXT, raw={}, url=None, erased=RETENTION, erased_at=now).execution_options(
            synchronize_session=False))
        counts["posts"] += len(ids)
    rejected = list(session.scalars(_due_rejected(cutoff).order_by(RejectedRecordRow.id).limit(BATCH)))
    if rejected:
        kept = case((RejectedRecordRow.payload.in_(GONE_PAYLOADS), RejectedRecordRow.payload), else_=PURGED_PAYLOAD)
        session.execute(update(RejectedRecordRow).where(RejectedRecordRow.id.in_(rejected)).values(
            payload=kept, error=case((RejectedRecordRow.error.in_(MARKERS), RejectedRecordRow.error),
                                     else_=RETENTION_TEXT),
            fingerprint=erased_fingerprint_sql(RejectedRecordRow.id)).execution_options(synchronize_session=False))
        session.execute(update(RejectedRecordRow).where(
            RejectedRecordRow.id.in_(rejected), RejectedRecordRow.resolved_at.is_(None)).values(
            resolved_at=now, resolution=ERASED_RESOLUTION, resolved_by="retention").execution_options(
            synchronize_session=False))
        counts["rejected_records"] += len(rejected)
    return len(ids) + len(rejected) + _purge_words(session, cutoff, counts)


@contextmanager
def _locked(db: Database) -> Iterator[Callable[[], AbstractContextManager[Session]]]:
    """Hold `LOCK` while the block runs; yields what opens each of its transactions: a session of its own on
    PostgreSQL (the advisory lock's transaction stays open beside it), the lock's own on SQLite (whose lock is the
    one write lock, so a second transaction would wait for it forever)."""
    with db.session() as guard:
        serialize(guard, LOCK)
        if guard.get_bind().dialect.name == "postgresql":
            yield db.session
            return

        @contextmanager
        def same() -> Iterator[Session]:
            yield guard
            guard.flush()

        yield same


def _purge(work: Callable[[], AbstractContextManager[Session]], now: datetime, days: int) -> ErasureRow | None:
    if days < 1:
        raise ValueError("retention_days must be at least 1 to purge; unset or 0 keeps texts forever")
    cutoff = now - timedelta(days=days)
    counts: Counter[str] = Counter()
    while True:
        with work() as session:
            if not _purge_batch(session, cutoff, now, counts):
                break
    if not any(counts.values()):
        return None
    with work() as session:
        row = ErasureRow(at=now, kind=RETENTION, requested_by="retention", reference=f"retention_days={days}",
                         platform=None, salt=None, subject_hashes=[], counts=nonzero(counts), cutoff=cutoff)
        session.add(row)
    return row


def purge(db: Database, now: datetime, days: int) -> ErasureRow | None:
    """Erase what is past the retention period, a batch per transaction (on PostgreSQL), and record it; None when
    nothing was due, or another process's purge had just erased it. `days` must be at least 1 (0 or unset means
    keep forever, and is the caller's to skip)."""
    with _locked(db) as work:
        return _purge(work, now, days)


def sweep(db: Database, now: datetime, days: int | None) -> list[ErasureRow]:
    """One round, under `LOCK`: posts stored for erased authors since their erasure, then the retention purge when
    set."""
    done: list[ErasureRow] = []
    with _locked(db) as work:
        with work() as session:
            late = erase_late_posts(session, now)
            if late is not None:
                done.append(late)
        if days:
            purged = _purge(work, now, days)
            if purged is not None:
                done.append(purged)
    return done


class _DeskLike(Protocol):
    db: Database
    settings: Settings


def job(every: timedelta = EVERY) -> Callable[[_DeskLike, datetime], None]:
    """The server's scheduled job (`desk.jobs`): a sweep at start, then one per `every`, whatever the scheduler's
    interval; `retention_days` is read each time, so a changed setting applies at the next sweep."""
    last: list[datetime] = []

    def retention(desk: _DeskLike, now: datetime) -> None:
        if last and now - last[0] < every:
            return
        last[:] = [now]
        sweep(desk.db, now, desk.settings.retention_days)

    return retention
