"""Crisis spikes against a seasonal baseline: is this half hour's volume abnormal for this hour and weekday?

`spikes.detect` compares shares within the last hours, which needs no history but misses a rise that lifts every
topic at once. With days of history the desk can ask the direct question: this many complaints about lost
luggage between 18:00 and 18:30 on a Monday, against the same half hour on each of the past days, each scaled by
how busy its weekday is relative to a Monday (hour of day x day of week). The expected count is robust (the
median of those days plus their MAD, so one past incident in the history does not raise the bar and a noisy
slot asks for more), and the test is the Poisson tail of the observed count under it: the score is -log10 of
that probability, so a small topic at night needs no more luck than a busy one at noon to alarm. Counts live
in 5-minute slots, so the baseline can be built once a day and the live window updated on every batch. Pure:
the desk feeds it observations from the store.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from wakeful.risk.spikes import NEGATIVE_KEY, VOLUME_KEY, Observation, Spike

SLOT = timedelta(minutes=5)
_MAD_TO_SD = 1.4826


@dataclass(frozen=True)
class SeasonalConfig:
    window: timedelta = timedelta(minutes=30)
    days: int = 28
    min_days: int = 5
    """Fewer days of history than this and the detector stays silent (the share test covers the first days)."""
    threshold: float = 6.0
    """-log10 of the tail probability: one in a million per key and window."""
    min_count: int = 8
    min_ratio: float = 2.0


def slot_of(at: datetime) -> int:
    return int(at.timestamp() // SLOT.total_seconds())


def keys_of(o: Observation) -> list[str]:
    """The series an observation counts towards: its complaint topics, complaint volume, negative posts."""
    keys = [NEGATIVE_KEY] if o.negative else []
    if o.complaint:
        keys.append(VOLUME_KEY)
        keys.extend(set(o.topics))
    return keys


class SlotCounts:
    """Counts per key in 5-minute slots; adding observations is O(1) each, so it can be kept live."""

    def __init__(self) -> None:
        self.slots: dict[int, Counter[str]] = defaultdict(Counter)

    def add(self, observations: Iterable[Observation]) -> SlotCounts:
        for o in observations:
            self.slots[slot_of(o.at)].update(keys_of(o))
        return self

    def window(self, end_slot: int, n: int) -> Counter[str]:
        out: Counter[str] = Counter()
        for s in range(end_slot - n, end_slot):
            got = self.slots.get(s)
            if got:
                out.update(got)
        return out

    def first_slot(self) -> int | None:
        return min(self.slots) if self.slots else None


def _weekday_factors(counts: SlotCounts, today_start: int, days: int) -> dict[int, float]:
    """How busy each weekday is relative to the typical day (1.0 where unknown), from daily totals."""
    per_day = 86_400 // int(SLOT.total_seconds())
    totals: dict[int, list[int]] = defaultdict(list)
    first = counts.first_slot()
    for d in range(1, days + 1):
        start = today_start - d * per_day
        if first is None or start < first:
            break
        total = sum(sum(counts.slots[s].values()) for s in range(start, start + per_day) if s in counts.slots)
        weekday = datetime.fromtimestamp(start * SLOT.total_seconds(), tz=UTC).weekday()
        totals[weekday].append(total)
    typical = statistics.median([t for ts in totals.values() for t in ts] or [0])
    if typical <= 0:
        return {}
    return {w: max(statistics.median(ts), 1.0) / typical for w, ts in totals.items()}


def poisson_surprise(observed: int, expected: float) -> float:
    """-log10 P(X >= observed) for X ~ Poisson(expected), summed in log space so large counts do not overflow."""
    lam = max(expected, 0.1)
    if observed <= lam:
        return 0.0
    log_first = -lam + observed * math.log(lam) - math.lgamma(observed + 1)
    total, k, rel = 0.0, observed, 0.0
    while rel > -40 and k < observed + 10_000:
        total += math.exp(rel)
        k += 1
        rel += math.log(lam) - math.log(k)
    return -(log_first + math.log(total)) / math.log(10)


def _robust(x: int, samples: list[float]) -> tuple[float, float]:
    """The expected count (median of the days plus their MAD) and how surprising `x` is under it."""
    med = statistics.median(samples)
    mad = statistics.median(abs(s - med) for s in samples)
    return med, poisson_surprise(x, med + _MAD_TO_SD * mad)


def detect(counts: SlotCounts, now: datetime, config: SeasonalConfig = SeasonalConfig(),
           weekday_factors: Mapping[int, float] | None = None) -> list[Spike]:
    """Keys whose count in the window ending at `now` is abnormal for this time of day and weekday."""
    end = slot_of(now) + 1
    n = int(config.window / SLOT)
    per_day = 86_400 // int(SLOT.total_seconds())
    first = counts.first_slot()
    if first is None:
        return []
    past_days = [d for d in range(1, config.days + 1) if end - n - d * per_day >= first]
    if len(past_days) < config.min_days:
        return []
    factors = dict(weekday_factors) if weekday_factors is not None else _weekday_factors(
        counts, end - end % per_day, config.days)
    today = now.weekday()
    current = counts.window(end, n)
    history = [(counts.window(end - d * per_day, n), (now - timedelta(days=d)).weekday()) for d in past_days]
    found = []
    for key, observed in current.items():
        scaled = [c[key] * factors.get(today, 1.0) / factors.get(w, 1.0) for c, w in history]
        expected, z = _robust(observed, scaled)
        if z >= config.threshold and observed >= config.min_count and observed >= config.min_ratio * expected:
            found.append(Spike(key, now - config.window, now, observed, expected, z))
    return sorted(found, key=lambda s: -s.score)
