"""A lead sending an incident's holding statement, and a batch setting a click farm's cases aside, while another
server process acts on one of those cases: each locks the cases it writes and chooses them again under the locks, as
every action on a case does, so neither overwrites what the other committed (a resolved or merged case waiting again,
a case answered twice or without its legal review) and neither waits in a circle. Each race is made certain: the
other process acts first and holds its commit (`commits_meet`) while the statement or the batch reads the cases. On
SQLite and PostgreSQL (on SQLite the batch is the only writer from its first row: the merge comes first and commits
before it reads, and the run checks the same outcome)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from wakeful.analyze import Analyzer
from wakeful.api import cases as api_cases
from wakeful.api import incidents as api_incidents
from wakeful.api.auth import Principal, Role
from wakeful.api.deps import Desk
from wakeful.core.clock import FixedClock
from wakeful.core.models import Author, Platform, Post
from wakeful.desk import incidents, service
from wakeful.desk.cases import CaseState
from wakeful.desk.merge import merge
from wakeful.store.incidents import IncidentRow
from wakeful.store.models import AuthorRow, CaseEventRow, CasePostRow, CaseRow, PostRow

from tests.desk.races import ActsWhileAnalysed, commits_meet, in_threads, server_processes
from tests.factories import T0, make_post

LOST = "@AuroraAirways you lost my bag on AU 2213, nobody answers. Still waiting for my suitcase!"
ALSO = "@AuroraAirways AU 2213 from Oslo and my suitcase is lost too, where is my luggage?"
STOLEN = "@AuroraAirways my bag finally came back and my camera was stolen from it"
STATEMENT = "We know bags from AU 2213 stayed in Oslo; send us a direct message with your tag number."
KINDS = ("reply", "state", "merge", "merged", "note")
"""The events the racing actions record: each holds its commit for the other (`commits_meet`)."""
ANA, LEAD = Principal("ana", "aurora", Role.AGENT), Principal("lena", "aurora", Role.LEAD)


@pytest.fixture
def other(desk: Desk, analyzer: Analyzer) -> Iterator[Desk]:
    """A second server process on the test database."""
    with server_processes(desk.settings, desk.clock.now(), analyzer) as start:
        yield start(1)[0]


def _incident(desk: Desk, *posts: Post) -> tuple[int, dict[str, int]]:
    """A lost-luggage incident over the posts' cases, its statement approved; and the cases by author handle."""
    desk.ingest.ingest(list(posts))
    with desk.db.session() as s:
        row = IncidentRow(brand="aurora", key="lost_luggage", opened_at=T0, last_seen_at=desk.clock.now(),
                          peak_score=4.0, peak_observed=len(posts), summary="lost luggage complaints")
        s.add(row)
        s.flush()
        incidents.approve_statement(row, STATEMENT, LEAD.name, desk.clock.now())
        cases = {handle: case_id for case_id, handle in s.execute(
            select(CaseRow.id, AuthorRow.handle).join(AuthorRow, AuthorRow.id == CaseRow.author_id))}
        return row.id, cases


def _lead(desk: Desk, incident_id: int, answered: list[list[int]], after: threading.Event | None = None
          ) -> Callable[[], None]:
    """A lead's request to send the statement (the endpoint called as FastAPI calls it), once `after` is set."""
    def run() -> None:
        if after is not None:
            assert after.wait(timeout=30), "the other process never acted"
        with desk.db.session() as s:
            answered.append(api_incidents.answer(incident_id, api_incidents.AnswerBody(), LEAD, s, desk).answered)
    return run


def _first(desk: Desk, act: Callable[[Session], object], acted: threading.Event) -> Callable[[], None]:
    """An action that gets in first: it writes, sets `acted`, and commits as its session ends."""
    def run() -> None:
        try:
            with desk.db.session() as s:
                act(s)
                acted.set()
        finally:
            acted.set()  # failed: nobody need wait
    return run


