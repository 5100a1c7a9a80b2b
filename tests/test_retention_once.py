"""The retention sweep runs once however many server processes start it at the same moment, on SQLite and
PostgreSQL: one purges, the others find nothing left, and the record of erasures holds one retention purge with
the counts of what was erased."""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import suppress
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from wakeful.api.deps import Desk
from wakeful.core.clock import FixedClock
from wakeful.desk import retention
from wakeful.store.db import Database
from wakeful.store.models import PostRow
from wakeful.store.privacy import ErasureRow

from tests import privacy_scenario as sc
from tests.desk.races import in_threads
from tests.factories import T0

LATER = T0 + timedelta(days=31)
PROCESSES = 3


def _batches_meet(monkeypatch: pytest.MonkeyPatch, n: int, wait_s: float = 1.5) -> None:
    """Hold each purge batch that erased something, before it commits, until `n` have, or for `wait_s`: the moment
    production meets by chance, when every process has read the same batch as due and none has committed. Under the
    lock the others cannot read it, so the first commits after `wait_s` and the others then find nothing due."""
    meet = threading.Barrier(n)
    batch = retention._purge_batch

    def held(session: Session, cutoff: datetime, now: datetime, counts: retention.Counter[str]) -> int:
        done = batch(session, cutoff, now, counts)
        if done:
            with suppress(threading.BrokenBarrierError):
                meet.wait(timeout=wait_s)
        return done

    monkeypatch.setattr(retention, "_purge_batch", held)


@pytest.mark.parametrize("run", [
    pytest.param(lambda db: retention.purge(db, LATER, 30), id="purge"),
    pytest.param(lambda db: retention.sweep(db, LATER, 30), id="sweep"),
])
def test_processes_purging_at_once_erase_and_record_once(desk: Desk, clock: FixedClock,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         run: Callable[[Database], object]) -> None:
    sc.build(desk, clock)
    with desk.db.session() as session:
        due = retention.count_due(session, LATER, 30)
    assert due == {"posts": 3, "post_edits": 1, "rejected_records": 1, "case_events": 4, "outbound_replies": 2,
                   "notifications": 1}
    processes = [Database(desk.settings.database_url) for _ in range(PROCESSES)]
    _batches_meet(monkeypatch, PROCESSES)
    try:
        assert in_threads([lambda db=db: run(db) for db in processes]) == []
    finally:
        for db in processes:
            db.dispose()
    with desk.db.session() as session:
        records = session.scalars(select(ErasureRow)).all()
        assert [(r.kind, r.counts, r.cutoff is not None) for r in records] == [("retention", due, True)]
        assert not any(retention.count_due(session, LATER, 30).values())
        purged = session.scalars(select(PostRow).where(PostRow.erased == "retention")).all()
        assert len(purged) == 3
    assert retention.purge(desk.db, LATER, 30) is None  # and a later purge finds nothing either
