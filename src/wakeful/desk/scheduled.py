"""The desk's periodic work, `tick(session, now)`: escalate cases nearing their SLA, re-route around absences and
resolve cases whose customer has gone quiet.

Also where SLA policies meet the database: a brand's stored policy per priority level, or else the settings'
`first_response_target_minutes` around the clock (the default policy), and each case's timers with the time spent
waiting on the customer paused. Escalation is recorded as case events of kind "escalated" (one per timer, start and
stage), so a tick that runs every 30 s tells the lead once and pages on-call once, however often it runs, and however
many server processes (or `wakeful agents tick`) run it at the same moment: the check for an earlier event and the
insert are one step under the brand's lock (`store.notify.serialize`), taken only when something is due.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from wakeful.core.clock import as_utc
from wakeful.core.settings import Settings
from wakeful.desk import agents as agents_mod
from wakeful.desk import routing, sla
from wakeful.desk.cases import CaseState, customer_post
from wakeful.desk.priority import sla_level
from wakeful.desk.quiet import resolve_quiet
from wakeful.desk.routing import Notifier
from wakeful.desk.service import ACTIVE_STATES
from wakeful.desk.sla_targets import Targets
from wakeful.desk.sla_targets import to_policy as to_policy  # re-exported: the settings page and reports use it
from wakeful.store import notify as outbox
from wakeful.store.agents import SlaPolicyRow
from wakeful.store.db import Database
from wakeful.store.models import CaseEventRow, CasePostRow, CaseRow, PostRow
from wakeful.store.risk import CaseRiskRow

ESCALATOR = "sla"
LOCK = "wakeful:sla.escalation:"
"""With the brand's key appended: what processes about to escalate that brand's cases wait for (`serialize`)."""
PAUSING_STATES = (CaseState.WAITING.value, CaseState.RESOLVED.value)


class PolicyIn(BaseModel):
    priority: int = Field(ge=0, le=3)
    first_response_minutes: int = Field(gt=0)
    next_response_minutes: int | None = Field(default=None, gt=0)
    resolution_minutes: int | None = Field(default=None, gt=0)
    business_hours: bool = False
    timezone: str = "UTC"
    day_start: str = Field(default="09:00", pattern=r"^\d{2}:\d{2}$")
    day_end: str = Field(default="17:00", pattern=r"^\d{2}:\d{2}$")
    weekdays: list[int] = Field(default=[0, 1, 2, 3, 4], description="0 Monday .. 6 Sunday")
    escalate_fraction: float = Field(default=0.75, gt=0, le=1)
    page_fraction: float = Field(default=1.0, gt=0, le=2)


class TimerView(BaseModel):
    name: str
    target_minutes: int
    elapsed_minutes: float
    left_minutes: float
    stopped: bool
    paused: bool
    breached: bool
    business_hours: bool


def _hhmm(value: str) -> int:
    h, m = (int(x) for x in value.split(":"))
    if h * 60 + m > 1440 or m > 59:
        raise agents_mod.AgentError(f"{value} is not a time of day")
    return h * 60 + m


def set_policy(session: Session, brand: str, body: PolicyIn) -> SlaPolicyRow:
    agents_mod.zone(body.timezone)
    row = session.scalars(select(SlaPolicyRow).where(SlaPolicyRow.brand == brand,
                                                     SlaPolicyRow.priority == body.priority)).first()
    if row is None:
        row = SlaPolicyRow(brand=brand, priority=body.priority)
        session.add(row)
    start, end = _hhmm(body.day_start), _hhmm(body.day_end)
    if body.business_hours and end <= start:
        raise agents_mod.AgentError("business hours must end after they start")
    row.first_response_minutes, row.next_response_minutes = body.first_response_minutes, body.next_response_minutes
    row.resolution_minutes, row.business_hours = body.resolution_minutes, body.business_hours
    row.timezone = body.timezone
    row.day_start_minute, row.day_end_minute = start, end
    row.weekdays = [str(d) for d in sorted(set(body.weekdays))]
    row.escalate_fraction, row.page_fraction = body.escalate_fraction, body.page_fraction
    session.flush()
    return row


def list_policies(session: Session, brands: Collection[str] | None) -> list[SlaPolicyRow]:
    stmt = select(SlaPolicyRow).order_by(SlaPolicyRow.brand, SlaPolicyRow.priority)
    if brands is not None:
        stmt = stmt.where(SlaPolicyRow.brand.in_(list(brands)))
    return list(session.scalars(stmt))


def default_policy(settings: Settings, level: int) -> sla.Policy:
    """Without a stored policy: the settings' first-response target, also for next responses, around the clock."""
    return Targets({}, settings.first_response_target_minutes).policy("", level)


