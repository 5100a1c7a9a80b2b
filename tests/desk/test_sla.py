"""SLA clock maths: business hours across a weekend and time zones, pauses while waiting on the customer, and the
escalation stages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from wakeful.desk.sla import (
    CaseClock,
    Policy,
    counted_seconds,
    elapsed_seconds,
    escalation_stage,
    timers,
    waiting_intervals,
)

BERLIN = ZoneInfo("Europe/Berlin")
NINE_TO_FIVE = Policy(first_response_minutes=60, business_hours=True, timezone="Europe/Berlin")


def test_around_the_clock_counts_every_minute() -> None:
    start = datetime(2026, 3, 6, 16, 0, tzinfo=UTC)
    assert counted_seconds(start, start + timedelta(hours=70), Policy(60)) == 70 * 3600


def test_business_hours_skip_the_night_and_the_weekend_in_the_policy_zone() -> None:
    friday_1630 = datetime(2026, 3, 6, 16, 30, tzinfo=BERLIN)  # 15:30 UTC
    monday_0930 = datetime(2026, 3, 9, 9, 30, tzinfo=BERLIN)
    assert counted_seconds(friday_1630, monday_0930, NINE_TO_FIVE) == 60 * 60  # 30 min Friday + 30 min Monday
    saturday = datetime(2026, 3, 7, 12, 0, tzinfo=BERLIN)
    assert counted_seconds(saturday, saturday + timedelta(hours=20), NINE_TO_FIVE) == 0


def test_the_same_instants_count_differently_in_another_zone() -> None:
    # 08:00-10:00 UTC is 09:00-11:00 in Berlin (all business) but 03:00-05:00 in New York (none).
    start, end = datetime(2026, 3, 4, 8, 0, tzinfo=UTC), datetime(2026, 3, 4, 10, 0, tzinfo=UTC)
    assert counted_seconds(start, end, NINE_TO_FIVE) == 2 * 3600
    new_york = Policy(60, business_hours=True, timezone="America/New_York")
    assert counted_seconds(start, end, new_york) == 0


def test_business_days_follow_the_clock_change() -> None:
    # Berlin moves to summer time on 2026-03-29; a Monday 9-to-5 day is still 8 hours, starting at 07:00 UTC.
    policy = Policy(60, business_hours=True, timezone="Europe/Berlin")
    day = datetime(2026, 3, 30, 0, 0, tzinfo=UTC)
    assert counted_seconds(day, day + timedelta(days=1), policy) == 8 * 3600
    assert counted_seconds(day, datetime(2026, 3, 30, 7, 0, tzinfo=UTC), policy) == 0


def test_business_hours_spanning_the_clock_change_count_real_time() -> None:
    # 01:00-04:00 in Berlin on the night clocks go forward (02:00 -> 03:00) is two hours; going back, four.
    nights = Policy(60, business_hours=True, timezone="Europe/Berlin", day_start_minute=60, day_end_minute=4 * 60,
                    weekdays=frozenset(range(7)))
    spring, autumn = datetime(2026, 3, 29, tzinfo=BERLIN), datetime(2026, 10, 25, tzinfo=BERLIN)
    assert counted_seconds(spring, spring + timedelta(days=1), nights) == 2 * 3600
    assert counted_seconds(autumn, autumn + timedelta(days=1), nights) == 4 * 3600
    assert counted_seconds(spring - timedelta(days=1), spring, nights) == 3 * 3600


def test_pauses_are_not_counted() -> None:
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    pause = (start + timedelta(minutes=10), start + timedelta(minutes=50))
    assert elapsed_seconds(start, start + timedelta(hours=1), Policy(60), [pause]) == 20 * 60


def test_waiting_intervals_from_replies_and_customer_posts() -> None:
    t = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    marks = [(t, False), (t + timedelta(minutes=10), True), (t + timedelta(minutes=40), False),
             (t + timedelta(minutes=50), True)]
    assert waiting_intervals(marks, t + timedelta(minutes=70)) == [
        (t + timedelta(minutes=10), t + timedelta(minutes=40)), (t + timedelta(minutes=50), t + timedelta(minutes=70))]


def test_resolution_timer_pauses_while_waiting_on_the_customer() -> None:
    t = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    now = t + timedelta(minutes=100)
    clock = CaseClock(opened_at=t, first_response_at=t + timedelta(minutes=20), awaiting_since=None,
                      resolved_at=None, pauses=[(t + timedelta(minutes=20), now)], waiting_now=True)
    policy = Policy(60, next_response_minutes=30, resolution_minutes=240)
    first, resolution = timers(clock, policy, now)
    assert (first.name, first.stopped, first.elapsed_minutes) == ("first_response", True, 20)
    assert (resolution.name, resolution.elapsed_minutes, resolution.paused) == ("resolution", 20, True)
    assert escalation_stage(resolution, Policy(60, resolution_minutes=25)) == 0  # paused: no escalation


def test_next_response_runs_from_the_unanswered_customer_post() -> None:
    t = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    clock = CaseClock(opened_at=t, first_response_at=t + timedelta(minutes=5),
                      awaiting_since=t + timedelta(minutes=30), resolved_at=None)
    [_, nxt] = timers(clock, Policy(60, next_response_minutes=30), t + timedelta(minutes=54))
    assert (nxt.name, nxt.elapsed_minutes, nxt.left_minutes) == ("next_response", 24, 6)


def test_escalation_stages_at_75_percent_then_at_the_target() -> None:
    t = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    policy = Policy(60)
    clock = CaseClock(opened_at=t, first_response_at=None, awaiting_since=t, resolved_at=None)
    stages = [escalation_stage(timers(clock, policy, t + timedelta(minutes=m))[0], policy) for m in (44, 45, 59, 60)]
    assert stages == [0, 1, 1, 2]
    answered = CaseClock(opened_at=t, first_response_at=t + timedelta(minutes=50), awaiting_since=None,
                         resolved_at=None)
    assert escalation_stage(timers(answered, policy, t + timedelta(minutes=90))[0], policy) == 0
