"""Two agents acting on one case at once, in two server processes: each action locks the case's row and reads it
again before it decides, so the second decides on what the first committed rather than overwriting it with what it
read before. Each race is made certain: the second action reads the case, and waits while the first takes its locks,
writes, and holds its commit until the second would commit too (or 1.5 s). On SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi import HTTPException
from sqlalchemy import select
from sqlalchemy.orm import Session

from wakeful.analyze import Analyzer
from wakeful.api import cases as api_cases
from wakeful.api.app import build_desk
from wakeful.api.auth import Principal, Role
from wakeful.api.deps import Desk
from wakeful.core.clock import FixedClock
from wakeful.core.models import Platform
from wakeful.desk import service
from wakeful.desk.cases import CaseState
from wakeful.desk.merge import CorrectionConflict, merge, unmerge
from wakeful.desk.split import split
from wakeful.store.models import AuthorRow, CasePostRow, CaseRow, PostRow

from tests.desk.races import commits_meet, in_threads
from tests.factories import make_post

LOST = "@AuroraAirways you lost my bag on AU 2213, nobody answers. Still waiting for my suitcase!"
REFUND = "@AuroraAirways and separately: I still want the refund for my cancelled flight last month, booking X7"
SMOKE = "@AuroraAirways smoke in the cabin on AU 2213 and the crew ignored it. I will call my lawyer."
KINDS = ("merge", "merged", "unmerge", "split", "state", "assigned")
"""The events the racing actions record: each holds its commit for the other (`commits_meet`)."""
ANA, LEAD = Principal("ana", "aurora", Role.AGENT), Principal("lena", "aurora", Role.LEAD)


@pytest.fixture
def other(desk: Desk, analyzer: Analyzer) -> Iterator[Desk]:
    """A second server process on the test database."""
    second = build_desk(desk.settings, clock=FixedClock(desk.clock.now()), analyzer=analyzer)
    yield second
    second.db.dispose()


def _ingest(desk: Desk, *posts: tuple[str, str, str, Platform]) -> dict[str, int]:
    """Cases by author handle, for posts (id, text, author, platform) a minute apart."""
    desk.ingest.ingest([make_post(pid, text, author=author, platform=platform, minutes=i)
                        for i, (pid, text, author, platform) in enumerate(posts)])
    with desk.db.session() as s:
        return {handle: case_id for case_id, handle in s.execute(
            select(CaseRow.id, AuthorRow.handle).join(AuthorRow, AuthorRow.id == CaseRow.author_id))}


def _state(desk: Desk) -> dict[int, tuple[str, int | None, list[str]]]:
    """Each case: its state, the case it is merged into, and the posts it holds."""
    with desk.db.session() as s:
        posts: dict[int, list[str]] = {}
        for case_id, pid in s.execute(select(CasePostRow.case_id, PostRow.platform_id)
                                      .join(PostRow, PostRow.id == CasePostRow.post_id)):
            posts.setdefault(case_id, []).append(pid)
        return {c.id: (c.state, c.merged_into_id, sorted(posts.get(c.id, []))) for c in s.scalars(select(CaseRow))}


@dataclass
class Turn:
    """Orders a race: the first action acts (takes its locks, writes) and then sets `acted`, its commit held by
    `commits_meet`; the late action has read its case by then, and goes on only once `acted` is set."""

    acted: threading.Event = field(default_factory=threading.Event)
    late: threading.local = field(default_factory=threading.local)

    def wait(self) -> None:
        assert self.acted.wait(timeout=30), "the first action never acted"


@pytest.fixture
def turn(monkeypatch: pytest.MonkeyPatch) -> Turn:
    """A `Turn`; an API request made in a thread with `turn.late.on` set waits for it once it has read its case."""
    chosen = Turn()
    load = service.load_case

    def then_wait(*args: Any, **kwargs: Any) -> CaseRow:
        case = load(*args, **kwargs)
        if getattr(chosen.late, "on", False):
            chosen.wait()
        return case

    monkeypatch.setattr(service, "load_case", then_wait)
    return chosen


def _first(desk: Desk, act: Callable[[Session], object], turn: Turn) -> Callable[[], None]:
    """The action that gets in first, in a session of its own (commits as it ends)."""
    def run() -> None:
        try:
            with desk.db.session() as s:
                act(s)
                turn.acted.set()
        finally:
            turn.acted.set()  # failed: the late one need not wait
    return run


def _late(desk: Desk, case_id: int, act: Callable[[Session, CaseRow], object], turn: Turn) -> Callable[[], None]:
    """An action whose request read the case, and then let another agent's action get in first."""
    def run() -> None:
        with desk.db.session() as s:
            case = s.get_one(CaseRow, case_id)
            turn.wait()
            act(s, case)
    return run


