"""Replies an agent sends on a case go out through the platform, as the platform receives them.

One loopback server plays X, Mastodon, a Bluesky PDS and Reddit. Customer posts come in through each connector's
own payload mapping; agents reply through the API; the dispatcher sends. The test asserts the requests the
platforms got, a 503 that is retried with the same idempotency key, a 403 that fails with the platform's reason,
and a platform with no connector recorded as not sent. Nothing an agent wrote is lost.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from wakeful.api.deps import Desk
from wakeful.core.clock import FixedClock
from wakeful.core.models import Author, Platform, Post
from wakeful.desk import service
from wakeful.ingest.connectors.bluesky import BlueskyReplySender, event_to_post
from wakeful.ingest.connectors.mastodon import MastodonReplySender, status_to_post
from wakeful.ingest.connectors.reddit import RedditAuth, RedditReplySender, thing_to_post
from wakeful.ingest.connectors.replies import Outgoing, ReplyDispatcher
from wakeful.ingest.connectors.x import XReplySender, tweet_to_post
from wakeful.store.connectors import OutboundReplyRow
from wakeful.store.models import CasePostRow, CaseRow, PostRow

from tests.connectors.loopback import Request, http_server
from tests.connectors.test_conn_bluesky import post_event
from tests.connectors.test_conn_mastodon import status
from tests.connectors.test_conn_reddit import submission
from tests.connectors.test_conn_x import tweet
from tests.desk_fixtures import Headers
from tests.factories import make_post

BRAND_DID = "did:plc:auroraairways0000000000"


def jwt(exp: int) -> str:
    part = base64.urlsafe_b64encode(json.dumps({"exp": exp, "sub": BRAND_DID}).encode()).decode().rstrip("=")
    return f"eyJhbGciOiJIUzI1NiJ9.{part}.c2ln"


class Platforms:
    def __init__(self) -> None:
        self.seen: list[Request] = []
        self.mastodon_down = 1  # answers 503 this many times

    def route(self, req: Request) -> tuple[int, Any, dict[str, str]]:
        if req.path == "/2/tweets":
            if req.json()["reply"]["in_reply_to_tweet_id"] == "1002":
                return 403, {"title": "Forbidden", "detail": "You are not permitted to reply to this conversation"}, {}
            return 201, {"data": {"id": "1900", "text": req.json()["text"]}}, {}
        if req.path == "/api/v1/statuses":
            if self.mastodon_down:
                self.mastodon_down -= 1
                return 503, {"error": "Service Unavailable"}, {}
            return 200, {"id": "555", "content": req.json()["status"]}, {}
        if req.path == "/xrpc/com.atproto.server.createSession":
            return 200, {"did": BRAND_DID, "handle": "auroraairways.bsky.social", "active": True,
                         "accessJwt": jwt(4_000_000_000), "refreshJwt": jwt(4_100_000_000)}, {}
        if req.path == "/xrpc/app.bsky.actor.getProfile":
            return 200, {"did": BRAND_DID, "handle": "auroraairways.bsky.social"}, {}
        if req.path == "/xrpc/com.atproto.repo.createRecord":
            return 200, {"uri": f"at://{BRAND_DID}/app.bsky.feed.post/3reply", "cid": "bafyreply"}, {}
        if req.path == "/api/v1/access_token":
            return 200, {"access_token": "user-tok", "token_type": "bearer", "expires_in": 3600}, {}
        if req.path == "/api/comment":
            return 200, {"json": {"errors": [], "data": {"things": [{"kind": "t1", "data": {"name": "t1_rep"}}]}}}, {}
        return 404, {"error": req.path}, {}

    def requests(self, path: str) -> list[Request]:
        return [r for r in self.seen if r.path == path]


def customer_posts(now: datetime) -> list[Post]:
    """A post from each platform, its counters read at `now` (the desk's clock: later ones are refused)."""
    bsky = post_event(1, text="Aurora Airways lost my bag, flight AU12, nobody answers")
    bsky["commit"]["record"]["reply"] = {"root": {"uri": "at://did:plc:root/app.bsky.feed.post/r", "cid": "bafyroot"},
                                         "parent": {"uri": "at://did:plc:root/app.bsky.feed.post/r",
                                                    "cid": "bafyroot"}}
    users = {str(n): {"id": str(n), "username": f"cust{n}"} for n in (1, 2)}
    return [
        tweet_to_post(tweet(1), users, observed_at=now), tweet_to_post(tweet(2), users, observed_at=now),
        status_to_post(status(1) | {"visibility": "unlisted"}, now),
        event_to_post(bsky, Author(id="did:plc:customer0000000000000001", handle="c1.bsky.social")),
        thing_to_post(submission(1), now=now),
        make_post("hook-1", "@AuroraAirways lost my bag again, nobody answers", platform=Platform.DEMO),
    ]


def case_of(desk: Desk, platform: str, post_id: str) -> int:
    with desk.db.session() as s:
        return int(s.scalars(select(CasePostRow.case_id).join(PostRow, PostRow.id == CasePostRow.post_id).where(
            PostRow.platform == platform, PostRow.platform_id == post_id)).one())


def test_replies_go_out_through_each_platform(desk: Desk, client: TestClient, auth: Headers,
                                               clock: FixedClock) -> None:
    posts = customer_posts(clock.now())
    desk.ingest.ingest(posts)
    fake = Platforms()
    with http_server(fake.route, fake.seen) as base:
        reddit_auth = RedditAuth(base, "app", "app-secret", "wakeful-test/1.0", "AuroraAirways", "pw")
        dispatcher = ReplyDispatcher(desk.db, desk.clock, {
            "x": XReplySender("brand-user-token", base), "mastodon": MastodonReplySender(base, "masto-token"),
            "bluesky": BlueskyReplySender(base, "auroraairways.bsky.social", "app-pass"),
            "reddit": RedditReplySender(reddit_auth, base)})
        cases = {p.key: case_of(desk, p.platform.value, p.id) for p in posts}
        for (platform, _pid), case_id in cases.items():
            r = client.post(f"/api/v1/cases/{case_id}/replies", headers=auth("ana", "aurora"),
                            json={"text": f"Sorry about that, we are on it ({platform})"})
            assert r.status_code == 201, r.text
        first = dispatcher.dispatch()
        assert (first.sent, first.retrying, first.failed, first.not_sent) == (3, 1, 1, 1)
        assert dispatcher.dispatch().sent == 0  # the Mastodon retry is not due yet
        clock.advance(timedelta(seconds=31))
        assert dispatcher.dispatch().sent == 1

    [x_ok, _refused] = sorted(fake.requests("/2/tweets"), key=lambda r: r.json()["reply"]["in_reply_to_tweet_id"])
    assert x_ok.json() == {"text": "Sorry about that, we are on it (x)", "reply": {"in_reply_to_tweet_id": "1001"}}
    assert x_ok.headers["Authorization"] == "Bearer brand-user-token"
    m1, m2 = fake.requests("/api/v1/statuses")
    assert m1.json() == m2.json() == {"status": "@cust1@mastodon.example Sorry about that, we are on it (mastodon)",
                                      "in_reply_to_id": "101", "visibility": "unlisted"}
    assert m1.headers["Idempotency-Key"] == m2.headers["Idempotency-Key"]
    [record] = fake.requests("/xrpc/com.atproto.repo.createRecord")
    body = record.json()
    assert body["repo"] == BRAND_DID and body["collection"] == "app.bsky.feed.post"
    ref = "com.atproto.repo.strongRef"
    assert body["record"]["reply"] == {
        "$type": "app.bsky.feed.post#replyRef",
        "parent": {"$type": ref, "uri": "at://did:plc:customer0000000000000001/app.bsky.feed.post/3l3qo2vuowo01",
                   "cid": "bafyreib0001"},
        "root": {"$type": ref, "uri": "at://did:plc:root/app.bsky.feed.post/r", "cid": "bafyroot"}}
    assert body["record"]["text"] == "Sorry about that, we are on it (bluesky)"
    [comment] = fake.requests("/api/comment")
    assert comment.form() == {"thing_id": "t3_1ab01", "text": "Sorry about that, we are on it (reddit)",
                              "api_type": "json"}
    assert comment.headers["Authorization"] == "bearer user-tok"

    with desk.db.session() as s:
        rows = {(r.platform, r.in_reply_to): r for r in s.scalars(select(OutboundReplyRow))}
    assert {k: r.state for k, r in rows.items()} == {
        ("x", "1001"): "sent", ("x", "1002"): "failed", ("mastodon", "101"): "sent",
        ("bluesky", posts[3].id): "sent", ("reddit", "t3_1ab01"): "sent", ("demo", "hook-1"): "not_sent"}
    assert rows[("x", "1002")].last_error is not None and "not permitted" in rows[("x", "1002")].last_error
    assert rows[("mastodon", "101")].attempts == 2 and rows[("bluesky", posts[3].id)].platform_reply_id == (
        f"at://{BRAND_DID}/app.bsky.feed.post/3reply")

    timeline = client.get(f"/api/v1/cases/{cases[('demo', 'hook-1')]}", headers=auth("ana", "aurora")).json()
    [reply] = [i for i in timeline["timeline"] if i["kind"] == "reply"]
    assert reply["data"]["delivery"] == "not sent: no connector for demo"
    refused = client.get(f"/api/v1/cases/{cases[('x', '1002')]}", headers=auth("ana", "aurora")).json()
    [reply] = [i for i in refused["timeline"] if i["kind"] == "reply"]
    assert reply["data"]["delivery"].startswith("failed after 1 attempt(s): HTTP 403")


class Garbled:
    """A platform that posted the reply but answered with something unreadable."""

    def send(self, reply: Outgoing) -> str:
        raise KeyError("data")


def test_a_reply_that_may_be_public_is_never_sent_twice(desk: Desk, clock: FixedClock) -> None:
    desk.ingest.ingest([make_post("t1", "@AuroraAirways my bag is lost"),
                        make_post("t2", "@AuroraAirways my bag is lost too", author="bob")])
    with desk.db.session() as s:
        for case in s.scalars(select(CaseRow).order_by(CaseRow.id)):
            service.add_reply(s, case, "We are on it", "ana", clock.now())
    with desk.db.session() as s:  # a dispatcher claimed t2's reply and died mid-call
        s.execute(update(OutboundReplyRow).where(OutboundReplyRow.in_reply_to == "t2").values(state="sending"))
    dispatcher = ReplyDispatcher(desk.db, desk.clock, {"x": Garbled()})
    assert dispatcher.dispatch().failed == 1
    clock.advance(timedelta(minutes=11))
    dispatcher.dispatch()
    dispatcher.dispatch()
    with desk.db.session() as s:
        rows = {r.in_reply_to: r for r in s.scalars(select(OutboundReplyRow))}
    assert rows["t1"].state == rows["t2"].state == "unknown"
    assert rows["t1"].attempts == 1 and "KeyError" in (rows["t1"].last_error or "")
    assert "stopped mid-call" in (rows["t2"].last_error or "")
