"""A simulated care team working the queue while posts are replayed, on a clock that follows the posts.

Used by `wakeful demo` (so the desk looks as it would with a team on shift) and `wakeful simulate` (to see what a
rota achieves on a day of traffic). Agents work the shifts of their rota (`desk.rota`: around the clock, shifts
following demand, or office hours), take the top case of the queue that is theirs to take when free and on shift
(unassigned, their own when the customer writes again, or one whose agent's shift is over), and answer after a
handling time drawn from a log-normal distribution. A shift that ends mid-case ends after that case.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wakeful.core.clock import FixedClock
from wakeful.core.models import Analysis, Post
from wakeful.core.settings import Settings
from wakeful.desk import service
from wakeful.desk.agents import Shift, add_agent
from wakeful.desk.cases import CaseState
from wakeful.desk.fairness import percentile
from wakeful.desk.rota import Rota, flat, hourly_volume
from wakeful.desk.schemas import CaseSummary
from wakeful.store.db import Database
from wakeful.store.models import CasePostRow, CaseRow, PostRow


class Ingestor(Protocol):
    """What the simulation needs of the ingest path (kept structural so `desk` does not import `ingest`)."""

    def ingest(self, posts: Sequence[Post]) -> object: ...


class Classifier(Protocol):
    """The analysis stage, as far as staffing needs it: which posts open or need a case."""

    def analyze_many(self, posts: Sequence[Post]) -> Sequence[Analysis]: ...


def case_demand(history: Sequence[Post], classifier: Classifier) -> list[float]:
    """Posts per UTC hour that need an answer (what opens or reopens a case), over earlier days: what a rota should
    follow. Raw mentions would staff for praise and bot bursts nobody answers. Re-observed posts count once."""
    unique = list({(p.platform, p.id): p for p in history}.values())
    return hourly_volume([p.created_at for p, a in zip(unique, classifier.analyze_many(unique), strict=True)
                          if a.needs_response])


@dataclass
class TeamOutcome:
    """Every answer's wait (first and later responses), and separately each case's first response, by
    whether the case holds a complaint (the figure the BA story is about)."""

    answered: int = 0
    within_target: int = 0
    waits_min: list[float] = field(default_factory=list)
    first_waits_min: list[float] = field(default_factory=list)
    complaint_first_waits_min: list[float] = field(default_factory=list)
    follow_up_waits_min: list[float] = field(default_factory=list)
    """Waits for an answer after the customer wrote again on a case already answered."""
    unanswered: int = 0
    """Cases still without a first response when the run ended (their waits are in no percentile)."""
    waiting_at_end: int = 0
    """Cases waiting for an answer (first or later) when the run ended."""

    @property
    def attainment(self) -> float | None:
        """Share of first responses within the target of the case's priority when it was answered."""
        return self.within_target / self.answered if self.answered else None

    def percentile(self, q: float) -> float | None:
        return percentile(self.waits_min, q)

    def first_percentile(self, q: float) -> float | None:
        return percentile(self.first_waits_min, q)

    @property
    def longest_complaint_wait(self) -> float | None:
        return max(self.complaint_first_waits_min, default=None)


@dataclass(frozen=True)
class Team:
    agents: int = 6
    handle_median_min: float = 4.0
    handle_sigma: float = 0.5
    resolve_share: float = 0.6
    seed: int = 11
    rota: Rota | None = None
    """None: `agents` agents around the clock."""

    def shifts(self) -> Rota:
        return self.rota if self.rota is not None else flat(self.agents)


def _is_complaint(session: Session, case_id: int) -> bool:
    stmt = (select(PostRow.id).join(CasePostRow, CasePostRow.post_id == PostRow.id)
            .where(CasePostRow.case_id == case_id, PostRow.complaint.is_(True)).limit(1))
    return session.scalars(stmt).first() is not None


LOOK_AHEAD = 10
"""How far down the queue a free agent looks for a case that is theirs to take before taking the top unassigned."""


def _next_case(session: Session, settings: Settings, now: datetime, agent: str,
               off_duty: Collection[str]) -> list[CaseSummary]:
    """The top case waiting for an answer that this agent may take: unassigned, their own (the customer wrote
    again), or left by an agent whose shift is over (a handover, as the desk's re-routing does for real agents)."""
    waiting = (CaseState.NEW.value, CaseState.OPEN.value)
    for case in service.list_cases(session, None, now, settings, service.QueueFilters(states=waiting),
                                   limit=LOOK_AHEAD):
        if case.awaiting_since is not None and (case.assignee in (None, agent) or case.assignee in off_duty):
            return [case]
    return service.list_cases(session, None, now, settings, service.QueueFilters(states=waiting, unassigned=True),
                              limit=1)


