"""The queue's response targets: the brand's stored SLA policy for the case's priority level where it has one,
else the settings' `first_response_target_minutes` around the clock.

The queue's "breached" filter, its header count and each case's time left use this, so they agree with the
escalation tick (`desk.scheduled`): a brand that promises 30 minutes at "normal" sees a case late after 30, not
after the desk-wide 120, and under a business-hours policy only business time counts, so a Friday-evening post to
a 9-to-5 brand is not shown as late on Saturday. One query loads a page's policies.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from wakeful.core.settings import Settings
from wakeful.desk import sla
from wakeful.store.agents import SlaPolicyRow


def to_policy(row: SlaPolicyRow) -> sla.Policy:
    return sla.Policy(row.first_response_minutes, row.next_response_minutes, row.resolution_minutes,
                      row.business_hours, row.timezone, row.day_start_minute, row.day_end_minute,
                      frozenset(int(d) for d in row.weekdays), row.escalate_fraction, row.page_fraction)


@dataclass(frozen=True)
class Targets:
    stored: dict[tuple[str, int], sla.Policy]
    defaults: Sequence[int]
    _fallback: tuple[sla.Policy, ...] = field(init=False, repr=False)
    """The default policy per level, built once: the queue asks for a policy for each of 10,000 cases."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "_fallback", tuple(sla.Policy(first_response_minutes=m, next_response_minutes=m)
                                                    for m in self.defaults))

    def policy(self, brand: str, level: int) -> sla.Policy:
        found = self.stored.get((brand, level))
        return found if found is not None else self._fallback[level]

    def target_minutes(self, brand: str, level: int, answered: bool) -> int:
        """First response until the desk has answered once; then the next-response target (or the first's)."""
        policy = self.policy(brand, level)
        if answered and policy.next_response_minutes is not None:
            return policy.next_response_minutes
        return policy.first_response_minutes

    def used_minutes(self, brand: str, level: int, awaiting: datetime, now: datetime) -> float:
        """Minutes of the wait since `awaiting` that count against the target (business time where it says so)."""
        return sla.counted_seconds(awaiting, now, self.policy(brand, level)) / 60

    def left_minutes(self, brand: str, level: int, awaiting: datetime, answered: bool, now: datetime) -> float:
        return self.target_minutes(brand, level, answered) - self.used_minutes(brand, level, awaiting, now)

    def past(self, brand: str, level: int, awaiting: datetime, answered: bool, now: datetime) -> bool:
        return self.left_minutes(brand, level, awaiting, answered, now) < 0


def load_targets(session: Session, brands: Collection[str] | None, settings: Settings) -> Targets:
    stmt = select(SlaPolicyRow)
    if brands is not None:
        stmt = stmt.where(SlaPolicyRow.brand.in_(list(brands)))
    return Targets({(r.brand, r.priority): to_policy(r) for r in session.scalars(stmt)},
                   settings.first_response_target_minutes)
