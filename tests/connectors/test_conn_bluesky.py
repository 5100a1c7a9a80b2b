"""Bluesky connector against a loopback Jetstream (WebSocket, JSON commit events) and a loopback AppView (XRPC).

The Jetstream answers the first handshake with 429, then sends brand posts among firehose noise (other people's
posts, likes, identity events), a duplicate, an event out of order, malformed messages, and drops the TCP
connection without a close frame. Posts published while the connector is down come back when the restarted one
subscribes with its stored cursor. Every brand post the server published is stored exactly once.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import select
from websockets.datastructures import Headers
from websockets.http11 import Request as WsRequest
from websockets.http11 import Response as WsResponse
from websockets.sync.server import ServerConnection, serve

from wakeful.api.deps import Desk
from wakeful.ingest.connectors.bluesky import REWIND_US, BlueskyConnector
from wakeful.store.connectors import ConnectorStateRow
from wakeful.store.models import AuthorRow, RejectedRecordRow

from tests.connectors.loopback import Request, count, http_server, stored_ids
from tests.desk_fixtures import BRANDS
from tests.factories import T0

BRAND_DID = "did:plc:auroraairways0000000000"
T0_US = int(T0.timestamp() * 1_000_000)


def did(n: int) -> str:
    return f"did:plc:customer{n:016d}"


def post_event(n: int, text: str | None = None, facets: list[Any] | None = None, author: int | None = None,
               ) -> dict[str, Any]:
    """A Jetstream commit event creating app.bsky.feed.post, as Jetstream sends it."""
    record: dict[str, Any] = {
        "$type": "app.bsky.feed.post", "createdAt": (T0 + timedelta(seconds=10 * n)).isoformat(),
        "langs": ["en"], "text": text if text is not None else f"lost my bag on flight {n} #flyaurora",
    }
    if facets is not None:
        record["facets"] = facets
    return {"did": did(n if author is None else author), "time_us": T0_US + n * 10_000_000, "kind": "commit",
            "commit": {"rev": f"3l3qo2vutsw{n:02d}", "operation": "create", "collection": "app.bsky.feed.post",
                       "rkey": f"3l3qo2vuowo{n:02d}", "record": record, "cid": f"bafyreib{n:04d}"}}


def brand_posts() -> dict[int, dict[str, Any]]:
    posts = {n: post_event(n) for n in range(1, 11)}
    # 2 names the brand only through a mention facet pointing at the brand account's DID.
    posts[2] = post_event(2, text="@help why is nobody answering?", facets=[
        {"index": {"byteStart": 0, "byteEnd": 5},
         "features": [{"$type": "app.bsky.richtext.facet#mention", "did": BRAND_DID}]}])
    return posts


def noise(n: int) -> list[dict[str, Any]]:
    t = T0_US + n * 10_000_000 + 1
    return [post_event(n, text="nice weather today", author=900 + n) | {"time_us": t},
            {"did": did(901), "time_us": t + 1, "kind": "commit",
             "commit": {"rev": "x", "operation": "create", "collection": "app.bsky.feed.like", "rkey": "k",
                        "record": {"subject": {"uri": "at://x/app.bsky.feed.post/y"}}}},
            {"did": did(902), "time_us": t + 2, "kind": "identity",
             "identity": {"did": did(902), "handle": "someone.bsky.social", "seq": 1, "time": "2026-01-01"}}]


class Jetstream:
    """The network's event log, the script of each connection, and the cursors clients asked for."""

    def __init__(self) -> None:
        self.log: list[dict[str, Any]] = []
        self.scripts: list[list[str | None]] = []
        self.cursors: list[str | None] = []
        self.rate_limit_once = True


