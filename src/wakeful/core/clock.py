"""A clock the code asks for the time, so time-based rules (SLA age, case windows) are testable."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware (UTC)."""
        ...


def clock_speed(clock: Clock) -> float:
    """Seconds of desk time per wall-clock second, so a page can tick its countdowns at the desk's pace.

    A replay's `ScaledClock` runs faster than the wall clock and a `FixedClock` stands still; any other clock is
    taken to be real time.
    """
    speed = getattr(clock, "speed", 1.0)
    return float(speed) if isinstance(speed, int | float) else 1.0


class SystemClock:
    speed = 1.0

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that moves only when told to; for tests and simulations."""

    speed = 0.0

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware start time")
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def set(self, when: datetime) -> None:
        with self._lock:
            self._now = when

    def advance(self, delta: timedelta) -> datetime:
        with self._lock:
            self._now += delta
            return self._now


def as_utc(value: datetime) -> datetime:
    """Read a datetime back from a store that may drop the zone (SQLite) as UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class ScaledClock:
    """Simulated time running `speed` times faster than the wall clock from `start`: a replay's clock."""

    def __init__(self, start: datetime, speed: float) -> None:
        if start.tzinfo is None:
            raise ValueError("ScaledClock needs a timezone-aware start time")
        if speed <= 0:
            raise ValueError("speed must be positive")
        self._start = start
        self._speed = speed
        self._t0 = time.monotonic()

    @property
    def speed(self) -> float:
        return self._speed

    def now(self) -> datetime:
        return self._start + timedelta(seconds=(time.monotonic() - self._t0) * self._speed)


class FollowClock:
    """Reads another clock, which can be swapped while the desk runs.

    The demo's server reads the replay's clock while a day is replayed at once, then the wall clock: its pages
    and scheduled jobs (SLA escalations) see the time the database has reached, not an hour the replay has not
    yet played, where every case still to be answered reads as long overdue."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._lock = threading.Lock()

    @property
    def speed(self) -> float:
        return clock_speed(self._clock)

    def follow(self, clock: Clock) -> None:
        with self._lock:
            self._clock = clock

    def now(self) -> datetime:
        with self._lock:
            clock = self._clock
        return clock.now()