def _cases(desk: Desk) -> dict[int, tuple[str, int | None, int]]:
    """Each case: its state, the case it is merged into, and how many replies it holds."""
    with desk.db.session() as s:
        replies = Counter(s.scalars(select(CaseEventRow.case_id).where(CaseEventRow.kind == "reply")))
        return {c.id: (c.state, c.merged_into_id, replies[c.id]) for c in s.scalars(select(CaseRow))}


def test_two_leads_sending_the_statement_at_once_answer_each_case_once(desk: Desk, other: Desk) -> None:
    """Two leads press send in two processes. Each read every case waiting, and each customer got the statement
    twice. Locked, the second lead's request finds them answered and sends nothing."""
    incident, cases = _incident(desk, make_post("a1", LOST, author="alice"),
                                make_post("b1", ALSO, author="bob", minutes=1))
    answered: list[list[int]] = []
    with commits_meet(2, KINDS):
        errors = in_threads([_lead(desk, incident, answered), _lead(other, incident, answered)])
    assert errors == []
    assert sorted(answered) == [[], sorted(cases.values())]
    assert _cases(desk) == {c: ("waiting_on_customer", None, 1) for c in cases.values()}


def test_the_statement_sent_as_an_agent_resolves_one_of_its_cases_leaves_that_case_resolved(
        desk: Desk, other: Desk) -> None:
    """ana resolves alice's case as a lead sends the statement. The lead's request read it waiting before the
    resolve committed and wrote after: the case was waiting on the customer again, the resolve lost. Under the lock
    the request finds it resolved and answers bob alone."""
    incident, cases = _incident(desk, make_post("a1", LOST, author="alice"),
                                make_post("b1", ALSO, author="bob", minutes=1))
    a, b = cases["alice"], cases["bob"]
    acted = threading.Event()
    answered: list[list[int]] = []
    resolve = api_cases.StateBody(state=CaseState.RESOLVED)
    with commits_meet(2, KINDS):
        errors = in_threads([_first(other, lambda s: api_cases.change_state(a, resolve, ANA, s, other), acted),
                             _lead(desk, incident, answered, after=acted)])
    assert errors == []
    assert answered == [[b]]
    assert _cases(desk) == {a: ("resolved", None, 0), b: ("waiting_on_customer", None, 1)}
    with desk.db.session() as s:
        assert s.get_one(CaseRow, a).resolved_at is not None


def test_the_statement_sent_as_an_agent_merges_two_of_its_cases_answers_the_merged_case_once(
        desk: Desk, other: Desk) -> None:
    """Mira wrote on X and on Mastodon; ana merges the Mastodon case into the X case as a lead sends the statement.
    The request read both cases waiting: it answered the merged one too, putting it back in the queue beside the
    case that holds its posts, and Mira got the statement twice. Under the locks it answers the X case alone."""
    incident, cases = _incident(desk, make_post("x1", LOST, author="mira"),
                                make_post("m1", ALSO, author="mira_m", platform=Platform.MASTODON, minutes=1))
    x, m = cases["mira"], cases["mira_m"]
    acted = threading.Event()
    answered: list[list[int]] = []
    into = api_cases.MergeBody(into=x)
    with commits_meet(2, KINDS):
        errors = in_threads([_first(other, lambda s: api_cases.merge_case(m, into, ANA, s, other), acted),
                             _lead(desk, incident, answered, after=acted)])
    assert errors == []
    assert answered == [[x]]
    assert _cases(desk) == {x: ("waiting_on_customer", None, 1), m: ("merged", x, 0)}