def test_an_unmerge_racing_a_merge_of_its_target_applies_no_stale_undo_record(
        desk: Desk, other: Desk, turn: Turn) -> None:
    """Mira's Mastodon case is merged into her X case; one agent undoes that while another merges the X case into
    her Bluesky one, which moves the Mastodon posts on and re-points the Mastodon case. The unmerge read the merge
    record before that committed: applied anyway, it finds no posts to take back and unmerges the Mastodon case
    empty, a new case in the queue with nothing in it. Under the lock it reads the merge on and says to undo the X
    case's merge first."""
    cases = _ingest(desk, ("x1", LOST, "mira", Platform.X), ("m1", SMOKE, "mira_m", Platform.MASTODON),
                    ("b1", LOST, "mira_b", Platform.BLUESKY))
    x, m, b = cases["mira"], cases["mira_m"], cases["mira_b"]
    now = desk.clock.now()
    with desk.db.session() as s:
        merge(s, s.get_one(CaseRow, m), s.get_one(CaseRow, x), "ann", now)
    with commits_meet(2, KINDS):
        errors = in_threads([
            _late(desk, m, lambda s, case: unmerge(s, case, "ann", now), turn),
            _first(other, lambda s: merge(s, s.get_one(CaseRow, x), s.get_one(CaseRow, b), "bob", now), turn)])
    assert [(type(e), str(e)) for e in errors] == [
        (CorrectionConflict, f"case {x}, which case {m} was merged into, was since merged into case {b}: unmerge "
                             f"case {x} first")]
    assert _state(desk) == {x: ("merged", b, []), m: ("merged", b, []), b: ("new", None, ["b1", "m1", "x1"])}


def test_two_merges_of_two_cases_into_each_other_at_once_merge_only_one(desk: Desk, other: Desk, turn: Turn) -> None:
    """Each agent merges one of Mira's cases into the other. The merge that comes second read that neither was
    merged: it must lock both and read them again before it decides, or the two merges make a cycle and the
    matter leaves every queue. (PostgreSQL's row locks did that already; on SQLite a read before the first write
    took no lock, and a merge decided on what it read before the other committed.)"""
    cases = _ingest(desk, ("x1", LOST, "mira", Platform.X), ("m1", SMOKE, "mira_m", Platform.MASTODON))
    x, m = cases["mira"], cases["mira_m"]
    now = desk.clock.now()
    with commits_meet(2, KINDS):
        errors = in_threads([
            _late(desk, m, lambda s, case: merge(s, case, s.get_one(CaseRow, x), "ann", now), turn),
            _first(other, lambda s: merge(s, s.get_one(CaseRow, x), s.get_one(CaseRow, m), "bob", now), turn)])
    assert [(type(e), str(e)) for e in errors] == [
        (CorrectionConflict, f"case {x} was already merged into case {m}")]
    assert _state(desk) == {x: ("merged", m, []), m: ("new", None, ["m1", "x1"])}


