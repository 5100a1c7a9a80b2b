"""The queue's fast pass gives the numbers the priority and SLA functions define, and the page's one pass gives what
the listing and the header counts give separately (issue 6: pages under 300 ms at 10,000 open cases)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from wakeful.api.deps import Desk
from wakeful.core.clock import FixedClock, as_utc
from wakeful.core.settings import BrandConfig, PriorityPolicy, Settings
from wakeful.desk import scheduled, service
from wakeful.desk.priority import head_start_seconds, priority_level, sla_level
from wakeful.desk.queue_rank import Ranker
from wakeful.desk.scheduled import PolicyIn
from wakeful.desk.service import QueueFilters
from wakeful.desk.sla import Policy
from wakeful.desk.sla_targets import Targets

from tests.factories import T0, make_post

NOW = datetime(2026, 3, 6, 16, 45, tzinfo=UTC)  # a Friday
POLICIES = {
    "head_start": PriorityPolicy(),
    "levels": PriorityPolicy(reach_mode="levels", reach_max_levels=2, reach_followers_per_level=[5_000, 100_000],
                             wait_step_minutes=7, wait_max_levels=2, risk_max_levels=0),
    "fractional": PriorityPolicy(reach_head_start_minutes=0.1, reach_max_levels=3, risk_head_start_minutes=0.7,
                                 risk_min_score=33.3, risk_max_levels=2),
}


def _settings() -> Settings:
    brands = [BrandConfig(key=key, name=key, priority=policy) for key, policy in POLICIES.items()]
    return Settings(database_url="sqlite://", brands=brands, priority=PriorityPolicy(wait_step_minutes=11))


def _targets() -> Targets:
    nine_to_five = Policy(first_response_minutes=20, next_response_minutes=50, business_hours=True,
                          timezone="Europe/Berlin")
    return Targets({("head_start", 1): nine_to_five, ("levels", 3): Policy(first_response_minutes=5),
                    ("fractional", 2): nine_to_five}, [240, 120, 60, 15])


AGES = [None, timedelta(0), timedelta(minutes=-5), timedelta(minutes=5), timedelta(minutes=7),
        timedelta(minutes=14, seconds=59), timedelta(minutes=15), timedelta(minutes=30), timedelta(minutes=60),
        timedelta(minutes=60, microseconds=1), timedelta(hours=20, minutes=3)]
"""Waits around the wait steps and the targets, exactly on them included."""


@pytest.mark.parametrize("brand", [*POLICIES, "unconfigured"])
def test_rate_gives_the_level_rank_and_lateness_of_the_priority_and_sla_functions(brand: str) -> None:
    settings, targets = _settings(), _targets()
    rate = Ranker(settings, targets, NOW).rate
    policy = settings.priority_for(brand)
    for severity, reach, risk, age, answered, naive in itertools.product(
            [-1, 0, 1, 2, 3, 4], [0, 4_999, 5_000, 10_000, 150_000, 2_000_000], [None, 33.2, 33.3, 60.0, 95.0],
            AGES, [False, True], [False, True]):
        awaiting = None if age is None else NOW - age
        stored = awaiting.replace(tzinfo=None) if awaiting is not None and naive else awaiting  # SQLite drops zones
        level, waited = priority_level(severity, reach, awaiting, NOW, policy, risk)
        rank = waited + head_start_seconds(reach, policy, risk) if awaiting else 0.0
        target_level = sla_level(severity, reach, policy, risk)  # the wait raises the level, not the target
        late = awaiting is not None and targets.past(brand, target_level, as_utc(awaiting), answered, NOW)
        assert rate(brand, severity, reach, risk, stored, answered) == (level, rank, late), (
            severity, reach, risk, age, answered, naive)


def test_rate_counts_business_hours_where_the_brand_policy_says_so() -> None:
    rate = Ranker(_settings(), _targets(), NOW).rate  # 17:45 in Berlin: its 9-to-5 desk closed 45 minutes ago
    assert rate("head_start", 0, 0, None, NOW.replace(hour=11), False)[::2] == (1, True)  # 12:00-17:00 counted
    assert rate("head_start", 0, 0, None, NOW - timedelta(minutes=50), False) == (1, 3000.0, False)  # 5 minutes
    assert rate("head_start", 1, 0, None, NOW - timedelta(minutes=50), False) == (2, 3000.0, False)  # 5 of 20
    assert rate("head_start", 1, 0, None, NOW - timedelta(minutes=80), False)[::2] == (2, True)  # 35 of 20


LOST = "@AuroraAirways you lost my bag on AU 2213, nobody answers. Still waiting for my suitcase!"
SMOKE = "@AuroraAirways smoke in the cabin, crew ignored it. I will call my lawyer."
NORD = "@NordRail mein Zug nach Hamburg ist ausgefallen und niemand hilft mir, das ist eine Frechheit!"


def test_the_queue_page_pass_gives_the_listing_and_the_counts(desk: Desk, clock: FixedClock) -> None:
    clock.set(T0 + timedelta(minutes=95))  # the desk takes no post from its future
    desk.ingest.ingest([
        make_post("a1", LOST, author="hasan"), make_post("a2", SMOKE, author="dave", minutes=3),
        make_post("a3", "@AuroraAirways can I bring skis as checked baggage?", author="quiet", minutes=50),
        make_post("n1", NORD, author="jonas", minutes=10), make_post("n2", NORD, author="lena", minutes=95),
    ])
    with desk.db.session() as s:
        for level in range(4):
            scheduled.set_policy(s, "aurora", PolicyIn.model_validate(
                {"priority": level, "first_response_minutes": 45}))
        first = service.list_cases(s, None, T0, desk.settings)[0]
        service.assign(s, service.load_case(s, first.id, None), "ana", "ana", T0)
    now = T0 + timedelta(minutes=100)
    filters = [
        (QueueFilters(), 200), (QueueFilters(breached=True), 200), (QueueFilters(unassigned=True), 200),
        (QueueFilters(assignee="ana"), 200), (QueueFilters(lang="de"), 200), (QueueFilters(topic="lost_luggage"), 200),
        (QueueFilters(lang="de", breached=True), 1), (QueueFilters(), 2), (QueueFilters(min_level=2), 200),
        (QueueFilters(states=("new",)), 200), (QueueFilters(states=("new", "resolved")), 200)]
    with desk.db.session() as s:
        counts = service.queue_counts(s, None, now, desk.settings)
        assert (counts.active, counts.unassigned) == (5, 4) and 0 < counts.breached < 5
        for brands, (wanted, limit) in itertools.product([None, {"aurora"}, {"nordrail"}], filters):
            page = service.queue_page(s, brands, now, desk.settings, wanted, limit=limit)
            expected = service.list_cases(s, brands, now, desk.settings, wanted, limit=limit)
            assert page == (expected, service.queue_counts(s, brands, now, desk.settings)), (brands, wanted)
        assert [c.author.handle for c in service.queue_page(s, None, now, desk.settings, QueueFilters(lang="de"))[0]
                ] == ["jonas", "lena"]


def test_a_window_of_the_queue_is_that_part_of_the_whole_ranked_queue(desk: Desk, clock: FixedClock) -> None:
    """Pages from an offset (ordered partly, for the first pages, or wholly) cut the one ranking the full listing
    gives, ties included (customers who wrote at the same minute), and say how many match."""
    clock.set(T0 + timedelta(minutes=30))
    desk.ingest.ingest([make_post(f"w{i}", LOST if i % 3 else SMOKE, author=f"cust{i}", minutes=i % 4)
                        for i in range(40)])
    now = T0 + timedelta(minutes=40)
    with desk.db.session() as s:
        whole = service.list_cases(s, None, now, desk.settings, limit=1000)
        assert len(whole) == 40
        for offset, limit in itertools.product([0, 1, 7, 20, 39, 40, 55], [1, 3, 9, 40]):
            part = service.list_slice(s, None, now, desk.settings, offset=offset, limit=limit)
            assert part.cases == whole[offset:offset + limit], (offset, limit)
            assert (part.matched, part.offset, part.has_more) == (40, offset, offset + limit < 40)
        last, counts = service.queue_slice(s, None, now, desk.settings, offset=100, limit=15, clamp=True)
        assert (last.offset, last.cases, counts.active) == (30, whole[30:], 40)  # past the end: the last page
        with pytest.raises(ValueError, match="offset"):
            service.list_slice(s, None, now, desk.settings, offset=-1)
