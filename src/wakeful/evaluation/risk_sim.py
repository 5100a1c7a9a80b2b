"""Simulated ground truth for the risk stage: cascades, click-farm bursts and weeks of complaint traffic.

No public data set here has timed reposts, bot labels or labelled crises (the airline tweets carry only retweet
counts; the customer-support sample's threads are dialogues, at most 14 replies to one tweet), so each part is
measured on data simulated from known parameters or published patterns, with the seed of the evaluation never
used to set a weight or threshold.
"""

from __future__ import annotations

import heapq
import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from wakeful.core.models import Author
from wakeful.ingest.scenario import HOURLY, near_copy
from wakeful.risk.authenticity import Action
from wakeful.risk.forecast import Kernel
from wakeful.risk.spikes import Observation

START = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday
MEAN_DEGREE = 120.0


# --- cascades -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Cascade:
    followers: int
    branching: float
    times: list[float]
    """Seconds after posting of each interaction (the post itself excluded), sorted."""
    degrees: list[float]
    """Followers of the account behind each interaction, in the same order."""

    def count(self, at_s: float) -> int:
        return sum(1 for t in self.times if t <= at_s)

    def audience(self, at_s: float) -> int:
        return int(sum(d for t, d in zip(self.times, self.degrees, strict=True) if t <= at_s))


def _kernel_delay(rng: random.Random, k: Kernel) -> float:
    u = rng.random()
    flat = k.c * k.s0
    if u < flat:
        return u / k.c
    base = 1.0 - (u / flat - 1.0) * k.theta
    return k.s0 * base ** (-1.0 / k.theta) if base > 1e-9 else 1e9


def _poisson(rng: random.Random, lam: float) -> int:
    if lam > 50:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    n, p, limit = 0, 1.0, math.exp(-lam)
    while True:
        p *= rng.random()
        if p <= limit:
            return n
        n += 1


def cascade(rng: random.Random, horizon_s: float = 6 * 3600, kernel: Kernel = Kernel(),
            max_events: int = 50_000) -> Cascade:
    """A SEISMIC cascade: each event's audience reacts at rate p * degree * phi(t); degrees heavy-tailed."""
    followers = int(rng.lognormvariate(math.log(300), 1.3)) + 1
    kappa = rng.uniform(0.4, 0.95)
    p = kappa / MEAN_DEGREE
    sigma = 1.0
    mu = math.log(MEAN_DEGREE) - sigma * sigma / 2
    heap: list[tuple[float, float]] = [(0.0, float(followers))]
    times: list[float] = []
    degrees: list[float] = []
    while heap and len(times) < max_events:
        t, degree = heapq.heappop(heap)
        if t > 0:
            times.append(t)
            degrees.append(degree)
        for _ in range(_poisson(rng, p * degree)):
            child = t + _kernel_delay(rng, kernel)
            if child <= horizon_s:
                heapq.heappush(heap, (child, rng.lognormvariate(mu, sigma)))
    return Cascade(followers, kappa, times, degrees)


# --- accounts and click-farm bursts ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Labelled:
    action: Action
    fake: bool


_REAL_TEXTS = (
    "@brand my flight {n} was delayed {h} hours and nobody told us anything",
    "@brand still waiting on the refund for booking {n}, it has been {h} weeks",
    "@brand lost my bag on {n}, where do I even report this?",
    "@brand great crew on {n} today, thank you!",
    "@brand why is the app not letting me check in for {n}",
    "@brand seat {h}C on {n} was broken the whole way",
)
_FARM_TEXTS = ("Best airline in the world! @brand never disappoints #fly", "This is legit, got my 2 free tickets "
               "already! #brand", "Wow amazing deal from @brand, go check it out now!!")


def _real_author(rng: random.Random, at: datetime, newcomer: bool) -> Author:
    age = rng.uniform(0.2, 30) if newcomer else rng.uniform(30, 6300)
    return Author(id=str(rng.getrandbits(48)), handle=f"u{rng.getrandbits(32)}",
                  followers=int(rng.lognormvariate(math.log(25 if newcomer else 110), 1.25)),
                  following=int(rng.lognormvariate(math.log(150 if newcomer else 300), 0.9)),
                  created_at=at - timedelta(days=age), default_profile=rng.random() < (0.3 if newcomer else 0.05),
                  description="Traveller." if rng.random() < (0.4 if newcomer else 0.7) else None)


def _farm_author(rng: random.Random, at: datetime) -> Author:
    aged = rng.random() < 0.25  # farms also sell aged, hijacked or long-dormant accounts
    return Author(id=str(rng.getrandbits(48)), handle=f"f{rng.getrandbits(32)}",
                  followers=rng.randint(0, 400) if aged else rng.randint(0, 25),
                  following=rng.randint(100, 4000) if rng.random() < 0.8 else rng.randint(5, 300),
                  created_at=at - timedelta(days=rng.uniform(100, 2500) if aged else rng.uniform(0, 30)),
                  default_profile=rng.random() < (0.5 if aged else 0.85),
                  description="Love life" if rng.random() < (0.4 if aged else 0.15) else None)


