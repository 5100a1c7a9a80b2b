"""Making two server processes meet at the moment a race needs: each desk's transaction held before it commits
until the others get there, and calls started together in threads."""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from wakeful.analyze.pipeline import Analyzer
from wakeful.api.app import build_desk
from wakeful.api.deps import Desk
from wakeful.core.clock import FixedClock
from wakeful.core.models import Analysis, Post
from wakeful.core.settings import Settings
from wakeful.desk.notify import BrandNotifier
from wakeful.store.models import CaseEventRow

MEETS = "tests.races.meets"
"""Set in a session's info once it has flushed an event a `commits_meet` waits for."""


Processes = Callable[[int], list[Desk]]


@contextmanager
def server_processes(settings: Settings, now: datetime, analyzer: Analyzer) -> Iterator[Processes]:
    """`start(n)`: n more server desks (processes) on the settings' database, their clocks at `now`; all closed at
    the end."""
    made: list[Desk] = []

    def start(n: int) -> list[Desk]:
        desks = [build_desk(settings, clock=FixedClock(now), analyzer=analyzer) for _ in range(n)]
        made.extend(desks)
        return desks

    try:
        yield start
    finally:
        for desk in made:
            if isinstance(desk.notifier, BrandNotifier):
                desk.notifier.close()
            desk.db.dispose()


@contextmanager
def commits_meet(n: int, kind: str | Collection[str], wait_s: float = 1.5) -> Iterator[None]:
    """Hold each transaction about to commit a case event of `kind` (or of one of several kinds, where the racing
    actions record different ones; flushed already or not) until `n` of them are, or for `wait_s`: makes certain
    the moment production meets by chance, when processes have each read that nothing was done yet and none has
    committed. Under a lock the others cannot get that far, so the first commits after `wait_s` and the others then
    find its work done."""
    meet = threading.Barrier(n)
    kinds = {kind} if isinstance(kind, str) else set(kind)

    def recording(session: Session) -> bool:
        return any(isinstance(row, CaseEventRow) and row.kind in kinds for row in session.new)

    def flushing(session: Session, _context: object, _instances: object) -> None:
        if recording(session):
            session.info[MEETS] = True

    def hold(session: Session) -> None:
        if session.info.pop(MEETS, False) or recording(session):
            with suppress(threading.BrokenBarrierError):  # waited long enough: the others are held by the lock
                meet.wait(timeout=wait_s)

    def ended(session: Session, transaction: SessionTransaction) -> None:
        if transaction.parent is None:  # rolled back: its events were never committed
            session.info.pop(MEETS, None)

    listeners = [("before_flush", flushing), ("before_commit", hold), ("after_transaction_end", ended)]
    for name, listener in listeners:
        event.listen(Session, name, listener)
    try:
        yield
    finally:
        for name, listener in listeners:
            event.remove(Session, name, listener)


def in_threads(calls: list[Callable[[], object]]) -> list[BaseException]:
    """Run the calls in threads released at the same moment; the errors they raised."""
    start = threading.Barrier(len(calls))
    errors: list[BaseException] = []

    def run(call: Callable[[], object]) -> None:
        start.wait()
        try:
            call()
        except BaseException as err:  # pragma: no cover - reported by the caller
            errors.append(err)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def started(call: Callable[[], object]) -> threading.Thread:
    """`call` running in a daemon thread (one that may block on a lock the test holds)."""
    thread = threading.Thread(target=call, daemon=True)
    thread.start()
    return thread


class ActsWhileAnalysed:
    """A batch's analyzer: once it has analysed the batch, it waits until the other process has acted (set
    `acted`; its commit held by `commits_meet`), as a batch still analysing when someone acts on its case would."""

    def __init__(self, analyzer: Any) -> None:
        self.analyzer = analyzer
        self.acted = threading.Event()

    def analyze_many(self, posts: Sequence[Post]) -> list[Analysis]:
        found: list[Analysis] = self.analyzer.analyze_many(posts)
        assert self.acted.wait(timeout=30), "the other process never acted"
        return found
