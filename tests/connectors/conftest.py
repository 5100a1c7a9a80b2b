"""Fixtures the connector tests share: Jetstream fakes that answer the WebSocket handshake as a test says."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from typing import Protocol

import pytest
from websockets.http11 import Request as WsRequest

from tests.connectors.loopback import Handshake, ws_server


class StartJetstream(Protocol):
    def __call__(self, handshake: Handshake, seen: list[WsRequest] | None = None) -> str: ...


@pytest.fixture
def jetstream() -> Iterator[StartJetstream]:
    """Start a Jetstream fake answering each handshake with the given `Handshake` (recording it in the list, if
    one is given) and return its URL; every one started is shut down after the test."""
    with ExitStack() as stack:
        yield lambda handshake, seen=None: stack.enter_context(ws_server(handshake, seen))
