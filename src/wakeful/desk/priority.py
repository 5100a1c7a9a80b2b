"""Priority: severity first, then how long the customer has waited, then reach and risk within the brand's policy.

Pure: the queue, the API and the reports all derive priority from these functions at read time, so a policy
change applies everywhere at once and waiting time is always current.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from wakeful.core.settings import PriorityPolicy
from wakeful.risk.reach import reach_level

LEVELS = ("low", "normal", "high", "urgent")


@dataclass(frozen=True)
class Priority:
    level: int
    base: int
    wait_boost: int
    reach_boost: int
    waiting: timedelta | None
    reasons: list[str] = field(default_factory=list)
    head_start: timedelta = timedelta(0)
    risk_boost: int = 0

    @property
    def name(self) -> str:
        return LEVELS[self.level]

    @property
    def sla_level(self) -> int:
        """The level whose SLA targets apply (`sla_level`): the level less what waiting added."""
        return min(3, self.base + self.reach_boost + self.risk_boost)

    def sort_key(self) -> tuple[int, float]:
        """Highest level first, then longest wait (plus any head start) first."""
        if self.waiting is None:
            return (-self.level, 0.0)
        return (-self.level, -(self.waiting + self.head_start).total_seconds())


def _reach_steps(reach: int, policy: PriorityPolicy) -> int:
    return min(policy.reach_max_levels, reach_level(reach, policy.reach_followers_per_level))


def at_risk(risk: float | None, policy: PriorityPolicy) -> bool:
    """Whether a case's risk score makes it a brewing crisis under the policy."""
    return risk is not None and policy.risk_max_levels > 0 and risk >= policy.risk_min_score


def sla_level(severity: int, reach: int, policy: PriorityPolicy, risk: float | None = None) -> int:
    """The level whose SLA targets a case is measured against: severity, reach and risk, not the wait.

    Waiting moves a case up the queue; measured against the shorter target of the level its wait bought, it
    would be late the moment it was raised (a 60-minute "high" case raised to "urgent" at 30 minutes is 15
    minutes past the urgent target)."""
    reach_boost = _reach_steps(reach, policy) if policy.reach_mode == "levels" else 0
    risk_boost = policy.risk_max_levels if at_risk(risk, policy) else 0
    return min(3, max(0, min(3, severity)) + reach_boost + risk_boost)


def priority_level(
    severity: int, reach: int, awaiting_since: datetime | None, now: datetime, policy: PriorityPolicy,
    risk: float | None = None,
) -> tuple[int, float]:
    """The level and seconds waited, without the reasons: the queue ranks thousands of cases with this."""
    waited = max((now - awaiting_since).total_seconds(), 0.0) if awaiting_since else 0.0
    wait_boost = min(policy.wait_max_levels, int(waited // (policy.wait_step_minutes * 60))) if awaiting_since else 0
    return min(3, sla_level(severity, reach, policy, risk) + wait_boost), waited


def head_start_seconds(reach: int, policy: PriorityPolicy, risk: float | None = None) -> float:
    """How far ahead within its level reach (in `head_start` mode) and a crisis risk move a case."""
    ahead = policy.risk_head_start_minutes * 60 if at_risk(risk, policy) else 0.0
    if policy.reach_mode != "head_start":
        return ahead
    return ahead + _reach_steps(reach, policy) * policy.reach_head_start_minutes * 60


def compute_priority(
    severity: int,
    reach: int,
    awaiting_since: datetime | None,
    now: datetime,
    policy: PriorityPolicy,
    risk: float | None = None,
    risk_summary: str = "",
) -> Priority:
    """The level (0 low … 3 urgent) and the reasons for it, in words an agent can read."""
    base = max(0, min(3, severity))
    reasons = [f"severity {severity}"]
    waiting = max(now - awaiting_since, timedelta(0)) if awaiting_since else None
    wait_boost = 0
    if waiting is not None:
        wait_boost = min(policy.wait_max_levels, int(waiting / timedelta(minutes=policy.wait_step_minutes)))
        if wait_boost:
            reasons.append(f"waiting {int(waiting.total_seconds() // 60)} min (+{wait_boost})")
    steps = _reach_steps(reach, policy)
    reach_boost, head_start = 0, timedelta(0)
    if steps and policy.reach_mode == "levels":
        reach_boost = steps
        reasons.append(f"reach {reach:,} (+{reach_boost}, policy cap {policy.reach_max_levels})")
    elif steps:
        head_start = timedelta(minutes=steps * policy.reach_head_start_minutes)
        reasons.append(f"reach {reach:,} ({int(head_start.total_seconds() // 60)} min head start within the level)")
    risk_boost = 0
    if at_risk(risk, policy):
        risk_boost = policy.risk_max_levels
        head_start += timedelta(minutes=policy.risk_head_start_minutes)
        reasons.append(f"risk {risk:.0f} (+{risk_boost}, policy cap {policy.risk_max_levels}"
                       f"{'; ' + risk_summary if risk_summary else ''})")
    level = min(3, base + wait_boost + reach_boost + risk_boost)
    return Priority(level, base, wait_boost, reach_boost, waiting, reasons, head_start, risk_boost)
