"""Mastodon connector against a loopback server speaking the streaming API's SSE and the REST timeline.

The server drops the connection mid-stream, sends a duplicate, an out-of-order status, a malformed event and a
429; posts published while the connector is down must be back-filled after the restart. Every status the server
published ends up in the store exactly once.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import select

from wakeful.api.deps import Desk
from wakeful.ingest.connectors.mastodon import MastodonConnector
from wakeful.store.connectors import ConnectorStateRow
from wakeful.store.models import PostRow, RejectedRecordRow

from tests.connectors.loopback import Request, count, http_server, stored_ids
from tests.factories import T0

MENTION = ('<span class="h-card" translate="no"><a href="https://mastodon.example/@AuroraAirways" '
           'class="u-url mention">@<span>AuroraAirways</span></a></span>')
HASHTAG = ('<a href="https://mastodon.example/tags/flyaurora" class="mention hashtag" rel="tag">'
           '#<span>flyaurora</span></a>')


def status(n: int) -> dict[str, Any]:
    """A Status as an instance serves it: `content` is HTML, with a mention and a hashtag as links."""
    return {
        "id": str(100 + n), "created_at": (T0 + timedelta(minutes=n)).isoformat().replace("+00:00", "Z"),
        "content": f"<p>{MENTION} my bag is lost, flight {n} {HASHTAG}</p>", "language": "en",
        "in_reply_to_id": None, "url": f"https://mastodon.example/@cust{n}/{100 + n}",
        "favourites_count": n, "reblogs_count": 0, "replies_count": 0,
        "account": {"id": str(n), "acct": f"cust{n}@mastodon.example", "display_name": f"Customer {n}",
                    "followers_count": 10 * n, "following_count": 5},
    }


class Instance:
    """What the fake instance has published and what each streaming connection sends."""

    def __init__(self) -> None:
        self.published: list[dict[str, Any]] = []
        self.streams: list[list[str]] = []
        self.rate_limit_once = True
        self.auth: list[str | None] = []


def sse(ev: str, data: str) -> str:
    return f"event: {ev}\ndata: {data}\n\n"


@pytest.fixture
def instance() -> Iterator[tuple[str, Instance]]:
    plat = Instance()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            url = urlparse(self.path)
            q = parse_qs(url.query)
            plat.auth.append(self.headers.get("Authorization"))
            if url.path == "/api/v1/streaming/hashtag":
                assert q["tag"] == ["flyaurora"]
                if plat.rate_limit_once:
                    plat.rate_limit_once = False
                    self.send_response(429)
                    self.send_header("Retry-After", "0")
                    self.end_headers()
                    return
                chunks = plat.streams.pop(0) if plat.streams else []
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                self.wfile.write(b":thump\n\n")
                for c in chunks:
                    self.wfile.write(c.encode())
                    self.wfile.flush()
                return  # the connection closes: a disconnect mid-stream
            if url.path == "/api/v1/timelines/tag/flyaurora":
                min_id = int(q["min_id"][0])
                newer = [s for s in plat.published if int(s["id"]) > min_id]
                page = sorted(newer, key=lambda s: int(s["id"]))[:2]  # small pages: paging must work
                body = json.dumps(list(reversed(page))).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            self.send_response(404)
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", plat
    finally:
        server.shutdown()
        server.server_close()


def test_kill_and_restart_delivers_every_status_exactly_once(desk: Desk, instance: tuple[str, Instance]) -> None:
    base, plat = instance
    plat.published = [status(n) for n in range(1, 11)]
    s = {n: json.dumps(status(n)) for n in range(1, 11)}
    # First connection: 1, 2, a duplicate of 2, 4 before 3 (out of order), a malformed event, then it drops.
    plat.streams.append([sse("update", s[1]), sse("update", s[2]), sse("update", s[2]), sse("update", s[4]),
                         sse("update", s[3]), sse("update", "{not json"), sse("delete", "101"),
                         sse("update", json.dumps({"id": "999"}))])
    sleeps: list[float] = []
    first = MastodonConnector("masto", desk.ingest, base, "secret-token", "#flyaurora")
    first.run(max_connections=2, sleep=sleeps.append)  # a 429 (waits Retry-After), then the stream that drops
    assert sleeps == [0.0]
    assert count(desk, PostRow) == 4
    assert first.health.malformed == 2
    first.http.close()  # the process is gone; 5..8 are published while it is down

    # Restart: a new connector reads the cursor from the store, back-fills 5..10, then streams 9, 10 again and 5.
    plat.streams.append([sse("update", s[9]), sse("update", s[10]), sse("update", s[5])])
    second = MastodonConnector("masto", desk.ingest, base, "secret-token", "flyaurora")
    assert second.cursor == "104"
    second.run(max_connections=1, sleep=sleeps.append)

    with desk.db.session() as sess:
        ids = sorted(sess.scalars(select(PostRow.platform_id).where(PostRow.platform == "mastodon")))
        state = sess.get(ConnectorStateRow, "masto")
        assert state is not None
        assert state.cursor == "110"
        assert state.errors == 1 and state.last_error is not None and "secret-token" not in state.last_error
    assert ids == [str(100 + n) for n in range(1, 11)]
    assert count(desk, RejectedRecordRow) == 2
    with desk.db.session() as sess:
        first = sess.scalars(select(PostRow).where(PostRow.platform_id == "101")).one()
    assert (first.text, first.brands) == ("@AuroraAirways my bag is lost, flight 1 #flyaurora", ["aurora"])
    assert first.raw["content"] == status(1)["content"]  # the HTML as received
    assert set(plat.auth) == {"Bearer secret-token"}


def notification(n: int, kind: str = "mention") -> dict[str, Any]:
    return {"id": str(5000 + n), "type": kind, "created_at": status(n)["created_at"], "account": status(n)["account"],
            **({"status": status(n)} if kind == "mention" else {})}


def test_mentions_of_the_brand_account_stream_and_backfill(desk: Desk) -> None:
    notes = [notification(1), notification(2, "follow"), notification(3), notification(4, "favourite"),
             notification(5)]
    streams = [[notes[0], notes[1], notes[0], notes[2]], [notes[4]]]
    seen: list[Request] = []

    def route(req: Request) -> tuple[int, Any, dict[str, str]]:
        if req.path == "/api/v1/streaming/user/notification":
            body = "".join(sse("notification", json.dumps(n)) for n in streams.pop(0))
            return 200, (":thump\n\n" + body + sse("update", json.dumps(status(9)))).encode(), {}
        if req.path == "/api/v1/notifications":
            assert req.query["types[]"] == "mention"
            newer = [n for n in notes if int(n["id"]) > int(req.query["min_id"])]
            return 200, list(reversed(newer)), {}
        return 404, {"error": "not found"}, {}

    with http_server(route, seen) as base:
        first = MastodonConnector("masto-mentions", desk.ingest, base, "brand-token", None, mentions=True)
        first.run(max_connections=1)
        assert stored_ids(desk, "mastodon") == ["101", "103"]
        second = MastodonConnector("masto-mentions", desk.ingest, base, "brand-token", None, mentions=True)
        assert second.cursor == "5003"
        second.run(max_connections=1)  # back-fills 5004 (not a mention) and 5005, then streams 5005 again

    assert stored_ids(desk, "mastodon") == ["101", "103", "105"]
    assert {r.headers["Authorization"] for r in seen} == {"Bearer brand-token"}
    with desk.db.session() as s:
        state = s.get(ConnectorStateRow, "masto-mentions")
        assert state is not None and state.cursor == "5005"