def test_the_statement_sent_as_a_post_with_legal_flags_joins_a_case_leaves_it_for_a_reviewed_reply(
        desk: Desk, other: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    """alice writes in her thread that her camera was stolen from her bag as a lead sends the statement. The
    request checked her case's posts before the batch committed and replied after: a public statement under a theft
    allegation, unreviewed (or, where the reply's own check saw the post, the whole request failed). Under the lock
    it sees her new post and leaves the case for a reviewed reply."""
    incident, cases = _incident(desk, make_post("a1", LOST, author="alice"),
                                make_post("b1", ALSO, author="bob", minutes=1))
    a, b = cases["alice"], cases["bob"]
    wrote, checked = threading.Event(), threading.Event()
    flags = service.legal_flags  # what incidents calls

    def checking(session: Session, case: CaseRow) -> list[str]:
        found = flags(session, case)
        checked.set()
        return found

    def holding(_session: Session, _cases: set[int], _now: datetime) -> None:
        wrote.set()  # the batch has written alice's post: the lead's request reads the cases now
        checked.wait(timeout=1.5)  # the request checks them before this commits (under the lock it cannot)

    monkeypatch.setattr(incidents, "legal_flags", checking)
    desk.ingest.case_hooks.append(holding)
    post = make_post("a2", STOLEN, author="alice", minutes=2, reply_to="a1", conversation="a1")
    answered: list[list[int]] = []
    errors = in_threads([lambda: desk.ingest.ingest([post]), _lead(other, incident, answered, after=wrote)])
    assert errors == []
    assert answered == [[b]]
    assert _cases(desk) == {a: ("new", None, 0), b: ("waiting_on_customer", None, 1)}
    with desk.db.session() as s:
        assert s.get_one(CaseRow, a).awaiting_since is not None
        assert set(s.scalars(select(PostRow.platform_id).join(CasePostRow, CasePostRow.post_id == PostRow.id)
                             .where(CasePostRow.case_id == a))) == {"a1", "a2"}


FARM_AT = T0 + timedelta(hours=3)


def _farm(i: int) -> Post:
    """A click farm's copy: a days-old default profile with two followers."""
    return make_post(f"f{i}", f"@AuroraAirways lost my bag, worst airline ever, never again {'!' * (i % 3)}",
                     author=f"farm{i}", at=FARM_AT, minutes=i / 6).model_copy(update={"author": Author(
                         id=f"id-farm{i}", handle=f"farm{i}", followers=2, following=3000, default_profile=True,
                         created_at=FARM_AT - timedelta(days=3))})



def test_a_farm_case_merged_as_the_batch_flags_the_burst_stays_merged(desk: Desk, other: Desk) -> None:
    """The farm's first three posts opened cases before the burst was flagged; ana merges one of them into a real
    customer's case as the batch that flags the burst sets the farm's cases aside. The batch read that case waiting
    before the merge committed and resolved it after: a merged case resolved, its note on a case nobody looks at.
    The batch may not wait for it (it holds its own cases), so it leaves it to the merge; the rest it sets aside."""
    assert isinstance(desk.clock, FixedClock) and isinstance(other.clock, FixedClock)
    desk.clock.set(FARM_AT + timedelta(minutes=1))
    real = make_post("r1", "@AuroraAirways my suitcase never arrived in Oslo on AU 311, nobody answers the phone",
                     author="regular", followers=300, at=FARM_AT, minutes=1)
    desk.ingest.ingest([_farm(0), _farm(1), _farm(2), real])  # below a burst: nothing set aside yet
    with desk.db.session() as s:
        early = {h: c for c, h in s.execute(select(CaseRow.id, AuthorRow.handle)
                                            .join(AuthorRow, AuthorRow.id == CaseRow.author_id))}
    assert {c[0] for c in _cases(desk).values()} == {"new"}
    desk.clock.set(FARM_AT + timedelta(minutes=3))
    other.clock.set(FARM_AT + timedelta(minutes=3))
    held = ActsWhileAnalysed(desk.ingest.analyzer)
    desk.ingest.analyzer = held
    source, target = early["farm0"], early["regular"]
    with commits_meet(2, KINDS):
        errors = in_threads([
            lambda: desk.ingest.ingest([_farm(i) for i in range(3, 15)]),
            _first(other, lambda s: merge(s, s.get_one(CaseRow, source), s.get_one(CaseRow, target), "ana",
                                          other.clock.now()), held.acted)])
    assert errors == []
    after = _cases(desk)
    assert after.pop(source) == ("merged", target, 0)
    assert after.pop(target) == ("new", None, 0)
    assert len(after) == 14 and set(after.values()) == {("resolved", None, 0)}
    with desk.db.session() as s:
        noted = Counter(s.scalars(select(CaseEventRow.case_id).where(CaseEventRow.kind == "note")))
    assert noted == dict.fromkeys(after, 1)
