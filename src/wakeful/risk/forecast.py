"""Virality forecast: how much engagement (and how many impressions) a post will have in 6 h and 24 h.

A straight line misses what matters: a post spreads because each interaction shows it to new people, and
attention fades by a power law. So the count of interactions is modelled as a self-exciting point process of the
SEISMIC family (Zhao et al., KDD 2015): an event i (the post itself, then each interaction) exposes `n_i` people,
who react at rate `p * n_i * phi(t - t_i)`, with SEISMIC's memory kernel `phi` (flat for `s0`, then a power law of
exponent 1 + theta). The infectiousness estimate is SEISMIC's: interactions so far over the exposure the events
have had so far, `p = R_t / sum_i n_i * Phi(t - t_i)`. The forecast is the expected count of the branching process
from now on (past events keep exciting; future events excite in turn), computed on a grid, and its interval comes
from the estimate's Poisson uncertainty (R_t events) plus the future count's own noise.

The store keeps counters, not single interactions, so each increment between two observations is placed in the
middle of its interval; an engager's audience is not known either, so each interaction counts `mean_degree`
people (a setting) and the post itself its author's followers. A promoted post also has immigrants: paid
delivery keeps showing it to strangers, whose interactions enter the cascade from outside and excite in turn.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]
HORIZONS = (timedelta(hours=6), timedelta(hours=24))
Z90 = 1.645


@dataclass(frozen=True)
class Kernel:
    """SEISMIC's memory kernel, normalised to integrate to 1 (theta and s0 as fitted on Twitter in the paper)."""

    theta: float = 0.242
    s0: float = 300.0

    @property
    def c(self) -> float:
        return 1.0 / (self.s0 * (1.0 + 1.0 / self.theta))

    def cdf(self, s: Floats) -> Floats:
        """The share of an event's total excitation that has happened `s` seconds after it."""
        s = np.maximum(s, 0.0)
        early = self.c * s
        late = self.c * self.s0 * (1.0 + (1.0 - np.power(np.maximum(s, self.s0) / self.s0, -self.theta)) / self.theta)
        out: Floats = np.where(s < self.s0, early, late)
        return out


@dataclass(frozen=True)
class ForecastConfig:
    kernel: Kernel = Kernel()
    mean_degree: float = 120.0
    """People an interaction exposes on average (median follower counts sit near a hundred)."""
    max_branching: float = 1.0
    """Cap on p * mean_degree. Early estimates are often above 1 (a post taking off), but a supercritical mean
    grows exponentially for the whole horizon and forecast billions from a dozen likes on the demo's viral post;
    at the critical value the forecast stays finite and still grows with every observation."""
    step_s: float = 300.0
    prior_events: float = 10.0
    """Pseudo-interactions of a Gamma prior on the infectiousness, centred on `prior_branching`: a handful of
    early interactions says little, and the posts the desk looks at are the ones that started well."""
    prior_branching: float = 0.5


@dataclass(frozen=True)
class Point:
    """One observation of a post's counters."""

    at: datetime
    interactions: int
    impressions: int | None = None
    audience: int | None = None
    """Followers of everyone who interacted so far, where the platform lists them (X `retweeted_by`,
    `liking_users`; Mastodon `reblogged_by`); each interaction counts `mean_degree` people otherwise."""


@dataclass(frozen=True)
class Horizon:
    after: timedelta
    interactions: float
    low: float
    high: float
    impressions: float | None
    impressions_low: float | None
    impressions_high: float | None


@dataclass(frozen=True)
class Forecast:
    infectiousness: float
    branching: float
    horizons: tuple[Horizon, ...]

    def at(self, after: timedelta) -> Horizon:
        return next(h for h in self.horizons if h.after == after)


def _exposure(created: datetime, followers: float, points: Sequence[Point], degree: float
              ) -> tuple[Floats, Floats, float]:
    """Event-group times (s after posting), their total audiences, and interactions so far."""
    times, weights = [0.0], [float(followers)]
    prev_t, prev_n, prev_a = 0.0, 0, 0
    for p in points:
        t = max((p.at - created).total_seconds(), 0.0)
        gained = p.interactions - prev_n
        if gained > 0:
            times.append((prev_t + t) / 2.0)
            known = p.audience is not None and p.audience > prev_a
            weights.append(float(p.audience - prev_a) if known and p.audience is not None else gained * degree)
        prev_t, prev_n = t, max(prev_n, p.interactions)
        prev_a = max(prev_a, p.audience or 0)
    return np.asarray(times), np.asarray(weights), float(prev_n)


