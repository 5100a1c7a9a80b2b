"""Connectors' normalisation against platforms' clocks and numbers: a platform's clock a second ahead of ours loses
no post, a Bluesky client's future createdAt is taken as when the network saw it, and a count or time no real post
has is reported as a malformed event while the rest of the delivery is stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from wakeful.api.deps import Desk
from wakeful.core.clock import FixedClock
from wakeful.core.models import Author, Platform
from wakeful.ingest.connectors.base import ConnectorBase
from wakeful.ingest.connectors.bluesky import event_to_post
from wakeful.ingest.connectors.mastodon import status_to_post
from wakeful.ingest.connectors.reddit import thing_to_post
from wakeful.ingest.connectors.x import tweet_to_post
from wakeful.store.connectors import ConnectorStateRow
from wakeful.store.models import PostRow, RejectedRecordRow

from tests.factories import T0, make_post


def _iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


def status(created: datetime, followers: int = 10) -> dict[str, Any]:
    return {"id": "1", "created_at": _iso(created), "content": "lost my bag #flyaurora",
            "account": {"id": "9", "acct": "mira", "followers_count": followers}}


def test_a_platform_clock_ahead_of_ours_does_not_lose_the_post() -> None:
    """The counters are read now, but never before the post was made: else the post would be refused."""
    ahead = datetime.now(UTC) + timedelta(seconds=5)
    mastodon = status_to_post(status(ahead))
    reddit = thing_to_post({"kind": "t3", "data": {"name": "t3_a", "title": "lost bag", "created_utc":
                                                   ahead.timestamp(), "author": "mira"}})
    tweet = {"id": "5", "text": "@AuroraAirways lost bag", "author_id": "9", "created_at": _iso(ahead)}
    x_now, x_refresh = tweet_to_post(tweet, {}), tweet_to_post(tweet, {}, observed_at=ahead - timedelta(seconds=3))
    for post in (mastodon, reddit, x_now, x_refresh):
        assert post.engagement is not None and post.engagement.observed_at >= post.created_at, post.platform


def test_a_bluesky_post_claiming_a_later_time_than_the_network_saw_is_dated_when_it_was_seen() -> None:
    seen = T0
    event = {"did": "did:plc:c1", "time_us": int(seen.timestamp() * 1_000_000), "kind": "commit",
             "commit": {"rkey": "r1", "operation": "create", "collection": "app.bsky.feed.post",
                        "record": {"text": "lost bag #flyaurora", "createdAt": "2031-01-01T00:00:00Z"}}}
    post = event_to_post(event, Author(id="did:plc:c1", handle="c1"))
    assert post.created_at == seen and post.raw["commit"]["record"]["createdAt"] == "2031-01-01T00:00:00Z"
    backdated = {**event, "commit": {**event["commit"], "record": {"text": "x", "createdAt": "2019-05-01T00:00:00Z"}}}
    assert event_to_post(backdated, Author(id="did:plc:c1", handle="c1")).created_at == datetime(2019, 5, 1, tzinfo=UTC)


def test_a_count_beyond_any_real_one_is_not_a_post() -> None:
    """The connectors catch this ValidationError and report the event as malformed, then go on."""
    with pytest.raises(ValidationError, match=r"Author\s+followers\s+Input should be less than or equal to"):
        status_to_post(status(T0, followers=2**63))


class _Connector(ConnectorBase):
    platform = Platform.X


def test_a_delivery_keeps_its_good_posts_and_counts_the_refused_ones(desk: Desk, clock: FixedClock) -> None:
    conn = _Connector("x-test", desk.ingest)
    future = make_post("f1", "@AuroraAirways lost my bag", author="bob", at=clock.now() + timedelta(days=2))
    conn.deliver([make_post("g1", "@AuroraAirways lost my bag"), future], cursor="42")
    assert (conn.health.delivered, conn.health.malformed) == (1, 1)
    assert conn.health.last_event_at == T0  # the stored post's, not the refused one's
    with desk.db.session() as s:
        assert s.scalars(select(PostRow.platform_id)).all() == ["g1"]
        assert s.scalars(select(RejectedRecordRow.source)).all() == ["connector:x-test"]
        state = s.get(ConnectorStateRow, "x-test")
        assert state is not None and state.cursor == "42"
