"""Re-routing the cases of an agent who went off shift moves each case once, and pages on-call once, however many
server processes tick at the same moment, on SQLite and PostgreSQL; the lock that makes that so is a brand's, taken
only when something is to move, so a tick with nothing to move never queues behind one that has."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from wakeful.analyze import Analyzer
from wakeful.api.deps import Desk
from wakeful.core.clock import FixedClock
from wakeful.core.notify_settings import NotifySettings
from wakeful.core.settings import Settings
from wakeful.desk import agents, routing, scheduled
from wakeful.desk.notify import BrandNotifier
from wakeful.store.db import migrate
from wakeful.store.models import CaseEventRow, CaseRow
from wakeful.store.notify import NotificationRow, serialize

from tests.desk.loopback import Receiver
from tests.desk.races import Processes, commits_meet, in_threads, server_processes, started
from tests.desk_fixtures import BRANDS
from tests.factories import T0, make_post

LOST = "@AuroraAirways you lost my bag on AU {n}, nobody answers. Still waiting for my suitcase!"
NORD = "@NordRail mein Zug nach Hamburg ist ausgefallen und niemand hilft mir, das ist eine Frechheit! ({n})"
NOW = T0 + timedelta(minutes=5)
"""Monday 09:05: ana and nils went off shift at 09:03, ben came on; no SLA step is due yet (20-minute target)."""


@pytest.fixture
def processes(database_url: str, analyzer: Analyzer, receiver: Receiver) -> Iterator[Processes]:
    """`start(n)`: n server desks (processes) on the test database, clocks at `NOW`, every brand's events going to
    one webhook. Four Aurora complaints routed to ana and two Nord Rail ones to nils, both on shift until 09:03;
    Aurora's ben comes on at 09:03, Nord Rail has nobody else, so its cases page olga, on call."""
    notify = NotifySettings.model_validate({"webhook_url": receiver.url, "webhook_secret": "s", "backoff_s": 0})
    settings = Settings(database_url=database_url, brands=BRANDS, notify=notify,
                        first_response_target_minutes=[20, 20, 20, 20])
    migrate(database_url)
    with server_processes(settings, NOW, analyzer) as start:
        first = start(1)[0]
        with first.db.session() as s:
            early, late = agents.parse_shifts("mon 08:00-09:03"), agents.parse_shifts("mon 09:03-18:00")
            agents.add_agent(s, "aurora", "ana", T0, languages=["en"], shifts=early)
            agents.add_agent(s, "aurora", "ben", T0, languages=["en"], shifts=late)
            agents.add_agent(s, "nordrail", "nils", T0, languages=["de", "en"], shifts=early)
            agents.add_oncall(s, "nordrail", "olga", T0 - timedelta(days=1), T0 + timedelta(days=1))
        assert isinstance(first.clock, FixedClock)
        first.clock.set(T0 + timedelta(minutes=1))
        first.ingest.ingest([make_post(f"a{i}", LOST.format(n=2210 + i), author=f"aurora{i}") for i in range(4)]
                            + [make_post(f"n{i}", NORD.format(n=i), author=f"nord{i}") for i in range(2)])
        first.clock.set(NOW)
        assert set(_holders(first).values()) == {"ana", "nils"}
        yield start


def _holders(desk: Desk) -> dict[int, str | None]:
    with desk.db.session() as s:
        return {case_id: who for case_id, who in s.execute(select(CaseRow.id, CaseRow.assignee))}


def _moves(desk: Desk) -> Counter[tuple[int, str, str]]:
    """How often each case was re-routed: (case, kind of event, to whom), for "routed" and "assigned" events."""
    with desk.db.session() as s:
        rows = s.execute(select(CaseEventRow.case_id, CaseEventRow.kind, CaseEventRow.text, CaseEventRow.data)
                         .where(CaseEventRow.kind.in_(("routed", "assigned")), CaseEventRow.at == NOW))
        return Counter((case_id, kind, str(data.get("agent" if kind == "routed" else "assignee")))
                       for case_id, kind, text, data in rows if kind == "assigned" or text.startswith("re-routed"))


