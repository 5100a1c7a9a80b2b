"""Reach now: the audience a post has, from what the platform tells us."""

from __future__ import annotations

from wakeful.core.models import Engagement

# Without an impressions count, a post is seen by a fraction of its author's followers plus the audiences its
# interactions open up; these are the round figures used until the virality model (issue 4) replaces them.
FOLLOWER_VIEW_RATE = 0.1
IMPRESSIONS_PER_INTERACTION = 50


def audience(followers: int, engagement: Engagement | None) -> int:
    """The larger of the author's follower base and the post's observed (or estimated) impressions."""
    if engagement is None:
        return followers
    if engagement.impressions is not None:
        seen = engagement.impressions
    else:
        seen = int(followers * FOLLOWER_VIEW_RATE) + engagement.interactions * IMPRESSIONS_PER_INTERACTION
    return max(followers, seen)


def reach_level(reach: int, thresholds: list[int]) -> int:
    """How many of the ascending `thresholds` the reach meets (0 … len(thresholds))."""
    return sum(1 for t in thresholds if reach >= t)
