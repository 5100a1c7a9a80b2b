"""X connector against a loopback server speaking v2's chunked filtered stream, rules and recent search.

The stream drops mid-chunk (no terminating chunk), repeats a tweet, sends one out of order, a malformed line and a
payload without `data`, and the first call is a 429 with x-rate-limit-reset. After a restart the connector
back-fills from its stored since-id; every tweet the server published is stored exactly once.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import select

from wakeful.api.deps import Desk
from wakeful.ingest.connectors.x import XConnector, brand_rule
from wakeful.store.connectors import ConnectorStateRow
from wakeful.store.models import PostRow

from tests.desk_fixtures import BRANDS
from tests.factories import T0


def tweet(n: int) -> dict[str, Any]:
    return {"id": str(1000 + n), "text": f"@AuroraAirways lost my bag on flight {n}", "author_id": str(n),
            "created_at": (T0 + timedelta(minutes=n)).isoformat().replace("+00:00", "Z"), "lang": "en",
            "conversation_id": str(1000 + n), "public_metrics": {"like_count": n, "retweet_count": 0,
                                                                 "reply_count": 0, "quote_count": 0}}


def line(n: int) -> str:
    user = {"id": str(n), "username": f"cust{n}", "name": f"C {n}", "public_metrics": {"followers_count": n}}
    return json.dumps({"data": tweet(n), "includes": {"users": [user]},
                       "matching_rules": [{"id": "1", "tag": "aurora"}]})


class FakeX:
    def __init__(self) -> None:
        self.published: list[int] = []
        self.streams: list[list[str]] = []
        self.rules: list[dict[str, str]] = []
        self.rate_limited = True


@pytest.fixture
def xapi() -> Iterator[tuple[str, FakeX]]:
    fake = FakeX()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def _json(self, body: Any, code: int = 200, headers: dict[str, str] | None = None) -> None:
            data = json.dumps(body).encode()
            self.send_response(code)
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            for i, r in enumerate(body.get("add", [])):
                fake.rules.append({"id": str(len(fake.rules) + i + 1), **r})
            self._json({"meta": {"sent": "now"}})

        def do_GET(self) -> None:
            assert self.headers["Authorization"] == "Bearer x-secret"
            url = urlparse(self.path)
            q = parse_qs(url.query)
            if url.path == "/2/tweets/search/stream/rules":
                self._json({"data": fake.rules} if fake.rules else {"meta": {"result_count": 0}})
            elif url.path == "/2/tweets/search/recent":
                since = int(q["since_id"][0])
                newer = sorted(n for n in fake.published if 1000 + n > since)
                start = int(q.get("next_token", ["0"])[0])
                page = newer[start:start + 2]
                meta: dict[str, Any] = {"result_count": len(page)}
                if start + 2 < len(newer):
                    meta["next_token"] = str(start + 2)
                users = [{"id": str(n), "username": f"cust{n}"} for n in page]
                self._json({"data": [tweet(n) for n in reversed(page)], "includes": {"users": users},
                            "meta": meta} if page else {"meta": meta})
            elif url.path == "/2/tweets/search/stream":
                if fake.rate_limited:
                    fake.rate_limited = False
                    self._json({"title": "Too Many Requests"}, 429, {"x-rate-limit-reset": "0"})
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for chunk in (fake.streams.pop(0) if fake.streams else []):
                    data = (chunk + "\r\n").encode()
                    self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                    self.wfile.flush()
                self.close_connection = True  # dropped mid-stream: no terminating chunk
            elif url.path == "/2/tweets":  # the metrics poller's re-read of open cases' tweets
                self._json({"data": [tweet(int(i) - 1000) for i in q["ids"][0].split(",")]})
            else:
                self._json({}, 404)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", fake
    finally:
        server.shutdown()
        server.server_close()


def test_rule_covers_handles_and_keywords() -> None:
    rule = brand_rule(BRANDS[0])
    assert "@AuroraAirways" in rule and "from:AuroraHelp" in rule and "#flyaurora" in rule
    assert '"Aurora Airways"' in rule


def test_kill_and_restart_stores_every_tweet_once(desk: Desk, xapi: tuple[str, FakeX]) -> None:
    base, fake = xapi
    fake.published = list(range(1, 9))
    fake.streams.append([line(1), "", line(2), line(2), line(4), line(3), "{broken", json.dumps({"errors": []})])
    sleeps: list[float] = []
    first = XConnector("x", desk.ingest, "x-secret", BRANDS[:1], api_base_url=base)
    first.run(max_connections=2, sleep=sleeps.append)
    assert sleeps[0] == 0.0 and len(sleeps) == 2  # the 429's reset, then back-off after the drop
    assert first.health.malformed == 2
    assert [r["tag"] for r in fake.rules] == ["aurora"]
    first.http.close()

    fake.streams.append([line(8), line(5)])
    second = XConnector("x", desk.ingest, "x-secret", BRANDS[:1], api_base_url=base)
    assert second.cursor == "1004"
    second.run(max_connections=1, sleep=sleeps.append)
    with desk.db.session() as s:
        ids = list(s.scalars(select(PostRow.platform_id).where(PostRow.platform == "x")))
        state = s.get(ConnectorStateRow, "x")
        assert state is not None and state.cursor == "1008"
        assert "x-secret" not in (state.last_error or "")
    assert sorted(ids) == [str(1000 + n) for n in range(1, 9)]
    assert len(fake.rules) == 1  # the restart found its rule and added none


def test_an_unreachable_api_is_retried_with_the_reason_in_the_log(desk: Desk, caplog: pytest.LogCaptureFixture
                                                                   ) -> None:
    with socket.socket() as s:  # a port nobody listens on: the connection is refused, as with no network
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sleeps: list[float] = []
    conn = XConnector("x", desk.ingest, "x-secret", BRANDS[:1], api_base_url=f"http://127.0.0.1:{port}")
    with caplog.at_level(logging.WARNING, logger="wakeful.ingest.connectors.base"):
        conn.run(max_connections=2, sleep=sleeps.append)
    conn.http.close()
    assert len(sleeps) == 2 and conn.health.errors == 2
    assert [r.getMessage().split(":")[0] for r in caplog.records] == ["x", "x"]
    assert "ConnectError" in caplog.records[0].getMessage() and "retry 1 in" in caplog.records[0].getMessage()
    assert "retry 2 in" in caplog.records[1].getMessage()
    assert all("x-secret" not in r.getMessage() for r in caplog.records)


def test_connect_with_a_connection_limit_stops_the_metrics_poller_too(xapi: tuple[str, FakeX],
                                                                      monkeypatch: pytest.MonkeyPatch,
                                                                      tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from wakeful.cli import app
    from wakeful.core.settings import get_settings
    from wakeful.store.db import migrate

    base, fake = xapi
    fake.rate_limited = False
    fake.published = [1, 2]
    fake.streams.append([line(3)])
    url = f"sqlite:///{tmp_path}/w.db"
    migrate(url)
    for k, v in {"DATABASE_URL": url, "CONNECTORS__X__BEARER_TOKEN": "x-secret", "CONNECTORS__X__API_BASE_URL": base,
                 "CONNECTORS__X__METRICS_INTERVAL_S": "3600"}.items():
        monkeypatch.setenv(f"WAKEFUL_{k}", v)
    get_settings.cache_clear()
    result: list[Any] = []
    runner = threading.Thread(target=lambda: result.append(CliRunner().invoke(app, ["connect", "x", "--connections",
                                                                                  "1"])), daemon=True)
    runner.start()
    runner.join(timeout=60)  # without the stop, the poller sleeps out its hour before the command returns
    get_settings.cache_clear()
    assert not runner.is_alive(), "wakeful connect waited for the metrics poller's interval"
    assert result[0].exit_code == 0, result[0].output
    # no cursor, so no back-fill: the stream's one tweet
    assert "x: delivered 1," in result[0].output and "x-metrics: delivered" in result[0].output
