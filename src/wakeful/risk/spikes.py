"""Crisis spikes: a topic taking an abnormal share of a brand's complaints, or negativity jumping, right now.

Counts rise every morning and fall every night, so raw volume would alarm on the day's rhythm. The test is on
shares instead: in the latest window, is one topic's share of complaints (or the negative share of all posts)
far above its share in the trailing baseline windows? Under the baseline the window's count is roughly binomial,
so the score is (observed - expected) / sqrt(expected + 1); a spike needs a high score, a minimum count and at
least twice the expected count. Pure: the desk feeds it posts from the store.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

NEGATIVE_KEY = "negative-share"
VOLUME_KEY = "complaint-volume"
"""All complaints together (the seasonal detector's series), so a rise across every topic is seen too."""


@dataclass(frozen=True)
class Observation:
    """One post as the detector sees it."""

    at: datetime
    complaint: bool
    negative: bool
    topics: Sequence[str]


@dataclass(frozen=True)
class SpikeConfig:
    window: timedelta = timedelta(minutes=30)
    history_windows: int = 12
    threshold: float = 4.0
    min_count: int = 8
    min_ratio: float = 2.0
    min_ratio_negative: float = 1.5
    """Negativity is common anyway (often 40%), so it cannot double; a rise by half is already loud."""


@dataclass(frozen=True)
class Spike:
    key: str
    """A topic, or `negative-share` for negativity across all posts."""
    start: datetime
    end: datetime
    observed: int
    expected: float
    score: float
    note: str = ""
    """Said instead of the counts, where the counts are not the story (a flagged click-farm burst)."""

    def describe(self) -> str:
        if self.note:
            return self.note
        what = {NEGATIVE_KEY: "negative posts", VOLUME_KEY: "complaints"}.get(
            self.key, f"{self.key.replace('_', ' ')} complaints")
        return f"{self.observed} {what} in {int((self.end - self.start).total_seconds() // 60)} min, " \
               f"{self.expected:.1f} expected (score {self.score:.1f})"


def _score(observed: int, expected: float) -> float:
    return (observed - expected) / math.sqrt(expected + 1.0)


def detect(observations: Iterable[Observation], now: datetime, config: SpikeConfig = SpikeConfig()) -> list[Spike]:
    """Spikes in the window ending at `now`, judged against the `history_windows` windows before it."""
    start = now - config.window
    history_start = start - config.window * config.history_windows
    now_topics: Counter[str] = Counter()
    base_topics: Counter[str] = Counter()
    now_complaints = base_complaints = now_posts = base_posts = now_negative = base_negative = 0
    for o in observations:
        if o.at < history_start or o.at >= now:
            continue
        current = o.at >= start
        if current:
            now_posts += 1
            now_negative += o.negative
        else:
            base_posts += 1
            base_negative += o.negative
        if not o.complaint:
            continue
        if current:
            now_complaints += 1
            now_topics.update(set(o.topics))
        else:
            base_complaints += 1
            base_topics.update(set(o.topics))
    spikes = []
    for topic, observed in now_topics.items():
        share = (base_topics[topic] + 1) / (base_complaints + 2)
        spikes.append(_judge(topic, observed, now_complaints * share, start, now, config))
    if now_posts:
        share = (base_negative + 1) / (base_posts + 2)
        spikes.append(_judge(NEGATIVE_KEY, now_negative, now_posts * share, start, now, config))
    found = [s for s in spikes if s is not None]
    return sorted(found, key=lambda s: -s.score)


def _judge(key: str, observed: int, expected: float, start: datetime, end: datetime,
           config: SpikeConfig) -> Spike | None:
    score = _score(observed, expected)
    ratio = config.min_ratio_negative if key == NEGATIVE_KEY else config.min_ratio
    if score >= config.threshold and observed >= config.min_count and observed >= ratio * expected:
        return Spike(key, start, end, observed, expected, score)
    return None
