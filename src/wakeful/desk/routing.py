"""Routing: give each case to an agent who is on shift, speaks the customer's language and has room; else page.

`choose` is the pure rule (tested without a database): eligible agents are on shift, not away, speak the case's
language and carry fewer open cases than their maximum; among them the most matching skills win, then the lightest
relative load, so work spreads evenly. The rest applies it to cases and records every decision with its reason as a
case event of kind "routed", so a lead can read why a case went where it did.

The scheduled pass (`reroute`) runs in every server process at the same moment; it moves a brand's cases under the
brand's lock (`store.notify.serialize`), taken only when something is to move, so each case moves and pages once.
Ingest routes its batch's cases under the same lock, or leaves them to the next pass (`route_new_cases`). Each case
is moved with its row locked and read again, so an agent's action on it committed meanwhile is not overwritten.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from wakeful.desk import agents as agents_mod
from wakeful.desk.cases import CasesBusy, CaseState, lock_cases
from wakeful.desk.service import assign
from wakeful.store.agents import AgentRow
from wakeful.store.models import CaseEventRow, CaseRow
from wakeful.store.notify import serialize

log = logging.getLogger(__name__)
ROUTER = "router"
WORKING_STATES = (CaseState.NEW.value, CaseState.OPEN.value)
"""States that take an agent's attention; a case waiting on the customer does not count towards the maximum."""
LOCK = "wakeful:routing:"
"""With the brand's key appended: what processes about to re-route that brand's cases wait for (`serialize`)."""
DEFERRED = "deferred"
"""Set in the data of the "routed" event of a case an ingest batch left to the next pass (`route_new_cases`)."""


class Notifier(Protocol):
    """Where pages and escalations go; `wakeful.desk.notify.BrandNotifier` (webhooks, e-mail, Slack) fits.
    `session` is the caller's open transaction: the event is only sent if it commits."""

    def notify(self, event: str, payload: dict[str, Any], session: Session | None = None) -> None: ...


@dataclass
class RecordingNotifier:
    """Logs each event and keeps it (tests, and the CLI's summary of a tick), passing it on to `forward`."""

    forward: Notifier | None = None
    sent: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def notify(self, event: str, payload: dict[str, Any], session: Session | None = None) -> None:
        log.warning("%s: %s", event, payload)
        self.sent.append((event, payload))
        if self.forward is not None:
            self.forward.notify(event, payload, session)


@dataclass(frozen=True)
class Candidate:
    name: str
    languages: Collection[str]
    skills: Collection[str]
    max_cases: int
    load: int
    on_shift: bool
    away: bool = False


@dataclass(frozen=True)
class Choice:
    agent: str | None
    reason: str


def choose(candidates: Iterable[Candidate], lang: str | None, topics: Collection[str]) -> Choice:
    """The best agent for a case, or None with the reason nobody fits."""
    pool = list(candidates)
    fits = [c for c in pool if c.on_shift and not c.away]
    if not fits:
        return Choice(None, "nobody on shift" if pool else "no agents for this brand")
    if lang:
        fits = [c for c in fits if lang in c.languages]
        if not fits:
            return Choice(None, f"nobody on shift speaks {lang}")
    fits = [c for c in fits if c.load < c.max_cases]
    if not fits:
        return Choice(None, f"everyone on shift{' who speaks ' + lang if lang else ''} is at capacity")
    wanted = set(topics)
    best = min(fits, key=lambda c: (-len(wanted & set(c.skills)), c.load / c.max_cases, c.load, c.name))
    matched = sorted(wanted & set(best.skills))
    return Choice(best.name, f"on shift{', speaks ' + lang if lang else ''}, {best.load}/{best.max_cases} cases"
                             f"{', skills ' + ', '.join(matched) if matched else ''}")


def loads(session: Session, brand: str) -> dict[str, int]:
    stmt = (select(CaseRow.assignee, func.count()).where(CaseRow.brand == brand, CaseRow.assignee.is_not(None),
                                                         CaseRow.state.in_(WORKING_STATES))
            .group_by(CaseRow.assignee))
    return {str(name): int(count) for name, count in session.execute(stmt)}


def candidates(session: Session, brand: str, now: datetime, exclude: str | None = None) -> list[Candidate]:
    load = loads(session, brand)
    return [Candidate(a.name, a.languages, a.skills, a.max_cases, load.get(a.name, 0),
                      agents_mod.on_shift(a.shifts, a.timezone, now), a.away)
            for a in agents_mod.list_agents(session, [brand]) if a.name != exclude]


