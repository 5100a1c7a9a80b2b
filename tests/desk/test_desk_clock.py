"""The desk run around the clock: SLA targets that waiting does not shrink, breaches caught up after downtime, a
resolved case the customer thanks days later, and engagement counts the platform has not filled in yet."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from wakeful.api.deps import Desk
from wakeful.core.clock import FixedClock
from wakeful.core.models import Engagement
from wakeful.core.settings import PriorityPolicy
from wakeful.desk import scheduled, service
from wakeful.desk.routing import RecordingNotifier
from wakeful.desk.scheduled import PolicyIn
from wakeful.store.models import CaseEventRow
from wakeful.store.risk import CaseRiskRow

from tests.factories import T0, make_post

LOST = "@AuroraAirways you lost my bag on AU 2213, nobody answers. Still waiting for my suitcase!"
TARGETS = (240, 120, 60, 15)


def _policies(desk: Desk, **extra: object) -> None:
    with desk.db.session() as s:
        for level, minutes in enumerate(TARGETS):
            scheduled.set_policy(s, "aurora", PolicyIn.model_validate(
                {"priority": level, "first_response_minutes": minutes, **extra}))


def _tick(desk: Desk, clock: FixedClock, notifier: RecordingNotifier, after: timedelta) -> list[str]:
    clock.set(T0 + after)
    with desk.db.session() as s:
        scheduled.tick(s, clock.now(), desk.settings, notifier, brands=["aurora"])
    return [event for event, _ in notifier.sent]


def test_waiting_raises_the_queue_place_but_not_the_target_the_case_is_measured_against(
        desk: Desk, clock: FixedClock) -> None:
    """A high case promised 60 minutes is raised to urgent by waiting 30: it must not then be late against the
    urgent 15 minutes (already used up by the very wait that raised it)."""
    _policies(desk)
    desk.ingest.ingest([make_post("a1", LOST)])
    notifier = RecordingNotifier()
    with desk.db.session() as s:
        [case] = service.list_cases(s, None, T0 + timedelta(minutes=35), desk.settings)
        counts = service.queue_counts(s, None, T0 + timedelta(minutes=35), desk.settings)
    assert case.priority.name == "urgent" and any(r.startswith("waiting") for r in case.priority.reasons)
    high = TARGETS[case.severity]
    assert (case.sla_target_minutes, case.sla_left_minutes, counts.breached) == (high, high - 35, 0)
    assert _tick(desk, clock, notifier, timedelta(minutes=35)) == []
    assert _tick(desk, clock, notifier, timedelta(minutes=high * 0.75)) == ["sla.warning"]
    assert _tick(desk, clock, notifier, timedelta(minutes=high)) == ["sla.warning", "oncall.page"]


def test_a_tick_after_downtime_records_the_missed_escalations_once(desk: Desk, clock: FixedClock) -> None:
    _policies(desk)
    desk.ingest.ingest([make_post("a1", LOST)])
    notifier = RecordingNotifier()
    assert _tick(desk, clock, notifier, timedelta(hours=6)) == ["sla.warning", "oncall.page"]
    assert _tick(desk, clock, notifier, timedelta(hours=6, seconds=30)) == ["sla.warning", "oncall.page"]
    with desk.db.session() as s:
        stages = [e.data["stage"] for e in s.scalars(select(CaseEventRow).where(CaseEventRow.kind == "escalated"))]
    assert stages == [1, 2]


def test_a_customer_thanking_days_after_resolution_reopens_without_an_instant_resolution_breach(
        desk: Desk, clock: FixedClock) -> None:
    """Days a case stayed resolved are nobody's wait: the resolution clock resumes where it stopped."""
    _policies(desk, resolution_minutes=24 * 60)
    desk.ingest.ingest([make_post("a1", LOST, conversation="a1")])
    clock.set(T0 + timedelta(minutes=20))
    with desk.db.session() as s:
        [case] = service.list_cases(s, None, clock.now(), desk.settings)
        service.add_reply(s, service.load_case(s, case.id, None), "Found it, on its way to you.", "ana",
                          clock.now(), resolve=True)
    later = T0 + timedelta(days=3)
    clock.set(later)
    desk.ingest.ingest([make_post("a2", "@AuroraAirways it arrived, but the handle is broken", at=later,
                                  reply_to="a1", conversation="a1")])
    notifier = RecordingNotifier()
    assert _tick(desk, clock, notifier, timedelta(days=3, minutes=1)) == []
    with desk.db.session() as s:
        row = service.load_case(s, case.id, None)
        assert row.state == "open"
        _, timers = scheduled.case_timers(s, row, clock.now(), desk.settings)
    resolution = next(t for t in timers if t.name == "resolution")
    assert resolution.elapsed_minutes == 20 + 1


def test_zero_impressions_beside_likes_are_not_counted_as_bought_likes(desk: Desk) -> None:
    """X fills impression counts in late: 0 impressions beside real likes means 'not counted yet', not 'nobody
    saw it', so the likes are not bought and the forecast is not zero."""
    post = make_post("p1", LOST, author="mira", followers=2_000, impressions=0)
    desk.clock.set(T0)  # type: ignore[attr-defined]
    desk.ingest.ingest([post])
    for minutes, likes in ((10, 30), (20, 90)):
        at = T0 + timedelta(minutes=minutes)
        desk.clock.set(at)  # type: ignore[attr-defined]
        desk.ingest.ingest([post.model_copy(update={"engagement": post.engagement.model_copy(  # type: ignore[union-attr]
            update={"observed_at": at, "likes": likes, "impressions": 0})})])
    with desk.db.session() as s:
        [row] = s.scalars(select(CaseRiskRow))
    assert row.fake_share == 0 and "bought" not in row.summary
    assert row.forecast_6h is not None and row.forecast_6h > 90


def test_reach_bought_with_fake_views_and_likes_shortens_neither_the_queues_target_nor_the_escalations(
        desk: Desk, clock: FixedClock) -> None:
    """Where reach raises levels, the escalation tick must count reach as the queue does: without what was
    bought, or a click farm would get the case paged on a shorter target than the queue shows. Bought likes alone
    buy no reach to leave out (the people who saw the post are real), so the farm sells views too."""
    _policies(desk)
    settings = desk.settings.model_copy(update={"priority": PriorityPolicy(reach_mode="levels")})
    post = make_post("p1", LOST, author="ola", followers=5_000, impressions=10)
    desk.ingest.ingest([post])
    # far more likes than viewers allow, then 150k views with hardly a genuine interaction
    for minutes, likes, impressions in ((1, 3, 120), (2, 9_000, 200), (3, 9_002, 150_000)):
        at = T0 + timedelta(minutes=minutes)
        clock.set(at)
        desk.ingest.ingest([post.model_copy(update={"engagement": Engagement(
            observed_at=at, likes=likes, impressions=impressions)})])
    with desk.db.session() as s:
        [shown] = service.list_cases(s, None, clock.now(), settings)
        case = service.load_case(s, shown.id, None)
        risk = s.get(CaseRiskRow, case.id)
        policy = scheduled.policy_for(s, case, clock.now(), settings)
    assert risk is not None and risk.genuine_reach is not None and risk.genuine_reach < 10_000 <= case.reach
    assert shown.priority.level == shown.severity  # bought reach raised nothing
    assert policy.first_response_minutes == shown.sla_target_minutes == TARGETS[shown.severity]