def policy_for(session: Session, case: CaseRow, now: datetime, settings: Settings,
               stored: dict[tuple[str, int], SlaPolicyRow] | None = None) -> sla.Policy:
    """The SLA policy of the case's level as the queue measures it (`priority.sla_level`): risk included, so a
    case raised for risk is escalated on the raised level's (shorter) targets; its wait not, so a wait does not
    shorten the target it is measured against; reach net of what fake accounts added, as the queue counts it."""
    risk = session.get(CaseRiskRow, case.id)
    reach = case.reach if risk is None or risk.genuine_reach is None else min(case.reach, risk.genuine_reach)
    level = sla_level(case.severity, reach, settings.priority_for(case.brand), risk.score if risk else None)
    if stored is None:
        stored = {(r.brand, r.priority): r for r in list_policies(session, [case.brand])}
    row = stored.get((case.brand, level))
    return to_policy(row) if row else default_policy(settings, level)


def pause_marks(session: Session, cases: Collection[CaseRow]) -> dict[int, list[tuple[datetime, bool]]]:
    """(when, waiting?) marks for many cases in two queries: replies and moves to waiting or resolved pause the
    clock, customer posts and other state changes resume it. Resolved pauses too: the days a case stayed closed
    are nobody's wait, so a customer writing again a week later does not reopen it past its resolution target.
    The customer is every account of the case (`cases.customer_post`): after a merge, a post from the merged-in
    account reopens the case, so it must resume the clock too, or the wait since would count as the customer's."""
    ids = [c.id for c in cases]
    marks: dict[int, list[tuple[datetime, bool]]] = {i: [] for i in ids}
    events = select(CaseEventRow.case_id, CaseEventRow.at, CaseEventRow.kind, CaseEventRow.data).where(
        CaseEventRow.case_id.in_(ids), CaseEventRow.kind.in_(("reply", "state")))
    for case_id, at, kind, data in session.execute(events):
        marks[case_id].append((as_utc(at), kind == "reply" or data.get("state") in PAUSING_STATES))
    posts = select(CasePostRow.case_id, PostRow.created_at).join(PostRow, PostRow.id == CasePostRow.post_id).join(
        CaseRow, CaseRow.id == CasePostRow.case_id).where(CasePostRow.case_id.in_(ids),
                                                          customer_post(CaseRow.id, CaseRow.author_id))
    for case_id, at in session.execute(posts):
        marks[case_id].append((as_utc(at), False))
    return marks


def case_clock(session: Session, case: CaseRow, now: datetime,
               marks: list[tuple[datetime, bool]] | None = None) -> sla.CaseClock:
    """The case's SLA inputs, with the time spent waiting on the customer as pauses."""
    if marks is None:
        marks = pause_marks(session, [case])[case.id]
    return sla.CaseClock(
        opened_at=as_utc(case.opened_at),
        first_response_at=as_utc(case.first_response_at) if case.first_response_at else None,
        awaiting_since=as_utc(case.awaiting_since) if case.awaiting_since else None,
        resolved_at=as_utc(case.resolved_at) if case.resolved_at else None,
        pauses=sla.waiting_intervals(marks, now),
        waiting_now=case.state == CaseState.WAITING.value,
    )


def case_timers(session: Session, case: CaseRow, now: datetime, settings: Settings,
                stored: dict[tuple[str, int], SlaPolicyRow] | None = None,
                marks: list[tuple[datetime, bool]] | None = None) -> tuple[sla.Policy, list[sla.Timer]]:
    policy = policy_for(session, case, now, settings, stored)
    return policy, sla.timers(case_clock(session, case, now, marks), policy, now)


def timer_view(t: sla.Timer) -> TimerView:
    return TimerView(name=t.name, target_minutes=t.target_minutes, elapsed_minutes=round(t.elapsed_minutes, 1),
                     left_minutes=round(t.left_minutes, 1), stopped=t.stopped, paused=t.paused, breached=t.breached,
                     business_hours=t.business_hours)


Key = tuple[int, str, str, int]
"""An escalation's identity: case id, timer name, when the timer started (ISO), step (1 warn, 2 page)."""


def _done(session: Session, case_ids: Collection[int]) -> set[Key]:
    """The escalations recorded for these cases, in any process (columns only: a tick reads them for every open
    case, and twice where something is due)."""
    stmt = select(CaseEventRow.case_id, CaseEventRow.data).where(CaseEventRow.case_id.in_(list(case_ids)),
                                                                 CaseEventRow.kind == "escalated")
    return {(case_id, str(data.get("timer")), str(data.get("started_at")), int(data.get("stage", 0)))
            for case_id, data in session.execute(stmt)}


@dataclass(frozen=True)
class _Escalation:
    """One message that is due, made before the lock is taken, so that the lock covers only the check and the
    writes."""

    key: Key
    brand: str
    event: str
    payload: dict[str, Any]
    text: str
    who: list[str]
    at: datetime

    def record(self, session: Session, notifier: Notifier) -> None:
        case_id, timer, started_at, step = self.key
        notifier.notify(self.event, self.payload, session)
        session.add(CaseEventRow(case_id=case_id, at=self.at, kind="escalated", actor=ESCALATOR, text=self.text,
                                 data={"timer": timer, "started_at": started_at, "stage": step, "to": self.who}))


