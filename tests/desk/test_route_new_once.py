"""Ingest-time routing happens once across server processes: a batch routes its cases under the brand's routing lock,
as the scheduled pass moves them, or, where another process holds that lock, leaves them to the next pass, which
routes them and pages on-call where nobody fits; and a pass moves a case with its row locked, so an agent's action on
it committed meanwhile is not overwritten. On SQLite and PostgreSQL."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from wakeful.analyze import Analyzer
from wakeful.api import cases as api_cases
from wakeful.api.auth import Principal, Role
from wakeful.api.deps import Desk
from wakeful.core.clock import FixedClock
from wakeful.core.notify_settings import NotifySettings
from wakeful.core.settings import Settings
from wakeful.desk import agents, routing, scheduled, service
from wakeful.desk.cases import CaseState
from wakeful.store.db import migrate
from wakeful.store.models import CaseEventRow, CaseRow
from wakeful.store.notify import NotificationRow, serialize

from tests.desk.loopback import Receiver
from tests.desk.races import Processes, commits_meet, in_threads, server_processes, started
from tests.desk_fixtures import BRANDS
from tests.factories import T0, make_post

LOST = "@AuroraAirways you lost my bag on AU 2210, nobody answers. Still waiting for my suitcase!"
AGAIN = "@AuroraAirways still nothing about my bag, two days now. Where is my suitcase?"
NORD = "@NordRail mein Zug nach Hamburg ist ausgefallen und niemand hilft mir, das ist eine Frechheit!"
NOW = T0 + timedelta(minutes=5)
"""Monday 09:05: ana (Aurora) is on shift from 09:03, with room for one case; Nord Rail's nils is off shift, olga on
call."""


@pytest.fixture
def processes(database_url: str, analyzer: Analyzer, receiver: Receiver) -> Iterator[Processes]:
    """`start(n)`: n server desks (processes) on the test database, clocks at `NOW`, every brand's events going to
    one webhook; the first desk has ingested alice's complaint at 09:01, before ana came on, with nobody on call for
    Aurora: it waits unassigned and new."""
    notify = NotifySettings.model_validate({"webhook_url": receiver.url, "webhook_secret": "s", "backoff_s": 0})
    settings = Settings(database_url=database_url, brands=BRANDS, notify=notify)
    migrate(database_url)
    with server_processes(settings, NOW, analyzer) as start:
        first = start(1)[0]
        with first.db.session() as s:
            agents.add_agent(s, "aurora", "ana", T0, languages=["en"], max_cases=1,
                             shifts=agents.parse_shifts("mon 09:03-18:00"))
            agents.add_agent(s, "nordrail", "nils", T0, languages=["de"], shifts=agents.parse_shifts("mon 12:00-18:00"))
            agents.add_oncall(s, "nordrail", "olga", T0 - timedelta(days=1), T0 + timedelta(days=1))
        assert isinstance(first.clock, FixedClock)
        first.clock.set(T0 + timedelta(minutes=1))
        first.ingest.ingest([make_post("a1", LOST, author="alice", minutes=1)])
        first.clock.set(NOW)
        assert [(c.assignee, c.state) for c in _cases(first)] == [(None, "new")]
        yield start


def _cases(desk: Desk, brand: str = "aurora") -> list[CaseRow]:
    with desk.db.session() as s:
        return list(s.scalars(select(CaseRow).where(CaseRow.brand == brand).order_by(CaseRow.id)))


def _routings(desk: Desk, at: datetime = NOW) -> Counter[tuple[int, str, str]]:
    """The router's work at `at`: (case, event kind, to whom) for each assignment and each routing that was not left
    to the next pass."""
    with desk.db.session() as s:
        rows = s.execute(select(CaseEventRow.case_id, CaseEventRow.kind, CaseEventRow.data).where(
            CaseEventRow.kind.in_(("routed", "assigned")), CaseEventRow.actor == routing.ROUTER, CaseEventRow.at == at))
        return Counter((case_id, kind, str(data.get("agent" if kind == "routed" else "assignee")))
                       for case_id, kind, data in rows if not data.get(routing.DEFERRED))


def _pages(desk: Desk) -> Counter[int]:
    """On-call pages accepted for sending, by case (alice's paged nobody: Aurora has nobody on call)."""
    with desk.db.session() as s:
        return Counter(p["case_id"] for p in s.scalars(select(NotificationRow.payload)
                                                       .where(NotificationRow.event == "oncall.page")))


def _tick(desk: Desk, at: datetime = NOW) -> Callable[[], None]:
    def run() -> None:
        with desk.db.session() as s:
            scheduled.tick(s, at, desk.settings, desk.notifier)
    return run


def test_a_batch_and_a_pass_in_another_process_route_a_case_once(processes: Processes) -> None:
    """alice writes again as ana comes on: the batch routes her waiting case while another process's pass retries it.
    Each reads it unassigned before the other commits; unless one waits for the other (the brand's lock, and the
    case's row, which the pass locks and reads again before it moves a case), both assign it: two routings, two
    "assigned" events. On SQLite the batch is the only writer from its first row, so the pass reads after it there;
    the race is PostgreSQL's."""
    batch, ticking = processes(2)
    [case] = _cases(batch)
    with commits_meet(2, "routed"):
        errors = in_threads([lambda: batch.ingest.ingest([make_post("a2", AGAIN, author="alice", minutes=4)]),
                             _tick(ticking)])
    assert errors == []
    assert [(c.id, c.assignee, c.state) for c in _cases(batch)] == [(case.id, "ana", "open")]
    assert _routings(batch) == {(case.id, "routed", "ana"): 1, (case.id, "assigned", "ana"): 1}
    for desk in (batch, ticking):  # and later passes route it no more
        _tick(desk, NOW + timedelta(seconds=30))()
    assert sum(_routings(batch, NOW + timedelta(seconds=30)).values()) == 0


def test_a_batch_and_a_pass_in_another_process_never_give_an_agent_more_than_her_maximum(
        processes: Processes) -> None:
    """bob's new complaint arrives as the pass retries alice's: ana has room for one. Without the batch routing
    under the brand's lock, each reads her load before the other commits and both give her a case. With it, one
    waits or leaves its case to the next pass, which finds her full."""
    batch, ticking = processes(2)
    with commits_meet(2, "routed"):
        errors = in_threads([lambda: batch.ingest.ingest([make_post("b1", LOST, author="bob", minutes=4)]),
                             _tick(ticking)])
    assert errors == []
    assert len(_cases(batch)) == 2
    assert [c.assignee for c in _cases(batch)].count("ana") == 1
    _tick(ticking, NOW + timedelta(seconds=30))()
    assert [c.assignee for c in _cases(batch)].count("ana") == 1


def test_a_batch_leaves_its_case_to_the_next_pass_while_another_process_routes_the_brand(
        processes: Processes) -> None:
    """A batch holds its rows' locks, and the pass holding the brand's lock may be waiting for one of them: the batch
    must not wait for that lock (a deadlock), and its case, which nobody on shift can take, must still page on-call,
    once: the next pass does it. (PostgreSQL only: on SQLite a pass holding the lock is the only writer, so the batch
    cannot begin until it ends, and then takes the lock itself.)"""
    [desk] = processes(1)
    if desk.db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite allows one writer at a time")
    with desk.db.session() as held:
        serialize(held, routing.LOCK + "nordrail")  # another process routing Nord Rail's cases right now
        batch = started(lambda: desk.ingest.ingest([make_post("n1", NORD, author="nord", minutes=4)]))
        batch.join(timeout=20)
        assert not batch.is_alive(), "the batch waited for the brand's routing lock"
    [case] = _cases(desk, "nordrail")
    assert (case.assignee, _pages(desk)[case.id]) == (None, 0)
    _tick(desk)()
    [case] = _cases(desk, "nordrail")
    assert (case.assignee, _pages(desk)[case.id]) == ("olga", 1)
    assert {k: n for k, n in _routings(desk).items() if k[0] == case.id} == {(case.id, "routed", "olga"): 1,
                                                                             (case.id, "assigned", "olga"): 1}
    _tick(desk, NOW + timedelta(seconds=30))()  # handed over once: the next pass leaves it with olga
    assert (_cases(desk, "nordrail")[0].assignee, _pages(desk)[case.id]) == ("olga", 1)


def test_a_pass_does_not_reopen_a_case_a_lead_resolved_as_it_moved_it(
        processes: Processes, monkeypatch: pytest.MonkeyPatch) -> None:
    """The pass reads alice's new case unassigned and gives it to ana, who has just come on; meanwhile a lead
    resolves it. Without the case's row locked and read again before it moves, the pass's assignment, written after
    the lead's commit, turns the case from new to open: open, with a resolution time and no clock, which no queue
    shows as waiting. (The race is PostgreSQL's: on SQLite each takes the write lock before it reads.)"""
    first, ticking = processes(2)
    [case] = _cases(first)
    route_case = routing.route_case

    def slowly(*args: Any, **kwargs: Any) -> str | None:
        time.sleep(0.4)  # the lead's request gets in between the pass's read and its write
        return route_case(*args, **kwargs)

    monkeypatch.setattr(routing, "route_case", slowly)
    lead = Principal("lena", "aurora", Role.LEAD)

    def resolve() -> None:
        time.sleep(0.1)
        with first.db.session() as s:
            api_cases.change_state(case.id, api_cases.StateBody(state=CaseState.RESOLVED), lead, s, first)

    with commits_meet(2, ("routed", "state")):
        errors = in_threads([_tick(ticking), resolve])
    assert errors == []
    [after] = _cases(first)
    assert after.state == "resolved" and after.resolved_at is not None and after.awaiting_since is None
    with first.db.session() as s:
        assert service.queue_counts(s, ["aurora"], NOW, first.settings).active == 0
