"""Rotas: a demand-shaped rota keeps the desk staffed around the clock within the same hours, 9-to-5 does not."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from wakeful.desk import rota

# Posts per UTC hour of the demo scenario's seed-6 day: quiet nights, morning and evening peaks.
VOLUME = [29, 27, 10, 16, 10, 33, 63, 167, 297, 215, 191, 163, 164, 163, 140, 288, 156, 223, 216, 223, 209, 159,
          92, 69]


def test_peak_rota_spends_the_same_hours_as_the_flat_one_and_follows_demand() -> None:
    shaped, flat = rota.peak(VOLUME, 6 * 24), rota.flat(6)
    on = shaped.on_duty()
    assert shaped.agent_hours == flat.agent_hours == 144
    assert all(s.hours == 8 for s in shaped.shifts)
    assert min(on) >= 2  # never one agent alone, never nobody
    assert on[8] > on[3] * 3  # the morning peak gets several times the night's head count


def test_part_time_shifts_go_to_the_peaks_within_the_same_hours() -> None:
    mixed = rota.peak(VOLUME, 6 * 24, part_time_share=1 / 3)
    on = mixed.on_duty()
    assert mixed.agent_hours == 144 and {s.hours for s in mixed.shifts} <= {4, 8}
    assert min(on) >= 2 and on[8] >= 3 * on[3]
    part_time = [s for s in mixed.shifts if s.hours == 4]
    busy = sorted(VOLUME)[len(VOLUME) // 2]
    assert part_time and all(any(VOLUME[h] >= busy for h in range(24) if s.covers(h)) for s in part_time)
    assert not any(s.covers(h) for s in part_time for h in (1, 2, 3, 4))  # none at night
    assert sum(s.hours for s in part_time) <= 48


def test_office_rota_leaves_nights_and_evenings_empty() -> None:
    on = rota.office(6).on_duty()
    assert on[9:17] == [6] * 8
    assert on[:9] == [0] * 9 and on[17:] == [0] * 7


def test_next_start_waits_for_the_shift_and_wraps_past_midnight() -> None:
    r = rota.office(1)
    assert r.next_start(0, datetime(2026, 3, 2, 22, 30, tzinfo=UTC)) == datetime(2026, 3, 3, 9, tzinfo=UTC)
    at = datetime(2026, 3, 2, 10, 5, tzinfo=UTC)
    assert r.next_start(0, at) == at
    night = rota.Rota("x", (rota.DailyShift(22, 8),))
    assert night.working(0, datetime(2026, 3, 3, 5, 59, tzinfo=UTC))
    assert not night.working(0, datetime(2026, 3, 3, 6, 0, tzinfo=UTC))


def test_bad_volume_or_too_few_hours_are_named() -> None:
    with pytest.raises(ValueError, match="24 values"):
        rota.peak([1.0] * 23, 144)
    with pytest.raises(ValueError, match="around the clock"):
        rota.peak(VOLUME, 24)


def test_hourly_volume_counts_by_utc_hour() -> None:
    times = [datetime(2026, 3, 2, 8, 1, tzinfo=UTC), datetime(2026, 3, 2, 8, 59, tzinfo=UTC),
             datetime(2026, 3, 3, 23, 0, tzinfo=UTC)]
    counts = rota.hourly_volume(times)
    assert counts[8] == 2 and counts[23] == 1 and sum(counts) == 3
