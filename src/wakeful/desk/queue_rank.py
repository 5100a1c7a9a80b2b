"""The queue's per-case arithmetic for a pass over every active case, with each brand's rules looked up once.

Priority depends on the time, so the queue ranks all active cases at request time (10,000 at a busy desk, issue 6
asks for pages under 300 ms). `priority.priority_level`, `priority.sla_level`, `priority.head_start_seconds` and
`Targets.past` say what the numbers are; this computes the same numbers with each brand's policy and SLA targets
unpacked into plain values once per pass, one subtraction per case for the wait, and the zone conversion only where
a business-hours policy needs it (tests/desk/test_queue_rank.py holds it to those functions).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, datetime

from wakeful.core.clock import as_utc
from wakeful.core.settings import PriorityPolicy, Settings
from wakeful.desk import sla
from wakeful.desk.sla_targets import Targets

LEVEL_COUNT = 4


@dataclass(frozen=True)
class _BrandRules:
    """One brand's priority policy and SLA targets as plain numbers."""

    wait_step_s: float
    wait_max: int
    reach_thresholds: list[int]
    reach_max: int
    reach_levels: bool
    reach_head_start_min: float | None
    """Minutes ahead per reach step in `head_start` mode; None in `levels` mode."""
    risk_raises: bool
    risk_min: float
    risk_levels: int
    risk_head_start_s: float
    targets: tuple[tuple[int, int], ...]
    """Per level: (first-response minutes, minutes once answered)."""
    business: tuple[sla.Policy | None, ...]
    """Per level: the policy where it counts business hours only, else None."""


def _rules(brand: str, policy: PriorityPolicy, targets: Targets) -> _BrandRules:
    return _BrandRules(
        wait_step_s=policy.wait_step_minutes * 60, wait_max=policy.wait_max_levels,
        reach_thresholds=sorted(policy.reach_followers_per_level), reach_max=policy.reach_max_levels,
        reach_levels=policy.reach_mode == "levels",
        reach_head_start_min=None if policy.reach_mode != "head_start" else policy.reach_head_start_minutes,
        risk_raises=policy.risk_max_levels > 0, risk_min=policy.risk_min_score, risk_levels=policy.risk_max_levels,
        risk_head_start_s=policy.risk_head_start_minutes * 60,
        targets=tuple((targets.target_minutes(brand, lv, False), targets.target_minutes(brand, lv, True))
                      for lv in range(LEVEL_COUNT)),
        business=tuple(p if (p := targets.policy(brand, lv)).business_hours else None for lv in range(LEVEL_COUNT)),
    )


class Ranker:
    """Level, rank and lateness of cases at one instant, for one pass over the queue."""

    def __init__(self, settings: Settings, targets: Targets, now: datetime) -> None:
        self._settings = settings
        self._targets = targets
        self._now = now
        self._naive_now = now.astimezone(UTC).replace(tzinfo=None)
        """`now` for the zone-less times SQLite gives back, which the store holds in UTC."""
        self._brands: dict[str, _BrandRules] = {}

    def _load(self, brand: str) -> _BrandRules:
        rules = self._brands[brand] = _rules(brand, self._settings.priority_for(brand), self._targets)
        return rules

    def rate(self, brand: str, severity: int, reach: int, risk: float | None, awaiting: datetime | None,
             answered: bool) -> tuple[int, float, bool]:
        """(level, rank within the level, past its response target) for one case, reach already net of fakes.

        The rank is the seconds waited plus any head start (0 when nobody waits on the desk), as the queue sorts.
        """
        r = self._brands.get(brand) or self._load(brand)
        at_risk = r.risk_raises and risk is not None and risk >= r.risk_min
        steps = min(r.reach_max, bisect_right(r.reach_thresholds, reach))
        level = max(0, min(3, severity)) + (steps if r.reach_levels else 0) + (r.risk_levels if at_risk else 0)
        target_level = min(3, level)  # waiting raises the level, not the target (`priority.sla_level`)
        if awaiting is None:
            return target_level, 0.0, False
        waited = max(((self._naive_now if awaiting.tzinfo is None else self._now) - awaiting).total_seconds(), 0.0)
        level = min(3, level + min(r.wait_max, int(waited // r.wait_step_s)))
        ahead = r.risk_head_start_s if at_risk else 0.0
        if r.reach_head_start_min is not None:
            ahead = ahead + steps * r.reach_head_start_min * 60
        business = r.business[target_level]
        used = waited if business is None else sla.counted_seconds(as_utc(awaiting), self._now, business)
        return level, waited + ahead, r.targets[target_level][answered] - used / 60 < 0
