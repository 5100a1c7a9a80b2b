"""The desk's clocks: a page ticks its countdowns at the clock's pace, so each clock must say its speed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from wakeful.core.clock import FixedClock, ScaledClock, SystemClock, clock_speed

START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def test_a_replay_clock_runs_at_its_speed_a_fixed_clock_stands_still_and_the_system_clock_is_real_time() -> None:
    assert clock_speed(ScaledClock(START, 60)) == 60
    assert clock_speed(FixedClock(START)) == 0
    assert clock_speed(SystemClock()) == 1


def test_a_clock_without_a_speed_is_taken_as_real_time() -> None:
    class Borrowed:
        def now(self) -> datetime:
            return START

    assert clock_speed(Borrowed()) == 1


def test_a_fixed_clock_moves_only_when_told() -> None:
    clock = FixedClock(START)
    assert clock.advance(timedelta(minutes=5)) == START + timedelta(minutes=5) == clock.now()


@pytest.mark.parametrize("make", [lambda: FixedClock(START.replace(tzinfo=None)),
                                  lambda: ScaledClock(START.replace(tzinfo=None), 2),
                                  lambda: ScaledClock(START, 0)])
def test_clocks_refuse_naive_times_and_a_stopped_replay(make: object) -> None:
    with pytest.raises(ValueError):
        make()  # type: ignore[operator]
