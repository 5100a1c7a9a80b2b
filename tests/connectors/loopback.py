"""Helpers for the loopback platform servers: run an HTTP handler or a WebSocket server (Jetstream) on 127.0.0.1,
answer JSON or a handshake, count what was stored."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

from sqlalchemy import func, select
from websockets.datastructures import Headers
from websockets.http11 import Request as WsRequest
from websockets.http11 import Response as WsResponse
from websockets.sync.server import ServerConnection, serve

from wakeful.api.deps import Desk
from wakeful.store.models import PostRow

Route = Callable[["Request"], tuple[int, Any, dict[str, str]]]
"""Answers one request with (status, JSON body or raw bytes, headers)."""
Handshake = Callable[[WsRequest], WsResponse | None]
"""Answers one WebSocket handshake: an HTTP response refusing it, or None to accept it."""


class Request:
    """What the platform received: method, path, query, headers and body, kept for the test to assert on."""

    def __init__(self, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> None:
        url = urlparse(raw_path)
        self.method, self.path, self.headers, self.body = method, url.path, headers, body
        self.query = {k: v[0] for k, v in parse_qs(url.query).items()}

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}


@contextmanager
def http_server(route: Route, seen: list[Request] | None = None) -> Iterator[str]:
    """A threaded HTTP/1.1 server on a free loopback port; yields its base URL."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            req = Request(self.command, self.path, dict(self.headers.items()), self.rfile.read(length))
            if seen is not None:
                seen.append(req)
            status, body, headers = route(req)
            raw = isinstance(body, bytes)  # a whole event stream, sent as it is
            data = body if raw else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/event-stream" if raw else "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for k, v in headers.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _answer

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def refusal(status: int, reason: str, headers: dict[str, str] | None = None, body: bytes = b"") -> Handshake:
    """The same refusal for every handshake, built afresh each time (the server adds its own headers to it)."""
    return lambda req: WsResponse(status, reason, Headers(headers or {}), body)


@contextmanager
def ws_server(handshake: Handshake, seen: list[WsRequest] | None = None) -> Iterator[str]:
    """A WebSocket server on a free loopback port, answering each handshake with `handshake` (a connection it
    accepts is closed at once, as a Jetstream restarting would); yields its ws:// URL."""

    def process_request(conn: ServerConnection, req: WsRequest) -> WsResponse | None:
        if seen is not None:
            seen.append(req)
        return handshake(req)

    with serve(lambda conn: None, "127.0.0.1", 0, process_request=process_request) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            yield f"ws://127.0.0.1:{server.socket.getsockname()[1]}"
        finally:
            server.shutdown()


def count(desk: Desk, model: Any) -> int:
    with desk.db.session() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def stored_ids(desk: Desk, platform: str) -> list[str]:
    """Every stored post id of a platform, with repeats if any were stored twice."""
    with desk.db.session() as s:
        return sorted(s.scalars(select(PostRow.platform_id).where(PostRow.platform == platform)))
