"""Retention: customers' words are not kept forever. `retention_days` after a case is resolved (or, for a post in no
case, after it was written) its posts' texts, raw payloads and earlier versions are erased, and so are the payloads
of refused records that old.

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
from typing import Protocol

from sqlalchemy import Select, and_, delete, exists, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from wakeful.core.settings import Settings
from wakeful.desk.privacy import ERASED_RESOLUTION, erase_late_posts, nonzero
from wakeful.desk.privacy_scrub import ERASED_TEXT, RETENTION_TEXT
from wakeful.store.db import Database
from wakeful.store.models import CasePostRow, CaseRow, PostEditRow, PostRow, RejectedRecordRow, erased_fingerprint_sql
from wakeful.store.notify import serialize
from wakeful.store.privacy import RETENTION, ErasureRow

BATCH = 1000
"""Posts per transaction: a first purge of a long-running desk does not hold one long write lock."""
EVERY = timedelta(hours=1)
"""How often the server's job purges: a day's retention is honoured to within the hour."""
PURGED_PAYLOAD = json.dumps(RETENTION_TEXT)
GONE_PAYLOADS = (PURGED_PAYLOAD, json.dumps(ERASED_TEXT))
LOCK = "retention"
"""What a process about to sweep waits for while another sweeps (`serialize`)."""


def _due_posts(cutoff: datetime) -> Select[int]:
    """Posts written before `cutoff` in no case that is open or was resolved since, not purged yet (or edited
    again after a purge: a platform may deliver an edit of an old post).

    A case merged into another is never resolved itself: its matter is its target's, so a post still linked to it
    (one that joined it as it was being merged) is kept while the target is open or recently resolved, whatever the
    merged case's own `resolved_at` from before the merge says, and purged once the target's period is over."""
    target = aliased(CaseRow)
    target_done = exists().where(target.id == CaseRow.merged_into_id, target.resolved_at < cutoff)
    kept_case = exists().where(CasePostRow.post_id == PostRow.id, CaseRow.id == CasePostRow.case_id, or_(
        and_(CaseRow.merged_into_id.is_(None), or_(CaseRow.resolved_at.is_(None), CaseRow.resolved_at >= cutoff)),
        and_(CaseRow.merged_into_id.is_not(None), ~target_done)))
    not_purged = or_(PostRow.erased.is_(None), and_(PostRow.erased == RETENTION, PostRow.text != RETENTION_TEXT))
    return select(PostRow.id).where(PostRow.created_at < cutoff, not_purged, ~kept_case)


def _due_rejected(cutoff: datetime) -> Select[int]:
    return select(RejectedRecordRow.id).where(RejectedRecordRow.at < cutoff,
                                              RejectedRecordRow.payload.not_in(GONE_PAYLOADS))


def count_due(session: Session, now: datetime, days: int) -> dict[str, int]:
    """What a purge would erase now: posts, their earlier versions, and refused records."""
    cutoff = now - timedelta(days=days)
    posts = _due_posts(cutoff).subquery()
    return {
        "posts": session.scalar(select(func.count()).select_from(posts)) or 0,
        "post_edits": session.scalar(select(func.count()).select_from(PostEditRow).where(
            PostEditRow.post_id.in_(select(posts.c.id)))) or 0,
        "rejected_records": session.scalar(select(func.count()).select_from(_due_rejected(cutoff).subquery())) or 0,
    }


def _purge_batch(session: Session, cutoff: datetime, now: datetime, counts: Counter[str]) -> int:
    ids = list(session.scalars(_due_posts(cutoff).order_by(PostRow.id).limit(BATCH)))
    if ids:
        gone = session.execute(delete(PostEditRow).where(PostEditRow.post_id.in_(ids)))
        counts["post_edits"] += int(getattr(gone, "rowcount", 0) or 0)
        session.execute(update(PostRow).where(PostRow.id.in_(ids)).values(
            text=RETENTION_TEXT, raw={}, erased=RETENTION, erased_at=now).execution_options(synchronize_session=False))
        counts["posts"] += len(ids)
    rejected = list(session.scalars(_due_rejected(cutoff).order_by(RejectedRecordRow.id).limit(BATCH)))
    if rejected:
        session.execute(update(RejectedRecordRow).where(RejectedRecordRow.id.in_(rejected)).values(
            payload=PURGED_PAYLOAD, fingerprint=erased_fingerprint_sql(RejectedRecordRow.id)).execution_options(
            synchronize_session=False))
        session.execute(update(RejectedRecordRow).where(
            RejectedRecordRow.id.in_(rejected), RejectedRecordRow.resolved_at.is_(None)).values(
            resolved_at=now, resolution=ERASED_RESOLUTION, resolved_by="retention").execution_options(
            synchronize_session=False))
        counts["rejected_records"] += len(rejected)
    return len(ids) + len(rejected)


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
    if not counts:
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
