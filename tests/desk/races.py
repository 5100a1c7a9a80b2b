"""Making two server processes meet at the moment a race needs: each desk's transaction held before it commits
until the others get there, and calls started together in threads."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

from sqlalchemy import event
from sqlalchemy.orm import Session

from wakeful.store.models import CaseEventRow


@contextmanager
def commits_meet(n: int, kind: str, wait_s: float = 1.5) -> Iterator[None]:
    """Hold each transaction about to commit a case event of `kind` until `n` of them are, or for `wait_s`: makes
    certain the moment production meets by chance, when processes have each read that nothing was done yet and
    none has committed. Under a lock the others cannot get that far, so the first commits after `wait_s` and the
    others then find its work done."""
    meet = threading.Barrier(n)

    def hold(session: Session) -> None:
        if any(isinstance(row, CaseEventRow) and row.kind == kind for row in session.new):
            with suppress(threading.BrokenBarrierError):  # waited long enough: the others are held by the lock
                meet.wait(timeout=wait_s)

    event.listen(Session, "before_commit", hold)
    try:
        yield
    finally:
        event.remove(Session, "before_commit", hold)


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