@pytest.fixture
def jetstream() -> Iterator[tuple[str, Jetstream]]:
    js = Jetstream()

    def process_request(conn: ServerConnection, req: WsRequest) -> WsResponse | None:
        if js.rate_limit_once:
            js.rate_limit_once = False
            return WsResponse(429, "Too Many Requests", Headers({"Retry-After": "0"}), b"slow down")
        return None

    def handler(conn: ServerConnection) -> None:
        q = parse_qs(urlparse(conn.request.path if conn.request else "").query)
        assert q["wantedCollections"] == ["app.bsky.feed.post"]
        cursor = q.get("cursor", [None])[0]
        js.cursors.append(cursor)
        if cursor is not None:  # replay from the cursor, as Jetstream does, then close cleanly
            for e in sorted(js.log, key=lambda e: int(e["time_us"])):
                if int(e["time_us"]) >= int(cursor):
                    conn.send(json.dumps(e))
            return
        for message in js.scripts.pop(0):
            if message is None:  # the network drops: no close frame
                conn.socket.shutdown(socket.SHUT_RDWR)
                return
            conn.send(message)

    with serve(handler, "127.0.0.1", 0, process_request=process_request) as server:
        t = threading.Thread(target=server.serve_forever, daemon=True)
        t.start()
        yield f"ws://127.0.0.1:{server.socket.getsockname()[1]}", js
        server.shutdown()


def appview_route(req: Request) -> tuple[int, Any, dict[str, str]]:
    if req.path == "/xrpc/com.atproto.identity.resolveHandle":
        assert req.query["handle"] == "auroraairways.bsky.social"
        return 200, {"did": BRAND_DID}, {}
    if req.path == "/xrpc/app.bsky.actor.getProfile":
        actor = req.query["actor"]
        n = int(actor[-4:])
        if n == 7:
            return 400, {"error": "InvalidRequest", "message": "Profile not found"}, {}
        return 200, {"did": actor, "handle": f"cust{n}.bsky.social", "displayName": f"Customer {n}",
                     "followersCount": 1000 * n, "followsCount": 50, "postsCount": 3,
                     "createdAt": "2024-01-01T00:00:00.000Z"}, {}
    return 404, {"error": "MethodNotImplemented", "message": req.path}, {}


def test_kill_and_restart_stores_every_brand_post_once(desk: Desk, jetstream: tuple[str, Jetstream]) -> None:
    url, js = jetstream
    p = brand_posts()
    js.log = [e for n in range(1, 11) for e in [p[n], *noise(n)]]
    dumps = {n: json.dumps(e) for n, e in p.items()}
    malformed_commit = post_event(11) | {"commit": {"operation": "create", "collection": "app.bsky.feed.post",
                                                    "record": {"text": "#flyaurora lost bag"}}}  # no rkey
    js.scripts.append([dumps[1], *map(json.dumps, noise(1)), dumps[2], dumps[2], dumps[4], dumps[3],
                       "{not json", json.dumps(malformed_commit), None])
    with http_server(appview_route) as appview:
        sleeps: list[float] = []
        first = BlueskyConnector("bsky", desk.ingest, BRANDS, url, appview, ["auroraairways.bsky.social"])
        first.run(max_connections=2, sleep=sleeps.append)  # 429 (Retry-After: 0), then the stream that drops
        assert sleeps[0] == 0.0 and len(sleeps) == 2
        assert stored_ids(desk, "bluesky") == sorted(f"at://{did(n)}/app.bsky.feed.post/3l3qo2vuowo{n:02d}"
                                                     for n in (1, 2, 3, 4))
        assert first.health.malformed == 2

        second = BlueskyConnector("bsky", desk.ingest, BRANDS, url, appview, ["auroraairways.bsky.social"])
        assert second.cursor == str(p[4]["time_us"])
        second.run(max_connections=1, sleep=sleeps.append)  # replays 4..10 (and noise), closes cleanly

    assert js.cursors == [None, str(p[4]["time_us"] - REWIND_US)]
    assert stored_ids(desk, "bluesky") == sorted(f"at://{did(n)}/app.bsky.feed.post/3l3qo2vuowo{n:02d}"
                                                 for n in range(1, 11))
    assert count(desk, RejectedRecordRow) == 2
    with desk.db.session() as s:
        state = s.get(ConnectorStateRow, "bsky")
        assert state is not None and state.cursor == str(js.log[-1]["time_us"]) and state.errors == 2
        authors = {a.platform_id: a for a in s.scalars(select(AuthorRow).where(AuthorRow.platform == "bluesky"))}
    assert authors[did(5)].handle == "cust5.bsky.social" and authors[did(5)].followers == 5000
    assert authors[did(7)].handle == did(7)  # the profile look-up failed: the post is kept all the same
    assert did(905) not in authors  # firehose noise never reaches the store
