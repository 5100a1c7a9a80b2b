"""A customer's post arriving in one server process while another acts on its case: the batch writes each case with
its row locked and chooses its cases again once they are locked, so the case is never half reopened (open, with a
resolution time) nor joined by a post the resolve should have kept out; and it locks its cases in id order before it
writes, so neither a merge nor the routing pass, each holding one of its cases, waits for it in a circle (on
PostgreSQL a deadlock: one of them fails). On SQLite and PostgreSQL; each race is PostgreSQL's (on SQLite the batch
is the only writer from its first row), and SQLite's run checks the same outcome."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import suppress
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from wakeful.analyze import Analyzer
from wakeful.api import cases as api_cases
from wakeful.api.app import build_desk
from wakeful.api.auth import Principal, Role
from wakeful.api.deps import Desk
from wakeful.core.clock import FixedClock, as_utc
from wakeful.core.models import Post
from wakeful.desk import agents, routing, service
from wakeful.desk.cases import CaseState
from wakeful.desk.merge import merge
from wakeful.ingest import service as ingest_service
from wakeful.store.models import AuthorRow, CasePostRow, CaseRow, PostRow

from tests.desk.races import ActsWhileAnalysed, commits_meet, in_threads
from tests.factories import T0, make_post

LOST = "@AuroraAirways you lost my bag on AU 2213, nobody answers. Still waiting for my suitcase!"
SORRY = "@alice we're so sorry, we are tracing your bag now and will update you here"
STILL = "@AuroraAirways still no bag and nobody calls back. This is ridiculous!"
REFUND = "@AuroraAirways and separately: I still want the refund for my cancelled flight last month, booking X7"
DELAY = "@AuroraAirways flight AU 88 delayed four hours and no information at the gate, terrible service"
LEAD = Principal("lena", "aurora", Role.LEAD)


@pytest.fixture
def other(desk: Desk, analyzer: Analyzer) -> Iterator[Desk]:
    """A second server process on the test database."""
    second = build_desk(desk.settings, clock=FixedClock(desk.clock.now()), analyzer=analyzer)
    yield second
    second.db.dispose()



def _waiting_case(desk: Desk) -> int:
    """alice's lost-bag case, which the brand has answered in its thread: waiting on the customer."""
    desk.ingest.ingest([make_post("a1", LOST, author="alice"),
                        make_post("r1", SORRY, author="AuroraAirways", minutes=1, reply_to="a1", conversation="a1")])
    with desk.db.session() as s:
        [case] = s.scalars(select(CaseRow))
        assert (case.state, case.awaiting_since) == ("waiting_on_customer", None)
        return case.id


def _resolve_as_a_batch_arrives(desk: Desk, other: Desk, case_id: int, post: Post) -> None:
    """A lead resolves the case in `other` while `desk` ingests `post`: the batch has analysed it when she acts, and
    her commit is held until the batch would commit too (or 1.5 s)."""
    held = ActsWhileAnalysed(desk.ingest.analyzer)
    desk.ingest.analyzer = held

    def resolve() -> None:
        try:
            with other.db.session() as s:
                api_cases.change_state(case_id, api_cases.StateBody(state=CaseState.RESOLVED), LEAD, s, other)
                held.acted.set()
        finally:
            held.acted.set()

    with commits_meet(2, "state"):
        errors = in_threads([lambda: desk.ingest.ingest([post]), resolve])
    assert errors == []


def _cases(desk: Desk) -> dict[int, tuple[str, bool, list[str]]]:
    """Each case: its state, whether it has a resolution time, and its posts."""
    with desk.db.session() as s:
        posts: dict[int, list[str]] = {}
        for case_id, pid in s.execute(select(CasePostRow.case_id, PostRow.platform_id)
                                      .join(PostRow, PostRow.id == CasePostRow.post_id)):
            posts.setdefault(case_id, []).append(pid)
        return {c.id: (c.state, c.resolved_at is not None, sorted(posts.get(c.id, [])))
                for c in s.scalars(select(CaseRow).order_by(CaseRow.id))}


def test_a_reply_in_the_thread_as_a_lead_resolves_the_case_reopens_it_whole(desk: Desk, other: Desk) -> None:
    """alice answers the brand in her case's thread as a lead resolves it. The batch read the case waiting before the
    resolve committed, and wrote after: it turned the case open again but left the resolution time the lead wrote
    (and the clock it set), so the case was open and resolved at once. Locked, the post comes after the resolve and
    reopens the case, its clock from alice's post, as a customer writing after resolution does."""
    case_id = _waiting_case(desk)
    post = make_post("a2", STILL, author="alice", minutes=3, reply_to="r1", conversation="a1")
    _resolve_as_a_batch_arrives(desk, other, case_id, post)
    assert _cases(desk) == {case_id: ("open", False, ["a1", "a2", "r1"])}
    with desk.db.session() as s:
        case = s.get_one(CaseRow, case_id)
        assert case.awaiting_since is not None and as_utc(case.awaiting_since) == post.created_at
        assert [c.id for c in service.list_cases(s, ["aurora"], desk.clock.now(), desk.settings)] == [case_id]


