"""The documented priority policy: severity first, waiting raises, reach raises at most as far as allowed."""

from __future__ import annotations

from datetime import timedelta

from wakeful.core.settings import PriorityPolicy
from wakeful.desk.priority import compute_priority, head_start_seconds, priority_level, sla_level

from tests.factories import T0


def test_severity_sets_the_base_level() -> None:
    assert [compute_priority(s, 0, None, T0, PriorityPolicy()).level for s in range(4)] == [0, 1, 2, 3]


def test_waiting_raises_by_one_step_per_interval_up_to_the_cap() -> None:
    policy = PriorityPolicy(wait_step_minutes=30, wait_max_levels=2)
    levels = [compute_priority(0, 0, T0, T0 + timedelta(minutes=m), policy).level for m in (0, 29, 30, 61, 600)]
    assert levels == [0, 0, 1, 2, 2]


def test_default_policy_gives_reach_a_head_start_within_the_level_never_a_level() -> None:
    policy = PriorityPolicy()
    small = compute_priority(1, 300, T0, T0 + timedelta(minutes=5), policy)
    huge = compute_priority(1, 50_000_000, T0, T0 + timedelta(minutes=5), policy)
    assert (small.level, huge.level) == (1, 1)
    assert huge.head_start == timedelta(minutes=10) and small.head_start == timedelta(0)
    assert huge.sort_key() < small.sort_key()  # ahead of a customer who waited as long
    waited_longer = compute_priority(1, 300, T0 - timedelta(minutes=11), T0 + timedelta(minutes=5), policy)
    assert waited_longer.sort_key() < huge.sort_key()  # but not of one who waited 11 minutes more
    assert any("head start" in r for r in huge.reasons)
    assert head_start_seconds(50_000_000, policy) == 600


def test_levels_mode_lets_reach_raise_priority_by_the_capped_number_of_levels() -> None:
    policy = PriorityPolicy(reach_mode="levels")
    small = compute_priority(1, 300, None, T0, policy)
    huge = compute_priority(1, 50_000_000, None, T0, policy)
    assert (small.level, huge.level) == (1, 2)
    assert huge.reach_boost == 1 and head_start_seconds(50_000_000, policy) == 0
    assert any("policy cap 1" in r for r in huge.reasons)


def test_a_policy_of_zero_means_reach_never_changes_priority() -> None:
    policy = PriorityPolicy(reach_max_levels=0)
    assert compute_priority(1, 50_000_000, None, T0, policy).level == 1


def test_waiting_raises_the_level_but_not_the_level_whose_sla_target_applies() -> None:
    policy = PriorityPolicy(wait_step_minutes=30, wait_max_levels=2)
    waited = compute_priority(1, 0, T0, T0 + timedelta(minutes=61), policy, risk=95.0)
    assert (waited.level, waited.sla_level) == (3, 2)  # risk raises both; the hour's wait only the first


def test_levels_never_exceed_urgent() -> None:
    p = compute_priority(3, 10_000_000, T0, T0 + timedelta(days=1), PriorityPolicy(reach_max_levels=3,
                                                                                     reach_mode="levels"))
    assert p.level == 3 and p.name == "urgent"


def test_the_fast_ranking_level_agrees_with_the_explained_one() -> None:
    for policy in (PriorityPolicy(wait_max_levels=2), PriorityPolicy(reach_mode="levels")):
        _agree(policy)


def _agree(policy: PriorityPolicy) -> None:
    for severity in range(4):
        for reach in (0, 9_999, 10_000, 150_000, 5_000_000):
            for minutes in (None, 0, 29, 30, 95, 2_000):
                since = None if minutes is None else T0 - timedelta(minutes=minutes)
                level, waited = priority_level(severity, reach, since, T0, policy)
                full = compute_priority(severity, reach, since, T0, policy)
                assert level == full.level
                assert full.sla_level == sla_level(severity, reach, policy) == priority_level(
                    severity, reach, None, T0, policy)[0]  # the level less the wait: the SLA target's
                assert waited == (full.waiting.total_seconds() if full.waiting is not None else 0.0)
