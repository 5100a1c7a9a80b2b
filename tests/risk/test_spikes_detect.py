"""Spike detection: a topic's sudden share of complaints alarms; the day's rhythm and small numbers do not."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from wakeful.risk.spikes import NEGATIVE_KEY, Observation, detect

T0 = datetime(2026, 3, 2, tzinfo=UTC)
TOPICS = ["delay", "cancellation", "lost_luggage", "refund", "booking"]


def normal_day(seed: int, scale: float = 1.0) -> list[Observation]:
    """Complaints over a day with a strong diurnal rhythm and a stable topic mix."""
    rng = random.Random(seed)
    out = []
    for minute in range(24 * 60):
        hour = minute / 60
        rate = scale * (0.05 + 0.6 * max(0.0, 1 - abs(hour - 9) / 4) + 0.5 * max(0.0, 1 - abs(hour - 19) / 4))
        if rng.random() < rate:
            complaint = rng.random() < 0.5
            out.append(Observation(T0 + timedelta(minutes=minute), complaint, complaint and rng.random() < 0.8,
                                   [rng.choice(TOPICS)] if complaint else []))
    return out


def test_the_daily_rhythm_raises_no_alarm() -> None:
    for seed in range(5):
        day = normal_day(seed)
        alarms = [t for t in range(30, 24 * 60, 10) if detect(day, T0 + timedelta(minutes=t))]
        assert alarms == [], f"seed {seed}: false alarms at minutes {alarms[:5]}"


def test_a_burst_of_one_topic_is_found_quickly_and_named() -> None:
    day = normal_day(1)
    burst_start = T0 + timedelta(hours=15)
    day += [Observation(burst_start + timedelta(minutes=i * 0.7), True, True, ["lost_luggage"]) for i in range(30)]
    found_at = next(t for t in range(0, 60, 2) if detect(day, burst_start + timedelta(minutes=t)))
    assert found_at <= 12
    spikes = detect(day, burst_start + timedelta(minutes=20))
    assert spikes[0].key == "lost_luggage" and spikes[0].observed >= 25
    assert "lost luggage complaints" in spikes[0].describe()


def test_negativity_jumping_across_topics_is_a_spike_of_its_own() -> None:
    day = normal_day(2)
    at = T0 + timedelta(hours=12)
    day += [Observation(at + timedelta(minutes=i * 0.6), False, True, []) for i in range(40)]
    assert NEGATIVE_KEY in [s.key for s in detect(day, at + timedelta(minutes=25))]


def test_small_numbers_are_not_a_crisis() -> None:
    night = [Observation(T0 + timedelta(hours=3, minutes=i), True, True, ["refund"]) for i in range(4)]
    assert detect(night, T0 + timedelta(hours=3, minutes=20)) == []
