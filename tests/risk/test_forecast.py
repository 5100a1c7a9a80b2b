"""The SEISMIC-style forecast: recovers known infectiousness, grows with each observation, honest intervals."""

from __future__ import annotations

import random
import statistics
from datetime import UTC, datetime, timedelta

import numpy as np

from wakeful.evaluation import risk_sim
from wakeful.risk.forecast import ForecastConfig, Kernel, Point, forecast

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)


def _points(c: risk_sim.Cascade, minutes: int) -> list[Point]:
    return [Point(T0 + timedelta(minutes=m), c.count(m * 60)) for m in range(5, minutes + 1, 5)]


def test_the_kernel_is_a_distribution_with_a_power_law_tail() -> None:
    k = Kernel()
    cdf = k.cdf(np.array([0.0, k.s0, 3600.0, 86_400.0, 1e12]))
    assert cdf[0] == 0 and all(np.diff(cdf) > 0) and abs(cdf[-1] - 1) < 1e-2
    assert 0.15 < cdf[1] < 0.25 and cdf[3] < 0.85  # a fifth in the first 5 min; a long tail after a day


def test_infectiousness_is_recovered_on_cascades_simulated_from_known_parameters() -> None:
    rng = random.Random(11)
    ratios = []
    while len(ratios) < 60:
        c = risk_sim.cascade(rng, horizon_s=7200)
        if c.count(3600) >= 30:
            fc = forecast(T0, c.followers, _points(c, 60), T0 + timedelta(hours=1), ForecastConfig(prior_events=0))
            ratios.append(fc.branching / c.branching)
    assert 0.8 < statistics.median(ratios) < 1.3


def test_more_engagement_forecasts_more_and_the_interval_brackets_it() -> None:
    slow = [Point(T0 + timedelta(minutes=m), m // 5) for m in range(5, 31, 5)]
    fast = [Point(T0 + timedelta(minutes=m), 4 * m, 60 * 4 * m) for m in range(5, 31, 5)]
    now = T0 + timedelta(minutes=30)
    a, b = forecast(T0, 300, slow, now), forecast(T0, 300, fast, now)
    six_a, six_b = a.at(timedelta(hours=6)), b.at(timedelta(hours=6))
    assert six_b.interactions > six_a.interactions > 6
    assert six_b.low <= six_b.interactions <= six_b.high
    assert b.at(timedelta(hours=24)).interactions >= six_b.interactions
    assert six_a.impressions is None  # nothing counted impressions: the desk estimates them itself
    assert six_b.impressions is not None and six_b.impressions > 60 * 120


def test_only_observations_up_to_now_are_used() -> None:
    pts = [Point(T0 + timedelta(minutes=m), m) for m in range(5, 121, 5)]
    now = T0 + timedelta(minutes=30)
    assert forecast(T0, 300, pts, now) == forecast(T0, 300, pts[:6], now)
