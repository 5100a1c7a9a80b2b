"""Rotas for the simulated team: who is on shift at which hour of the (UTC) day.

Three shapes, compared on the same traffic by `wakeful simulate --rota`:

* `flat`: every agent on around the clock (N seats x 24 h), the simplest 24/7 desk;
* `peak`: the same agent-hours laid out as 8-hour shifts, and 4-hour part-time shifts at the peaks, that follow
  the brand's hourly demand (from earlier days, never the day being simulated), with two agents on at every hour;
* `9to5`: the agents work office hours only, the way British Airways' social team did in 2013.

Pure: the volume comes in as numbers, so the rota is tested without a database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

HOURS = 24


class RotaKind(StrEnum):
    flat = "flat"
    peak = "peak"
    office = "9to5"


@dataclass(frozen=True)
class DailyShift:
    """One person's daily shift: starts `start_hour` (UTC, 0-23) and lasts `hours` (may run past midnight)."""

    start_hour: int
    hours: int

    def covers(self, hour: int) -> bool:
        return (hour - self.start_hour) % HOURS < self.hours


@dataclass(frozen=True)
class Rota:
    kind: str
    shifts: tuple[DailyShift, ...]

    @property
    def agent_hours(self) -> int:
        return sum(s.hours for s in self.shifts)

    def on_duty(self) -> list[int]:
        """How many agents are on at each hour of the day."""
        return [sum(s.covers(h) for s in self.shifts) for h in range(HOURS)]

    def working(self, slot: int, at: datetime) -> bool:
        return self.shifts[slot].covers(at.astimezone(UTC).hour)

    def next_start(self, slot: int, at: datetime) -> datetime:
        """The next whole hour at or after `at` when the slot's shift is on (`at` itself when it is on now)."""
        if self.working(slot, at):
            return at
        t = at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        for _ in range(HOURS + 1):
            t += timedelta(hours=1)
            if self.working(slot, t):
                return t
        raise ValueError(f"slot {slot} of the {self.kind} rota never works")


def flat(agents: int) -> Rota:
    return Rota(RotaKind.flat.value, tuple(DailyShift(0, HOURS) for _ in range(agents)))


def office(agents: int, start_hour: int = 9, end_hour: int = 17) -> Rota:
    return Rota(RotaKind.office.value, tuple(DailyShift(start_hour, end_hour - start_hour) for _ in range(agents)))


def _cover(need: Sequence[int], shift_hours: int) -> list[DailyShift]:
    """Fewest shifts of `shift_hours` meeting each hour's need, greedily from the quietest hour round the clock."""
    first = min(range(HOURS), key=lambda h: (need[h], h))
    shifts: list[DailyShift] = []
    for step in range(HOURS):
        hour = (first + step) % HOURS
        short = need[hour] - sum(s.covers(hour) for s in shifts)
        shifts += [DailyShift(hour, shift_hours)] * max(short, 0)
    return shifts


def _gain(volume: Sequence[float], on: Sequence[int], start: int, hours: int) -> float:
    """How much one more shift from `start` lowers sum(v_h**2 / on_h), a load measure minimised by a head count
    proportional to volume (an hour with nobody on counts as a huge load)."""
    total = 0.0
    for k in range(hours):
        h = (start + k) % HOURS
        v2 = volume[h] ** 2 + 1e-9
        total += (v2 * 1e6 if on[h] == 0 else v2 / on[h]) - v2 / (on[h] + 1)
    return total


def peak(hourly_volume: Sequence[float], agent_hours: int, *, shift_hours: int = 8, part_time_hours: int = 4,
         part_time_share: float = 0.0, minimum: int = 2) -> Rota:
    """Shifts placed one by one where they relieve the most load, so the head count follows `hourly_volume`
    (24 values, UTC), until `agent_hours` are spent. First a round of full shifts keeps `minimum` agents on at
    every hour (24/7 cover comes first; two, so nobody works a night alone and one long case does not leave the
    queue unwatched); then full shifts; then up to `part_time_share` of the hours as part-time peak shifts."""
    if len(hourly_volume) != HOURS:
        raise ValueError(f"hourly volume needs {HOURS} values, got {len(hourly_volume)}")
    shifts = _cover([minimum] * HOURS, shift_hours)
    if len(shifts) * shift_hours > agent_hours:
        raise ValueError(f"{agent_hours} agent-hours cannot keep {minimum} agent(s) on around the clock "
                         f"in {shift_hours}-hour shifts")
    on = [sum(s.covers(h) for s in shifts) for h in range(HOURS)]
    left = agent_hours - len(shifts) * shift_hours
    part_time = min(left, round(part_time_share * agent_hours)) // part_time_hours * part_time_hours
    for hours, budget in ((shift_hours, left - part_time), (part_time_hours, part_time)):
        for _ in range(budget // hours):
            start = max(range(HOURS), key=lambda s: (_gain(hourly_volume, on, s, hours), -s))
            shifts.append(DailyShift(start, hours))
            for k in range(hours):
                on[(start + k) % HOURS] += 1
    return Rota(RotaKind.peak.value, tuple(sorted(shifts, key=lambda s: (s.start_hour, s.hours))))


def hourly_volume(times: Sequence[datetime]) -> list[float]:
    """Posts per UTC hour of the day, summed over the days given."""
    counts = [0.0] * HOURS
    for t in times:
        counts[t.astimezone(UTC).hour] += 1
    return counts


def build(kind: RotaKind | str, agents: int, volume: Sequence[float]) -> Rota:
    """The rota of `kind` with the hours of `agents` agents working around the clock (the `flat` rota; `9to5` has
    a third of them); `volume` (per UTC hour) shapes the `peak` rota."""
    if RotaKind(kind) is RotaKind.peak:
        return peak(volume, agents * HOURS, part_time_share=1 / 3)
    return office(agents) if RotaKind(kind) is RotaKind.office else flat(agents)