def _text(rng: random.Random) -> str:
    return rng.choice(_REAL_TEXTS).format(n=f"AU {rng.randint(100, 2999)}", h=rng.randint(2, 30))


def traffic_with_bursts(seed: int, days: int = 2, bursts: int = 16) -> list[Labelled]:
    """Days of genuine posts (newcomers among them, and crowds complaining together) with farm bursts."""
    rng = random.Random(seed)
    out: list[Labelled] = []
    for day in range(days):
        for hour in range(24):
            for _ in range(int(60 * HOURLY[hour])):
                at = START + timedelta(days=day, hours=hour, seconds=rng.uniform(0, 3600))
                out.append(Labelled(Action(_real_author(rng, at, rng.random() < 0.1), at, _text(rng)), False))
        for _ in range(2):  # a real crowd: an outage makes dozens complain within minutes, in their own words
            t0 = START + timedelta(days=day, hours=rng.uniform(7, 21))
            for _ in range(rng.randint(20, 60)):
                at = t0 + timedelta(seconds=rng.expovariate(1 / 120))
                out.append(Labelled(Action(_real_author(rng, at, rng.random() < 0.15), at, _text(rng)), False))
    for _ in range(bursts):
        t0 = START + timedelta(days=rng.uniform(0, days), seconds=0)
        spread = rng.uniform(60, 600)
        templates = rng.sample(_FARM_TEXTS, rng.randint(1, 2))
        for _ in range(rng.randint(25, 200)):
            at = t0 + timedelta(seconds=rng.uniform(0, spread))
            text = near_copy(rng, rng.choice(templates)) if rng.random() < 0.7 else ""  # the rest only like
            out.append(Labelled(Action(_farm_author(rng, at), at, text), True))
    return sorted(out, key=lambda x: x.action.at)


# --- weeks of complaint traffic with crises -------------------------------------------------------------------
TOPICS = ("delay", "lost_luggage", "refund", "booking", "staff", "cancellation", "website", "seat", "food")
_TOPIC_WEIGHTS = (16, 6, 20, 12, 12, 7, 10, 7, 10)
WEEKDAY = (1.0, 0.95, 0.95, 1.0, 1.1, 0.7, 0.75)
HISTORY_WEEKS, WEEKS = 4, 8


@dataclass(frozen=True)
class Crisis:
    start: datetime
    end: datetime
    topic: str | None
    """None: every topic rises at once (an outage), which a share test cannot see."""


def weeks(seed: int, n_weeks: int = WEEKS, history_weeks: int = HISTORY_WEEKS, per_day: int = 1200
          ) -> tuple[list[Observation], list[Crisis]]:
    """Posts with a diurnal and weekly rhythm; crises only after the history weeks (four a week)."""
    rng = random.Random(seed)
    crises: list[Crisis] = []
    for week in range(history_weeks, n_weeks):
        for _ in range(4):
            start = START + timedelta(weeks=week, days=rng.randrange(7), hours=rng.uniform(7, 21))
            crises.append(Crisis(start, start + timedelta(minutes=rng.uniform(30, 90)),
                                 None if rng.random() < 0.34 else rng.choices(TOPICS, _TOPIC_WEIGHTS)[0]))
    obs: list[Observation] = []
    total_weight = sum(HOURLY)
    for day in range(7 * n_weeks):
        for hour in range(24):
            base = per_day * HOURLY[hour] / total_weight * WEEKDAY[day % 7] * rng.uniform(0.85, 1.15)
            for _ in range(_poisson(rng, base)):
                at = START + timedelta(days=day, hours=hour, seconds=rng.uniform(0, 3600))
                obs.append(_post(rng, at, None))
    for c in crises:
        minutes = (c.end - c.start).total_seconds() / 60
        extra = rng.uniform(0.5, 1.2) * minutes if c.topic else rng.uniform(1.5, 2.5) * minutes
        for _ in range(int(extra)):
            at = c.start + timedelta(seconds=rng.uniform(0, minutes * 60))
            obs.append(_post(rng, at, c.topic, crisis=True))
    return sorted(obs, key=lambda o: o.at), crises


def _post(rng: random.Random, at: datetime, topic: str | None, crisis: bool = False) -> Observation:
    complaint = crisis or rng.random() < 0.45
    chosen = topic or rng.choices(TOPICS, _TOPIC_WEIGHTS)[0]
    negative = rng.random() < (0.8 if complaint else 0.15)
    return Observation(at, complaint, negative, [chosen] if complaint else [])