def test_a_new_complaint_as_a_lead_resolves_the_customers_case_opens_a_case_of_its_own(
        desk: Desk, other: Desk) -> None:
    """alice writes about a refund (not in the thread) as a lead resolves her lost-bag case. The batch chose the case
    as her open one before the resolve committed and joined it after, reopening it half. Chosen again under the lock,
    the case is resolved, and her new complaint opens a case of its own (a post joins a case only while it is not
    resolved); the resolved case stays as the lead left it."""
    case_id = _waiting_case(desk)
    _resolve_as_a_batch_arrives(desk, other, case_id, make_post("a2", REFUND, author="alice", minutes=3))
    after = _cases(desk)
    assert after[case_id] == ("resolved", True, ["a1", "r1"])
    assert [v for k, v in after.items() if k != case_id] == [("new", False, ["a2"])]


def test_a_batch_that_finds_a_case_it_did_not_lock_held_starts_again_waiting_for_it(
        desk: Desk, other: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    """What the batch read before taking its locks missed alice's case (as when another process merges or reopens a
    case in between), and a lead is resolving it. Having written rows, the batch may not wait for it (another batch
    may be waiting for those): it starts again, waiting for the case at its start, and then reopens it whole."""
    case_id = _waiting_case(desk)
    rounds: list[int] = []

    def missed(*_args: Any) -> set[int]:
        rounds.append(1)
        return set()

    monkeypatch.setattr(ingest_service.IngestService, "_cases_to_lock", missed, raising=False)
    post = make_post("a2", STILL, author="alice", minutes=3, reply_to="r1", conversation="a1")
    _resolve_as_a_batch_arrives(desk, other, case_id, post)
    assert _cases(desk) == {case_id: ("open", False, ["a1", "a2", "r1"])}
    assert len(rounds) == (2 if desk.db.engine.dialect.name == "postgresql" else 1)


def _two_cases(desk: Desk) -> tuple[int, int]:
    """alice's case and bob's (a higher id)."""
    desk.ingest.ingest([make_post("a1", LOST, author="alice")])
    desk.ingest.ingest([make_post("b1", DELAY, author="bob", minutes=1)])
    with desk.db.session() as s:
        a, b = s.scalars(select(CaseRow.id).order_by(CaseRow.id))
    return a, b


def test_a_batch_and_a_merge_of_two_of_its_cases_do_not_deadlock(
        desk: Desk, other: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    """A batch with bob's reply, then alice's, while a lead merges alice's case into bob's. Writing each case as it
    came to it, the batch held bob's case and waited for alice's, which the merge (locking both in id order) held
    while it waited for bob's: PostgreSQL ended one of them with a deadlock. Locking both in id order first, the
    batch holds alice's case before the merge can, and the merge waits for it."""
    a, b = _two_cases(desk)
    wrote = threading.Event()
    attach = ingest_service.attach_post

    def slowly(session: Session, *args: Any, **kwargs: Any) -> list[int]:
        touched = attach(session, *args, **kwargs)
        session.flush()
        if not wrote.is_set():
            wrote.set()
            time.sleep(0.5)  # the merge takes its locks meanwhile
        return touched

    monkeypatch.setattr(ingest_service, "attach_post", slowly)

    def merging() -> None:
        assert wrote.wait(timeout=30)
        with other.db.session() as s:
            merge(s, s.get_one(CaseRow, a), s.get_one(CaseRow, b), "lena", other.clock.now())

    batch = [make_post("b2", DELAY.replace("four", "five"), author="bob", minutes=3, reply_to="b1", conversation="b1"),
             make_post("a2", STILL, author="alice", minutes=4, reply_to="a1", conversation="a1")]
    errors = in_threads([lambda: desk.ingest.ingest(batch), merging])
    assert errors == []
    assert {k: (st, posts) for k, (st, _, posts) in _cases(desk).items()} == {
        a: ("merged", []), b: ("new", ["a1", "a2", "b1", "b2"])}


def _batches_meet(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two batches in threads: each, having written its first post and case, waits (up to 1.5 s) for the other to
    have written its own, so both hold rows the other wants next."""
    meet = threading.Barrier(2)
    met: set[int] = set()
    attach = ingest_service.attach_post

    def meeting(session: Session, *args: Any, **kwargs: Any) -> list[int]:
        touched = attach(session, *args, **kwargs)
        session.flush()
        if threading.get_ident() not in met:
            met.add(threading.get_ident())
            with suppress(threading.BrokenBarrierError):  # the other is waiting for this one's rows
                meet.wait(timeout=1.5)
        return touched

    monkeypatch.setattr(ingest_service, "attach_post", meeting)


def test_two_batches_replying_in_the_same_two_cases_in_turn_do_not_deadlock(
        desk: Desk, other: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two processes each ingest a reply from bob and one from alice, in opposite orders. Writing each case as it came
    to it, each batch held one case and waited for the other's (PostgreSQL ended one of them). Locking both in id
    order first, the second batch waits for the first at its start."""
    a, b = _two_cases(desk)
    _batches_meet(monkeypatch)
    bob = make_post("b2", DELAY.replace("four", "five"), author="bob", minutes=3, reply_to="b1", conversation="b1")
    alice = make_post("a2", STILL, author="alice", minutes=3, reply_to="a1", conversation="a1")
    errors = in_threads([lambda: desk.ingest.ingest([bob, alice]),
                         lambda: other.ingest.ingest([alice.model_copy(update={"id": "a3"}),
                                                      bob.model_copy(update={"id": "b3"})])])
    assert errors == []
    assert {k: posts for k, (_, _, posts) in _cases(desk).items()} == {a: ["a1", "a2", "a3"], b: ["b1", "b2", "b3"]}


def test_a_batch_and_a_routing_pass_holding_one_of_its_cases_do_not_deadlock(
        desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    """ana went off shift holding bob's case, and alice's waits unassigned while ben has room: the pass moves bob's
    case (locking it), then tries alice's. Meanwhile a batch with a reply in each case locks alice's and waits for
    bob's. A pass that waited for alice's would wait in a circle with the batch (PostgreSQL ends one of them); it
    leaves alice's case to the batch, which routes it once it has the rows."""
    a, b = _two_cases(desk)
    now = desk.clock.now()
    with desk.db.session() as s:
        agents.add_agent(s, "aurora", "ana", T0 - timedelta(days=1), shifts=agents.parse_shifts("mon 00:00-09:00"))
        agents.add_agent(s, "aurora", "ben", T0 - timedelta(days=1), shifts=agents.parse_shifts("mon 09:00-18:00"))
        service.assign(s, s.get_one(CaseRow, b), "ana", "lena", now)
    moving = threading.Event()
    route_case = routing.route_case

    def slowly(*args: Any, **kwargs: Any) -> str | None:
        if not moving.is_set():
            moving.set()
            time.sleep(1.0)  # the batch locks alice's case and waits for bob's meanwhile
        return route_case(*args, **kwargs)

    monkeypatch.setattr(routing, "route_case", slowly)

    def rerouting() -> None:
        with desk.db.session() as s:
            routing.reroute(s, now, routing.RecordingNotifier())

    def batch() -> None:
        assert moving.wait(timeout=30)
        desk.ingest.ingest([make_post("a2", STILL, author="alice", minutes=3, reply_to="a1", conversation="a1"),
                            make_post("b2", DELAY.replace("four", "five"), author="bob", minutes=4, reply_to="b1",
                                      conversation="b1")])

    errors = in_threads([rerouting, batch])
    assert errors == []
    with desk.db.session() as s:
        assert {c.id: c.assignee for c in s.scalars(select(CaseRow))} == {a: "ben", b: "ben"}
    assert {k: posts for k, (_, _, posts) in _cases(desk).items()} == {a: ["a1", "a2"], b: ["b1", "b2"]}


def test_two_deliveries_of_the_same_new_posts_in_opposite_orders_do_not_deadlock(
        desk: Desk, other: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    """A webhook and a poll deliver carol's and dave's first posts at once, in opposite orders. Storing each post as
    it came, each batch wrote one new author and post and then waited for the other's uncommitted row of the same key
    (PostgreSQL ended one of them: a deadlock). Stored by time and key, whatever the order of delivery, the second
    batch waits for the first and finds its posts stored: each post and author once, one case each."""
    _batches_meet(monkeypatch)
    carol = make_post("c1", LOST, author="carol", minutes=1)
    dave = make_post("d1", DELAY, author="dave", minutes=2)
    results: list[ingest_service.IngestResult] = []
    errors = in_threads([lambda: results.append(desk.ingest.ingest([carol, dave])),
                         lambda: results.append(other.ingest.ingest([dave, carol]))])
    assert errors == []
    assert sorted((r.accepted, r.duplicates) for r in results) == [(0, 2), (2, 0)]
    assert sorted(posts for _, _, posts in _cases(desk).values()) == [["c1"], ["d1"]]
    with desk.db.session() as s:
        assert sorted(s.scalars(select(AuthorRow.handle))) == ["carol", "dave"]
