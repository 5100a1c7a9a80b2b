"""Reach now: the audience a post has, from what the platform tells us."""

from __future__ import annotations

from dataclasses import dataclass

from wakeful.core.models import Engagement

# Without an impressions count, a post is seen by a fraction of its author's followers plus the audiences its
# interactions open up (round figures; the forecast in `risk.forecast` says where it is heading).
FOLLOWER_VIEW_RATE = 0.1
IMPRESSIONS_PER_INTERACTION = 50


def counted_impressions(impressions: int | None, interactions: int) -> int | None:
    """The platform's impression count where it is one: 0 beside likes or reposts is a count not filled in yet (X
    reports impressions minutes late), not a post nobody saw; read as 0 it would make every like look bought and
    forecast no audience at all."""
    return None if impressions == 0 and interactions > 0 else impressions


def estimated_impressions(followers: int, engagement: Engagement | None) -> tuple[int, bool]:
    """Impressions so far and whether they were counted by the platform (True) or estimated (False); X's 0 beside
    likes is a count not filled in yet, so the estimate stands in for it."""
    interactions = engagement.interactions if engagement is not None else 0
    counted = counted_impressions(engagement.impressions, interactions) if engagement is not None else None
    if counted is not None:
        return counted, True
    return int(followers * FOLLOWER_VIEW_RATE) + interactions * IMPRESSIONS_PER_INTERACTION, False


def audience(followers: int, engagement: Engagement | None) -> int:
    """The larger of the author's follower base and the post's observed (or estimated) impressions."""
    if engagement is None:
        return followers
    return max(followers, estimated_impressions(followers, engagement)[0])


@dataclass(frozen=True)
class ReachNow:
    """What is known right now about how many people a post has reached."""

    followers: int
    interactions: int
    impressions: int
    impressions_counted: bool
    reposters_audience: int | None
    """Followers of the accounts that reposted it, where the platform listed them (X `retweeted_by`)."""

    @classmethod
    def of(cls, followers: int, engagement: Engagement | None, reposters_audience: int | None = None) -> ReachNow:
        seen, counted = estimated_impressions(followers, engagement)
        return cls(followers, engagement.interactions if engagement else 0, seen, counted, reposters_audience)

    @property
    def audience(self) -> int:
        """Everyone who saw it or could have: impressions, followers, and the reposters' own audiences."""
        return max(self.followers, self.impressions) + (self.reposters_audience or 0)

    def describe(self) -> str:
        how = "impressions" if self.impressions_counted else "impressions (estimated)"
        return f"{self.followers:,} followers, {self.interactions:,} interactions, {self.impressions:,} {how}"


def reach_level(reach: int, thresholds: list[int]) -> int:
    """How many of the ascending `thresholds` the reach meets (0 … len(thresholds))."""
    return sum(1 for t in thresholds if reach >= t)