def _record(session: Session, case_id: int, now: datetime, reason: str, **data: object) -> None:
    session.add(CaseEventRow(case_id=case_id, at=now, kind="routed", actor=ROUTER, text=reason, data=data))


def route_case(session: Session, case: CaseRow, now: datetime, notifier: Notifier, *, why: str = "new case",
               exclude: str | None = None, page: bool = True) -> str | None:
    """Assign the case to the best agent; if nobody fits, page on-call and give it to them. Returns the assignee."""
    choice = choose(candidates(session, case.brand, now, exclude), case.lang, case.topics)
    if choice.agent is not None:  # the reason first, so the case's timeline reads why, then the assignment
        _record(session, case.id, now, f"{why}: {choice.agent} ({choice.reason})", agent=choice.agent)
        assign(session, case, choice.agent, ROUTER, now)
        return choice.agent
    if not page:
        return None
    oncall = agents_mod.on_call(session, case.brand, now)
    notifier.notify("oncall.page", {"brand": case.brand, "case_id": case.id, "agent": oncall,
                                    "reason": choice.reason, "lang": case.lang}, session)
    _record(session, case.id, now, f"{why}: {choice.reason}; paged on-call {oncall or '(nobody on the rota)'}",
            agent=oncall, paged=True)
    if oncall is not None:
        assign(session, case, oncall, ROUTER, now)
    else:
        case.assignee = None
    return oncall


def route_new_cases(session: Session, case_ids: Collection[int], now: datetime,
                    notifier: Notifier | None = None) -> dict[int, str | None]:
    """Route the unassigned, active cases among `case_ids` (the ingest hook: call it with `result.cases`); returns
    those routed. A brand with no agents on record is left alone (no routing, no paging): it has not set the desk up
    for routing.

    Once across server processes: under the brand's lock, as `reroute` moves cases, else another process's pass
    retrying an unassigned case this batch wrote to would assign it too. The batch does not wait for the lock: it
    holds the row locks of its posts and cases, and a pass holding the lock may wait for one of them (a deadlock).
    Where another process holds it (PostgreSQL; on SQLite this batch, which has written, is the only writer), the
    case gets a "routed" event marked `DEFERRED` instead, and the next pass routes it, paging on-call where nobody
    fits as this would have: once, at most one scheduler interval late."""
    notifier = notifier or RecordingNotifier()
    staffed = set(session.scalars(select(AgentRow.brand).distinct()))
    todo = session.execute(select(CaseRow.id, CaseRow.brand).where(
        CaseRow.id.in_(list(case_ids)), CaseRow.assignee.is_(None), CaseRow.state.in_(WORKING_STATES),
        CaseRow.brand.in_(staffed)).order_by(CaseRow.opened_at, CaseRow.id)).all()
    locked = {brand for brand in sorted({b for _, b in todo}) if serialize(session, LOCK + brand, wait=False)}
    routed: dict[int, str | None] = {}
    for case_id, brand in todo:
        if brand not in locked:  # nor its row locked: the lock's holder may be waiting for this batch's rows
            _record(session, case_id, now, f"new case: left to the next routing pass (another process was routing "
                                           f"{brand}'s cases)", agent=None, **{DEFERRED: True})
            continue
        case = _locked(session, case_id, None)  # read again: a pass may have routed it before the lock was free
        if case is not None:
            routed[case.id] = route_case(session, case, now, notifier)
    return routed


def _locked(session: Session, case_id: int, holder: str | None) -> CaseRow | None:
    """The case with its row locked and read again, if it is still a working case held by `holder` (None:
    unassigned): an agent may have taken, resolved or merged it since it was read, and moving it anyway would
    overwrite that (a resolved case back open). None too for a case another transaction holds that this pass may
    not wait for (`lock_cases`: it holds a case with a higher id, and the holder may be waiting for that one, as an
    ingest batch locking its cases in id order may): the next pass moves it."""
    try:
        [case] = lock_cases(session, [case_id])
    except CasesBusy:
        return None
    return case if case.assignee == holder and case.state in WORKING_STATES else None