def test_a_split_racing_a_merge_of_its_case_opens_no_empty_case(desk: Desk, other: Desk, turn: Turn) -> None:
    """Alice's case holds her lost bag and a refund; one agent splits the refund off while another merges the case
    into her Mastodon one. The split read the case before the merge committed: carried on, it opens a case the
    merge has taken the refund from, empty and waiting in the queue. Under the lock it finds the case merged."""
    cases = _ingest(desk, ("a1", LOST, "alice", Platform.X), ("a2", REFUND, "alice", Platform.X),
                    ("m1", SMOKE, "alice_m", Platform.MASTODON))
    a, m = cases["alice"], cases["alice_m"]
    now = desk.clock.now()
    with commits_meet(2, KINDS):
        errors = in_threads([
            _late(desk, a, lambda s, case: split(s, case, ["a2"], "ann", now), turn),
            _first(other, lambda s: merge(s, s.get_one(CaseRow, a), s.get_one(CaseRow, m), "bob", now), turn)])
    assert [(type(e), str(e)) for e in errors] == [
        (CorrectionConflict, f"case {a} was merged into case {m}: split that one")]
    assert _state(desk) == {a: ("merged", m, []), m: ("new", None, ["a1", "a2", "m1"])}


def _request(desk: Desk, endpoint: Callable[[Session], object], turn: Turn, *, late: bool = False
             ) -> Callable[[], None]:
    """An API request to `desk` (its endpoint called as FastAPI calls it, in a session of its own): the first, or
    the late one (`late`)."""
    if not late:
        return _first(desk, endpoint, turn)

    def run() -> None:
        turn.late.on = True
        with desk.db.session() as s:
            endpoint(s)
    return run


def test_a_state_change_racing_a_merge_of_its_case_is_refused(
        desk: Desk, other: Desk, turn: Turn) -> None:
    """ana sets Mira's Mastodon case waiting on the customer while a lead merges it into her X case. Her request
    read the case unmerged: carried on, it writes `waiting_on_customer` over `merged`, and the merged case is back
    in the queue beside the case that holds its posts. Under the lock her request finds it merged: 409."""
    cases = _ingest(desk, ("x1", LOST, "mira", Platform.X), ("m1", SMOKE, "mira_m", Platform.MASTODON))
    x, m = cases["mira"], cases["mira_m"]
    waiting = api_cases.StateBody(state=CaseState.WAITING)
    with commits_meet(2, KINDS):
        errors = in_threads([
            _request(desk, lambda s: api_cases.change_state(m, waiting, ANA, s, desk), turn, late=True),
            _request(other, lambda s: api_cases.merge_case(m, api_cases.MergeBody(into=x), LEAD, s, other), turn)])
    assert [(type(e), getattr(e, "status_code", None)) for e in errors] == [(HTTPException, 409)]
    assert {i: (st, into) for i, (st, into, _) in _state(desk).items()} == {x: ("new", None), m: ("merged", x)}
    with desk.db.session() as s:
        assert [c.id for c in service.list_cases(s, ["aurora"], desk.clock.now(), desk.settings)] == [x]


def test_an_agent_taking_a_case_a_lead_resolves_at_once_does_not_reopen_it(
        desk: Desk, other: Desk, turn: Turn) -> None:
    """ana takes a new case as a lead resolves it. Her request read it new, and taking a new case opens it: carried
    on, it leaves the case open with a resolution time and no clock. Under the lock she takes it resolved."""
    [case] = _ingest(desk, ("a1", LOST, "alice", Platform.X)).values()
    take, resolve = api_cases.AssignBody(assignee="ana"), api_cases.StateBody(state=CaseState.RESOLVED)
    with commits_meet(2, KINDS):
        errors = in_threads([
            _request(desk, lambda s: api_cases.assign(case, take, ANA, s, desk), turn, late=True),
            _request(other, lambda s: api_cases.change_state(case, resolve, LEAD, s, other), turn)])
    assert errors == []
    with desk.db.session() as s:
        row = s.get_one(CaseRow, case)
        assert (row.state, row.assignee, row.awaiting_since) == ("resolved", "ana", None)
        assert row.resolved_at is not None
