"""Rate limits, auth failures and odd authors on Mastodon, Reddit and Bluesky, against loopback servers speaking
each platform's wire format: every wait is read from the platform's own headers on the desk's clock."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from websockets.datastructures import Headers
from websockets.http11 import Request as WsRequest
from websockets.http11 import Response as WsResponse

from wakeful.api.deps import Desk
from wakeful.core.clock import FixedClock
from wakeful.ingest.connectors.base import rate_limit_wait
from wakeful.ingest.connectors.bluesky import BlueskyConnector, Profiles
from wakeful.ingest.connectors.mastodon import MastodonConnector
from wakeful.ingest.connectors.reddit import RedditAuth, RedditConnector, RedditReplySender
from wakeful.ingest.connectors.replies import Outgoing, SendError
from wakeful.store.models import PostRow

from tests.connectors.conftest import StartJetstream
from tests.connectors.loopback import Request, http_server, stored_ids
from tests.connectors.test_conn_mastodon import status
from tests.connectors.test_conn_reddit import comment
from tests.desk_fixtures import BRANDS


def test_each_platforms_reset_header_is_read_as_documented(clock: FixedClock) -> None:
    now = clock.now()
    assert rate_limit_wait({"x-rate-limit-reset": str(int(now.timestamp()) + 90)}, now) == 90  # X: Unix time
    assert rate_limit_wait({"ratelimit-reset": str(int(now.timestamp()) + 45)}, now) == 45  # Bluesky: Unix time
    assert rate_limit_wait({"X-Ratelimit-Reset": "420"}, now) == 420  # Reddit: seconds left in the period
    iso = (now + timedelta(seconds=30)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    assert rate_limit_wait({"X-RateLimit-Reset": iso}, now) == 30  # Mastodon: ISO 8601


def test_a_mastodon_backfill_429_waits_for_the_reset_and_resumes(desk: Desk, clock: FixedClock) -> None:
    published = [status(n) for n in range(1, 7)]
    calls: list[str] = []

    def route(req: Request) -> tuple[int, Any, dict[str, str]]:
        if req.path == "/api/v1/timelines/tag/flyaurora":
            calls.append(req.query["min_id"])
            if len(calls) == 2:
                reset = (clock.now() + timedelta(seconds=30)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
                return 429, {"error": "Too many requests"}, {"X-RateLimit-Limit": "300",
                                                            "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}
            newer = sorted((s for s in published if int(s["id"]) > int(req.query["min_id"])), key=lambda s: s["id"])
            return 200, list(reversed(newer[:2])), {}
        return 200, b":thump\n\n", {}  # the stream, which closes at once

    sleeps: list[float] = []
    with http_server(route) as base:
        conn = MastodonConnector("masto", desk.ingest, base, None, "flyaurora")
        conn.deliver([], "100")
        conn.cursor = "100"
        conn.run(max_connections=2, sleep=sleeps.append)
    assert sleeps == [30.0]
    assert calls == ["100", "102", "102", "104", "106"]
    assert stored_ids(desk, "mastodon") == [str(100 + n) for n in range(1, 7)]


def test_a_revoked_mastodon_token_is_named_in_one_line(desk: Desk) -> None:
    def route(req: Request) -> tuple[int, Any, dict[str, str]]:
        return 401, {"error": "The access token is invalid"}, {}

    with http_server(route) as base:
        conn = MastodonConnector("masto-mentions", desk.ingest, base, "old-token", None, mentions=True)
        conn.run(max_connections=1, sleep=lambda s: None)
    assert conn.health.last_error == (
        "credentials rejected by Mastodon: fix connectors.mastodon.access_token "
        "(WAKEFUL_CONNECTORS__MASTODON__ACCESS_TOKEN) and restart. Mastodon said HTTP 401 on GET "
        "/api/v1/streaming/user/notification: The access token is invalid")


def test_a_reddit_reply_429_waits_the_seconds_reddit_names(desk: Desk) -> None:
    def route(req: Request) -> tuple[int, Any, dict[str, str]]:
        if req.path == "/api/v1/access_token":
            return 200, {"access_token": "tok", "token_type": "bearer", "expires_in": 86400, "scope": "*"}, {}
        return 429, {"message": "Too Many Requests", "error": 429}, {
            "X-Ratelimit-Used": "600", "X-Ratelimit-Remaining": "0.0", "X-Ratelimit-Reset": "420"}

    with http_server(route) as base:
        sender = RedditReplySender(RedditAuth(base, "app", "secret", "wakeful-test/1.0", "brand", "pw"), base)
        with pytest.raises(SendError) as raised:
            sender.send(Outgoing(id=1, platform="reddit", text="Sorry!", in_reply_to="t1_kc01"))
    assert raised.value.wait == 420 and not raised.value.permanent


def test_deleted_reddit_accounts_are_not_one_author(desk: Desk) -> None:
    things = [comment(1), comment(2)]
    for t in things:
        t["data"] |= {"author": "[deleted]"}
        del t["data"]["author_fullname"]

    def route(req: Request) -> tuple[int, Any, dict[str, str]]:
        if req.path == "/api/v1/access_token":
            return 200, {"access_token": "tok", "token_type": "bearer", "expires_in": 86400, "scope": "*"}, {}
        children = things if req.path.endswith("/comments") else []
        return 200, {"kind": "Listing", "data": {"after": None, "before": None, "children": children}}, {}

    with http_server(route) as base:
        conn = RedditConnector("reddit", desk.ingest, RedditAuth(base, "app", "secret", "wakeful-test/1.0"),
                               ["flyaurora"], [], oauth_url=base, poll_interval_s=0.0, sleep=lambda s: None)
        conn.run(max_connections=1)
    with desk.db.session() as s:
        authors = list(s.scalars(select(PostRow.author_id).where(PostRow.platform == "reddit")))
    assert len(authors) == 2 and len(set(authors)) == 2


def test_a_jetstream_429_waits_until_ratelimit_reset(desk: Desk, clock: FixedClock, jetstream: StartJetstream
                                                     ) -> None:
    def once(req: WsRequest) -> WsResponse | None:
        """Refuse the first handshake with Bluesky's rate-limit headers, then accept (and close at once)."""
        if len(handshakes) > 1:  # the list holds this handshake too
            return None
        reset = str(int(clock.now().timestamp()) + 45)
        return WsResponse(429, "Too Many Requests", Headers({"ratelimit-limit": "3000", "ratelimit-remaining": "0",
                                                             "ratelimit-reset": reset,
                                                             "ratelimit-policy": "3000;w=300"}), b"")

    handshakes: list[WsRequest] = []
    url = jetstream(once, handshakes)
    sleeps: list[float] = []
    with http_server(lambda req: (404, {"error": "MethodNotImplemented"}, {})) as appview:
        conn = BlueskyConnector("bsky", desk.ingest, BRANDS, url, appview)
        conn.run(max_connections=2, sleep=sleeps.append)
    assert sleeps == [45.0] and len(handshakes) == 2
    assert conn.health.errors == 1 and conn.health.last_error == "rate limited for 45s"


def test_a_rate_limited_appview_is_left_alone_until_its_reset(clock: FixedClock) -> None:
    seen: list[Request] = []

    def route(req: Request) -> tuple[int, Any, dict[str, str]]:
        if len(seen) == 1:
            reset = str(int(clock.now().timestamp()) + 60)
            return 429, {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"}, {
                "ratelimit-limit": "3000", "ratelimit-remaining": "0", "ratelimit-reset": reset}
        actor = req.query["actor"]
        return 200, {"did": actor, "handle": f"{actor[-4:]}.bsky.social", "followersCount": 7}, {}

    with http_server(route, seen) as appview:
        profiles = Profiles(appview, now=clock.now)
        assert profiles.author("did:plc:aaaa0001").handle == "did:plc:aaaa0001"
        assert profiles.author("did:plc:aaaa0002").handle == "did:plc:aaaa0002"  # no call while limited
        assert len(seen) == 1
        clock.advance(timedelta(seconds=61))
        assert profiles.author("did:plc:aaaa0003").handle == "0003.bsky.social"
    assert [json.dumps(r.query) for r in seen][1:] == [json.dumps({"actor": "did:plc:aaaa0003"})]