def expected_future(p: float, times: Floats, audiences: Floats, now_s: float, degree: float,
                    kernel: Kernel, step_s: float, horizon_s: float, immigrants: float = 0.0) -> Floats:
    """Expected new events in each grid step from `now_s` to `now_s + horizon_s`, as a branching mean field;
    `immigrants` per step arrive from outside the cascade (paid delivery) and excite like any other event."""
    steps = max(1, math.ceil(horizon_s / step_s))
    edges = now_s + step_s * np.arange(steps + 1)
    cdf = kernel.cdf(edges[None, :] - times[:, None])
    direct: Floats = p * (audiences[:, None] * np.diff(cdf, axis=1)).sum(axis=0) + immigrants
    # lag[d]: the kernel's mass over the step d steps after an event placed mid-step (d = 0 is its own step)
    d: Floats = step_s * np.arange(steps + 1, dtype=np.float64)
    lag = kernel.cdf(d + step_s / 2) - kernel.cdf(np.maximum(d - step_s / 2, 0.0))
    kappa = p * degree
    m = np.zeros(steps)
    for k in range(steps):
        m[k] = (direct[k] + kappa * float(np.dot(m[:k], lag[k:0:-1]))) / (1.0 - kappa * lag[0])
    return m


def _paid_immigrants(seen: Sequence[Point], step_s: float) -> float:
    """Interactions per grid step that paid delivery brings, if it keeps its pace of the last half hour.

    A promoted post is shown to people who follow nobody who shared it, for as long as the campaign runs; the
    campaign's budget is unknown, so its recent delivery rate is assumed to last the horizon."""
    counted = [p for p in seen if p.impressions is not None]
    if len(counted) < 2 or counted[-1].interactions <= 0:
        return 0.0
    last = counted[-1]
    first = next((p for p in counted if p.at >= last.at - timedelta(minutes=30)), counted[0])
    if first is last:
        first = counted[-2]
    assert first.impressions is not None and last.impressions is not None
    rate = max(last.impressions - first.impressions, 0) / max((last.at - first.at).total_seconds(), 1.0)
    return rate * step_s * last.interactions / max(last.impressions, 1)


def forecast(created: datetime, followers: int, points: Sequence[Point], now: datetime,
             config: ForecastConfig = ForecastConfig(), horizons: Sequence[timedelta] = HORIZONS,
             promoted: bool = False) -> Forecast:
    """Interactions (and impressions, where counted) expected `horizons` after `now`, with 90% intervals."""
    seen = [p for p in points if p.at <= now]
    immigrants = _paid_immigrants(seen, config.step_s) if promoted else 0.0
    times, audiences, so_far = _exposure(created, followers, seen, config.mean_degree)
    now_s = max((now - created).total_seconds(), 1.0)
    exposure = float((audiences * config.kernel.cdf(now_s - times)).sum())
    cap = config.max_branching / config.mean_degree
    prior = config.prior_events
    p0 = config.prior_branching / config.mean_degree
    p = min((so_far + prior) / (exposure + prior / p0), cap) if exposure > 0 or prior > 0 else 0.0
    rel = Z90 / math.sqrt(so_far) if so_far > 0 else 1.0
    ps = (p, max(p * (1 - rel), 0.0), min(p * (1 + rel), cap) if so_far else cap * 0.1)
    longest = max(h.total_seconds() for h in horizons)
    curves = [np.cumsum(expected_future(q, times, audiences, now_s, config.mean_degree, config.kernel,
                                        config.step_s, longest, immigrants)) for q in ps]
    ratio = _impressions_per_interaction(seen)
    last_imp = next((pt.impressions for pt in reversed(seen) if pt.impressions is not None), None)
    out = []
    for h in horizons:
        k = max(1, math.ceil(h.total_seconds() / config.step_s)) - 1
        mid, lo, hi = (float(c[k]) for c in curves)
        lo, hi = max(lo - Z90 * math.sqrt(lo), 0.0), hi + Z90 * math.sqrt(hi)
        totals = (so_far + mid, so_far + lo, so_far + hi)
        if ratio is not None and last_imp is not None:
            imps: tuple[float | None, ...] = tuple(last_imp + ratio * (t - so_far) for t in totals)
        else:
            imps = (None, None, None)
        out.append(Horizon(h, *totals, *imps))
    return Forecast(p, p * config.mean_degree, tuple(out))


def _impressions_per_interaction(points: Sequence[Point]) -> float | None:
    """Impressions each further interaction brings, from the counted series (None where nothing is counted)."""
    counted = [p for p in points if p.impressions is not None and p.interactions > 0]
    if not counted:
        return None
    last = counted[-1]
    assert last.impressions is not None
    return last.impressions / last.interactions
