"""Paid promotion: a post someone paid to push is heard far beyond its author's own audience.

Platform flags first, as the APIs really carry them: X API v2 returns `promoted_metrics` on a tweet only when it
ran as an ad (and only to the advertiser's own user context, so a brand sees it for its own posts, rarely for a
customer's); Reddit listings mark ads with `promoted: true` (and `promoted_by`); Mastodon and Bluesky have no ads.
Connectors or webhooks that know set `Post.promoted`. Otherwise the signal is delivery to non-followers: far more
impressions than the author's followers plus the audiences of those who reposted could give.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from wakeful.core.models import Engagement

ORGANIC_VIEW_RATE = 0.35
"""Share of followers an organic post reaches at most (timeline delivery rarely exceeds a third)."""
REPOSTER_AUDIENCE = 120
"""People a repost shows the post to when the reposters' followers are not known."""
SIGNAL_RATIO = 4.0
SIGNAL_MIN_IMPRESSIONS = 2_000


@dataclass(frozen=True)
class Promotion:
    promoted: bool
    source: str
    """"flag" (the platform or connector said so), "signals" (inferred), or "none"."""
    evidence: list[str] = field(default_factory=list)


def _platform_flag(raw: dict[str, Any]) -> str | None:
    if raw.get("promoted_metrics"):
        return "X reports promoted_metrics for it (it ran as an ad)"
    data = raw.get("data")
    if isinstance(data, dict) and data.get("promoted_metrics"):
        return "X reports promoted_metrics for it (it ran as an ad)"
    if raw.get("promoted") is True or raw.get("promoted_by"):
        return "Reddit lists it as promoted"
    return None


def detect(followers: int, engagement: Engagement | None, flagged: bool = False,
           raw: dict[str, Any] | None = None, reposters_audience: int | None = None) -> Promotion:
    """Whether the post is promoted, and why we think so."""
    said = _platform_flag(raw or {})
    if said:
        return Promotion(True, "flag", [said])
    if flagged:
        return Promotion(True, "flag", ["marked as promoted by its source"])
    if engagement is None or engagement.impressions is None:
        return Promotion(False, "none")
    spread = reposters_audience if reposters_audience is not None else engagement.reposts * REPOSTER_AUDIENCE
    organic = followers * ORGANIC_VIEW_RATE + spread
    if engagement.impressions >= SIGNAL_MIN_IMPRESSIONS and engagement.impressions > SIGNAL_RATIO * organic:
        return Promotion(True, "signals", [
            f"{engagement.impressions:,} impressions from {followers:,} followers and {engagement.reposts:,} reposts "
            f"(about {int(organic):,} organically): delivered to non-followers"])
    return Promotion(False, "none")