def _answer(db: Database, settings: Settings, clock: FixedClock, agent: str, team: Team, rng: random.Random,
            outcome: TeamOutcome, off_duty: Collection[str] = ()) -> datetime | None:
    """Agent takes the top case that is theirs to take (`_next_case`); returns when they are free again, or None if
    there was nothing."""
    now = clock.now()
    with db.session() as session:
        top = _next_case(session, settings, now, agent, off_duty)
        if not top or top[0].awaiting_since is None:
            return None
        case = service.load_case(session, top[0].id, None)
        done = now + timedelta(minutes=rng.lognormvariate(math.log(team.handle_median_min), team.handle_sigma))
        service.assign(session, case, agent, agent, now)
        wait = (done - top[0].awaiting_since).total_seconds() / 60
        outcome.waits_min.append(wait)
        if case.first_response_at is not None:
            outcome.follow_up_waits_min.append(wait)
        else:
            first = (done - top[0].opened_at).total_seconds() / 60
            outcome.first_waits_min.append(first)
            if _is_complaint(session, case.id):
                outcome.complaint_first_waits_min.append(first)
        outcome.within_target += wait <= settings.first_response_target_minutes[top[0].priority.level]
        service.add_reply(session, case, "Thank you for telling us. We are on it and will update you here.",
                          agent, done, resolve=rng.random() < team.resolve_share,
                          legal_reviewed=True)  # the simulated team has every flagged reply reviewed
        case.assignee = agent  # also when resolved: the agents' report credits whoever resolved it
    outcome.answered += 1
    return done


def _name(slot: int) -> str:
    return f"agent-{slot + 1}"


def register_team(session: Session, brand: str, rota: Rota, languages: Sequence[str], now: datetime) -> list[str]:
    """Add the simulated team to `brand` as its agents, named as the replay's assignees, each on their daily shift
    (UTC) every day of the week: a replay answers as them without the agents table, so the desk it leaves behind
    would credit agents its settings page and re-routing do not know, and say nobody is on shift."""
    names = []
    for slot, daily in enumerate(rota.shifts):
        start, end = (f"{hour % 24:02d}:00" for hour in (daily.start_hour, daily.start_hour + daily.hours))
        add_agent(session, brand, _name(slot), now, languages=languages,
                  shifts=[Shift(weekday=day, start=start, end=end) for day in range(7)])
        names.append(_name(slot))
    return names


def _off_duty(rota: Rota, at: datetime) -> set[str]:
    """The simulated agents whose shift is off at `at` (anyone else, a real agent, is taken to be on)."""
    return {_name(slot) for slot in range(len(rota.shifts)) if not rota.working(slot, at)}


def run_team(
    posts: Sequence[Post],
    ingestor: Ingestor,
    db: Database,
    settings: Settings,
    clock: FixedClock,
    team: Team,
    *,
    step: timedelta = timedelta(minutes=1),
    drain: bool = False,
    progress: Callable[[int], None] | None = None,
) -> TeamOutcome:
    """Replay `posts` in time order minute by minute while the team answers; `clock` follows simulated time.

    With `drain` the team goes on after the last post until the queue is empty (within a day), so every case's
    wait is counted; without it the run stops with the traffic, leaving the queue as it would stand then.
    """
    ordered = sorted(posts, key=lambda p: p.observed_at())
    outcome = TeamOutcome()
    if not ordered:
        return outcome
    rng = random.Random(team.seed)
    start = ordered[0].observed_at()
    rota = team.shifts()
    free: list[tuple[datetime, int]] = [(rota.next_start(n, start), n) for n in range(len(rota.shifts))]
    heapq.heapify(free)
    t, i = start, 0
    end = ordered[-1].observed_at()
    idle = False
    while i < len(ordered) or (drain and not idle and t < end + timedelta(days=1)):
        batch = []
        while i < len(ordered) and ordered[i].observed_at() <= t:
            batch.append(ordered[i])
            i += 1
        if batch:
            clock.set(t)
            ingestor.ingest(batch)
            idle = False
            if progress:
                progress(len(batch))
        while free and free[0][0] <= t:
            ready_at, slot = heapq.heappop(free)
            if not rota.working(slot, t):
                heapq.heappush(free, (rota.next_start(slot, t), slot))
                continue
            clock.set(max(ready_at, t))
            done = _answer(db, settings, clock, _name(slot), team, rng, outcome, _off_duty(rota, t))
            heapq.heappush(free, (done or t + step, slot))
            idle = done is None
            if idle:
                break
        t += step
    clock.set(max(t, end) if drain else end)
    with db.session() as session:
        outcome.unanswered = session.scalar(select(func.count()).select_from(CaseRow).where(
            CaseRow.first_response_at.is_(None), CaseRow.awaiting_since.is_not(None))) or 0
        outcome.waiting_at_end = session.scalar(select(func.count()).select_from(CaseRow).where(
            CaseRow.awaiting_since.is_not(None))) or 0
    return outcome