def _deferred(session: Session, brands: Collection[str]) -> list[tuple[int, str]]:
    """The unassigned working cases an ingest batch left to the next pass, and nobody routed or assigned since, as
    (case id, brand), oldest first."""
    last = aliased(CaseEventRow)
    newest = (select(func.max(last.id)).where(last.case_id == CaseRow.id, last.kind.in_(("routed", "assigned")))
              .correlate(CaseRow).scalar_subquery())
    rows = session.execute(select(CaseRow.id, CaseRow.brand, CaseEventRow.data).join(
        CaseEventRow, CaseEventRow.id == newest).where(CaseEventRow.kind == "routed", CaseRow.assignee.is_(None),
        CaseRow.state.in_(WORKING_STATES), CaseRow.brand.in_(sorted(brands))).order_by(CaseRow.opened_at, CaseRow.id))
    return [(case_id, brand) for case_id, brand, data in rows if (data or {}).get(DEFERRED)]


def case_hook(notifier: Notifier | None = None) -> Callable[[Session, set[int], datetime], None]:
    """An `IngestService` case hook that routes the batch's new cases: `case_hooks=[routing.case_hook(n)]`."""
    chosen = notifier or RecordingNotifier()

    def hook(session: Session, case_ids: set[int], now: datetime) -> None:
        route_new_cases(session, case_ids, now, chosen)

    return hook


def unavailable(agent: AgentRow, now: datetime, session: Session) -> str | None:
    """Why this agent should not hold working cases now, or None; whoever is on call keeps their pages."""
    if agent.away:
        return f"{agent.name} is away"
    if agents_mod.on_shift(agent.shifts, agent.timezone, now):
        return None
    if agents_mod.on_call(session, agent.brand, now) == agent.name:
        return None
    return f"{agent.name} went off shift"


def reroute_agent(session: Session, agent: AgentRow, now: datetime, notifier: Notifier, reason: str) -> int:
    """Move the agent's working cases to others (paging on-call where nobody fits); returns how many moved.

    Where she holds any, under the brand's lock, her cases read again under it: a tick of another process, or a
    lead marking her away, may be moving them at the same moment, and each would move them and page again."""
    held = select(CaseRow).where(CaseRow.brand == agent.brand, CaseRow.assignee == agent.name,
                                 CaseRow.state.in_(WORKING_STATES))
    if session.scalar(select(held.exists())) is not True:
        return 0
    serialize(session, LOCK + agent.brand)  # held already in `reroute`; taken again, it is still one lock
    moved = 0
    for case_id in list(session.scalars(held.with_only_columns(CaseRow.id).order_by(CaseRow.opened_at))):
        case = _locked(session, case_id, agent.name)
        if case is not None:
            route_case(session, case, now, notifier, why=f"re-routed, {reason}", exclude=agent.name)
            moved += 1
    return moved


def _free_agent(session: Session, brand: str, now: datetime) -> bool:
    return any(c.on_shift and not c.away and c.load < c.max_cases for c in candidates(session, brand, now))


def _paged(session: Session, now: datetime, agents: dict[str, set[str]]) -> list[tuple[int, str, str, bool]]:
    """Cases the router gave to an on-call person who is no agent of their brand, oldest first, as (case id, brand,
    holder, whether their on-call slot has ended). Runs every tick, so only those cases' ids are loaded."""
    held = session.execute(select(CaseRow.id, CaseRow.brand, CaseRow.assignee).where(
        CaseRow.assignee.is_not(None), CaseRow.state.in_(WORKING_STATES), CaseRow.brand.in_(sorted(agents)))
        .order_by(CaseRow.opened_at)).all()
    paged = []
    for case_id, brand, holder in held:
        if holder in agents[brand]:
            continue  # agents are handled by their shifts (see `unavailable`)
        by = session.scalars(select(CaseEventRow.actor).where(CaseEventRow.case_id == case_id,
                                                               CaseEventRow.kind == "assigned")
                             .order_by(CaseEventRow.id.desc()).limit(1)).first()
        if by == ROUTER:
            paged.append((case_id, brand, str(holder), agents_mod.on_call(session, brand, now) != holder))
    return paged


