"""Paid promotion: a post someone paid to push is heard far beyond its author's own audience.

Platform flags first, as the APIs really carry them: X API v2 returns `promoted_metrics` on a tweet only when it
ran as an ad (and only to the advertiser's own user context, so a brand sees it for its own posts, rarely for a
customer's); Reddit listings mark ads with `promoted: true` (and `promoted_by`); Mastodon and Bluesky have no ads.
Connectors or webhooks that know set `Post.promoted`. Otherwise the signal is delivery to non-followers: far more
impressions than the author's followers plus the audiences of those who reposted could give. View-bot services sell
that too, though, and their impressions come with next to no likes, reposts, replies or quotes, whereas an ad is
shown to people who interact at a normal (if lower) rate; such a post is called bought views, not promotion. The
rate counts genuine interactions only: likes a farm sold with the views are no viewers interacting.
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
BOUGHT_MAX_RATE = 0.0002
"""Public interactions (likes, reposts, replies, quotes) per impression below which the viewers were not people.

X's own engagement rate (engagements / impressions, clicks and expands included) is about 1-2% on average:
Hootsuite's benchmark puts it at 1.8%, Metricool's 2025 study at 1.58%, and a poll of accounts found a third under
0.5% (theonlineadvertisingguide.com, "Twitter Engagement Rate"); Promoted Tweets averaged 1-5% in their early
campaigns (eMarketer, "Twitter Advertising", 2011). Public interactions are the smaller part of that, so real
viewers, ads included, give roughly 0.1-1%. Bought views come with well under 0.05%; 0.02% (one interaction in
5,000 impressions) stays five times below the lowest real audience."""
BOUGHT_MIN_IMPRESSIONS = 10_000
"""Below this nobody is judged: at the lowest real rate (0.1%) 10k impressions bring ~10 interactions, and two or
fewer happen by chance less than 1% of the time; a smaller post's few interactions say nothing."""


@dataclass(frozen=True)
class Promotion:
    promoted: bool
    source: str
    """"flag" (the platform or connector said so), "signals" (inferred), "bought" (impressions far beyond organic
    with almost no interactions: bought views, not promotion), or "none"."""
    evidence: list[str] = field(default_factory=list)
    bought_impressions: int = 0
    """Impressions organic delivery does not explain, where they look bought: worth nothing to reach or forecast."""


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
           raw: dict[str, Any] | None = None, reposters_audience: int | None = None,
           fake_interactions: int = 0) -> Promotion:
    """Whether the post is promoted, and why we think so.

    A platform flag always wins (an ad is an ad, however few interact); delivery far beyond the author's audience
    is promotion only where people interact with it, else the impressions look bought (`source == "bought"`).
    `fake_interactions` (bought likes, fake accounts' replies) are no people interacting: a view-bot order bundled
    with bought likes would otherwise clear the bar and earn the points paid promotion does."""
    said = _platform_flag(raw or {})
    if said:
        return Promotion(True, "flag", [said])
    if flagged:
        return Promotion(True, "flag", ["marked as promoted by its source"])
    if engagement is None or engagement.impressions is None:
        return Promotion(False, "none")
    spread = reposters_audience if reposters_audience is not None else engagement.reposts * REPOSTER_AUDIENCE
    organic = followers * ORGANIC_VIEW_RATE + spread
    seen = engagement.impressions
    if seen < SIGNAL_MIN_IMPRESSIONS or seen <= SIGNAL_RATIO * organic:
        return Promotion(False, "none")
    reach = (f"{seen:,} impressions from {followers:,} followers and {engagement.reposts:,} reposts "
             f"(about {int(organic):,} organically)")
    fake = min(max(fake_interactions, 0), engagement.interactions)
    genuine = engagement.interactions - fake
    rate = genuine / seen
    if seen >= BOUGHT_MIN_IMPRESSIONS and rate < BOUGHT_MAX_RATE:
        left = f" besides {fake:,} bought or from fake accounts" if fake else ""
        return Promotion(False, "bought", [
            f"{reach}, but only {genuine:,} likes, reposts, replies and quotes{left} ({rate:.3%} of "
            "impressions; people, an ad's viewers included, interact at 0.1% or more)"], seen - int(organic))
    return Promotion(True, "signals", [f"{reach}: delivered to non-followers"])