def escalate(session: Session, now: datetime, settings: Settings, notifier: Notifier,
             brands: Collection[str] | None = None) -> int:
    """Tell the lead at `escalate_fraction` of a target, page on-call at `page_fraction`; each once per timer, across
    processes. Figures are read without a lock; only when something is due are the brands' locks taken (in one
    order, so two processes cannot each hold one the other waits for) and the earlier escalations read again, so
    a process that ticked at the same moment and committed first is seen. Held until the tick commits. Reading
    before the lock in the same transaction is safe: each PostgreSQL statement sees what was committed before it,
    and an SQLite transaction starts at its first write (the lock, or re-routing, which already holds it)."""
    stmt = select(CaseRow).where(CaseRow.state.in_(ACTIVE_STATES))
    if brands is not None:
        stmt = stmt.where(CaseRow.brand.in_(list(brands)))
    cases = list(session.scalars(stmt))
    done = _done(session, [c.id for c in cases])
    session.scalars(select(CaseRiskRow).where(CaseRiskRow.case_id.in_([c.id for c in cases]))).all()  # one query
    stored = {(r.brand, r.priority): r for r in list_policies(session, brands)}
    marks = pause_marks(session, cases)
    due: list[_Escalation] = []
    for case in cases:
        policy, timers = case_timers(session, case, now, settings, stored, marks[case.id])
        for timer in timers:
            stage = sla.escalation_stage(timer, policy)
            for step in range(1, stage + 1):
                key = (case.id, timer.name, timer.started_at.isoformat(), step)
                if key not in done:
                    due.append(_escalation(session, case, timer, key, now))
    if not due:
        return 0
    for brand in sorted({e.brand for e in due}):
        outbox.serialize(session, LOCK + brand)
    done = _done(session, {e.key[0] for e in due})
    fresh = [e for e in due if e.key not in done]
    for escalation in fresh:
        escalation.record(session, notifier)
    return len(fresh)


def _escalation(session: Session, case: CaseRow, timer: sla.Timer, key: Key, now: datetime) -> _Escalation:
    """The warning to the case's leads (step 1) or the page to whoever is on call (step 2), with its case note."""
    team = None
    if case.assignee:
        agent = agents_mod.get_agent(session, case.brand, case.assignee)
        team = agent.team if agent else None
    payload: dict[str, Any] = {"brand": case.brand, "case_id": case.id, "timer": timer.name,
                               "assignee": case.assignee, "target_minutes": timer.target_minutes,
                               "elapsed_minutes": round(timer.elapsed_minutes, 1),
                               "left_minutes": round(timer.left_minutes, 1)}
    if key[3] == 1:
        who = agents_mod.leads_for(session, case.brand, team)
        text = f"{timer.name} at {timer.fraction:.0%} of {timer.target_minutes} min: told {', '.join(who) or 'no lead'}"
        return _Escalation(key, case.brand, "sla.warning", {**payload, "leads": who}, text, who, now)
    who = [p for p in [agents_mod.on_call(session, case.brand, now)] if p]
    text = f"{timer.name} at {timer.fraction:.0%} of {timer.target_minutes} min: paged on-call " \
           f"{who[0] if who else '(nobody on the rota)'}"
    return _Escalation(key, case.brand, "oncall.page", {**payload, "agent": who[0] if who else None, "reason": "sla"},
                       text, who, now)


def tick(session: Session, now: datetime, settings: Settings, notifier: Notifier | None = None,
         brands: Collection[str] | None = None) -> dict[str, int]:
    """One scheduled round: re-route around absences first (so escalations name the new owner), then escalate,
    then resolve the cases whose customer has gone quiet (`desk/quiet.py`). Each takes its brands' locks only when
    it has something to do; routing's always before escalation's, so two processes never each hold a lock the
    other waits for."""
    notifier = notifier or routing.RecordingNotifier()
    moved = routing.reroute(session, now, notifier, brands)
    session.flush()
    escalated = escalate(session, now, settings, notifier, brands)
    session.flush()
    return {"rerouted": moved, "escalated": escalated, "resolved_quiet": resolve_quiet(session, now, settings, brands)}


class _DeskLike(Protocol):
    db: Database
    settings: Settings


def job(notifier: Notifier | None = None) -> Callable[[_DeskLike, datetime], None]:
    """The server's scheduled job (`desk.jobs.append(scheduled.job(notifier))`): one tick in its own transaction."""
    chosen = notifier or routing.RecordingNotifier()

    def sla_and_routing(desk: _DeskLike, now: datetime) -> None:
        with desk.db.session() as session:
            tick(session, now, desk.settings, chosen)

    return sla_and_routing