def _pages(desks: list[Desk], receiver: Receiver) -> tuple[Counter[int], Counter[int]]:
    """How often on-call was paged about each case: accepted for sending, and received by the webhook once every
    desk has delivered what it sends (any of them may be the one that paged)."""
    for desk in desks:
        assert isinstance(desk.notifier, BrandNotifier)
        desk.notifier.drain()
    with desks[0].db.session() as s:
        accepted = Counter(p["case_id"] for p in s.scalars(select(NotificationRow.payload)
                                                           .where(NotificationRow.event == "oncall.page")))
    bodies = [json.loads(body) for headers, body in receiver.requests
              if headers.get("X-Wakeful-Event") == "oncall.page"]
    return accepted, Counter(b["payload"]["case_id"] for b in bodies)


def _tick(desk: Desk, at: datetime = NOW, brands: list[str] | None = None) -> Callable[[], None]:
    def run() -> None:
        with desk.db.session() as s:
            scheduled.tick(s, at, desk.settings, desk.notifier, brands)
    return run


@pytest.mark.parametrize("brand", ["aurora", "nordrail"])
def test_processes_ticking_at_the_same_moment_move_each_case_and_page_once(
        processes: Processes, receiver: Receiver, brand: str) -> None:
    """Each process reads that ana (Aurora: her cases go to ben) or nils (Nord Rail: his page on-call) holds cases
    and moves them: without the cases read again under a lock, every process that read before the first committed
    would assign them again and page on-call again. (One brand a round: with both, a process held up by the
    first brand's moves would read the second's after the first process committed.)"""
    desks = processes(4)
    before = _holders(desks[0])
    with commits_meet(len(desks), "routed"):
        errors = in_threads([_tick(d, brands=[brand]) for d in desks])
    assert errors == []
    to = {"ana": "ben", "nils": "olga"}
    moved = {c: to[str(who)] for c, who in before.items() if (who == "ana") == (brand == "aurora")}
    assert len(moved) == (4 if brand == "aurora" else 2)
    assert _holders(desks[0]) == {**before, **moved}
    assert _moves(desks[0]) == {(c, kind, who): 1 for c, who in moved.items() for kind in ("routed", "assigned")}
    paged = {c: 1 for c, who in moved.items() if who == "olga"}
    assert _pages(desks, receiver) == (paged, paged)

    for d in desks:  # and later ticks of any of them move and page nothing more
        _tick(d, NOW + timedelta(seconds=30), [brand])()
    assert _holders(desks[0]) == {**before, **moved} and sum(_moves(desks[0]).values()) == 2 * len(moved)
    assert _pages(desks, receiver) == (paged, paged)


def test_a_tick_with_nothing_to_move_takes_no_lock(processes: Processes) -> None:
    """Every 30 s every process ticks; most have nothing to move and must not queue behind one that has. One that
    has waits for the process moving the brand's cases, and then moves what that one left."""
    [desk] = processes(1)
    before = _holders(desk)
    with desk.db.session() as held:
        serialize(held, routing.LOCK + "aurora")  # another process re-routing Aurora's cases right now
        quiet = started(_tick(desk, T0 + timedelta(minutes=2)))  # 09:02: ana still on shift, ben not yet on
        quiet.join(timeout=20)
        assert not quiet.is_alive(), "a tick with nothing to move waited for the lock"
        busy = started(_tick(desk))
        busy.join(timeout=1)
        assert busy.is_alive(), "a tick moving Aurora's cases did not wait for Aurora's lock"
        assert _holders(desk) == before
    busy.join(timeout=20)
    assert not busy.is_alive()
    assert set(_holders(desk).values()) == {"ben", "olga"}
