"""SLA escalations reach the lead and on-call once per case, timer and step however many server processes tick at
the same moment, on SQLite and PostgreSQL; the lock that makes that so is a brand's, taken only when something is
due, so it neither holds up other brands nor a tick with nothing to send."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from functools import partial

import pytest
from sqlalchemy import select

from wakeful.analyze import Analyzer
from wakeful.api.deps import Desk
from wakeful.core.clock import FixedClock
from wakeful.core.notify_settings import NotifySettings
from wakeful.core.settings import Settings
from wakeful.desk import scheduled
from wakeful.desk.notify import BrandNotifier
from wakeful.store.db import migrate
from wakeful.store.models import CaseEventRow, CaseRow
from wakeful.store.notify import NotificationRow, serialize

from tests.desk.loopback import Receiver
from tests.desk.races import Processes, commits_meet, in_threads, server_processes, started
from tests.desk_fixtures import BRANDS
from tests.factories import T0, make_post

SECRET = "escalation-signing-key"
LOST = "@AuroraAirways you lost my bag on AU {n}, nobody answers. Still waiting for my suitcase!"
NORD = "@NordRail mein Zug nach Hamburg ist ausgefallen und niemand hilft mir, das ist eine Frechheit! ({n})"
LATE = T0 + timedelta(minutes=25)
"""Past the 20-minute first-response target: every open case is due both its warning and its page."""
EVENTS = ("sla.warning", "oncall.page")


@pytest.fixture
def processes(database_url: str, analyzer: Analyzer, receiver: Receiver) -> Iterator[Processes]:
    """`start(n)`: n server desks (processes) on the test database, their clocks at `LATE`, every brand's events
    going to one signed webhook; four Aurora and two Nord Rail complaints, unanswered since T0."""
    notify = NotifySettings.model_validate({"webhook_url": receiver.url, "webhook_secret": SECRET, "backoff_s": 0})
    settings = Settings(database_url=database_url, brands=BRANDS, notify=notify,
                        first_response_target_minutes=[20, 20, 20, 20])
    migrate(database_url)
    with server_processes(settings, LATE, analyzer) as start:
        first = start(1)[0]
        posts = [make_post(f"a{i}", LOST.format(n=2210 + i), author=f"aurora{i}") for i in range(4)]
        posts += [make_post(f"n{i}", NORD.format(n=i), author=f"nord{i}") for i in range(2)]
        assert isinstance(first.clock, FixedClock)
        first.clock.set(T0 + timedelta(minutes=1))
        first.ingest.ingest(posts)
        first.clock.set(LATE)
        yield start


def _sla_job(desk: Desk) -> Callable[[Desk, datetime], None]:
    return next(j for j in desk.jobs if getattr(j, "__name__", "") == "sla_and_routing")


def _drain(desks: list[Desk]) -> None:
    for desk in desks:
        assert isinstance(desk.notifier, BrandNotifier)
        desk.notifier.drain()


def _cases(desk: Desk) -> dict[int, str]:
    with desk.db.session() as s:
        return {case_id: brand for case_id, brand in s.execute(select(CaseRow.id, CaseRow.brand))}


def _escalations(desk: Desk) -> Counter[tuple[int, str, int]]:
    """How often each (case, timer, step) was recorded as escalated."""
    with desk.db.session() as s:
        rows = s.execute(select(CaseEventRow.case_id, CaseEventRow.data).where(CaseEventRow.kind == "escalated"))
        return Counter((case_id, data["timer"], data["stage"]) for case_id, data in rows)


def _outbox(desk: Desk) -> Counter[tuple[str, int]]:
    """How often each (event, case) was accepted for sending."""
    with desk.db.session() as s:
        rows = s.execute(select(NotificationRow.event, NotificationRow.payload)
                         .where(NotificationRow.event.in_(EVENTS)))
        return Counter((event, payload["case_id"]) for event, payload in rows)


def _received(receiver: Receiver) -> Counter[tuple[str, int]]:
    """How often the webhook received each (event, case)."""
    bodies = [json.loads(body) for headers, body in receiver.requests if headers.get("X-Wakeful-Event") in EVENTS]
    return Counter((b["event"], b["payload"]["case_id"]) for b in bodies)


def test_processes_ticking_at_the_same_moment_warn_and_page_once_per_case(
        processes: Processes, receiver: Receiver) -> None:
    """Each process reads that nothing was sent yet and then sends: without the check made again under a lock,
    every process that read before the first committed would warn the lead and page on-call again."""
    desks = processes(4)
    with commits_meet(len(desks), "escalated"):
        errors = in_threads([partial(_sla_job(d), d, LATE) for d in desks])
    _drain(desks)
    assert errors == []
    cases = _cases(desks[0])
    assert sorted(cases.values()) == ["aurora"] * 4 + ["nordrail"] * 2
    assert _escalations(desks[0]) == {(c, "first_response", step): 1 for c in cases for step in (1, 2)}
    assert _outbox(desks[0]) == {(event, c): 1 for c in cases for event in EVENTS}
    assert _received(receiver) == {(event, c): 1 for c in cases for event in EVENTS}

    for d in desks:  # and later ticks of any of them send nothing more
        _sla_job(d)(d, LATE + timedelta(seconds=30))
    _drain(desks)
    assert sum(_received(receiver).values()) == 2 * len(cases)


def _tick(desk: Desk, at: datetime, brand: str) -> Callable[[], object]:
    def run() -> object:
        with desk.db.session() as s:
            return scheduled.tick(s, at, desk.settings, desk.notifier, brands=[brand])
    return run


def test_a_tick_with_nothing_due_takes_no_lock(processes: Processes) -> None:
    """Every 30 s every process ticks; most ticks have nothing to send and must not queue behind one that does."""
    [desk] = processes(1)
    quiet = T0 + timedelta(minutes=10)  # half the target: no warning yet
    with desk.db.session() as held:
        serialize(held, scheduled.LOCK + "aurora")  # another process escalating Aurora's cases right now
        thread = started(_tick(desk, quiet, "aurora"))
        thread.join(timeout=20)
        assert not thread.is_alive(), "a tick with nothing due waited for the lock"
    assert _escalations(desk) == {}


def test_a_brands_escalations_do_not_wait_for_another_brands(processes: Processes) -> None:
    """The lock is the brand's: a process escalating Aurora's cases keeps only Aurora's escalations waiting.
    (PostgreSQL only: SQLite has one writer, so any write waits there.)"""
    [desk] = processes(1)
    if desk.db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite allows one writer at a time")
    cases = _cases(desk)
    with desk.db.session() as held:
        serialize(held, scheduled.LOCK + "aurora")
        nord = started(_tick(desk, LATE, "nordrail"))
        nord.join(timeout=20)
        assert not nord.is_alive(), "Nord Rail's escalations waited for Aurora's lock"
        aurora = started(_tick(desk, LATE, "aurora"))
        aurora.join(timeout=1)
        assert aurora.is_alive(), "Aurora's escalations did not wait for Aurora's lock"
        assert {c for c, _, _ in _escalations(desk)} == {c for c, b in cases.items() if b == "nordrail"}
    aurora.join(timeout=20)
    assert not aurora.is_alive()
    assert _escalations(desk) == {(c, "first_response", step): 1 for c in cases for step in (1, 2)}