def reroute_paged(session: Session, now: datetime, notifier: Notifier, agents: dict[str, set[str]]) -> int:
    """Move cases the router paged to an on-call person who is not an agent (a lead, say): once their slot ends,
    or as soon as an agent has room, since a page is the fallback for when nobody fits, not an assignment. Cases
    someone assigned by hand stay where they were put."""
    moved = 0
    full: set[str] = set()  # brands where no agent has room in this pass (assigning more never frees one)
    for case_id, brand, holder, ended in _paged(session, now, agents):
        case = _locked(session, case_id, holder)
        if case is None:
            continue
        if ended:
            moved += route_case(session, case, now, notifier, why=f"re-routed, {holder}'s on-call ended",
                                exclude=holder) != holder
        elif brand not in full and _free_agent(session, brand, now):
            moved += route_case(session, case, now, notifier, why=f"re-routed from on-call {holder}, an agent "
                                "has room", page=False) is not None
        else:
            full.add(brand)
    return moved


def _staff(agents: Iterable[AgentRow]) -> dict[str, set[str]]:
    """Each brand's agents by name."""
    staffed: dict[str, set[str]] = {}
    for agent in agents:
        staffed.setdefault(agent.brand, set()).add(agent.name)
    return staffed


def _due(session: Session, now: datetime, agents: list[AgentRow]) -> set[str]:
    """The brands with something for `reroute` to move: a working case held by an agent who is away or off shift,
    a page `reroute_paged` would hand on, a case an ingest batch left to this pass (even where nobody has room: it
    is on-call's page then), or an unassigned case while an agent has room. Read without a lock, as the pass would
    find it: each of its steps only fills agents, so none makes work for a later step that these figures, read
    before any of them, miss."""
    staffed = _staff(agents)
    gone = {(a.brand, a.name) for a in agents if unavailable(a, now, session)}
    room: dict[str, bool] = {}

    def has_room(brand: str) -> bool:
        if brand not in room:
            room[brand] = _free_agent(session, brand, now)
        return room[brand]

    due = {brand for _, brand in _deferred(session, staffed)}
    holders = session.execute(select(CaseRow.brand, CaseRow.assignee).where(
        CaseRow.state.in_(WORKING_STATES), CaseRow.brand.in_(sorted(staffed))).distinct())
    for brand, holder in holders:
        if (brand, holder) in gone or (holder is None and has_room(brand)):
            due.add(brand)
    for _, brand, _, ended in _paged(session, now, {b: n for b, n in staffed.items() if b not in due}):
        if ended or has_room(brand):
            due.add(brand)
    return due


def reroute(session: Session, now: datetime, notifier: Notifier, brands: Collection[str] | None = None) -> int:
    """The scheduled pass: re-route cases of agents who are away or off shift, hand back on-call pages, route the
    cases ingest left to it (`route_new_cases`), and retry unassigned cases.

    Once across server processes, which all tick at the same moment: what is to move is read without a lock, and
    only the brands with something to move are locked (in one order, so two processes cannot each hold one the
    other waits for; held until the tick commits) and their cases read again under the locks, so a process that
    moved them first and committed is seen, and its moves are neither made nor paged again. Each case is moved
    with its row locked and read again (`_locked`): an ingest batch or an agent may have changed it since."""
    agents = agents_mod.list_agents(session, brands)
    due = _due(session, now, agents)
    for brand in sorted(due):
        serialize(session, LOCK + brand)
    moved = 0
    staffed = _staff(a for a in agents if a.brand in due)
    for agent in agents:
        reason = unavailable(agent, now, session) if agent.brand in due else None
        if reason:
            moved += reroute_agent(session, agent, now, notifier, reason)
    moved += reroute_paged(session, now, notifier, staffed)
    for case_id, _ in _deferred(session, staffed):
        case = _locked(session, case_id, None)
        if case is not None:
            moved += route_case(session, case, now, notifier, why="new case, on the next pass") is not None
    stmt = select(CaseRow.id, CaseRow.brand).where(CaseRow.assignee.is_(None), CaseRow.state.in_(WORKING_STATES),
                                                   CaseRow.brand.in_(sorted(staffed)))
    full: set[str] = set()  # brands where nobody can take a case now: assigning more never frees anyone
    for case_id, brand in session.execute(stmt.order_by(CaseRow.opened_at, CaseRow.id)).all():
        if brand in full:
            continue
        if not _free_agent(session, brand, now):
            full.add(brand)
            continue
        case = _locked(session, case_id, None)
        if case is not None:
            moved += route_case(session, case, now, notifier, why="retried", page=False) is not None
    return moved
