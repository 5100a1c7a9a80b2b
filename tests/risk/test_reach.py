"""A post's reach at ingest: the author's followers or its impressions, the larger, with X's 0 impressions beside
likes (a count X has not filled in yet) read as unknown, as the risk series reads it, not as nobody seeing it."""

from __future__ import annotations

from datetime import UTC, datetime

from wakeful.core.models import Engagement
from wakeful.risk.reach import FOLLOWER_VIEW_RATE, IMPRESSIONS_PER_INTERACTION, audience, estimated_impressions

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_impressions_counted_by_the_platform_are_taken_as_they_are() -> None:
    seen = Engagement(observed_at=AT, likes=40, reposts=2, impressions=9_000)
    assert estimated_impressions(100, seen) == (9_000, True)
    assert audience(100, seen) == 9_000
    assert audience(20_000, seen) == 20_000


def test_a_pending_zero_beside_likes_is_estimated_not_read_as_nobody() -> None:
    pending = Engagement(observed_at=AT, likes=400, reposts=100, impressions=0)
    expected = int(100 * FOLLOWER_VIEW_RATE) + 500 * IMPRESSIONS_PER_INTERACTION
    assert estimated_impressions(100, pending) == (expected, False)
    assert audience(100, pending) == expected > 100


def test_a_zero_with_no_interactions_is_a_real_zero() -> None:
    unseen = Engagement(observed_at=AT, impressions=0)
    assert estimated_impressions(100, unseen) == (0, True)
    assert audience(100, unseen) == 100
