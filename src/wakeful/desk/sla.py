"""SLA clock maths, pure: how much of a target has been used, in business time or around the clock, with pauses.

A brand promises a first response, a next response (after each customer post the desk has not answered yet) and a
resolution, per priority level. Time spent waiting on the customer does not count against the desk, and a policy in
business hours counts only the hours of its business days in its own time zone, so a Friday-evening complaint to a
9-to-5 brand is not "late" on Saturday. The escalation rule lives here too, so it is tested without a database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

Interval = tuple[datetime, datetime]


@dataclass(frozen=True)
class Policy:
    """One brand's targets at one priority level (minutes; None means no such target)."""

    first_response_minutes: int
    next_response_minutes: int | None = None
    resolution_minutes: int | None = None
    business_hours: bool = False
    timezone: str = "UTC"
    day_start_minute: int = 9 * 60
    day_end_minute: int = 17 * 60
    weekdays: frozenset[int] = field(default_factory=lambda: frozenset(range(5)))
    escalate_fraction: float = 0.75
    page_fraction: float = 1.0


def _business_seconds(start: datetime, end: datetime, policy: Policy) -> float:
    """Seconds of [start, end) inside the policy's business days and hours, walking local calendar days."""
    if end <= start:
        return 0.0
    zone = ZoneInfo(policy.timezone)
    day = start.astimezone(zone).date()
    last = end.astimezone(zone).date()
    total = 0.0
    while day <= last:
        if day.weekday() in policy.weekdays:
            open_at = datetime.combine(day, time(), zone) + timedelta(minutes=policy.day_start_minute)
            close_at = datetime.combine(day, time(), zone) + timedelta(minutes=policy.day_end_minute)
            lo, hi = max(start, open_at), min(end, close_at)
            # timestamps: two times of one zone subtract on the wall clock, an hour off across a clock change
            total += max(hi.timestamp() - lo.timestamp(), 0.0)
        day += timedelta(days=1)
    return total


def counted_seconds(start: datetime, end: datetime, policy: Policy) -> float:
    """Seconds between two instants that count against a target under this policy."""
    if policy.business_hours:
        return _business_seconds(start, end, policy)
    return max((end - start).total_seconds(), 0.0)


def elapsed_seconds(start: datetime, end: datetime, policy: Policy, pauses: Sequence[Interval] = ()) -> float:
    """Counted time from start to end, less the counted time of the pauses that overlap it."""
    used = counted_seconds(start, end, policy)
    for p_start, p_end in pauses:
        lo, hi = max(start, p_start), min(end, p_end)
        if hi > lo:
            used -= counted_seconds(lo, hi, policy)
    return max(used, 0.0)


def waiting_intervals(marks: Sequence[tuple[datetime, bool]], now: datetime) -> list[Interval]:
    """Turn (when, waiting-on-customer?) marks into the intervals the desk was waiting on the customer.

    Marks come from the case's history: a reply or a move to `waiting_on_customer` or `resolved` starts a pause, a
    customer post or a reopening ends it. An open pause runs until `now`.
    """
    intervals: list[Interval] = []
    since: datetime | None = None
    for at, waiting in sorted(marks, key=lambda m: m[0]):
        if waiting and since is None:
            since = at
        elif not waiting and since is not None:
            if at > since:
                intervals.append((since, at))
            since = None
    if since is not None and now > since:
        intervals.append((since, now))
    return intervals


@dataclass(frozen=True)
class Timer:
    """One running or stopped SLA target on a case, as the case page shows it."""

    name: str
    started_at: datetime
    target_minutes: int
    elapsed_minutes: float
    stopped: bool
    paused: bool
    business_hours: bool

    @property
    def left_minutes(self) -> float:
        return self.target_minutes - self.elapsed_minutes

    @property
    def fraction(self) -> float:
        return self.elapsed_minutes / self.target_minutes if self.target_minutes > 0 else 1.0

    @property
    def breached(self) -> bool:
        return self.elapsed_minutes > self.target_minutes


@dataclass(frozen=True)
class CaseClock:
    """What the SLA timers need to know about a case."""

    opened_at: datetime
    first_response_at: datetime | None
    awaiting_since: datetime | None
    resolved_at: datetime | None
    pauses: Sequence[Interval] = ()
    waiting_now: bool = False


def timers(case: CaseClock, policy: Policy, now: datetime) -> list[Timer]:
    """The case's timers under the policy: first response until the first answer, then next response while a
    customer post is unanswered, and resolution until resolved (paused while waiting on the customer)."""

    def make(name: str, start: datetime, end: datetime | None, target: int, pauses: Sequence[Interval] = ()) -> Timer:
        minutes = elapsed_seconds(start, end or now, policy, pauses) / 60
        return Timer(name, start, target, minutes, end is not None, end is None and case.waiting_now and bool(pauses),
                     policy.business_hours)

    out = [make("first_response", case.opened_at, case.first_response_at, policy.first_response_minutes)]
    if case.first_response_at is not None and case.awaiting_since is not None and case.resolved_at is None \
            and policy.next_response_minutes is not None:
        out.append(make("next_response", case.awaiting_since, None, policy.next_response_minutes))
    if policy.resolution_minutes is not None:
        out.append(make("resolution", case.opened_at, case.resolved_at, policy.resolution_minutes, case.pauses))
    return out


def escalation_stage(timer: Timer, policy: Policy) -> int:
    """0 nothing to do, 1 tell the lead (at `escalate_fraction` of the target), 2 page on-call (`page_fraction`)."""
    if timer.stopped or timer.paused:
        return 0
    if timer.fraction >= policy.page_fraction:
        return 2
    return 1 if timer.fraction >= policy.escalate_fraction else 0
